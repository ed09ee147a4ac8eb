// What a hardware-in-the-loop host needs from the chip beneath it (hardware_in_the_loop.hpp): program
// chosen synapses to target weights (program-and-verify on devices, the nearest level on a digital
// array), and re-map the whole array to a new range. Implemented by the device and quantized substrates.
#pragma once
#include <cstdint>
#include <span>

#include "core/tensor.hpp"

namespace plasticore {

class ProgrammableArray {
 public:
  virtual ~ProgrammableArray() = default;
  // |weight| at full conductance / the outermost level.
  virtual Scalar range() const = 0;
  // The weight change one programming step resolves (a nominal pulse, a level): the scale of the
  // host's reprogramming threshold.
  virtual Scalar resolution() const = 0;
  // Program the synapses `synapses` (column-major indices into the rows x cols matrix) to w's values.
  virtual void program(const Matrix& w, std::span<const int64_t> synapses) = 0;
  // A new range, and every synapse programmed to w under it.
  virtual void remap(const Matrix& w, Scalar range) = 0;
};

}  // namespace plasticore
