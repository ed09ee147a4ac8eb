#include "substrate/substrate.hpp"

#include "core/column_sums.hpp"
#include "core/error.hpp"
#include "core/nonzero_indices.hpp"

namespace plasticore {

void Substrate::exact_forward_events(const Matrix& w, std::span<const int32_t> active, Scalar* y) const {
  count_forward_events(w, active.size());
  // Each output is added to in the order of `active`, as a column-at-a-time sum would (bit-identical).
  sum_columns<true, false>(y, w.rows(), active.size(), Scalar{1}, [&](size_t k) { return w.col(active[k]).data(); });
}

void Substrate::exact_forward_event_changes(const Matrix& w, std::span<const int32_t> on, std::span<const int32_t> off,
                                            size_t active, Scalar* y) const {
  count_forward_events(w, active);
  sum_columns<false, true>(y, w.rows(), on.size(), Scalar{1}, [&](size_t k) { return w.col(on[k]).data(); });
  sum_columns<false, true>(y, w.rows(), off.size(), Scalar{-1}, [&](size_t k) { return w.col(off[k]).data(); });
}

void Substrate::exact_forward_nonzero(const Matrix& w, const Matrix& x, Matrix& y) const {
  const int64_t macs = static_cast<int64_t>(w.size()) * x.cols();
  count(Op::dense_macs, macs);
  count(Op::dense_equivalent_macs, macs);
  y.resize(w.rows(), x.cols());
  std::vector<int32_t> nonzero(static_cast<size_t>(x.rows()));  // once per batch, not per synapse
  for (Eigen::Index b = 0; b < x.cols(); ++b) {
    const Scalar* xb = x.col(b).data();
    const auto n = static_cast<size_t>(nonzero_indices(xb, x.rows(), nonzero.data()));
    sum_scaled_columns<true, ColumnScale::factor>(
        y.col(b).data(), w.rows(), n, Scalar{1}, [&](size_t k) { return w.col(nonzero[k]).data(); },
        [&](size_t k) { return xb[nonzero[k]]; });
  }
}

void Substrate::exact_backward_events(const Matrix& w, std::span<const int32_t> active, Scalar* x) const {
  count(Op::synaptic_events, static_cast<int64_t>(active.size()) * w.cols());
  count(Op::dense_equivalent_macs, static_cast<int64_t>(w.size()));
  Eigen::Map<Vector> out(x, w.cols());
  out.setZero();
  if (keep_transpose_) {
    for (const int32_t i : active) out += transposed_.col(i);  // contiguous
  } else {
    for (const int32_t i : active) out += w.row(i).transpose();
  }
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
