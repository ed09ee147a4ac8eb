#include "substrate/registry.hpp"

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
  return [config](const std::string&, int rows, int cols) { return make_substrate(config, rows, cols); };
}

}  // namespace plasticore
