// `plasticore train CONFIG.toml [--set key=value]... [--out DIR] [--seed N] [--threads N]` and
// `plasticore train --resume RUN_DIR`: one run of any algorithm through the one trainer (train/run.hpp).
#pragma once
#include "command.hpp"
#include "train/run.hpp"

namespace plasticore {

class TrainCommand final : public Command {
 public:
  explicit TrainCommand(CLI::App& app);
  int run() override;

 private:
  TrainRequest request_;
};

}  // namespace plasticore
