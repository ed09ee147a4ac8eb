// `plasticore energy RUN_DIR [--gpu-run DIR] [--json] [--tables DIR]`: joules per inference and per
// training sample of a finished run on every technology in the cost tables (src/energy/energy_report.hpp),
// both ways: (a) per counted operation, the GPU pricing the same computation densely, and (b) power x
// time (a GPU's board power times its time per sample at batch 1 and at a large batch; a chip's static
// plus dynamic energy over the simulated time), with the sensitivity table for EqSpike's 10^3 / 10^2.
// --gpu-run prices the GPU side on another run (rate EP at the accuracy the chip's run reaches). The
// tables default to configs/energy, installed beside the binary or in the source tree (core/data_files.hpp).
#pragma once
#include <string>

#include "command.hpp"

namespace plasticore {

class EnergyCommand final : public Command {
 public:
  explicit EnergyCommand(CLI::App& app);
  int run() override;

 private:
  std::string run_dir_, gpu_run_dir_, tables_dir_;
  bool json_ = false;
};

}  // namespace plasticore
