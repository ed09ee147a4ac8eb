// The one interface between learning rules and whatever holds a weight matrix (DESIGN.md, "rule x
// substrate"). Calls are per matrix operation, never per synapse: the hot loops live inside each
// substrate. Shapes: W is post x pre; matrices passed in have one column per sample.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/op_counters.hpp"
#include "core/tensor.hpp"

namespace plasticore {

struct UpdateStats {
  int64_t synapses_written = 0;  // entries the substrate wrote (all of them on the ideal substrate)
  int64_t programming_pulses = 0;  // device pulses (0 on digital substrates)
};

class Substrate {
 public:
  virtual ~Substrate() = default;
  virtual std::string kind() const = 0;
  virtual int rows() const = 0;  // postsynaptic neurons
  virtual int cols() const = 0;  // presynaptic neurons

  // y = W x for every column of x (dense input).
  virtual void forward(const Matrix& x, Matrix& y) const = 0;
  // y = sum of the columns of W named in `active` (one sample's presynaptic spikes, all of weight 1).
  virtual void forward_events(std::span<const int32_t> active, Scalar* y) const = 0;
  // x = W^T y for every column of y (symmetric feedback).
  virtual void backward(const Matrix& y, Matrix& x) const = 0;
  // x = sum of the rows of W named in `active` (postsynaptic spikes sent back through W^T).
  virtual void backward_events(std::span<const int32_t> active, Scalar* x) const = 0;
  // Request W += delta; the substrate realises what it can and reports it.
  virtual UpdateStats update(const Matrix& delta) = 0;
  // Wall-clock time passes (drift on devices; nothing on digital substrates).
  virtual void advance(double seconds) = 0;
  // The effective weight matrix, for checkpoints, analysis and rules that need w_ij.
  virtual const Matrix& weights() const = 0;
  // Program a whole matrix (initialisation, checkpoint restore).
  virtual void set_weights(const Matrix& w) = 0;
  // Every device conductance in microsiemens, now (empty on digital substrates).
  virtual std::vector<float> conductances_uS() const { return {}; }

  // Where this substrate counts the cost of its matrix operations (nullptr: not counted).
  void set_counters(OpCounters* counters) { counters_ = counters; }

 protected:
  void count(Op op, int64_t n) const {
    if (counters_ != nullptr) counters_->add(op, n);
  }

 private:
  OpCounters* counters_ = nullptr;
};

}  // namespace plasticore
