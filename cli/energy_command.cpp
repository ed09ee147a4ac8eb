#include "energy_command.hpp"

#include <cstdio>
#include <iostream>

#include "core/data_files.hpp"
#include "energy/energy_report.hpp"

namespace plasticore {

namespace {

std::string number(const nlohmann::json& v, const char* format = "%.3g") {
  if (!v.is_number()) return "-";
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v.get<double>());
  return buf;
}

std::string describe_run(const std::string& dir, const nlohmann::json& about) {
  std::string s = dir;
  if (about["algorithm"].is_string()) s += " (" + about["algorithm"].get<std::string>();
  if (about["test_accuracy"].is_number()) s += ", test accuracy " + number(about["test_accuracy"].get<double>() * 100, "%.2f") + " %";
  if (about["algorithm"].is_string()) s += ")";
  return s;
}

void print_per_operation(const std::string& run_dir, const std::string& tables_dir, const RunOpCounts& counts,
                         const std::vector<CostTable>& tables, const nlohmann::json& report) {
  std::printf("(a) energy per sample of %s, per counted operation (cost tables: %s)\n", run_dir.c_str(),
              tables_dir.c_str());
  // The ratio columns: the GPU's joules per sample over this technology's (above 1: this one uses less).
  std::printf("%-14s %15s %15s %20s %20s\n", "technology", "inference (J)", "training (J)", "GPU J / J inference",
              "GPU J / J training");
  for (const auto& t : tables) {
    const auto& e = report["technologies"][t.name];
    const bool gpu = t.name == "gpu";
    std::printf("%-14s %15.4g %15.4g %20s %20s   %s\n", t.name.c_str(), e["inference_joules"].get<double>(),
                e["training_joules"].get<double>(), gpu ? "1" : number(report["ratios"]["inference_gpu_over_" + t.name]).c_str(),
                gpu ? "1" : number(report["ratios"]["training_gpu_over_" + t.name]).c_str(), t.description.c_str());
  }
  std::printf("(GPU J / J: the GPU's joules for the same computation done densely, divided by this technology's)\n");
  // Where a training sample's energy goes: the same sum restricted to one phase, and to the ops issue 14 added.
  std::printf("\ntraining energy per sample by phase (J)\n%-14s", "technology");
  for (const auto& phase : kPhaseNames) std::printf(" %12s", std::string(phase).c_str());
  std::printf(" %14s\n", "of which state");
  for (const auto& t : tables) {
    std::printf("%-14s", t.name.c_str());
    for (size_t p = 0; p < kPhaseNames.size(); ++p) {
      PerSampleCounts one_phase{};
      one_phase[p] = counts.training[p];
      std::printf(" %12.4g", joules_per_sample(t, one_phase));
    }
    // State replay/reference words and the sign of beta: what the scheme needs on a chip.
    PerSampleCounts state{};
    for (size_t p = 0; p < kPhaseNames.size(); ++p)
      for (const Op op : {Op::state_stores, Op::state_loads, Op::sign_broadcasts})
        state[p][static_cast<size_t>(op)] = counts.training[p][static_cast<size_t>(op)];
    std::printf(" %14.4g\n", joules_per_sample(t, state));
  }
  std::printf("(of which state: state_stores, state_loads and sign_broadcasts)\n");
}

void print_both_ways(const std::string& run_dir, const std::string& gpu_run_dir, const nlohmann::json& both) {
  std::printf("\n(b) both ways: chip side %s\n              GPU side  %s\n", describe_run(run_dir, both["chip_run"]).c_str(),
              describe_run(gpu_run_dir, both["gpu_run"]).c_str());
  const nlohmann::json& gpu = both["gpu"];
  if (!gpu["power_time"].is_null()) {
    const nlohmann::json& g = gpu["power_time"];
    std::printf("GPU, board power %s W x time per sample\n%-12s %-12s %12s %12s   %s\n", number(g["board_watts"]).c_str(),
                "sample", "batch", "seconds", "joules", "per operation (a), J");
    for (const char* kind : {"inference", "training"})
      for (const char* basis : {"batch_1", "large_batch"})
        std::printf("%-12s %-12s %12s %12s   %s\n", kind, basis, number(g[kind][basis]["seconds"]).c_str(),
                    number(g[kind][basis]["joules"]).c_str(),
                    std::string(basis) == "batch_1" ? number(gpu["per_operation"][std::string(kind) + "_joules"]).c_str() : "");
  }
  std::printf("\nchip: static power x simulated time + per-operation (dynamic) energy, J per sample\n");
  std::printf("%-14s %-10s %10s %10s %12s %12s %12s %12s\n", "technology", "sample", "static W", "steps", "seconds",
              "static J", "dynamic J", "total J");
  for (const auto& [name, c] : both["chips"].items()) {
    for (const char* kind : {"inference", "training"}) {
      const nlohmann::json& pt = c["power_time"];
      if (pt.is_null()) {
        std::printf("%-14s %-10s %10s %10s %12s %12s %12s %12s\n", name.c_str(), kind, "-", "-", "-", "-",
                    number(c["per_operation"][std::string(kind) + "_joules"]).c_str(), "-");
        continue;
      }
      const nlohmann::json& k = pt[kind];
      std::printf("%-14s %-10s %10s %10s %12s %12s %12s %12s\n", name.c_str(), kind, number(pt["static_watts"]).c_str(),
                  number(k["time_steps"]).c_str(), number(k["seconds"]).c_str(), number(k["static_joules"]).c_str(),
                  number(k["dynamic_joules"]).c_str(), number(k["joules"]).c_str());
    }
  }
  std::printf("\nGPU J / chip J%-8s %15s %15s %15s\n", "", "per operation", "batch 1", "large batch");
  for (const auto& [name, c] : both["chips"].items())
    for (const char* kind : {"inference", "training"}) {
      const std::string k = kind;
      const auto at = [&](const std::string& key) { return c["ratios"].contains(key) ? number(c["ratios"][key]) : "-"; };
      std::printf("%-12s %-9s %15s %15s %15s\n", name.c_str(), kind, at(k + "_per_operation").c_str(),
                  at(k + "_batch_1").c_str(), at(k + "_large_batch").c_str());
    }
  std::printf("\nsensitivity: what it takes for GPU J / chip J to reach the claim (10^3 inference, 10^2 training)\n");
  std::printf("%-12s %-9s %-13s %9s %12s %12s %12s %12s %14s\n", "technology", "sample", "GPU basis", "ratio",
              "GPU J needed", "GPU W needed", "chip all /", "chip ops /", "chip static W");
  for (const auto& r : both["sensitivity"]) {
    const bool per_operation = r["basis"] == "per_operation";
    const auto or_impossible = [](const nlohmann::json& v) { return v.is_null() ? std::string("impossible") : number(v); };
    std::printf("%-12s %-9s %-13s %9s %12s %12s %12s %12s %14s\n", r["technology"].get<std::string>().c_str(),
                r["kind"].get<std::string>().c_str(), r["basis"].get<std::string>().c_str(), number(r["ratio"]).c_str(),
                number(r["gpu_joules_needed"]).c_str(), number(r["gpu_watts_needed"]).c_str(),
                number(r["chip_costs_divide_by"]).c_str(), or_impossible(r["chip_dynamic_divide_by"]).c_str(),
                per_operation ? "-" : or_impossible(r["chip_static_watts_needed"]).c_str());
  }
  std::printf("(GPU J needed, GPU W needed: what the GPU must spend per sample, or draw over its time per sample, for the\n"
              " claim to hold with the chip as it is. chip all /, chip ops /: the factor by which every chip cost, or its\n"
              " per-operation costs alone with the static power as it is, must be divided (<= 1: the claim holds already;\n"
              " impossible: the static energy alone is too much). chip static W: the static power at which the claim holds\n"
              " exactly with the per-operation costs as they are (impossible: the dynamic energy alone is too much))\n");
  for (const auto& note : both["notes"]) std::printf("note: %s\n", note.get<std::string>().c_str());
}

}  // namespace

