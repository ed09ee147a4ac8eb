// n-bit uniform weights (digital, e.g. an SRAM or 4-bit neuromorphic core). Levels for bits >= 2 are
// symmetric with a zero: w = k * step, k in [-(2^(bits-1) - 1), 2^(bits-1) - 1], step = range /
// (2^(bits-1) - 1); for bits = 1 they are {-range, +range}. Every write rounds W + dW to a level:
// to the nearest (deterministic) or up with probability equal to the fraction of a step (stochastic,
// unbiased: E[w'] = W + dW inside the range). Matrix products are exact on the stored levels.
#pragma once
#include "substrate/registry.hpp"

namespace plasticore {

class QuantizedSubstrate final : public Substrate {
 public:
  QuantizedSubstrate(int rows, int cols, const SubstrateConfig& config);
  std::string kind() const override { return "quantized"; }
  int rows() const override { return static_cast<int>(w_.rows()); }
  int cols() const override { return static_cast<int>(w_.cols()); }
  void forward(const Matrix& x, Matrix& y) const override;
  void forward_events(std::span<const int32_t> active, Scalar* y) const override;
  void backward(const Matrix& y, Matrix& x) const override;
  void backward_events(std::span<const int32_t> active, Scalar* x) const override;
  void update(const Matrix& delta) override;
  void advance(double) override {}
  const Matrix& weights() const override { return w_; }
  void set_weights(const Matrix& w) override;
  // The levels and the position of the stochastic-rounding stream.
  void save_state(NamedTensors& out, const std::string& prefix) const override;
  bool restore_state(const NamedTensors& in, const std::string& prefix) override;

  Scalar step() const { return step_; }
  int levels() const { return levels_; }

 private:
  void quantize(const Matrix& target);  // w_ = the rounded target

  Matrix w_;
  Scalar lowest_, step_;
  int levels_;
  bool stochastic_;
  uint64_t seed_;
  uint64_t writes_ = 0;  // numbers the stochastic-rounding streams, so every write draws fresh bits
};

SubstrateEntry quantized_substrate_entry();

}  // namespace plasticore
