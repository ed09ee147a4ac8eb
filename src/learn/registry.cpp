#include "learn/registry.hpp"

#include "learn/ep_learner.hpp"
#include "learn/recurrent_learner.hpp"

namespace plasticore {

const Registry<LearnerEntry>& learner_registry() {
  static const Registry<LearnerEntry> registry = {
      {"ep", ep_learner_entry()},
      {"eqspike", eqspike_learner_entry()},
      {"eprop", eprop_learner_entry()},
      {"bptt", bptt_learner_entry()},
  };
  return registry;
}

}  // namespace plasticore
