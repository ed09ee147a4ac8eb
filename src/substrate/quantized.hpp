// n-bit uniform weights (digital, e.g. an SRAM or 4-bit neuromorphic core). Levels for bits >= 2 are
// symmetric with a zero: w = k * step, k in [-(2^(bits-1) - 1), 2^(bits-1) - 1], step = range /
// (2^(bits-1) - 1); for bits = 1 they are {-range, +range}. range comes from the weight mapping
// (weight_mapping.hpp: auto = headroom x max|w| when the matrix is programmed as a whole). In-memory
// training: every write rounds W + dW to a level, to the nearest (deterministic) or up with probability
// equal to the fraction of a step (stochastic, unbiased: E[w'] = W + dW inside the range). Hardware in
// the loop (hardware_in_the_loop.hpp): the host's fp32 master weights are rounded to the nearest level
// when reprogrammed. Matrix products are exact on the stored levels.
#pragma once
#include <memory>
#include <vector>

#include "core/rng_jump.hpp"
#include "substrate/programmable_array.hpp"
#include "substrate/registry.hpp"

namespace plasticore {

class QuantizedSubstrate final : public Substrate, public ProgrammableArray {
 public:
  QuantizedSubstrate(int rows, int cols, const SubstrateConfig& config);
  std::string kind() const override { return "quantized"; }
  int rows() const override { return static_cast<int>(w_.rows()); }
  int cols() const override { return static_cast<int>(w_.cols()); }
  void forward(const Matrix& x, Matrix& y) const override;
  void forward_events(std::span<const int32_t> active, Scalar* y) const override { exact_forward_events(w_, active, y); }
  // Reads are exact and repeatable: a replayed sum is counted as read again (learn/relaxation.hpp).
  bool repeat_forward_events(std::span<const int32_t> active) const override {
    count_forward_events(w_, active.size());
    return true;
  }
  bool forward_event_changes(std::span<const int32_t> on, std::span<const int32_t> off, size_t active,
                             Scalar* y) const override {
    exact_forward_event_changes(w_, on, off, active, y);
    return true;
  }
  bool forward_event_change_steps(std::span<const StepChanges> steps, Scalar* y) const override {
    exact_forward_event_change_steps(w_, steps, y);
    return true;
  }
  bool forward_event_steps(std::span<const StepEvents> steps) const override {
    exact_forward_event_steps(w_, steps);
    return true;
  }
  void backward(const Matrix& y, Matrix& x) const override;
  void backward_events(std::span<const int32_t> active, Scalar* x) const override { exact_backward_events(w_, active, x); }
  bool products_by_column() const override { return true; }
  void forward_by_column(const Matrix& x, Matrix& y) const override;
  void backward_by_column(const Matrix& y, Matrix& x) const override;
  void keep_transposed_weights() override { keep_transpose_of(w_); }
  void update(const Matrix& delta) override;
  // With a list of the columns that may have a gradient (learn/gradient_columns.hpp): update() of the change
  // step * scale * gradient over those columns only, bit for bit: the others' change is 0, which leaves a weight on
  // its level, and their rounding numbers are jumped over (core/rng_jump.hpp). Without a list: false (update()).
  bool update_sgd(Matrix& gradient, Scalar scale, Scalar step, const std::vector<int32_t>* columns = nullptr) override;
  void advance(double) override {}
  const Matrix& weights() const override { return w_; }
  void set_weights(const Matrix& w) override;
  // The levels and the position of the stochastic-rounding stream.
  void save_state(NamedTensors& out, const std::string& prefix) const override;
  bool restore_state(const NamedTensors& in, const std::string& prefix) override;

  // ProgrammableArray (hardware in the loop): nearest-level writes; a write that leaves a level is not counted.
  Scalar range() const override { return -lowest_; }
  Scalar resolution() const override { return step_; }
  void program(const Matrix& w, std::span<const int64_t> synapses) override;
  void remap(const Matrix& w, Scalar range) override;

  Scalar step() const { return step_; }
  int levels() const { return levels_; }

 private:
  // One MAC per weight and column of a dense product, and its dense equivalent.
  void count_dense(Eigen::Index batch) const;
  void quantize(const Matrix& target, const Matrix* delta = nullptr);  // w_ = the rounded target (+ delta)
  void set_range(Scalar range);
  Scalar nearest_level(Scalar v) const;

  Matrix w_;  // every change ends in refresh_transpose(w_)
  Scalar lowest_, step_;
  int levels_;
  int bits_;
  WeightMappingParams mapping_;
  bool stochastic_;
  uint64_t seed_;
  uint64_t writes_ = 0;  // numbers the stochastic-rounding streams, so every write draws fresh bits
  std::vector<Scalar> thresholds_;  // stochastic rounding: one write's uniform numbers (reused buffer)
  std::vector<Scalar> change_;      // update_sgd: one run of columns' change
  std::unique_ptr<RngJump> column_jump_;  // update_sgd: the stream by whole columns (made on first use)
};

SubstrateEntry quantized_substrate_entry();

}  // namespace plasticore
