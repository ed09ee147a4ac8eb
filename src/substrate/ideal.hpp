// Ideal fp32 substrate: exact weights, exact matrix products. The reference every device model is
// compared against. Counts one dense MAC per weight and sample of a dense product, one synaptic event
// per weight column (row) entry an event-driven product sums, and the dense equivalent of both.
// No keys beyond substrate.kind = "ideal"; no state beyond its weights.
#pragma once
#include <atomic>
#include <mutex>

#include "core/column_product.hpp"
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
    y.noalias() = plain() * x;
  }
  void forward_nonzero(const Matrix& x, Matrix& y) const override { exact_forward_nonzero(plain(), x, y); }
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
  bool forward_event_steps(std::span<const StepEvents> steps) const override {
    exact_forward_event_steps(w_, steps);
    return true;
  }
  void backward(const Matrix& y, Matrix& x) const override {
    count_dense(y.cols());
    const Matrix& w = plain();
    if (y.isZero(0)) {
      x.setZero(w.cols(), y.cols());  // e.g. no error outside a decision window
    } else if (w.rows() == 1 && y.cols() == 1) {
      // One output (a learning signal per step): each element is one product added to zero, as in the general
      // product (so a zero weight times a negative signal is +0 there too), whose set-up through Eigen's
      // matrix-vector kernel cost e-prop on pattern generation 7 % of its time.
      x.resize(w.cols(), 1);
      x.col(0).array() = Scalar{0} + y(0, 0) * w.row(0).transpose().array();
    } else {
      exact_backward(w, y, x);
    }
  }
  bool products_by_column() const override { return true; }
  void forward_by_column(const Matrix& x, Matrix& y) const override {
    count_dense(x.cols());
    column_product(plain(), x, y);
  }
  void backward_by_column(const Matrix& y, Matrix& x) const override {
    count_dense(y.cols());
    exact_backward_by_column(plain(), y, x);
  }
  void backward_events(std::span<const int32_t> active, Scalar* x) const override {
    exact_backward_events(plain(), active, x);
  }
  void keep_transposed_weights() override { keep_transpose_of(plain()); }
  void keep_aligned_columns() override { keep_aligned_columns_of(plain()); }
  void update(const Matrix& delta) override;
  bool update_sgd(Matrix& gradient, Scalar scale, Scalar step, const std::vector<int32_t>* columns = nullptr) override;
  // W itself, unless the event sums read an aligned copy (then update_sgd writes the copy, column by column).
  Matrix* sgd_in_place() override { return aligned_columns() == nullptr ? &w_ : nullptr; }
  void changed_in_place() override {
    count(Op::accumulator_updates, w_.size());  // as update_sgd counts
    refresh_transpose(w_);
  }
  void advance(double) override {}
  const Matrix& weights() const override { return plain(); }
  void set_weights(const Matrix& w) override;
  void save_state(NamedTensors&, const std::string&) const override {}
  bool restore_state(const NamedTensors&, const std::string&) override { return false; }

 private:
  void count_dense(Eigen::Index batch) const {
    const int64_t macs = static_cast<int64_t>(w_.size()) * batch;
    count(Op::dense_macs, macs);
    count(Op::dense_equivalent_macs, macs);
  }
  // W as weights() returns it: refreshed from the aligned copy when read after a change there (plain()).
  const Matrix& plain() const;
  // After a change of W in the aligned copy: w_ is stale until read; the kept W^T is refreshed now, from the copy.
  void changed_in_aligned_copy();
  // The weights, unless keep_aligned_columns() made an aligned copy: from then on W changes only there, and w_ is
  // that copy's plain image, made when something reads it (weights(), dense products). Writing both layouts at every
  // update cost EqSpike the copy (1.3-1.5 % of a run in perf) and kept 1.6 MB more of W1 in the caches.
  mutable Matrix w_;
  // Whether w_ lags the aligned copy, and the lock of its refresh (weights() may be called on several threads).
  // Copies of the substrate copy the flag; each has its own lock.
  struct StaleFlag {
    std::atomic<bool> stale{false};
    std::mutex refresh;
    StaleFlag() = default;
    StaleFlag(const StaleFlag& other) : stale(other.stale.load()) {}
    StaleFlag& operator=(const StaleFlag& other) {
      stale.store(other.stale.load());
      return *this;
    }
  };
  mutable StaleFlag plain_;
};

SubstrateEntry ideal_substrate_entry();
// Every matrix of a network on an ideal substrate (tests, analyses, the Python RecurrentSNN).
SubstrateFactory ideal_substrates();

}  // namespace plasticore
