// `plasticore sweep CONFIG.toml --set key=v1,v2,... [--set ...] [--seeds 1,2,3] [--out DIR] [--threads N]
// [--ranks-per-run G]`: the grid of runs of one config with several seeds (train/sweep.hpp), one after
// another, or under mpirun one run per group of G ranks; prints and writes the table (sweep.csv, sweep.md).
#pragma once
#include "command.hpp"
#include "train/sweep.hpp"

namespace plasticore {

class SweepCommand final : public Command {
 public:
  explicit SweepCommand(CLI::App& app);
  int run() override;

 private:
  SweepRequest request_;
};

}  // namespace plasticore
