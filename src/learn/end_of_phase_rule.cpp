#include "learn/end_of_phase_rule.hpp"

#include "core/column_sums.hpp"
#include "core/product_chunks.hpp"

namespace plasticore {

void EndOfPhaseRule::end_nudged_phase(const RelaxationState& nudged, const RelaxationState& free, Scalar sign) {
  if (counters_ != nullptr) counters_->set_phase(Phase::update);
  const auto B = nudged.batch();
  for (int w = 0; w < net_.weight_layers(); ++w) {
    const auto k = static_cast<size_t>(w);
    Matrix& dw = *sums_.weights[k];
    const int64_t products = w == 0 ? 1 : 2;
    count_into(counters_, Op::dense_macs, products * dw.size() * B);
    count_into(counters_, Op::dense_equivalent_macs, products * dw.size() * B);
    const Matrix& post = nudged.state[k + 1];
    const Matrix& pre = nudged.state[k];
    const Matrix& post0 = free.state[k + 1];
    const Matrix& pre0 = free.state[k];
    if (w == 0) phase_delta_ = post - post0;  // the input is clamped (pre == pre0): one product instead of two
    const bool in_place = w == 0 && in_place_.weights != nullptr;
    if (w == 0 && !in_place && !sums_.columns.empty())
      for (Eigen::Index b = 0; b < B; ++b) sums_.columns[0]->mark_nonzero(pre.col(b).data(), pre.rows());
    if (k >= columns_.size()) {
      if (w == 0) {
        // The input layer's product is the big one (784 x 500 per sample): threads take aligned column chunks,
        // which leaves its numbers unchanged (core/product_chunks.hpp), and are the chunks the update sweeps.
        for_column_chunks(dw.rows(), dw.cols(), [&](Eigen::Index c0, Eigen::Index n) {
          if (in_place) sgd_outer_nonzero(*in_place_.weights, c0, n, sign, phase_delta_, pre, in_place_.scale, in_place_.step);
          else add_outer_nonzero(dw, c0, n, sign, phase_delta_, pre);
        });
      } else {
        dw.noalias() += sign * post * pre.transpose();
        dw.noalias() -= sign * post0 * pre0.transpose();
      }
    } else {  // a data-parallel rank: its columns (presynaptic neurons) only
      const Eigen::Index c0 = columns_[k].begin, n = columns_[k].end - columns_[k].begin;
      if (w == 0) {
        add_outer_nonzero(dw, c0, n, sign, phase_delta_, pre);
      } else {
        dw.middleCols(c0, n).noalias() += sign * post * pre.middleRows(c0, n).transpose();
        dw.middleCols(c0, n).noalias() -= sign * post0 * pre0.middleRows(c0, n).transpose();
      }
    }
    *sums_.biases[k] += sign * (post - post0).rowwise().sum();
  }
}

EPRuleChoice end_of_phase_rule() {
  return {"end_of_phase", [](const LayeredEPNetwork& net, const RelaxationParams& relax, EPRuleSums sums) -> std::unique_ptr<EPRule> {
            return std::make_unique<EndOfPhaseRule>(net, std::move(sums), relax.coding != SpikeCoding::rate);
          }};
}

EPRuleEntry end_of_phase_rule_entry() {
  return {"standard EP update from the neuron states at the end of the phases",
          [](ConfigReader&, RelaxationParams&) { return end_of_phase_rule(); }};
}

}  // namespace plasticore
