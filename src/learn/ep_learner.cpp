#include "learn/ep_learner.hpp"

#include <cmath>

namespace plasticore {

int argmax_column(const Matrix& m, Eigen::Index col) {
  Eigen::Index best = 0;
  m.col(col).maxCoeff(&best);
  return static_cast<int>(best);
}

EPLearner::EPLearner(LayeredEPNetwork& net, RelaxationParams relax, EPLearningParams learn, uint64_t seed)
    : net_(net), relax_(net, relax), learn_(std::move(learn)), relax_params_(relax), seed_(seed) {}

void EPLearner::set_counters(OpCounters* counters) {
  counters_ = counters;
  relax_.set_counters(counters);
  net_.set_counters(counters);
}

void EPLearner::set_phase(Phase phase) {
  if (counters_ != nullptr) counters_->set_phase(phase);
}

void EPLearner::predict(const Matrix& x, const std::vector<int64_t>& ids, std::vector<int32_t>& out) {
  set_phase(Phase::free);
  relax_.start(state_, x, seed_, "eval_phase", 0, ids);
  relax_.run(state_, learn_.free_steps, nullptr, 0, nullptr, 0);
  out.resize(static_cast<size_t>(x.cols()));
  for (Eigen::Index b = 0; b < x.cols(); ++b) out[static_cast<size_t>(b)] = argmax_column(state_.state.back(), b);
}

int EPLearner::run_phases(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids,
                          uint64_t epoch, uint64_t batch_index) {
  const int L = net_.weight_layers();
  const auto B = x.cols();
  set_phase(Phase::free);
  relax_.start(state_, x, seed_, "train_phase", epoch, ids);
  relax_.run(state_, learn_.free_steps, nullptr, 0, nullptr, 0, observer_);
  int correct = 0;
  for (Eigen::Index b = 0; b < B; ++b) correct += argmax_column(state_.state.back(), b) == labels[static_cast<size_t>(b)];

  targets_.setZero(net_.sizes().back(), B);
  for (Eigen::Index b = 0; b < B; ++b) targets_(labels[static_cast<size_t>(b)], b) = 1;

  std::vector<Scalar> signs;
  switch (learn_.beta_sign) {
    case BetaSign::positive: signs = {1}; break;
    case BetaSign::symmetric: signs = {1, -1}; break;
    case BetaSign::random: {
      Rng rng(seed_, "beta_sign", epoch, batch_index);
      signs = {rng.uniform() < 0.5f ? Scalar{1} : Scalar{-1}};
    } break;
  }
  free_state_ = state_;
  last_dw_.resize(static_cast<size_t>(L));
  last_db_.resize(static_cast<size_t>(L));
  for (int w = 0; w < L; ++w) {
    last_dw_[static_cast<size_t>(w)].setZero(net_.sizes()[static_cast<size_t>(w) + 1], net_.sizes()[static_cast<size_t>(w)]);
    last_db_[static_cast<size_t>(w)].setZero(net_.sizes()[static_cast<size_t>(w) + 1]);
  }
  const bool two_factor = learn_.rule == EPRule::two_factor;
  if (two_factor) sums_.reset(net_);
  for (const Scalar sign : signs) {
    state_ = free_state_;
    set_phase(Phase::nudged);
    relax_.run(state_, learn_.nudged_steps, &targets_, sign * learn_.beta, two_factor ? &sums_ : nullptr, sign, observer_);
    if (two_factor) continue;
    set_phase(Phase::update);
    for (int w = 0; w < L; ++w) {
      const auto k = static_cast<size_t>(w);
      const int64_t products = w == 0 ? 1 : 2;
      count_into(counters_, Op::dense_macs, products * last_dw_[k].size() * B);
      count_into(counters_, Op::dense_equivalent_macs, products * last_dw_[k].size() * B);
      const Matrix& post = state_.state[k + 1];
      const Matrix& pre = state_.state[k];
      const Matrix& post0 = free_state_.state[k + 1];
      const Matrix& pre0 = free_state_.state[k];
      if (w == 0) {  // the input is clamped (pre == pre0): one product instead of two
        phase_delta_ = post - post0;
        last_dw_[k].noalias() += sign * phase_delta_ * pre.transpose();
      } else {
        last_dw_[k].noalias() += sign * post * pre.transpose();
        last_dw_[k].noalias() -= sign * post0 * pre0.transpose();
      }
      last_db_[k] += sign * (post - post0).rowwise().sum();
    }
  }
  // Normalise to (1/beta) * mean over the batch and the phases.
  const Scalar norm = Scalar{1} / (learn_.beta * static_cast<Scalar>(signs.size()) * static_cast<Scalar>(B));
  set_phase(Phase::update);
  for (int w = 0; w < L; ++w) {
    const auto k = static_cast<size_t>(w);
    if (two_factor) {
      last_dw_[k] = sums_.pre_post[k];
      if (learn_.self_correction != 0) {
        count_into(counters_, Op::dense_macs, last_dw_[k].size());  // W . (C_pre + C_post), once per batch
        count_into(counters_, Op::dense_equivalent_macs, last_dw_[k].size());
        const Matrix& W = net_.weight(w).weights();
        const Scalar c = static_cast<Scalar>(learn_.self_correction) * relax_params_.leak;
        last_dw_[k].array() -= c * W.array() *
                               (sums_.pre_spike_weight[k].transpose().replicate(W.rows(), 1) +
                                sums_.post_spike_weight[k].replicate(1, W.cols()))
                                   .array();
      }
      last_db_[k] = sums_.bias[k];
    }
    last_dw_[k] *= norm;
    last_db_[k] *= norm;
  }
  return correct;
}

void EPLearner::estimate_update(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids,
                                uint64_t epoch, uint64_t batch_index) {
  run_phases(x, labels, ids, epoch, batch_index);
}

int EPLearner::train_batch(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids,
                           uint64_t epoch, uint64_t batch_index, double lr_scale) {
  const int correct = run_phases(x, labels, ids, epoch, batch_index);
  set_phase(Phase::update);
  for (int w = 0; w < net_.weight_layers(); ++w) {
    const auto k = static_cast<size_t>(w);
    const double lr = learn_.learning_rates[std::min(k, learn_.learning_rates.size() - 1)] * lr_scale;
    const Scalar eta = static_cast<Scalar>(lr);
    scaled_update_ = eta * last_dw_[k];  // reuses its buffer after the first batch
    net_.weight(w).update(scaled_update_);
    net_.bias(w) += eta * last_db_[k];
  }
  return correct;
}

}  // namespace plasticore
