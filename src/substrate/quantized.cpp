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

void QuantizedSubstrate::update(const Matrix& delta) {
  count(Op::accumulator_updates, w_.size());  // digital weights: one memory write per synapse
  quantize(w_ + delta);
}

void QuantizedSubstrate::set_weights(const Matrix& w) {
  if (w.rows() != w_.rows() || w.cols() != w_.cols()) throw RuntimeError("substrate: weight matrix has the wrong shape");
  quantize(w);
}

void QuantizedSubstrate::save_state(NamedTensors& out, const std::string& prefix) const {
  out.put_text(prefix + "kind", "quantized");
  out.put_matrix(prefix + "levels", w_);  // exactly on the levels: restored without rounding again
  out.put_int(prefix + "writes", static_cast<int64_t>(writes_));
}

bool QuantizedSubstrate::restore_state(const NamedTensors& in, const std::string& prefix) {
  if (!has_state(in, prefix, "quantized")) return false;
  const Matrix levels = in.matrix(prefix + "levels", w_.rows(), w_.cols());
  const int64_t writes = in.integer(prefix + "writes");
  for (Eigen::Index i = 0; i < levels.size(); ++i) {
    const Scalar position = (levels.data()[i] - lowest_) / step_;  // in steps above the lowest level
    if (!(position >= -1e-3f && position <= static_cast<Scalar>(levels_ - 1) + 1e-3f &&
          std::abs(position - std::nearbyint(position)) < 1e-3f))
      throw RuntimeError(in.source() + ": " + prefix + "levels holds a value that is not a level of this substrate");
  }
  if (writes < 0) throw RuntimeError(in.source() + ": " + prefix + "writes is negative");
  w_ = levels;
  writes_ = static_cast<uint64_t>(writes);
  return true;
}

SubstrateEntry quantized_substrate_entry() {
  return {"n-bit uniform digital weights",
          [](ConfigReader& r, SubstrateConfig& c) {
            c.range = r.get_double("substrate.range", 1.0, 0.0, 1e6, "largest |weight| (the outermost level)", true);
            c.bits = static_cast<int>(r.get_int("substrate.bits", 8, 1, 8, "bits per weight (sign included)"));
            c.rounding = r.get_choice("substrate.rounding", "stochastic", {"deterministic", "stochastic"},
                                      "how a write rounds W + dW to a level (stochastic is unbiased)");
          },
          [](const SubstrateConfig& c, int rows, int cols) -> std::unique_ptr<Substrate> {
            return std::make_unique<QuantizedSubstrate>(rows, cols, c);
          }};
}

}  // namespace plasticore
