// Free and nudged relaxation of a LayeredEPNetwork over a mini-batch (one column per sample),
// in rate mode (dense, batched matrix products; the input drive W_1 x is computed once because the
// input is clamped) or in spiking mode (event-driven: each step sums only the weight columns of the
// neurons that spiked). Optionally accumulates the EqSpike two-factor update at every step.
// Counts (if given counters): one neuron update per non-input neuron and step, the spikes of every
// layer (the input's encoder included: they are routed too), and the two-factor accumulation as
// update-phase work (one accumulator update per spike and synapse it reaches; the dense equivalent).
#pragma once
#include <cstdint>
#include <vector>

#include "core/rng.hpp"
#include "network/layered_ep.hpp"
#include "neuron/ep_neuron.hpp"

namespace plasticore {

class PhaseObserver;  // learn/phase_observer.hpp

struct RelaxationParams {
  SpikeCoding coding = SpikeCoding::rate;
  Scalar leak = 1.0f;  // epsilon = 1/tau, per step
  // Rate lambda of the learning trace: hat_s += lambda (s - hat_s). The two-factor rule pairs a
  // presynaptic spike with the change of hat_s; lambda = 1 uses the state itself (hat_s = s).
  Scalar trace_rate = 1.0f;
};

// Everything one mini-batch carries through the phases. s[0] is the clamped input.
struct RelaxationState {
  std::vector<Matrix> state;        // s[l], n_l x B
  std::vector<Matrix> accumulator;  // sigma-delta accumulators a[l]
  std::vector<Matrix> spikes;       // S[l] at the current step (0/1; unused in rate mode, where S = s)
  std::vector<std::vector<std::vector<int32_t>>> events;  // [layer][sample] indices that spiked
  std::vector<Rng> rng;             // one stream per sample (Bernoulli spikes)
  std::vector<Matrix> trace;        // learning trace hat_s[l] (only when trace_rate < 1)
  std::vector<Matrix> delta;        // change of the learning variable (s, or hat_s) in the last step
  int batch() const { return state.empty() ? 0 : static_cast<int>(state[0].cols()); }
};

// Per-weight-layer sums of the EqSpike two-factor rule over the nudged steps (signed by the phase):
//   pre_post[l](i,j) += sign * (S_j(t) * ds_i(t) + S_i(t) * ds_j(t))   (second term only between
//                                                                        non-input layers)
//   pre_spike_weight[l](j) += sign * S_j(t) * (1 - s_j(t))   presynaptic self-correlation counts
//   post_spike_weight[l](i) += sign * S_i(t) * (1 - s_i(t))  (feedback direction)
//   bias[l](i) += sign * ds_i(t)
struct TwoFactorSums {
  std::vector<Matrix> pre_post;
  std::vector<Vector> pre_spike_weight, post_spike_weight, bias;
  void reset(const LayeredEPNetwork& net);
};

class Relaxation {
 public:
  Relaxation(const LayeredEPNetwork& net, RelaxationParams params) : net_(net), params_(params) {}
  void set_counters(OpCounters* counters) { counters_ = counters; }

  // Sets the input, zero states, and random initial spike phases from (seed, purpose, sample ids).
  void start(RelaxationState& st, const Matrix& input, uint64_t seed, const char* purpose, uint64_t epoch,
             const std::vector<int64_t>& sample_ids) const;
  // Runs `steps` steps. If targets != nullptr, nudges the output with strength beta (signed).
  // If sums != nullptr, accumulates the two-factor rule with the given sign. An observer, if given,
  // sees the phase step by step (analysis only).
  void run(RelaxationState& st, int steps, const Matrix* targets, Scalar beta, TwoFactorSums* sums, Scalar sign,
           PhaseObserver* observer = nullptr) const;


 private:
  int64_t emit_spikes(RelaxationState& st, int b) const;  // returns the spikes emitted
  void integrate(RelaxationState& st, int l, Eigen::Index b, Scalar* drive, const Matrix* targets, Scalar beta) const;
  int64_t step_sample(RelaxationState& st, int b, const Matrix* targets, Scalar beta) const;  // returns spikes
  void step_rate(RelaxationState& st, const Matrix* targets, Scalar beta) const;
  void prepare_scratch(int batch) const;
  void accumulate(RelaxationState& st, TwoFactorSums& sums, Scalar sign) const;
  void count_accumulation(const RelaxationState& st) const;

  const LayeredEPNetwork& net_;
  RelaxationParams params_;
  OpCounters* counters_ = nullptr;
  mutable Matrix input_drive_;  // W_1 x for rate mode, valid for the current batch
  mutable std::vector<Matrix> old_state_;
  mutable std::vector<Matrix> scratch_drive_;
  mutable Matrix scratch_feedback_;
};

}  // namespace plasticore
