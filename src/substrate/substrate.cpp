#include "substrate/substrate.hpp"

#include <atomic>
#include <vector>

#include "core/column_product.hpp"
#include "core/column_sums.hpp"
#include "core/error.hpp"
#include "core/nonzero_indices.hpp"
#include "core/product_chunks.hpp"
#include "core/team.hpp"

namespace plasticore {

void Substrate::keep_aligned_columns_of(const Matrix& w) {
  const Eigen::Index rows = aligned_column_rows(w.rows());
  if (rows == w.rows()) return;  // aligned so already, or too short to gain
  aligned_.setZero(rows, w.cols());
  refresh_aligned(w);
}

void Substrate::exact_forward_events(const Matrix& w, std::span<const int32_t> active, Scalar* y) const {
  count_forward_events(w, active.size());
  // Each output is added to in the order of `active`, as a column-at-a-time sum would (bit-identical).
  const EventColumns column = event_columns(w);
  sum_columns<true, false>(y, w.rows(), active.size(), Scalar{1}, [&](size_t k) { return column(active[k]); });
}

void Substrate::exact_forward_event_changes(const Matrix& w, std::span<const int32_t> on, std::span<const int32_t> off,
                                            size_t active, Scalar* y) const {
  count_forward_events(w, active);
  const EventColumns column = event_columns(w);
  sum_columns<false, true>(y, w.rows(), on.size(), Scalar{1}, [&](size_t k) { return column(on[k]); });
  sum_columns<false, true>(y, w.rows(), off.size(), Scalar{-1}, [&](size_t k) { return column(off[k]); });
}

void Substrate::exact_forward_event_change_steps(const Matrix& w, std::span<const StepChanges> steps, Scalar* y) const {
  for (const StepChanges& s : steps) count_forward_events(w, s.active);
  sum_changes_over_steps(y, w.rows(), steps, event_columns(w));
}

void Substrate::exact_forward_event_steps(const Matrix& w, std::span<const StepEvents> steps) const {
  for (const StepEvents& s : steps) count_forward_events(w, s.events.size());
  sum_events_over_steps(w.rows(), steps, event_columns(w));
}

void Substrate::exact_forward_nonzero(const Matrix& w, const Matrix& x, Matrix& y) const {
  const int64_t macs = static_cast<int64_t>(w.size()) * x.cols();
  count(Op::dense_macs, macs);
  count(Op::dense_equivalent_macs, macs);
  y.resize(w.rows(), x.cols());
  const int threads = macs >= (int64_t{1} << 16) && team_of_several() ? omp_get_max_threads() : 1;
  const std::vector<ColumnChunk> chunks = product_column_chunks<Scalar>(w.cols(), threads);
  const auto parts = static_cast<int>(chunks.size());
  // On several threads a pipeline over W's column chunks, the chunks each thread's rule sums and update writes
  // (for_column_chunks): thread p adds its chunk's non-zero inputs to sample b's output once thread p - 1 has
  // added its own, so every output is the same sum in the same order as on one thread, and no line of W moves
  // between the cores (two threads that each read all of W and then wrote half of it, rate EP's split by
  // samples, moved half of it twice per batch). The samples' progress, and each part's scratch (allocated
  // here: a part that threw would leave the next one waiting).
  std::vector<std::atomic<uint32_t>> finished(parts > 1 ? static_cast<size_t>(x.cols()) : 0);
  std::vector<std::vector<int32_t>> nonzero(static_cast<size_t>(parts));
  for (int p = 0; p < parts; ++p) nonzero[static_cast<size_t>(p)].resize(static_cast<size_t>(chunks[static_cast<size_t>(p)].cols));
  const auto add_chunk = [&](int p) {
    const ColumnChunk c = chunks[static_cast<size_t>(p)];
    int32_t* list = nonzero[static_cast<size_t>(p)].data();
    for (Eigen::Index b = 0; b < x.cols(); ++b) {
      const Scalar* xb = x.col(b).data() + c.begin;
      const auto n = static_cast<size_t>(nonzero_indices(xb, c.cols, list));
      const auto column = [&](size_t k) { return w.col(c.begin + list[k]).data(); };
      const auto factor = [&](size_t k) { return xb[list[k]]; };
      if (p > 0) wait_for_count(finished[static_cast<size_t>(b)], static_cast<uint32_t>(p));
      if (p == 0) sum_scaled_columns<true, ColumnScale::factor>(y.col(b).data(), w.rows(), n, Scalar{1}, column, factor);
      else sum_scaled_columns<false, ColumnScale::factor>(y.col(b).data(), w.rows(), n, Scalar{1}, column, factor);
      if (p + 1 < parts) {
        finished[static_cast<size_t>(b)].store(static_cast<uint32_t>(p + 1), std::memory_order_release);
        finished[static_cast<size_t>(b)].notify_all();  // a system call only if the next part sleeps
      }
    }
  };
  if (parts < 2) add_chunk(0);
  else run_team(parts, [&](int p, int) { add_chunk(p); });  // inline, part after part, the waits are met
}

void Substrate::exact_backward_events(const Matrix& w, std::span<const int32_t> active, Scalar* x) const {
  count(Op::synaptic_events, static_cast<int64_t>(active.size()) * w.cols());
  count(Op::dense_equivalent_macs, static_cast<int64_t>(w.size()));
  if (keep_transpose_) {  // contiguous columns, summed from zero in register tiles (no zeroing pass over x)
    sum_columns<true, false>(x, w.cols(), active.size(), Scalar{1}, [&](size_t k) { return transposed_.col(active[k]).data(); });
    return;
  }
  Eigen::Map<Vector> out(x, w.cols());
  out.setZero();
  for (const int32_t i : active) out += w.row(i).transpose();
}

void Substrate::exact_backward_by_column(const Matrix& w, const Matrix& y, Matrix& x) const {
  if (keep_transpose_) column_product(transposed_, y, x);
  else column_product(w.transpose(), y, x);  // a caller that reads W^T every step keeps it (keep_transposed_weights)
}

void Substrate::exact_backward(const Matrix& w, const Matrix& y, Matrix& x) const {
  // Eigen evaluates a product as a coefficient-wise loop below EIGEN_GEMM_TO_COEFFBASED_THRESHOLD (20) rows +
  // columns + depth, and as a matrix-vector product for one column or one row; those kernels read each operand in
  // its own order, so only the general product may take W^T from the copy.
  const bool general =
      y.cols() > 1 && w.cols() > 1 && w.rows() + w.cols() + y.cols() >= EIGEN_GEMM_TO_COEFFBASED_THRESHOLD;
  if (keep_transpose_ && general) x.noalias() = transposed_ * y;
  else x.noalias() = w.transpose() * y;
}

void save_matrix(NamedTensors& out, const std::string& name, const Substrate& substrate) {
  out.put_matrix(name, substrate.weights());
  substrate.save_state(out, "substrate/" + name + "/");
}

Matrix saved_weights(const NamedTensors& in, const std::string& name, int rows, int cols) {
  Matrix w = in.matrix(name, rows, cols);
  if (!w.allFinite()) throw RuntimeError(in.source() + ": " + name + " has a NaN or infinite weight");
  return w;
}

void restore_matrix(const NamedTensors& in, const std::string& name, Substrate& substrate) {
  const Matrix w = saved_weights(in, name, substrate.rows(), substrate.cols());  // checked even when the state is used
  if (substrate.restore_state(in, "substrate/" + name + "/")) return;
  substrate.set_weights(w);
}

}  // namespace plasticore
