#include "energy_command.hpp"

#include <cstdio>
#include <iostream>

#include "core/data_files.hpp"
#include "energy/energy_report.hpp"

namespace plasticore {

EnergyCommand::EnergyCommand(CLI::App& app) {
  app_ = app.add_subcommand("energy", "energy per sample of a finished run on each technology, vs a GPU");
  app_->add_option("run_dir", run_dir_, "run directory (with metrics.json)")->required();
  app_->add_flag("--json", json_, "print the result as JSON");
  app_->add_option("--tables", tables_dir_,
                   "directory of cost tables (*.toml; default: configs/energy, installed or in the source tree)");
}

int EnergyCommand::run() {
  if (tables_dir_.empty()) tables_dir_ = data_file("configs/energy");
  const RunOpCounts counts = read_run_op_counts(run_dir_);
  const std::vector<CostTable> tables = read_cost_tables(tables_dir_);
  const nlohmann::json report = energy_report(counts, tables);
  if (json_) {
    std::cout << report.dump(2) << std::endl;
    return 0;
  }
  std::printf("energy per sample of %s, from its counted operations (cost tables: %s)\n", run_dir_.c_str(),
              tables_dir_.c_str());
  // The ratio columns: the GPU's joules per sample over this technology's (above 1: this one uses less).
  std::printf("%-14s %15s %15s %20s %20s\n", "technology", "inference (J)", "training (J)", "GPU J / J inference",
              "GPU J / J training");
  const auto ratio = [](const nlohmann::json& r) {
    char buf[32];
    if (r.is_null()) return std::string("-");
    std::snprintf(buf, sizeof buf, "%.3g", r.get<double>());
    return std::string(buf);
  };
  for (const auto& t : tables) {
    const auto& e = report["technologies"][t.name];
    const bool gpu = t.name == "gpu";
    std::printf("%-14s %15.4g %15.4g %20s %20s   %s\n", t.name.c_str(), e["inference_joules"].get<double>(),
                e["training_joules"].get<double>(),
                gpu ? "1" : ratio(report["ratios"]["inference_gpu_over_" + t.name]).c_str(),
                gpu ? "1" : ratio(report["ratios"]["training_gpu_over_" + t.name]).c_str(), t.description.c_str());
  }
  std::printf("(GPU J / J: the GPU's joules per sample divided by this technology's; above 1, it uses less)\n");
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
