// `plasticore energy RUN_DIR [--json] [--tables DIR]`: joules per inference and per training sample
// of a finished run on every technology in the cost tables (src/energy/energy_report.hpp), and the
// ratios to the GPU. The tables default to configs/energy of the source tree this binary was built from.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace plasticore {

struct EnergyOptions {
  std::string run_dir;
  std::string tables_dir;
  bool json = false;
};

CLI::App* add_energy_command(CLI::App& app, EnergyOptions& options);
int run_energy_command(const EnergyOptions& options);

}  // namespace plasticore
