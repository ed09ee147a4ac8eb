#include "learn/optimizer.hpp"

#include <cmath>

#include "core/error.hpp"

namespace plasticore {

Optimizer::Optimizer(OptimizerConfig config, const std::vector<std::pair<int, int>>& shapes) : config_(std::move(config)) {
  if (config_.kind != "adam") return;
  for (const auto& [rows, cols] : shapes) {
    state_.first_moment.push_back(Matrix::Zero(rows, cols));
    state_.second_moment.push_back(Matrix::Zero(rows, cols));
  }
}

void Optimizer::delta(size_t p, const Matrix& gradient, Matrix& change) {
  const auto eta = static_cast<Scalar>(config_.learning_rate);
  if (config_.kind != "adam") {
    change = -eta * gradient;
    return;
  }
  const auto beta1 = static_cast<Scalar>(config_.beta1), beta2 = static_cast<Scalar>(config_.beta2);
  Matrix& m = state_.first_moment[p];
  Matrix& v = state_.second_moment[p];
  m = beta1 * m + (1 - beta1) * gradient;
  v.array() = beta2 * v.array() + (1 - beta2) * gradient.array().square();
  const double n = static_cast<double>(state_.updates);
  const auto m_correction = static_cast<Scalar>(1.0 / (1.0 - std::pow(config_.beta1, n)));
  const auto v_correction = static_cast<Scalar>(1.0 / (1.0 - std::pow(config_.beta2, n)));
  change.array() = -eta * (m.array() * m_correction) /
                   ((v.array() * v_correction).sqrt() + static_cast<Scalar>(config_.epsilon));
}

void Optimizer::restore(OptimizerState state) {
  const bool same = state.first_moment.size() == state_.first_moment.size() &&
                    state.second_moment.size() == state_.second_moment.size();
  for (size_t p = 0; same && p < state.first_moment.size(); ++p)
    if (state.first_moment[p].rows() != state_.first_moment[p].rows() ||
        state.first_moment[p].cols() != state_.first_moment[p].cols() ||
        state.second_moment[p].rows() != state_.first_moment[p].rows() ||
        state.second_moment[p].cols() != state_.first_moment[p].cols())
      throw RuntimeError("optimizer state does not match the network's shapes");
  if (!same) throw RuntimeError("optimizer state does not match the optimizer (" + config_.kind + ")");
  state_ = std::move(state);
}

}  // namespace plasticore
