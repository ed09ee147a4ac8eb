#include "learn/ep_rule.hpp"

#include "learn/end_of_phase_rule.hpp"
#include "learn/two_factor_rule.hpp"

namespace plasticore {

const Registry<EPRuleEntry>& ep_rule_registry() {
  static const Registry<EPRuleEntry> registry = {
      {"end_of_phase", end_of_phase_rule_entry()},
      {"two_factor", two_factor_rule_entry()},
  };
  return registry;
}

}  // namespace plasticore
