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
  // The first layer's sum is written only in the columns of the pixels that are non-zero in some sample of the
  // batch (the others get products with 0: +0 stays +0), which it marks (learn/gradient_columns.hpp); rate and
  // spiking networks alike, from those pixels only (add_outer_nonzero; the spiking one by Eigen's dense product
  // until 2026-12-08, 18 % of an eqspike_eop_mnist run).
  EndOfPhaseRule(const LayeredEPNetwork& net, EPRuleSums sums, bool spiking)
      : net_(net), sums_(std::move(sums)), spiking_(spiking) {
    if (!sums_.columns.empty()) sums_.columns[0]->track(sums_.weights[0]->cols());
  }
  void set_counters(OpCounters* counters) override { counters_ = counters; }
  void end_nudged_phase(const RelaxationState& nudged, const RelaxationState& free, Scalar sign) override;
  bool reads_reference_state() const override { return true; }  // s^0 in every product
  // Column blocks of the products: each element's sum over the batch is the same sum, but a product's
  // rounding can follow its blocking. Rate EP's ranks agree only to rounding anyway (its relaxation's
  // products have the slice's width), so it splits, from 64 samples per batch: below, gathering the
  // sums costs more than the products it saves (docs/scaling.md). A spiking network's ranks agree bit
  // for bit, so there every rank forms the whole products.
  bool sums_column_blocks(int64_t batch) const override { return !spiking_ && batch >= 64; }
  void set_column_blocks(std::vector<ColumnBlock> columns) override { columns_ = std::move(columns); }
  // The first layer on one rank (sgd_outer_nonzero, core/column_sums.hpp).
  bool update_first_layer_in_place(const InPlaceSgd& sgd) override {
    if (!columns_.empty()) return false;
    in_place_ = sgd;
    return true;
  }

 private:
  const LayeredEPNetwork& net_;
  EPRuleSums sums_;
  OpCounters* counters_ = nullptr;
  bool spiking_;
  Matrix phase_delta_;
  std::vector<ColumnBlock> columns_;  // per weight layer, the columns of its sum this rule adds (empty: all)
  InPlaceSgd in_place_;               // weights set: the first layer's SGD step goes there instead of into its sum
};

EPRuleChoice end_of_phase_rule();
EPRuleEntry end_of_phase_rule_entry();

}  // namespace plasticore
