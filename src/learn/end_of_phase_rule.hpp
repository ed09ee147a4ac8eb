// Standard EP (Scellier & Bengio 2017) from the states at the end of the phases, per nudged phase of
// sign sigma (docs/eqspike.md):
//   dW_l += sigma (s^beta_l s^beta_{l-1}^T - s^0_l s^0_{l-1}^T),   db_l += sigma sum_batch (s^beta_l - s^0_l)
// (the input is clamped, so the first layer needs one product: (s^beta_1 - s^0_1) x^T).
// Op counts: the products as dense multiply-accumulates in the update phase. No keys of its own.
#pragma once
#include "learn/ep_rule.hpp"

namespace plasticore {

class EndOfPhaseRule final : public EPRule {
 public:
  EndOfPhaseRule(const LayeredEPNetwork& net, EPRuleSums sums) : net_(net), sums_(std::move(sums)) {}
  void set_counters(OpCounters* counters) override { counters_ = counters; }
  void end_nudged_phase(const RelaxationState& nudged, const RelaxationState& free, Scalar sign) override;

 private:
  const LayeredEPNetwork& net_;
  EPRuleSums sums_;
  OpCounters* counters_ = nullptr;
  Matrix phase_delta_;
};

EPRuleChoice end_of_phase_rule();
EPRuleEntry end_of_phase_rule_entry();

}  // namespace plasticore
