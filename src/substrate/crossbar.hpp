// Analog crossbar matrix-vector product, tiled over tile_size x tile_size cores (aihwkit's forward
// pass, IOParameters; docs/hardware.md, "Crossbar tile"). Per tile and input vector:
//   alpha = max_j |x_j|                          (noise management "AbsMax": inputs scaled to [-1, 1])
//   x_q   = DAC(x / (alpha s))                   (dac_bits, symmetric, 2^(dac_bits-1) - 1 steps per sign)
//   y     = W_tile x_q + sqrt(V_tile x_q^2) xi + output_noise xi'   (device read noise summed over a line)
//   if any |y_i| > output_bound: s <- 2 s, read again (iterative bound management, at most 10 halvings)
//   y_out = alpha s ADC(clip(y, +-output_bound))  (adc_bits over [-output_bound, output_bound])
// W is normalised (weight / range), V is the per-device read-noise variance in the same units. Tiles
// along a row are summed digitally. Two implementations: the optimised one here (column axpys,
// vectorised, allocation-free) and a plain per-element reference (crossbar_reference.hpp); both sum
// every output line over its inputs in the same order, so they agree bit for bit without noise.
#pragma once
#include <cstdint>
#include <span>

#include "core/rng.hpp"
#include "core/tensor.hpp"
#include "substrate/periphery.hpp"

namespace plasticore {


// What one matrix operation cost, for the op counters.
struct CrossbarReads {
  int64_t device_reads = 0, dac_conversions = 0, adc_conversions = 0;
  void add(const CrossbarReads& o) {
    device_reads += o.device_reads;
    dac_conversions += o.dac_conversions;
    adc_conversions += o.adc_conversions;
  }
};

// y (length w.rows()) = the tiled crossbar product of w with x (length w.cols()). `variance` has w's
// shape or is empty (no read noise).
CrossbarReads crossbar_matvec(const Matrix& w, const Matrix& variance, const Scalar* x, Scalar* y,
                              const PeripheryParams& p, Rng& rng);
// The same with binary inputs: x_j = 1 for j in `active` (sorted ascending), 0 elsewhere.
CrossbarReads crossbar_matvec_events(const Matrix& w, const Matrix& variance, std::span<const int32_t> active, Scalar* y,
                                     const PeripheryParams& p, Rng& rng);

// The quantisers, shared by both implementations: round to the nearest of 2^(bits-1) - 1 steps per
// sign over [-bound, bound] after clipping; bits = 0 returns v unchanged.
inline Scalar quantize_symmetric(Scalar v, Scalar bound, int bits) {
  v = std::clamp(v, -bound, bound);
  if (bits == 0) return v;
  const Scalar steps = static_cast<Scalar>((1 << (bits - 1)) - 1);
  return std::nearbyint(v / bound * steps) * (bound / steps);
}

}  // namespace plasticore
