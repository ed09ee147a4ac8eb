// Substrates by name (`substrate.kind`). Each entry owns its parameter reader (the keys of that kind,
// with defaults and validation) and its builder; it lives in the file of what it builds:
//   ideal      substrate/ideal.hpp              exact fp32
//   quantized  substrate/quantized.hpp          n-bit digital weights
//   pcm        substrate/device_substrate.hpp   PCM crossbar (Nandakumar statistical, or aihwkit inference)
//   memristor  substrate/device_substrate.hpp   bounded nonlinear memristor crossbar
// A new kind is its own file(s) plus one line in substrate_registry() (docs/architecture.md).
#pragma once
#include <memory>
#include <string>

#include "core/config_reader.hpp"
#include "core/registry.hpp"
#include "substrate/substrate.hpp"
#include "substrate/substrate_config.hpp"

namespace plasticore {

struct SubstrateEntry {
  std::string description;
  void (*read)(ConfigReader& reader, SubstrateConfig& config);  // this kind's keys
  std::unique_ptr<Substrate> (*build)(const SubstrateConfig& config, int rows, int cols);
};

const Registry<SubstrateEntry>& substrate_registry();

// substrate.kind and that kind's keys; `seed` is the run's seed.
SubstrateConfig read_substrate_config(ConfigReader& reader, uint64_t seed);
std::unique_ptr<Substrate> make_substrate(const SubstrateConfig& config, int rows, int cols);
// Every matrix of a network on the same substrate kind.
SubstrateFactory substrate_factory(const SubstrateConfig& config);

}  // namespace plasticore
