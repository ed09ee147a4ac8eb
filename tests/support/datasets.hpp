// Test helper: a dataset built through its registry entry from a few TOML lines, as a run builds it.
#pragma once
#include <memory>
#include <string>

#include "data/registry.hpp"

namespace plasticore {

inline std::unique_ptr<Dataset> dataset_from(const std::string& name, const std::string& toml, bool sequences = true,
                                             uint64_t seed = 1, bool need_train = true) {
  ConfigReader reader = ConfigReader::from_string(toml, "test");
  return dataset_registry().at(name, "data.dataset").read(reader, {seed, sequences})(need_train);
}

}  // namespace plasticore
