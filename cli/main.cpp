// plasticore: command-line tool. `plasticore train CONFIG.toml`, `plasticore train --resume RUN_DIR`,
// `plasticore eval RUN_DIR_OR_CHECKPOINT`. Exit codes: 0 success, 1 runtime error, 2 usage error.
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "train/trainer.hpp"

namespace fs = std::filesystem;
using namespace plasticore;

namespace {

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&now));
  return buf;
}

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  Eigen::setNbThreads(omp_get_max_threads());
}

RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides, std::optional<int64_t> seed,
                      std::optional<int> threads) {
  ConfigReader reader = ConfigReader::from_file(path);
  for (const auto& o : overrides) reader.set_override(o);
  if (seed) reader.set_override("seed=" + std::to_string(*seed));
  if (threads) reader.set_override("threads=" + std::to_string(*threads));
  return read_run_config(reader);
}

int cmd_train(const std::string& config_path, const std::string& resume_dir, const std::vector<std::string>& overrides,
              std::string out_dir, std::optional<int64_t> seed, std::optional<int> threads) {
  std::optional<Checkpoint> resume;
  RunConfig config;
  if (!resume_dir.empty()) {
    if (!config_path.empty()) throw UsageError("train: give either CONFIG or --resume RUN_DIR, not both");
    if (!overrides.empty() || seed || threads.has_value())
      throw UsageError("train --resume: the run continues with its own config; --set/--seed/--threads are not allowed");
    const std::string ck_path = resume_dir + "/checkpoint.bin";
    if (fs::exists(resume_dir + "/metrics.json")) throw UsageError(resume_dir + ": run already finished (metrics.json exists)");
    if (!fs::exists(ck_path)) throw UsageError(resume_dir + ": no checkpoint.bin to resume from");
    resume = read_checkpoint(ck_path);
    ConfigReader reader = ConfigReader::from_string(resume->config_toml, ck_path);
    config = read_run_config(reader);
    out_dir = resume_dir;
  } else {
    if (config_path.empty()) throw UsageError("train: missing CONFIG.toml (or --resume RUN_DIR)");
    config = load_config(config_path, overrides, seed, threads);
    if (out_dir.empty()) out_dir = "runs/" + fs::path(config_path).stem().string() + "-" + timestamp();
  }
  set_threads(config.threads);
  const LoadedData data = load_data(config);  // before anything is written: bad data leaves no run directory
  if (!resume) {
    if (fs::exists(out_dir + "/checkpoint.bin") || fs::exists(out_dir + "/metrics.json"))
      throw UsageError(out_dir + ": already holds a run (use --resume to continue it, or another --out)");
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) throw RuntimeError(out_dir + ": cannot create the run directory: " + ec.message());
    write_file_atomic(out_dir + "/config.toml", to_toml(config));
  }
  std::fprintf(stderr, "plasticore: %s %s (%s, rule %s) on %d training / %d test samples, %d thread(s) -> %s\n",
               resume ? "resuming" : "training", config.name.c_str(), config.algorithm.c_str(),
               rule_name(config.learn.rule).c_str(), data.train.size(), data.test.size(), omp_get_max_threads(),
               out_dir.c_str());
  const nlohmann::json metrics = train_classifier(config, data, out_dir, resume, isatty(STDERR_FILENO) != 0);
  write_file_atomic(out_dir + "/metrics.json", metrics.dump(2) + "\n");
  std::printf("test accuracy %.2f %% after %d epochs (%.0f s); run written to %s\n",
              100.0 * metrics["test_accuracy"].get<double>(), config.train.epochs, metrics["wall_seconds"].get<double>(),
              out_dir.c_str());
  return 0;
}

int cmd_eval(const std::string& target, const std::vector<std::string>& overrides, bool json, std::optional<int> threads) {
  const std::string ck_path = fs::is_directory(target) ? target + "/checkpoint.bin" : target;
  if (!fs::exists(ck_path)) throw UsageError(target + ": no checkpoint found");
  const Checkpoint ck = read_checkpoint(ck_path);
  ConfigReader reader = ConfigReader::from_string(ck.config_toml, ck_path);
  for (const auto& o : overrides) reader.set_override(o);
  if (threads) reader.set_override("threads=" + std::to_string(*threads));
  const RunConfig config = read_run_config(reader);
  set_threads(config.threads);
  const LoadedData data = load_data(config, /*need_train=*/false);
  std::vector<int> sizes = {static_cast<int>(data.test.images.rows())};
  sizes.insert(sizes.end(), config.hidden.begin(), config.hidden.end());
  sizes.push_back(data.test.n_classes);
  LayeredEPNetwork net(sizes, config.substrate);
  restore_checkpoint(ck, net);
  EPLearner learner(net, config.relax, config.learn, config.seed);
  const auto t0 = std::chrono::steady_clock::now();
  const double acc = evaluate_accuracy(learner, data.test, config.train.batch_size);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (json) {
    nlohmann::json j{{"checkpoint", ck_path},     {"epochs_done", ck.epochs_done}, {"test_samples", data.test.size()},
                     {"test_accuracy", acc},      {"eval_seconds", seconds},       {"algorithm", config.algorithm},
                     {"rule", rule_name(config.learn.rule)}};
    std::cout << j.dump(2) << std::endl;
  } else {
    std::printf("test accuracy %.2f %% on %d samples (%s, epoch %d)\n", 100 * acc, data.test.size(), ck_path.c_str(),
                ck.epochs_done);
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    if (*train) return cmd_train(config_path, resume_dir, overrides, out_dir, seed, threads);
    if (*eval) return cmd_eval(eval_target, eval_overrides, json, eval_threads);
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
