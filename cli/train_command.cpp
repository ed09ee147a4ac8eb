#include "train_command.hpp"

#include <signal.h>
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
  app_->add_option("--threads", request_.threads,
                   "worker threads (default: the config's threads, 1); 0 = as many as train fastest, measured")
      ->check(CLI::Range(0, 1024));
}

namespace {

static_assert(std::atomic<bool>::is_always_lock_free, "the SIGINT handler sets a std::atomic<bool>");
TrainingControl* interrupt_target = nullptr;

// SIGINT (Ctrl-C): the trainer stops after the batch under way, writes a checkpoint and main() exits 130.
// SA_RESETHAND: a second Ctrl-C kills at once.
void request_stop(int) { interrupt_target->stop.store(true); }

}  // namespace

int TrainCommand::run() {
  request_.progress = isatty(STDERR_FILENO) != 0;
  TrainingControl control;
  interrupt_target = &control;
  request_.control = &control;
  struct sigaction action {};
  action.sa_handler = request_stop;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  struct RestoreDefault {
    ~RestoreDefault() { signal(SIGINT, SIG_DFL); }
  } restore;
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
