// `plasticore energy RUN_DIR [--json] [--tables DIR]`: joules per inference and per training sample
// of a finished run on every technology in the cost tables (src/energy/energy_report.hpp), and the
// ratios to the GPU. The tables default to configs/energy, installed beside the binary or in the source tree
// (core/data_files.hpp).
#pragma once
#include <string>

#include "command.hpp"

namespace plasticore {

class EnergyCommand final : public Command {
 public:
  explicit EnergyCommand(CLI::App& app);
  int run() override;

 private:
  std::string run_dir_, tables_dir_;
  bool json_ = false;
};

}  // namespace plasticore
