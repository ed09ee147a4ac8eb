#include "train_command.hpp"

#include <unistd.h>

#include <cstdio>

#include "core/communicator.hpp"

namespace plasticore {

TrainCommand::TrainCommand(CLI::App& app) {
  app_ = app.add_subcommand("train", "train a model from a TOML config");
  app_->add_option("config", request_.config_path, "config file (TOML)");
  app_->add_option("--resume", request_.resume_dir, "continue a killed run from its last checkpoint");
  app_->add_option("--set", request_.overrides, "override a config key: key=value (repeatable)")->allow_extra_args(false);
  app_->add_option("--out", request_.out_dir, "run directory (default runs/<config>-<timestamp>)");
  app_->add_option("--seed", request_.seed, "random seed (same seed and threads: same numbers)");
  app_->add_option("--threads", request_.threads, "worker threads (default: the config's threads, 1)")
      ->check(CLI::Range(1, 1024));
}

int TrainCommand::run() {
  request_.progress = isatty(STDERR_FILENO) != 0;
  const TrainOutcome outcome = run_training(request_);
  if (!world().root()) return 0;
  const auto& m = outcome.metrics;
  const std::string set = m["evaluated_on"].get<std::string>();  // test, or validation (data.validation)
  if (m.contains("test_accuracy"))
    std::printf("%s accuracy %.2f %% after %d epochs (%.0f s); run written to %s\n",
                set.c_str(), 100.0 * m["test_accuracy"].get<double>(), m["epochs"].get<int>(), m["wall_seconds"].get<double>(),
                outcome.out_dir.c_str());
  else
    std::printf("%s nmse %.4f after %d epochs (%.0f s); run written to %s\n", set.c_str(), m["test_nmse"].get<double>(),
                m["epochs"].get<int>(), m["wall_seconds"].get<double>(), outcome.out_dir.c_str());
  return 0;
}

}  // namespace plasticore
