#include "substrate/registry.hpp"

#include "core/error.hpp"
#include "substrate/ideal.hpp"
#include "substrate/memristor_device.hpp"
#include "substrate/pcm_device.hpp"
#include "substrate/quantized.hpp"

namespace plasticore {

const Registry<SubstrateEntry>& substrate_registry() {
  static const Registry<SubstrateEntry> registry = {
      {"ideal", ideal_substrate_entry()},
      {"quantized", quantized_substrate_entry()},
      {"pcm", pcm_substrate_entry()},
      {"memristor", memristor_substrate_entry()},
  };
  return registry;
}

SubstrateConfig read_substrate_config(ConfigReader& reader, uint64_t seed) {
  SubstrateConfig c;
  c.seed = seed;
  c.kind = reader.get_choice("substrate.kind", "ideal", substrate_registry().names(),
                             "where the weights live (docs/hardware.md)");
  const SubstrateEntry& entry = substrate_registry().at(c.kind, "substrate.kind");
  const ConfigReader::Scope scope(reader, "substrate " + c.kind);
  entry.read(reader, c);
  return c;
}

std::unique_ptr<Substrate> make_substrate(const SubstrateConfig& config, int rows, int cols) {
  return substrate_registry().at(config.kind, "substrate.kind").build(config, rows, cols);
}

SubstrateFactory substrate_factory(const SubstrateConfig& config) {
  return [config](const std::string& matrix, int rows, int cols) {
    // A bound on what a config (or a crafted run record's config) can make us allocate: 2^26 synapses is
    // 256 MiB of fp32 weights per matrix, before gradients, optimizer moments and device state.
    constexpr int64_t kMaxSynapses = int64_t{1} << 26;
    if (rows < 1 || cols < 1 || static_cast<int64_t>(rows) * cols > kMaxSynapses)
      throw UsageError("network: matrix " + matrix + " would be " + std::to_string(rows) + " x " + std::to_string(cols) +
                       " synapses; plasticore allows 1 to " + std::to_string(kMaxSynapses) +
                       " (2^26) per matrix (see network.hidden / network.recurrent)");
    return make_substrate(config, rows, cols);
  };
}

}  // namespace plasticore
