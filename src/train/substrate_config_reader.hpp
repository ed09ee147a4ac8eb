// The [substrate] section, shared by classification (run_config) and sequence (sequence_config) runs:
// one reader and one writer, so both kinds of run accept and save exactly the same keys.
#pragma once
#include <cstdint>

#include "substrate/factory.hpp"
#include "train/config_reader.hpp"

namespace plasticore {

// Reads and validates substrate.*; throws UsageError naming the key. `seed` is the run's seed.
SubstrateConfig read_substrate_config(ConfigReader& reader, uint64_t seed);
// Every resolved key, for the run directory's config.toml.
toml::table substrate_toml(const SubstrateConfig& config);

}  // namespace plasticore