EnergyCommand::EnergyCommand(CLI::App& app) {
  app_ = app.add_subcommand("energy",
                            "energy per sample of a finished run on each technology, vs a GPU, both ways: per counted "
                            "operation and as power x time, with what each side must cost for 10^3 / 10^2");
  app_->add_option("run_dir", run_dir_, "run directory (with metrics.json): the chip side")->required();
  app_->add_option("--gpu-run", gpu_run_dir_,
                   "price the GPU side of the both-ways comparison on this run instead (e.g. rate EP at the accuracy "
                   "the chip's EqSpike run reaches); the per-operation table (a) still prices run_dir densely");
  app_->add_flag("--json", json_, "print the result as JSON");
  app_->add_option("--tables", tables_dir_,
                   "directory of cost tables (*.toml; default: configs/energy, installed or in the source tree)");
}

int EnergyCommand::run() {
  if (tables_dir_.empty()) tables_dir_ = data_file("configs/energy");
  const RunOpCounts counts = read_run_op_counts(run_dir_);
  RunOpCounts gpu_counts;
  if (!gpu_run_dir_.empty()) gpu_counts = read_run_op_counts(gpu_run_dir_);
  const std::vector<CostTable> tables = read_cost_tables(tables_dir_);
  const nlohmann::json report = energy_report(counts, tables, gpu_run_dir_.empty() ? nullptr : &gpu_counts);
  if (json_) {
    std::cout << report.dump(2) << std::endl;
    return 0;
  }
  print_per_operation(run_dir_, tables_dir_, counts, tables, report);
  print_both_ways(run_dir_, gpu_run_dir_.empty() ? run_dir_ : gpu_run_dir_, report["both_ways"]);
  return 0;
}

}  // namespace plasticore
