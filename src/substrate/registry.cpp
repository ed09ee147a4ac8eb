#include "substrate/registry.hpp"

#include <algorithm>

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

namespace {

SubstrateConfig read_section(ConfigReader& reader, const std::string& prefix, uint64_t seed) {
  SubstrateConfig c;
  c.seed = seed;
  c.kind = reader.get_choice(prefix + "kind", "ideal", substrate_registry().names(), "where the weights live (docs/hardware.md)");
  const SubstrateEntry& entry = substrate_registry().at(c.kind, prefix + "kind");
  const ConfigReader::Scope scope(reader, "substrate " + c.kind);
  entry.read(reader, prefix, c);
  return c;
}

}  // namespace

SubstrateChoice read_substrate_config(ConfigReader& reader, uint64_t seed) {
  SubstrateChoice choice;
  static_cast<SubstrateConfig&>(choice) = read_section(reader, "substrate.", seed);
  reader.describe_table("substrate.matrices.<matrix>",
                        "a substrate of its own for one matrix (w1, w_rec, w_out, ...): the keys of [substrate]");
  for (const std::string& name : reader.table_keys("substrate.matrices")) {
    const std::string prefix = "substrate.matrices." + name + ".";
    if (!reader.is_table("substrate.matrices." + name))
      reader.fail("substrate.matrices." + name, "expected a table of substrate keys, e.g. [substrate.matrices." + name + "] kind = \"ideal\"");
    choice.matrices.emplace(name, read_section(reader, prefix, seed));
  }
  return choice;
}

double SubstrateChoice::seconds_per_update() const {
  double seconds = update.seconds_per_update;
  for (const auto& [name, c] : matrices) seconds = std::max(seconds, c.update.seconds_per_update);
  return seconds;
}

std::unique_ptr<Substrate> make_substrate(const SubstrateConfig& config, int rows, int cols) {
  return substrate_registry().at(config.kind, "substrate.kind").build(config, rows, cols);
}

SubstrateFactory substrate_factory(const SubstrateChoice& choice) {
  return [choice](const std::string& matrix, int rows, int cols) {
    // A bound on what a config (or a crafted run record's config) can make us allocate: 2^26 synapses is
    // 256 MiB of fp32 weights per matrix, before gradients, optimizer moments and device state.
    constexpr int64_t kMaxSynapses = int64_t{1} << 26;
    if (rows < 1 || cols < 1 || static_cast<int64_t>(rows) * cols > kMaxSynapses)
      throw UsageError("network: matrix " + matrix + " would be " + std::to_string(rows) + " x " + std::to_string(cols) +
                       " synapses; plasticore allows 1 to " + std::to_string(kMaxSynapses) +
                       " (2^26) per matrix (see network.hidden / network.recurrent)");
    const auto own = choice.matrices.find(matrix);
    return make_substrate(own != choice.matrices.end() ? own->second : choice, rows, cols);
  };
}

SubstrateFactory substrate_factory(const SubstrateConfig& config) {
  SubstrateChoice choice;
  static_cast<SubstrateConfig&>(choice) = config;
  return substrate_factory(choice);
}

void check_matrix_names(const SubstrateChoice& choice, const std::vector<std::string>& network_matrices) {
  for (const auto& [name, c] : choice.matrices)
    if (std::find(network_matrices.begin(), network_matrices.end(), name) == network_matrices.end()) {
      std::string list;
      for (const auto& m : network_matrices) list += (list.empty() ? "" : ", ") + m;
      throw UsageError("substrate.matrices." + name + ": this network has no matrix " + name + " (it has " + list + ")");
    }
}

}  // namespace plasticore
