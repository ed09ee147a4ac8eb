#include "learn/learner.hpp"

#include "core/error.hpp"
#include "core/product_chunks.hpp"
#include "core/team.hpp"

namespace plasticore {

Batch Learner::local_part(const Batch& batch) const {
  if (!parallel()) return batch;
  int64_t begin = 0, end = 0;
  slice_of(static_cast<int64_t>(batch.samples.size()), comm_->rank(), comm_->size(), begin, end);
  Batch local = batch;
  local.samples.assign(batch.samples.begin() + begin, batch.samples.begin() + end);
  return local;
}

void Learner::apply_update(int64_t samples) {
  if (counters_ != nullptr) counters_->set_phase(Phase::update);
  const OneThread one_thread(!shares_update(samples));
  // Every rank writes the same update; rank 0 counts the writes.
  OpCounters* const writes = repeated_work_counters();
  if (writes != counters_)
    for (const auto& [name, s] : matrices()) s->set_counters(writes);
  finish_gradients(samples);
  const Scalar scale = gradient_scale(samples);
  optimizer_->begin_update();
  for (size_t p = 0; p < parameters_.size(); ++p) {
    Parameter& param = parameters_[p];
    if (param.updated_in_place) {  // written while the batch ran: only counted and its copies refreshed here
      param.updated_in_place = false;
      param.substrate->changed_in_place();
      param.columns.clear();
      continue;
    }
    const Scalar step = optimizer_->sgd_step(p);
    // SGD onto a substrate that adds exactly, nothing to adjust: one sweep (scale, step, write, zero).
    const bool decays = param.substrate != nullptr && optimizer_->weight_decay() > 0;
    if (param.substrate != nullptr && step != 0 && !decays && !adjusts_change(p) &&
        param.substrate->update_sgd(param.gradient, scale, step, param.columns.columns())) {
      param.columns.clear();
      continue;
    }
    if (scale != 1) scale_sum(param.gradient, scale);
    if (param.substrate != nullptr) {
      optimizer_->delta(p, param.gradient, change_);
      if (decays) optimizer_->add_weight_decay(p, param.substrate->weights(), change_);
      adjust_change(p, change_);
      param.substrate->update(change_);
    } else {
      optimizer_->update_host(p, param.gradient, Eigen::Map<Matrix>(param.host, param.rows, param.cols), change_);
    }
    for_column_chunks(param.gradient.rows(), param.gradient.cols(),
                      [&](Eigen::Index c0, Eigen::Index n) { param.gradient.middleCols(c0, n).setZero(); });
    param.columns.clear();
  }
  if (writes != counters_)
    for (const auto& [name, s] : matrices()) s->set_counters(counters_);
}

Matrix* Learner::sgd_in_place_target(size_t p) {
  Parameter& param = parameters_[p];
  if (param.substrate == nullptr || optimizer_->sgd_step(p) == 0 || optimizer_->weight_decay() > 0 || adjusts_change(p))
    return nullptr;
  return param.substrate->sgd_in_place();
}

void Learner::scale_sum(Matrix& sum, Scalar scale) {
  for_column_chunks(sum.rows(), sum.cols(), [&](Eigen::Index c0, Eigen::Index n) { sum.middleCols(c0, n) *= scale; });
}

std::vector<Matrix> Learner::gradient_estimate(const Batch& batch) {
  for (Parameter& p : parameters_) {
    p.gradient.setZero();
    p.columns.clear();
  }
  Score score;
  accumulate(batch, score);
  if (counters_ != nullptr) counters_->set_phase(Phase::update);
  finish_gradients(static_cast<int64_t>(batch.samples.size()));
  const Scalar scale = gradient_scale(static_cast<int64_t>(batch.samples.size()));
  std::vector<Matrix> out;
  for (Parameter& p : parameters_) {
    if (scale != 1) scale_sum(p.gradient, scale);
    out.push_back(p.gradient);
    p.gradient.setZero();
    p.columns.clear();
  }
  return out;
}

std::vector<std::pair<std::string, Substrate*>> Learner::matrices() const {
  std::vector<std::pair<std::string, Substrate*>> out;
  for (const Parameter& p : parameters_)
    if (p.substrate != nullptr) out.emplace_back(p.name, p.substrate);
  return out;
}

void Learner::advance(double seconds) {
  for (const auto& [name, s] : matrices()) s->advance(seconds);
}

void Learner::check_finite(int epoch) const {
  for (const auto& p : parameters_) {
    const bool finite = p.substrate != nullptr ? p.substrate->weights().allFinite()
                                               : Eigen::Map<const Matrix>(p.host, p.rows, p.cols).allFinite();
    if (!finite)
      throw DivergedError("training diverged in epoch " + std::to_string(epoch) + ": " + p.name +
                         " is not finite (lower train.learning_rate)");
  }
}

void Learner::save(NamedTensors& out) const {
  save_network(out);
  optimizer_->save(out);
}

void Learner::restore(const NamedTensors& in) {
  restore_network(in);
  optimizer_->restore(in);
}

std::vector<OptimizerSlot> optimizer_slots(const std::vector<Parameter>& parameters,
                                           const std::vector<double>& learning_rates) {
  std::vector<OptimizerSlot> slots;
  for (size_t p = 0; p < parameters.size(); ++p)
    slots.push_back({parameters[p].name, parameters[p].rows, parameters[p].cols, learning_rates[p]});
  return slots;
}

}  // namespace plasticore
