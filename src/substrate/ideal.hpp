// Ideal fp32 substrate: exact weights, exact matrix products. The reference every device model is
// compared against. Counts one dense MAC per weight and sample of a dense product, one synaptic event
// per weight column (row) entry an event-driven product sums, and the dense equivalent of both.
// No keys beyond substrate.kind = "ideal"; no state beyond its weights.
#pragma once
#include "substrate/registry.hpp"

namespace plasticore {

class IdealSubstrate final : public Substrate {
 public:
  IdealSubstrate(int rows, int cols) : w_(Matrix::Zero(rows, cols)) {}
  std::string kind() const override { return "ideal"; }
  int rows() const override { return static_cast<int>(w_.rows()); }
  int cols() const override { return static_cast<int>(w_.cols()); }
  void forward(const Matrix& x, Matrix& y) const override {
    count_dense(x.cols());
    y.noalias() = w_ * x;
  }
  void forward_nonzero(const Matrix& x, Matrix& y) const override { exact_forward_nonzero(w_, x, y); }
  bool forward_nonzero_on_team() const override { return true; }
  void forward_events(std::span<const int32_t> active, Scalar* y) const override { exact_forward_events(w_, active, y); }
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
  void backward(const Matrix& y, Matrix& x) const override {
    count_dense(y.cols());
    if (y.isZero(0)) {
      x.setZero(w_.cols(), y.cols());  // e.g. no error outside a decision window
    } else if (w_.rows() == 1 && y.cols() == 1) {
      // One output (a learning signal per step): each element is one product added to zero, as in the general
      // product (so a zero weight times a negative signal is +0 there too), whose set-up through Eigen's
      // matrix-vector kernel cost e-prop on pattern generation 7 % of its time.
      x.resize(w_.cols(), 1);
      x.col(0).array() = Scalar{0} + y(0, 0) * w_.row(0).transpose().array();
    } else {
      exact_backward(w_, y, x);
    }
  }
  void backward_events(std::span<const int32_t> active, Scalar* x) const override { exact_backward_events(w_, active, x); }
  void keep_transposed_weights() override { keep_transpose_of(w_); }
  void keep_aligned_columns() override { keep_aligned_columns_of(w_); }
  void update(const Matrix& delta) override;
  bool update_sgd(Matrix& gradient, Scalar scale, Scalar step, const std::vector<int32_t>* columns = nullptr) override;
  void advance(double) override {}
  const Matrix& weights() const override { return w_; }
  void set_weights(const Matrix& w) override;
  void save_state(NamedTensors&, const std::string&) const override {}
  bool restore_state(const NamedTensors&, const std::string&) override { return false; }

 private:
  void count_dense(Eigen::Index batch) const {
    const int64_t macs = static_cast<int64_t>(w_.size()) * batch;
    count(Op::dense_macs, macs);
    count(Op::dense_equivalent_macs, macs);
  }
  Matrix w_;  // every change ends in refresh_transpose(w_) and refreshes its aligned columns
};

SubstrateEntry ideal_substrate_entry();
// Every matrix of a network on an ideal substrate (tests, analyses, the Python RecurrentSNN).
SubstrateFactory ideal_substrates();

}  // namespace plasticore
