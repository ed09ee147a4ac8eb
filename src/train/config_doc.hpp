// docs/configuration.md, generated from the registries: every registered algorithm, EP rule, dataset
// and substrate kind (with their variants: update schemes, PCM modes, feedback modes) has its keys
// read once by its own reader, and what the readers documented (core/config_reader.hpp: type, default,
// range, meaning, scope) is rendered as tables. `plasticore keys` prints it; a test checks that the
// committed docs/configuration.md is exactly this, so the reference cannot drift from the code.
#pragma once
#include <string>
#include <vector>

#include "core/config_reader.hpp"

namespace plasticore {

struct ObservedKey {
  KeyDoc doc;
  std::string algorithm, dataset;  // the run it was read in
};

// The keys every reader reads, over every registered choice.
std::vector<ObservedKey> observe_config_keys();
std::string configuration_markdown();

}  // namespace plasticore
