// EqSpike's two-factor rule (Martin et al., iScience 2021; our reconstruction, docs/eqspike.md): at every
// step t of a nudged phase of sign sigma, a presynaptic spike S_j(t) pairs with the change ds_i(t) of the
// postsynaptic learning variable (the state, or its learning trace hat_s), and between hidden layers the
// feedback direction pairs the other way round:
//   dW_l(i,j) += sigma (S_j(t) ds_i(t) + S_i(t) ds_j(t))     (second term only between non-input layers)
//   db_l(i)   += sigma ds_i(t)
// with the spike self-correlation counts C_pre(j) += sigma S_j (S_j - s_j), C_post(i) += sigma S_i (S_i - s_i)
// removed once per batch:  dW_l -= self_correction leak W_l . (C_pre + C_post).
// In rate mode the "spikes" of step t are the states s(t). The sums are event-driven in spiking mode:
// each spike adds one column (row) of the state changes. The first layer's sum (input spikes x layer 1's
// change), most of the rule's work, is added once per phase: the steps' changes are kept and each column of
// dW_1 takes all its events of the phase at once, step after step and sample after sample as when added per
// step (bit-identical to adding per step; the column is loaded and stored once per phase). With the
// input sent as changes (ep.input_events = "changes") that sum is formed from H(t) = sum_{tau <= t} ds(tau)
// (summation by parts): sum_t S_j(t) ds(t) = S_j(T-1) H(T-1) - sum_{t >= 1} (S_j(t) - S_j(t-1)) H(t-1), so an
// input neuron costs an add when its spike changes and once at the end, not at every spike. When the +beta and
// -beta phases see the same input spikes (pair_phases), that sum is added once for both, with ds+(t) - ds-(t)
// (H+(t) - H-(t) with the input as changes): half the accumulation, in a different order of additions.
// Op counts (update phase): one accumulator update per spike and synapse it reaches (dense MACs in rate
// mode), the dense equivalent, and the correction's products; counted per phase, as a chip updates in each
// phase, also where the paired sum does half of them here.
//
// Parameters
//   name             unit  default  meaning
//   self_correction  -     1.0      weight of the self-correlation correction (ep.self_correction); 0 = off
#pragma once
#include <span>

#include "learn/ep_rule.hpp"

namespace plasticore {

// One list of presynaptic events (one sample's spikes at one step, or the changes of its spikes), the column
// of the postsynaptic matrix they pair with, and their factor (+-1: the products are exact).
struct PreEvents {
  const SpikeEvents* events;
  Eigen::Index post;
  Scalar factor;
};

// Scratch of the accumulation, one part per thread: the (list, presynaptic column) events of the thread's columns
// sorted by column.
struct EventsByColumn {
  struct Part {
    std::vector<size_t> start;   // column j's lists are lists[start[j] .. start[j + 1]) (while counting, start[j + 1] is j's count)
    std::vector<size_t> fill;    // the next free slot of each of the thread's columns while sorting
    std::vector<int32_t> lists;  // list indices, increasing within each column
    std::vector<double> work;    // per column of the block: its events + 1 if any (the threads' shares)
  };
  std::vector<Part> parts;
};

// dW(:, j) += lists[n].factor * post(:, lists[n].post) for every list n and every presynaptic j in [begin, end)
// it names, each column's terms in list order: the rule's accumulation, also benchmarked on its own
// (bench/kernels_bench.cpp). Marks the columns it adds to in `written`, if not null. post may have more rows than
// dW (the rule stores its columns aligned, core/column_sums.hpp): only its first dW.rows() rows are read.
void add_post_times_pre_events(Matrix& dW, const Matrix& post, std::span<const PreEvents> lists, Eigen::Index begin,
                               Eigen::Index end, EventsByColumn& by_column, GradientColumns* written = nullptr);
// Its feedback-direction twin: dW(i, begin:end) += sign * pre(begin:end, b)^T for every sample b and every
// postsynaptic i in events[b] (spikes of layer l changing layer l-1 through W_l^T), each weight's terms in sample order.
// sign is the phase's +-1, so that sign * pre is exact and the sum does not depend on how it is vectorised.
void add_post_events_times_pre(Matrix& dW, const Matrix& pre, const std::vector<SpikeEvents>& events, Scalar sign,
                               Eigen::Index begin, Eigen::Index end);

class TwoFactorRule final : public EPRule, public PhaseObserver {
 public:
  TwoFactorRule(const LayeredEPNetwork& net, const RelaxationParams& relax, EPRuleSums sums, double self_correction);
  void set_counters(OpCounters* counters) override { counters_ = counters; }
  void begin_batch() override;
  void pair_phases(bool paired) override { paired_ = paired; }
  PhaseObserver* nudged_observer() override { return this; }
  void end_nudged_phase(const RelaxationState&, const RelaxationState&, Scalar) override {}
  void finish_batch() override;
  // Spiking mode: the event-driven weight sums are exact per column block (rate mode's products are not
  // split: a matrix product's rounding depends on its blocking).
  bool sums_column_blocks(int64_t) const override { return relax_.coding != SpikeCoding::rate; }
  void set_column_blocks(std::vector<ColumnBlock> columns) override { columns_ = std::move(columns); }

