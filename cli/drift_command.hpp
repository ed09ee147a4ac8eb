// `plasticore drift RUN_DIR --times 1,60,3600 [--compensate] [--json]`: programs a trained model's
// weights onto PCM (aihwkit inference model, substrate.mode = inference) and evaluates it after each
// of the given seconds of drift. Writes RUN_DIR/drift.json (drift_compensated.json with --compensate).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace plasticore {

struct DriftArgs {
  std::string run_dir;
  std::string times = "1,60,3600,86400,2592000";
  bool compensate = false;
  bool json = false;
  std::vector<std::string> overrides;
  std::optional<int> threads;
};

CLI::App* add_drift_command(CLI::App& app, DriftArgs& args);
int run_drift_command(const DriftArgs& args);

}  // namespace plasticore
