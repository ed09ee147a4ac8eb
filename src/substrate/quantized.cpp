#include "substrate/quantized.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace plasticore {

QuantizedSubstrate::QuantizedSubstrate(int rows, int cols, const SubstrateConfig& config)
    : w_(Matrix::Zero(rows, cols)), stochastic_(config.rounding == "stochastic"), seed_(config.seed) {
  const auto range = static_cast<Scalar>(config.range);
  if (config.bits == 1) {
    levels_ = 2;
    step_ = 2 * range;
  } else {
    const int half = (1 << (config.bits - 1)) - 1;
    levels_ = 2 * half + 1;
    step_ = range / static_cast<Scalar>(half);
  }
  lowest_ = -range;
}

void QuantizedSubstrate::quantize(const Matrix& target) {
  Rng rng(seed_, "quantized_rounding", writes_++);
  const Scalar top = static_cast<Scalar>(levels_ - 1), inv_step = 1 / step_;
  const Eigen::Index n = w_.size();
  const Scalar* t = target.data();
  Scalar* w = w_.data();
  for (Eigen::Index i = 0; i < n; ++i) {
    if (std::isnan(t[i])) continue;  // a NaN request leaves the weight as it is
    Scalar position = std::clamp((t[i] - lowest_) * inv_step, Scalar(0), top);  // in steps above the lowest level
    // A value already on a level (a restored checkpoint) stays there despite float rounding of the division.
    if (std::abs(position - std::nearbyint(position)) < Scalar(1e-4)) position = std::nearbyint(position);
    const Scalar below = std::floor(position);
    const Scalar threshold = stochastic_ ? rng.uniform() : Scalar(0.5);
    const Scalar level = position - below > threshold ? below + 1 : below;
    w[i] = lowest_ + level * step_;
  }
}

void QuantizedSubstrate::forward(const Matrix& x, Matrix& y) const {
  y.noalias() = w_ * x;
  count(Op::dense_macs, w_.size() * x.cols());
  count(Op::dense_equivalent_macs, w_.size() * x.cols());
}

void QuantizedSubstrate::forward_events(std::span<const int32_t> active, Scalar* y) const {
  Eigen::Map<Vector> out(y, w_.rows());
  out.setZero();
  for (const int32_t j : active) out += w_.col(j);
  count(Op::synaptic_events, static_cast<int64_t>(active.size()) * w_.rows());
  count(Op::dense_equivalent_macs, w_.size());
}

void QuantizedSubstrate::backward(const Matrix& y, Matrix& x) const {
  x.noalias() = w_.transpose() * y;
  count(Op::dense_macs, w_.size() * y.cols());
  count(Op::dense_equivalent_macs, w_.size() * y.cols());
}

void QuantizedSubstrate::backward_events(std::span<const int32_t> active, Scalar* x) const {
  Eigen::Map<Vector> out(x, w_.cols());
  out.setZero();
  for (const int32_t i : active) out += w_.row(i).transpose();
  count(Op::synaptic_events, static_cast<int64_t>(active.size()) * w_.cols());
  count(Op::dense_equivalent_macs, w_.size());
}

UpdateStats QuantizedSubstrate::update(const Matrix& delta) {
  count(Op::accumulator_updates, w_.size());  // digital weights: one memory write per synapse
  quantize(w_ + delta);
  return {static_cast<int64_t>(w_.size()), 0};
}

void QuantizedSubstrate::set_weights(const Matrix& w) {
  if (w.rows() != w_.rows() || w.cols() != w_.cols()) throw RuntimeError("substrate: weight matrix has the wrong shape");
  quantize(w);
}

}  // namespace plasticore
