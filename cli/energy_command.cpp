#include "energy_command.hpp"

#include <cstdio>
#include <iostream>

#include "energy/energy_report.hpp"

namespace plasticore {

CLI::App* add_energy_command(CLI::App& app, EnergyOptions& options) {
  options.tables_dir = PLASTICORE_ENERGY_TABLES_DIR;  // compile definition: <source tree>/configs/energy
  auto* energy = app.add_subcommand("energy", "energy per sample of a finished run on each technology, vs a GPU");
  energy->add_option("run_dir", options.run_dir, "run directory (with metrics.json)")->required();
  energy->add_flag("--json", options.json, "print the result as JSON");
  energy->add_option("--tables", options.tables_dir, "directory of cost tables (*.toml)")->capture_default_str();
  return energy;
}

int run_energy_command(const EnergyOptions& options) {
  const RunOpCounts counts = read_run_op_counts(options.run_dir);
  const std::vector<CostTable> tables = read_cost_tables(options.tables_dir);
  const nlohmann::json report = energy_report(counts, tables);
  if (options.json) {
    std::cout << report.dump(2) << std::endl;
    return 0;
  }
  std::printf("energy per sample of %s, from its counted operations (cost tables: %s)\n", options.run_dir.c_str(),
              options.tables_dir.c_str());
  std::printf("%-14s %15s %15s %18s %18s\n", "technology", "inference (J)", "training (J)", "GPU/it inference",
              "GPU/it training");
  const auto ratio = [](const nlohmann::json& r) {
    char buf[32];
    if (r.is_null()) return std::string("-");
    std::snprintf(buf, sizeof buf, "%.3g", r.get<double>());
    return std::string(buf);
  };
  for (const auto& t : tables) {
    const auto& e = report["technologies"][t.name];
    const bool gpu = t.name == "gpu";
    std::printf("%-14s %15.4g %15.4g %18s %18s   %s\n", t.name.c_str(), e["inference_joules"].get<double>(),
                e["training_joules"].get<double>(),
                gpu ? "1" : ratio(report["ratios"]["inference_gpu_over_" + t.name]).c_str(),
                gpu ? "1" : ratio(report["ratios"]["training_gpu_over_" + t.name]).c_str(), t.description.c_str());
  }
  // Where a training sample's energy goes: the same sum restricted to one phase.
  std::printf("\ntraining energy per sample by phase (J)\n%-14s", "technology");
  for (const auto& phase : kPhaseNames) std::printf(" %12s", std::string(phase).c_str());
  std::printf("\n");
  for (const auto& t : tables) {
    std::printf("%-14s", t.name.c_str());
    for (size_t p = 0; p < kPhaseNames.size(); ++p) {
      PerSampleCounts one_phase{};
      one_phase[p] = counts.training[p];
      std::printf(" %12.4g", joules_per_sample(t, one_phase));
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace plasticore
