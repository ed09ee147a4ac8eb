// Builds a substrate by name from the [substrate] section of a config.
#pragma once
#include <memory>
#include <string>

#include "substrate/substrate.hpp"

namespace plasticore {

struct SubstrateConfig {
  std::string kind = "ideal";
};

std::unique_ptr<Substrate> make_substrate(const SubstrateConfig& config, int rows, int cols);

}  // namespace plasticore
