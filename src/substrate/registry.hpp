// Substrates by name (`substrate.kind`). Each entry owns its parameter reader (the keys of that kind,
// with defaults and validation) and its builder; it lives in the file of what it builds:
//   ideal      substrate/ideal.hpp              exact fp32
//   quantized  substrate/quantized.hpp          n-bit digital weights
//   pcm        substrate/device_substrate.hpp   PCM crossbar (Nandakumar statistical, or aihwkit inference)
//   memristor  substrate/device_substrate.hpp   bounded nonlinear memristor crossbar
// A new kind is its own file(s) plus one line in substrate_registry() (docs/architecture.md).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/registry.hpp"
#include "substrate/substrate.hpp"
#include "substrate/substrate_config.hpp"

namespace plasticore {

struct SubstrateEntry {
  std::string description;
  void (*read)(ConfigReader& reader, const std::string& prefix, SubstrateConfig& config);  // this kind's keys under prefix
  std::unique_ptr<Substrate> (*build)(const SubstrateConfig& config, int rows, int cols);
};

const Registry<SubstrateEntry>& substrate_registry();

// A network's substrates: the [substrate] section for every matrix except those with a table
// [substrate.matrices.<name>] of their own (a complete substrate section: its own kind and keys, e.g. an
// ideal readout beside a PCM recurrent matrix).
struct SubstrateChoice : SubstrateConfig {
  std::map<std::string, SubstrateConfig> matrices;
  // The device clock between two weight updates: the largest of the sections' seconds_per_update.
  double seconds_per_update() const;
};

// substrate.kind and that kind's keys, and every substrate.matrices table; `seed` is the run's seed.
SubstrateChoice read_substrate_config(ConfigReader& reader, uint64_t seed);
std::unique_ptr<Substrate> make_substrate(const SubstrateConfig& config, int rows, int cols);
// Each matrix of a network on its substrate (one kind for all, from a SubstrateConfig).
SubstrateFactory substrate_factory(const SubstrateChoice& choice);
SubstrateFactory substrate_factory(const SubstrateConfig& config);
// UsageError naming the first substrate.matrices table for a matrix the network does not have.
void check_matrix_names(const SubstrateChoice& choice, const std::vector<std::string>& network_matrices);

}  // namespace plasticore
