// Learning rules by name (`algorithm`). Each entry owns its parameter reader (its keys with defaults and
// validation, including the learning rates of its matrices) and returns the builder of its Learner; it
// lives in the file of what it builds:
//   ep, eqspike   learn/ep_learner.cpp         layered EP network, rate-based or spiking (ep.rule picks
//                                              end_of_phase or two_factor, learn/ep_rule.hpp)
//   eprop, bptt   learn/recurrent_learner.cpp  recurrent LIF/ALIF network on sequences
// A new rule is its own file(s) plus one line in learner_registry() (docs/architecture.md).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "core/config_reader.hpp"
#include "core/registry.hpp"
#include "data/registry.hpp"
#include "learn/learner.hpp"
#include "substrate/substrate.hpp"

namespace plasticore {

// What a learner's reader may depend on.
struct LearnerContext {
  std::string algorithm;  // the entry's name (ep and eqspike share a reader)
  uint64_t seed = 1;
  const DatasetEntry* dataset = nullptr;
};

using LearnerBuilder = std::function<std::unique_ptr<Learner>(const Dataset& dataset, const SubstrateFactory& substrates)>;

struct LearnerRecipe {
  LearnerBuilder build;
  int batch_size = 1;  // train.batch_size, whose default the rule sets
};

struct LearnerEntry {
  std::string description;
  bool sequences;  // trains on sequences (recurrent networks), not static samples
  LearnerRecipe (*read)(ConfigReader& reader, const LearnerContext& context);
};

const Registry<LearnerEntry>& learner_registry();

}  // namespace plasticore
