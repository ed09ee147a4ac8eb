// EqSpike's two-factor rule (Martin et al., iScience 2021; our reconstruction, docs/eqspike.md): at every
// step t of a nudged phase of sign sigma, a presynaptic spike S_j(t) pairs with the change ds_i(t) of the
// postsynaptic learning variable (the state, or its learning trace hat_s), and between hidden layers the
// feedback direction pairs the other way round:
//   dW_l(i,j) += sigma (S_j(t) ds_i(t) + S_i(t) ds_j(t))     (second term only between non-input layers)
//   db_l(i)   += sigma ds_i(t)
// with the spike self-correlation counts C_pre(j) += sigma S_j (S_j - s_j), C_post(i) += sigma S_i (S_i - s_i)
// removed once per batch:  dW_l -= self_correction leak W_l . (C_pre + C_post).
// In rate mode the "spikes" of step t are the states s(t). The sums are event-driven in spiking mode:
// each spike adds one column (row) of the state changes.
// Op counts (update phase): one accumulator update per spike and synapse it reaches (dense MACs in rate
// mode), the dense equivalent, and the correction's products.
//
// Parameters
//   name             unit  default  meaning
//   self_correction  -     1.0      weight of the self-correlation correction (ep.self_correction); 0 = off
#pragma once
#include "learn/ep_rule.hpp"

namespace plasticore {

// Scratch of the accumulation: one step's (sample, presynaptic column) events sorted by column.
struct EventsByColumn {
  std::vector<size_t> start;     // column j's samples are samples[start[j] .. start[j + 1])
  std::vector<size_t> fill;      // the next free slot of each column while sorting
  std::vector<int32_t> samples;  // sample indices, increasing within each column
};

// dW(:, j) += sign * post(:, b) for every sample b and every presynaptic j in [begin, end) that spiked in b
// (events[b]): the rule's accumulation, also benchmarked on its own (bench/kernels_bench.cpp).
void add_post_times_pre_events(Matrix& dW, const Matrix& post, const std::vector<SpikeEvents>& events, Scalar sign,
                               Eigen::Index begin, Eigen::Index end, EventsByColumn& by_column);

class TwoFactorRule final : public EPRule, public PhaseObserver {
 public:
  TwoFactorRule(const LayeredEPNetwork& net, const RelaxationParams& relax, EPRuleSums sums, double self_correction);
  void set_counters(OpCounters* counters) override { counters_ = counters; }
  void begin_batch() override;
  PhaseObserver* nudged_observer() override { return this; }
  void end_nudged_phase(const RelaxationState&, const RelaxationState&, Scalar) override {}
  void finish_batch() override;
  // Spiking mode: the event-driven weight sums are exact per column block (rate mode's products are not
  // split: a matrix product's rounding depends on its blocking).
  bool sums_column_blocks(int64_t) const override { return relax_.coding != SpikeCoding::rate; }
  void set_column_blocks(std::vector<ColumnBlock> columns) override { columns_ = std::move(columns); }

  void begin_phase(Phase, Scalar sign) override { sign_ = sign; }
  void after_step(int step, const RelaxationState& state) override;
  void end_phase() override {}

 private:
  void count_step(const RelaxationState& st) const;

  const LayeredEPNetwork& net_;
  RelaxationParams relax_;
  EPRuleSums sums_;
  double self_correction_;
  OpCounters* counters_ = nullptr;
  Scalar sign_ = 1;
  std::vector<Vector> pre_spike_weight_, post_spike_weight_;  // C_pre, C_post per weight layer
  std::vector<ColumnBlock> columns_;  // per weight layer, the columns of its sum this rule adds (empty: all)
  EventsByColumn by_column_;
};

EPRuleChoice two_factor_rule(double self_correction);
EPRuleEntry two_factor_rule_entry();

}  // namespace plasticore
