#include "analysis/stdp_recorder.hpp"

#include <cstdlib>
#include <set>

namespace plasticore {

StdpRecorder::StdpRecorder(StdpRecorderParams params) : params_(std::move(params)), tie_coin_(params_.seed, "stdp_ties") {
  const auto& sizes = params_.sizes;
  slot_.resize(sizes.size());
  for (size_t l = 0; l < sizes.size(); ++l) slot_[l].assign(static_cast<size_t>(sizes[l]), -1);
  for (int w = 0; w + 1 < static_cast<int>(sizes.size()); ++w) {
    const int64_t rows = sizes[static_cast<size_t>(w) + 1], entries = rows * sizes[static_cast<size_t>(w)];
    const auto wanted = static_cast<size_t>(std::min<int64_t>(params_.synapses_per_layer, entries));
    Rng rng(params_.seed, "stdp_synapses", static_cast<uint64_t>(w));
    std::set<int64_t> chosen;  // column-major entry indices, so the log does not depend on the draw order
    while (chosen.size() < wanted) chosen.insert(static_cast<int64_t>(rng.below(static_cast<uint64_t>(entries))));
    for (const int64_t entry : chosen) {
      const int post = static_cast<int>(entry % rows), pre = static_cast<int>(entry / rows);
      const int post_slot = slot_of(w + 1, post);
      synapses_.push_back({w, post, pre, post_slot, w > 0 ? slot_of(w, pre) : -1});  // input traces never change
    }
  }
}

int StdpRecorder::slot_of(int layer, int neuron) {
  int& slot = slot_[static_cast<size_t>(layer)][static_cast<size_t>(neuron)];
  if (slot < 0) {
    slot = static_cast<int>(tracked_.size());
    tracked_.emplace_back(layer, neuron);
  }
  return slot;
}

void StdpRecorder::begin_phase(Phase phase, Scalar sign) {
  phase_ = phase;
  sign_ = sign;
  steps_ = 0;
  if (phase == Phase::nudged) pairings_.clear();
}

void StdpRecorder::record_spikes(int step, const RelaxationState& state, std::vector<std::vector<std::vector<int>>>& times) {
  const auto batch = static_cast<size_t>(state.batch());
  if (step == 0) {
    times.resize(tracked_.size());
    for (auto& per_sample : times) {
      per_sample.resize(batch);
      for (auto& steps : per_sample) steps.clear();
    }
  }
  for (size_t slot = 0; slot < tracked_.size(); ++slot) {
    const auto [layer, neuron] = tracked_[slot];
    const Matrix& spikes = state.spikes[static_cast<size_t>(layer)];
    for (size_t b = 0; b < batch; ++b)
      if (spikes(neuron, static_cast<Eigen::Index>(b)) != 0) times[slot][b].push_back(step);
  }
}

void StdpRecorder::after_step(int step, const RelaxationState& state) {
  steps_ = step + 1;
  record_spikes(step, state, phase_ == Phase::free ? free_spikes_ : nudged_spikes_);
  if (phase_ != Phase::nudged) return;
  const Eigen::Index batch = state.batch();
  const double per_pairing = sign_ / (params_.beta * params_.beta_span * static_cast<double>(batch));
  for (const Synapse& s : synapses_) {
    const auto pre_layer = static_cast<size_t>(s.layer), post_layer = pre_layer + 1;
    const double scale = per_pairing * params_.learning_rates[pre_layer];
    const Matrix& pre_spikes = state.spikes[pre_layer];
    const Matrix& post_spikes = state.spikes[post_layer];
    for (Eigen::Index b = 0; b < batch; ++b) {
      const int sample = static_cast<int>(b);
      if (pre_spikes(s.pre, b) != 0)
        pairings_.push_back({s.post_slot, sample, step, scale * state.delta[post_layer](s.post, b)});
      if (s.pre_slot >= 0 && post_spikes(s.post, b) != 0)
        pairings_.push_back({s.pre_slot, sample, step, scale * state.delta[pre_layer](s.pre, b)});
    }
  }
}

void StdpRecorder::end_phase() {
  if (phase_ == Phase::free) {  // time free-phase spikes from the start of the nudged phase: -T1 .. -1
    for (auto& per_sample : free_spikes_)
      for (auto& steps : per_sample)
        for (int& t : steps) t -= steps_;
    return;
  }
  for (const Pairing& p : pairings_) {
    bool found = false;
    int nearest = 0;  // t_B - t
    const auto consider = [&](int spike_step) {
      const int dt = spike_step - p.step;
      const bool closer = !found || std::abs(dt) < std::abs(nearest);
      const bool tie = found && std::abs(dt) == std::abs(nearest) && dt != nearest;
      if (closer || (tie && tie_coin_.uniform() < 0.5f)) nearest = dt;
      found = true;
    };
    for (const int t : free_spikes_[static_cast<size_t>(p.slot)][static_cast<size_t>(p.sample)]) consider(t);
    for (const int t : nudged_spikes_[static_cast<size_t>(p.slot)][static_cast<size_t>(p.sample)]) consider(t);
    if (found) {
      window_.add(nearest, p.dw);
      (sign_ > 0 ? plus_window_ : minus_window_).add(nearest, p.dw);
    } else {
      ++unpaired_;
    }
    total_dw_ += p.dw;
  }
}

}  // namespace plasticore
