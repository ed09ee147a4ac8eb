// plasticore: command-line tool. `plasticore train CONFIG.toml`, `plasticore train --resume RUN_DIR`,
// `plasticore eval RUN_DIR_OR_CHECKPOINT`, `plasticore energy RUN_DIR` (cli/energy_command.cpp),
// `plasticore stdp CONFIG --out DIR` (cli/stdp_command.cpp), `plasticore plot RUN_DIR` (cli/plot_command.cpp),
// `plasticore drift RUN_DIR` (cli/drift_command.cpp). Exit codes: 0 success, 1 runtime error, 2 usage error.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "core/error.hpp"
#include "drift_command.hpp"
#include "energy_command.hpp"
#include "plot_command.hpp"
#include "stdp_command.hpp"
#include "train/run.hpp"

using namespace plasticore;

namespace {

int cmd_train(TrainRequest request) {
  request.progress = isatty(STDERR_FILENO) != 0;
  const TrainOutcome outcome = run_training(request);
  const auto& m = outcome.metrics;
  if (m.contains("test_accuracy"))
    std::printf("test accuracy %.2f %% after %d epochs (%.0f s); run written to %s\n",
                100.0 * m["test_accuracy"].get<double>(), m["epochs"].get<int>(), m["wall_seconds"].get<double>(),
                outcome.out_dir.c_str());
  else
    std::printf("test nmse %.4f after %d epochs (%.0f s); run written to %s\n", m["test_nmse"].get<double>(),
                m["epochs"].get<int>(), m["wall_seconds"].get<double>(), outcome.out_dir.c_str());
  return 0;
}

int cmd_eval(const std::string& target, const std::vector<std::string>& overrides, bool json, std::optional<int> threads) {
  const nlohmann::json result = run_evaluation(target, overrides, threads);
  if (json) {
    std::cout << result.dump(2) << std::endl;
  } else {
    const std::string where = " on " + std::to_string(result["test_samples"].get<int64_t>()) + " samples (" +
                              result["checkpoint"].get<std::string>() + ", epoch " +
                              std::to_string(result["epochs_done"].get<int>()) + ")";
    if (result.contains("test_accuracy"))
      std::printf("test accuracy %.2f %%%s\n", 100 * result["test_accuracy"].get<double>(), where.c_str());
    else
      std::printf("test nmse %.4f%s\n", result["test_nmse"].get<double>(), where.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"plasticore: spiking networks trained with local learning rules on models of neuromorphic hardware"};
  app.require_subcommand(1);
  std::string config_path, resume_dir, out_dir, eval_target;
  std::vector<std::string> overrides, eval_overrides;
  std::optional<int64_t> seed;
  std::optional<int> threads, eval_threads;
  bool json = false;

  auto* train = app.add_subcommand("train", "train a model from a TOML config");
  train->add_option("config", config_path, "config file (TOML)");
  train->add_option("--resume", resume_dir, "continue a killed run from its last checkpoint");
  train->add_option("--set", overrides, "override a config key: key=value (repeatable)")->allow_extra_args(false);
  train->add_option("--out", out_dir, "run directory (default runs/<config>-<timestamp>)");
  train->add_option("--seed", seed, "random seed (same seed and threads: same numbers)");
  train->add_option("--threads", threads, "worker threads (default: all cores)")->check(CLI::Range(1, 1024));

  auto* eval = app.add_subcommand("eval", "test accuracy of a saved model");
  eval->add_option("target", eval_target, "run directory or checkpoint file")->required();
  eval->add_option("--set", eval_overrides, "override a config key, e.g. data.test_limit=1000")->allow_extra_args(false);
  eval->add_flag("--json", json, "print the result as JSON");
  eval->add_option("--threads", eval_threads, "worker threads")->check(CLI::Range(1, 1024));

  EnergyOptions energy_options;
  auto* energy = add_energy_command(app, energy_options);
  StdpCommand stdp(app);  // each registers its own options
  PlotCommand plot(app);
  DriftArgs drift_args;
  auto* drift = add_drift_command(app, drift_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    if (*train) return cmd_train({config_path, resume_dir, overrides, seed, threads, out_dir});
    if (*eval) return cmd_eval(eval_target, eval_overrides, json, eval_threads);
    if (*energy) return run_energy_command(energy_options);
    if (stdp.chosen()) return stdp.run();
    if (plot.chosen()) return plot.run();
    if (*drift) return run_drift_command(drift_args);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "plasticore: error: %s\n", e.what());
    return 2;
  } catch (const RuntimeError& e) {
    std::fprintf(stderr, "plasticore: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "plasticore: error: %s\n", e.what());
    return 1;
  }
  return 2;
}
