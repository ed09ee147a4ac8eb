// `plasticore eval RUN_DIR_OR_CHECKPOINT [--set key=value]... [--json] [--threads N]`: the test figures
// of a saved model (its run record, substrate state included), optionally with evaluation-time overrides
// such as data.test_limit.
#pragma once
#include "command.hpp"
#include "train/run.hpp"

namespace plasticore {

class EvalCommand final : public Command {
 public:
  explicit EvalCommand(CLI::App& app);
  int run() override;

 private:
  EvaluationRequest request_;
  bool json_ = false;
};

}  // namespace plasticore
