#include "substrate/ideal.hpp"

#include "core/column_runs.hpp"
#include "core/error.hpp"
#include "core/product_chunks.hpp"
#include "core/sgd_sweep.hpp"

namespace plasticore {

void IdealSubstrate::update(const Matrix& delta) {
  count(Op::accumulator_updates, w_.size());  // digital weights: one memory write per synapse
  if (Matrix* aligned = aligned_columns()) {
    for_column_chunks(w_.rows(), w_.cols(), [&](Eigen::Index c0, Eigen::Index n) {
      aligned->block(0, c0, w_.rows(), n) += delta.middleCols(c0, n);
    });
    changed_in_aligned_copy();
    return;
  }
  for_column_chunks(w_.rows(), w_.cols(), [&](Eigen::Index c0, Eigen::Index n) { w_.middleCols(c0, n) += delta.middleCols(c0, n); });
  refresh_transpose(w_);
}

const Matrix& IdealSubstrate::plain() const {
  if (plain_.stale.load(std::memory_order_acquire)) {
    const std::lock_guard<std::mutex> lock(plain_.refresh);
    if (plain_.stale.load(std::memory_order_relaxed)) {
      w_ = aligned_columns()->topRows(w_.rows());
      plain_.stale.store(false, std::memory_order_release);
    }
  }
  return w_;
}

void IdealSubstrate::changed_in_aligned_copy() {
  plain_.stale.store(true, std::memory_order_release);
  refresh_transpose_from_aligned(w_.rows());
}

bool IdealSubstrate::update_sgd(Matrix& gradient, Scalar scale, Scalar step, const std::vector<int32_t>* columns) {
  count(Op::accumulator_updates, w_.size());  // as update(): one memory write per synapse (as a chip counts it)
  const Eigen::Index rows = w_.rows();
  Matrix* aligned = aligned_columns();
  // Columns c0 .. c0 + n - 1 of W where it changes: in one sweep where they are contiguous (w_), else column by column.
  const auto sweep = [&](Eigen::Index c0, Eigen::Index n) {
    if (aligned == nullptr) {
      sgd_sweep(w_.data() + c0 * rows, gradient.data() + c0 * rows, n * rows, scale, step);
      return;
    }
    for (Eigen::Index j = c0; j < c0 + n; ++j) sgd_sweep(aligned->col(j).data(), gradient.col(j).data(), rows, scale, step);
  };
  if (columns != nullptr) {
    // Only the columns that may have a gradient, each run of neighbouring columns in one sweep; on several
    // threads each sweeps the listed columns of its chunk, the columns whose sums it added (rate EP's rule).
    for_column_chunks(rows, w_.cols(), [&](Eigen::Index c0, Eigen::Index n) {
      for_column_runs(listed_in(*columns, c0, n), sweep);
    });
  } else {
    for_column_chunks(rows, w_.cols(), sweep);
  }
  if (aligned != nullptr) changed_in_aligned_copy();
  else refresh_transpose(w_);
  return true;
}

void IdealSubstrate::set_weights(const Matrix& w) {
  if (w.rows() != w_.rows() || w.cols() != w_.cols())
    throw RuntimeError("substrate: weight matrix has the wrong shape");
  w_ = w;
  plain_.stale.store(false, std::memory_order_release);
  refresh_copies(w_);
}

SubstrateEntry ideal_substrate_entry() {
  return {"exact fp32 weights and products",
          [](ConfigReader&, const std::string&, SubstrateConfig&) {},
          [](const SubstrateConfig&, int rows, int cols) -> std::unique_ptr<Substrate> {
            return std::make_unique<IdealSubstrate>(rows, cols);
          }};
}

SubstrateFactory ideal_substrates() { return substrate_factory(SubstrateConfig{}); }

}  // namespace plasticore
