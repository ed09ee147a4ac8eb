// `plasticore drift RUN_DIR --times 1,60,3600 [--compensate] [--json]`: programs a trained model's
// weights onto PCM (aihwkit inference model, substrate.mode = inference) and evaluates it after each
// of the given seconds of drift. Writes RUN_DIR/drift.json (drift_compensated.json with --compensate).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"

namespace plasticore {

class DriftCommand final : public Command {
 public:
  explicit DriftCommand(CLI::App& app);
  int run() override;

 private:
  std::string run_dir_;
  std::string times_ = "1,60,3600,86400,2592000";
  bool compensate_ = false;
  bool json_ = false;
  std::vector<std::string> overrides_;
  std::optional<int> threads_;
};

}  // namespace plasticore
