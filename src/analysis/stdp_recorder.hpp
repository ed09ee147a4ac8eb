// The training protocol of docs/stdp.md: logs the EqSpike two-factor
// rule's pairings during real training, for a fixed random subset of synapses, and bins them by the
// spike-time difference. A PhaseObserver (learn/phase_observer.hpp) of an EPLearner.
//
// A pairing is one term of the rule: a spike of neuron A at nudged step t times the change of the
// learning trace of neuron B it is paired with in that step, on the synapse between them:
//   forward   A = pre (layer l-1), B = post (layer l):           sign * S_pre(t) dhat_s_post(t)
//   feedback  A = post (layer l), B = pre (layer l-1, not input): sign * S_post(t) dhat_s_pre(t)
// Its weight change is dw = eta_l sign dhat_s_B(t) / (beta * beta_span * batch), what it adds to W_l in the
// update (learning rate, 1/beta and the batch mean included), and its spike-time difference is
// dt = t_B - t with t_B the spike of B nearest to t, searched over the free phase (negative times) and
// the nudged phase (ties go to a seeded coin). Pairings whose neuron B never spiked have no dt; they
// are counted in unpaired(). The weight-proportional self-correction term (ep.self_correction) is not
// a pairing and is not logged.
#pragma once
#include <cstdint>
#include <vector>

#include "analysis/stdp_window.hpp"
#include "core/rng.hpp"
#include "learn/phase_observer.hpp"

namespace plasticore {

struct StdpRecorderParams {
  std::vector<int> sizes;              // layer sizes of the network, input first
  std::vector<double> learning_rates;  // eta_l per weight layer, input side first
  double beta = 0.5;                   // nudging strength
  int beta_span = 1;                   // how many beta the summed phases span (EPLearner::beta_span)
  int synapses_per_layer = 1000;       // logged synapses per weight matrix (all of them if it has fewer)
  uint64_t seed = 1;                   // which synapses, and the tie coin
};

class StdpRecorder final : public PhaseObserver {
 public:
  explicit StdpRecorder(StdpRecorderParams params);

  void begin_phase(Phase phase, Scalar sign) override;
  void after_step(int step, const RelaxationState& state) override;
  void end_phase() override;

  const StdpWindow& window() const { return window_; }
  // The same pairings split by the sign of beta of their phase (+1 or -1); they add up to window().
  const StdpWindow& phase_window(Scalar sign) const { return sign > 0 ? plus_window_ : minus_window_; }
  int64_t unpaired() const { return unpaired_; }
  // Sum of every logged pairing's dw, with or without a dt: the logged synapses' total weight change.
  double total_dw() const { return total_dw_; }
  int64_t synapses() const { return static_cast<int64_t>(synapses_.size()); }

 private:
  struct Synapse {
    int layer;                // weight layer l-1 (0: input -> first hidden); post in layer `layer + 1`
    int post, pre;            // neuron indices
    int post_slot, pre_slot;  // their rows in the spike-time tables (pre_slot -1 for input neurons)
  };
  struct Pairing {
    int slot, sample, step;  // neuron B, batch column, nudged step of A's spike
    double dw;
  };
  int slot_of(int layer, int neuron);
  void record_spikes(int step, const RelaxationState& state, std::vector<std::vector<std::vector<int>>>& times);

  StdpRecorderParams params_;
  std::vector<Synapse> synapses_;
  std::vector<std::vector<int>> slot_;        // [layer][neuron] -> slot, -1 if not tracked
  std::vector<std::pair<int, int>> tracked_;  // slot -> (layer, neuron)
  // Spike steps per [slot][sample]: free phase (relative to its end, so negative) and current nudged phase.
  std::vector<std::vector<std::vector<int>>> free_spikes_, nudged_spikes_;
  std::vector<Pairing> pairings_;
  Phase phase_ = Phase::free;
  Scalar sign_ = 0;
  int steps_ = 0;
  Rng tie_coin_;
  StdpWindow window_, plus_window_, minus_window_;
  int64_t unpaired_ = 0;
  double total_dw_ = 0;
};

}  // namespace plasticore
