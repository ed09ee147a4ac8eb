#include "learn/optimizer.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/product_chunks.hpp"

namespace plasticore {

Optimizer::Optimizer(OptimizerConfig config, std::vector<OptimizerSlot> slots)
    : config_(std::move(config)), slots_(std::move(slots)) {
  if (config_.kind != "adam") return;
  for (const auto& s : slots_) {
    first_moment_.push_back(Matrix::Zero(s.rows, s.cols));
    second_moment_.push_back(Matrix::Zero(s.rows, s.cols));
  }
}

void Optimizer::delta(size_t p, const Matrix& gradient, Matrix& change) {
  if (config_.kind != "adam") {
    const Scalar step = sgd_step(p);
    change.resize(gradient.rows(), gradient.cols());
    for_column_chunks(gradient.rows(), gradient.cols(),
                      [&](Eigen::Index c0, Eigen::Index n) { change.middleCols(c0, n) = step * gradient.middleCols(c0, n); });
    return;
  }
  const Scalar eta = this->eta(p);
  const auto beta1 = static_cast<Scalar>(config_.beta1), beta2 = static_cast<Scalar>(config_.beta2);
  Matrix& m = first_moment_[p];
  Matrix& v = second_moment_[p];
  m = beta1 * m + (1 - beta1) * gradient;
  v.array() = beta2 * v.array() + (1 - beta2) * gradient.array().square();
  const double n = static_cast<double>(updates_);
  const auto m_correction = static_cast<Scalar>(1.0 / (1.0 - std::pow(config_.beta1, n)));
  const auto v_correction = static_cast<Scalar>(1.0 / (1.0 - std::pow(config_.beta2, n)));
  change.array() = -eta * (m.array() * m_correction) /
                   ((v.array() * v_correction).sqrt() + static_cast<Scalar>(config_.epsilon));
}

void Optimizer::add_weight_decay(size_t p, const Matrix& w, Matrix& change) const {
  change -= (eta(p) * static_cast<Scalar>(config_.weight_decay)) * w;
}

void Optimizer::update_host(size_t p, const Matrix& gradient, Eigen::Map<Matrix> host, Matrix& scratch) {
  if (config_.kind != "adam") {
    host += sgd_step(p) * gradient;
    return;
  }
  delta(p, gradient, scratch);
  host += scratch;
}

void Optimizer::save(NamedTensors& out) const {
  out.put_int("optimizer/updates", updates_);
  for (size_t p = 0; p < first_moment_.size(); ++p) {
    out.put_matrix("optimizer/first_moment/" + slots_[p].name, first_moment_[p]);
    out.put_matrix("optimizer/second_moment/" + slots_[p].name, second_moment_[p]);
  }
}

void Optimizer::restore(const NamedTensors& in) {
  updates_ = in.integer("optimizer/updates");
  if (updates_ < 0) throw RuntimeError(in.source() + ": optimizer/updates is negative");
  for (size_t p = 0; p < first_moment_.size(); ++p) {
    const OptimizerSlot& s = slots_[p];
    if (!in.has("optimizer/first_moment/" + s.name))
      throw RuntimeError(in.source() + ": no Adam moments for " + s.name + " (the run was trained with another optimizer)");
    first_moment_[p] = in.matrix("optimizer/first_moment/" + s.name, s.rows, s.cols);
    second_moment_[p] = in.matrix("optimizer/second_moment/" + s.name, s.rows, s.cols);
    if (!first_moment_[p].allFinite() || !(second_moment_[p].array() >= 0).all())  // also false for NaN
      throw RuntimeError(in.source() + ": Adam's moments of " + s.name + " are not finite (or a second moment is negative)");
  }
}

OptimizerConfig read_optimizer_config(ConfigReader& r, const std::string& default_kind) {
  OptimizerConfig c;
  c.kind = r.get_choice("train.optimizer", default_kind, {"sgd", "adam"},
                        "sgd, or Adam (beta1 0.9, beta2 0.999, epsilon 1e-8)");
  c.weight_decay = r.get_double("train.weight_decay", 0.0, 0.0, 1.0,
                                "decoupled weight decay lambda: each update also changes every weight matrix by "
                                "-learning_rate x lambda x W (AdamW; with SGD an L2 term); biases are not decayed");
  return c;
}

}  // namespace plasticore