  void begin_phase(Phase, Scalar sign) override {
    sign_ = sign;
    sample_steps_ = 0;
  }
  void after_step(int step, const RelaxationState& state) override;
  void end_phase() override;
  bool observes_samples() const override;
  void begin_sample_steps(int steps, int batch) override;
  void after_sample_step(int step, int sample, const RelaxationState& state) override;

 private:
  void count_sample_step(const RelaxationState& st, size_t b) const;
  ColumnBlock columns_of(size_t weight_layer) const;
  // Scratch of one team part's upper-layer sums.
  struct UpperLayerScratch {
    std::vector<PreEvents> lists;
    EventsByColumn by_column;
  };
  // One step's upper-layer sums, over share `part` of `parts` of each layer's columns.
  void add_upper_layer_events(const std::vector<Matrix>& delta, const std::vector<std::vector<SpikeEvents>>& events,
                              UpperLayerScratch& scratch, int part = 0, int parts = 1);
  void add_kept_steps();
  void add_biases(const std::vector<Matrix>& delta);
  void size_input_phase(int steps, int batch);
  void keep_input_step(int step, const RelaxationState& st);
  void keep_input_sample(int step, int b, const RelaxationState& st);

  const LayeredEPNetwork& net_;
  RelaxationParams relax_;
  EPRuleSums sums_;
  double self_correction_;
  OpCounters* counters_ = nullptr;
  Scalar sign_ = 1;
  std::vector<Vector> pre_spike_weight_, post_spike_weight_;  // C_pre, C_post per weight layer
  std::vector<ColumnBlock> columns_;  // per weight layer, the columns of its sum this rule adds (empty: all)
  EventsByColumn by_column_;
  std::vector<UpperLayerScratch> upper_scratch_ = std::vector<UpperLayerScratch>(1);  // one per team part
  // The first layer's events of the phase so far (spiking mode; see the header): per step and sample, layer 1's
  // change ds(t) in column t B + b of phase_post_ and the input's spikes in phase_events_[t B + b]; with the
  // input sent as changes, H(t) in the same column, the spikes that started and stopped in phase_events_[2 (t B
  // + b)] and [2 (t B + b) + 1], and the last step's spikes in last_input_events_.
  Matrix phase_post_;  // its columns aligned_column_rows(n_1) long (core/column_sums.hpp); the rows past n_1 unused
  std::vector<SpikeEvents> phase_events_, last_input_events_;
  std::vector<PreEvents> phase_lists_;
  int phase_steps_ = 0, phase_batch_ = 0;
  ColumnBlock input_columns_;
  // Paired phases: the first phase's ds(t) (H(t) with the input as changes), held until the second ends (which
  // turns it into ds1(t) - ds2(t) step by step), and its sign.
  bool paired_ = false, holding_ = false;
  int held_steps_ = 0;  // the held phase's steps
  Matrix first_phase_post_;
  Scalar first_phase_sign_ = 1;
  // Steps kept sample by sample (observes_samples): per step, every layer's change ([l], n_l x B; [0] unused)
  // and, with hidden layers, every non-input layer's spikes ([l][b]); sample_steps_ of them in this phase.
  std::vector<std::vector<Matrix>> kept_delta_;
  std::vector<std::vector<std::vector<SpikeEvents>>> kept_events_;
  int sample_steps_ = 0;
};

EPRuleChoice two_factor_rule(double self_correction);
EPRuleEntry two_factor_rule_entry();

}  // namespace plasticore
