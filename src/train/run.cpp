#include "train/run.hpp"

#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "train/sequence_trainer.hpp"
#include "train/trainer.hpp"

namespace fs = std::filesystem;

namespace plasticore {

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

ConfigReader open_config(const std::string& path, const std::vector<std::string>& overrides, std::optional<int64_t> seed,
                         std::optional<int> threads) {
  ConfigReader reader = ConfigReader::from_file(path);
  for (const auto& o : overrides) reader.set_override(o);
  if (seed) reader.set_override("seed=" + std::to_string(*seed));
  if (threads) reader.set_override("threads=" + std::to_string(*threads));
  return reader;
}

void create_run_directory(const std::string& out_dir, const std::string& config_toml) {
  if (fs::exists(out_dir + "/checkpoint.bin") || fs::exists(out_dir + "/metrics.json"))
    throw UsageError(out_dir + ": already holds a run (use --resume to continue it, or another --out)");
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw RuntimeError(out_dir + ": cannot create the run directory: " + ec.message());
  write_file_atomic(out_dir + "/config.toml", config_toml);
}

// A recurrent SNN on a sequence task (algorithm eprop | bptt); the reader is positioned on a new run's
// config, or resume holds the checkpoint of a run to continue.
TrainOutcome run_sequence_training(ConfigReader& reader, std::string out_dir, const std::optional<SequenceCheckpoint>& resume,
                                   bool progress) {
  const SequenceRunConfig config = read_sequence_config(reader);
  set_threads(config.threads);
  const auto task = make_sequence_task(config.task);  // before anything is written: a bad task leaves no run directory
  if (!resume) create_run_directory(out_dir, to_toml(config));
  std::fprintf(stderr, "plasticore: %s %s (%s on %s, T = %lld) with %lld training / %lld test sequences, %d thread(s) -> %s\n",
               resume ? "resuming" : "training", config.name.c_str(), config.algorithm.c_str(), config.task.name.c_str(),
               static_cast<long long>(config.task.steps), static_cast<long long>(config.train_limit),
               static_cast<long long>(config.test_limit), omp_get_max_threads(), out_dir.c_str());
  const nlohmann::json metrics = train_sequence_model(config, out_dir, resume, progress);
  write_file_atomic(out_dir + "/metrics.json", metrics.dump(2) + "\n");
  return {metrics, std::move(out_dir)};
}

// Device state (conductances, write times, accumulators) is not checkpointed: resuming would
// re-program the devices from the saved weights and silently change the run, so it is refused.
void reject_device_resume(const std::string& resume_dir) {
  ConfigReader saved = ConfigReader::from_file(resume_dir + "/config.toml");
  const std::string kind = saved.get_string("substrate.kind", "ideal");
  if (kind == "pcm" || kind == "memristor")
    throw UsageError(resume_dir + ": runs on a device substrate (substrate.kind = " + kind +
                     ") cannot be resumed: device state is not checkpointed; start the run again");
}

}  // namespace

TrainOutcome run_training(const TrainRequest& request) {
  const std::string& config_path = request.config_path;
  const std::string& resume_dir = request.resume_dir;
  const auto& overrides = request.overrides;
  const auto& seed = request.seed;
  const auto& threads = request.threads;
  std::string out_dir = request.out_dir;
  std::optional<Checkpoint> resume;
  RunConfig config;
  if (!resume_dir.empty()) {
    if (!config_path.empty()) throw UsageError("train: give either CONFIG or --resume RUN_DIR, not both");
    if (!overrides.empty() || seed || threads.has_value())
      throw UsageError("train --resume: the run continues with its own config; --set/--seed/--threads are not allowed");
    const std::string ck_path = resume_dir + "/checkpoint.bin";
    reject_device_resume(resume_dir);
    if (fs::exists(resume_dir + "/metrics.json")) throw UsageError(resume_dir + ": run already finished (metrics.json exists)");
    if (!fs::exists(ck_path)) throw UsageError(resume_dir + ": no checkpoint.bin to resume from");
    if (is_sequence_checkpoint(ck_path)) {
      const SequenceCheckpoint ck = read_sequence_checkpoint(ck_path);
      ConfigReader reader = ConfigReader::from_string(ck.config_toml, ck_path);
      return run_sequence_training(reader, resume_dir, ck, request.progress);
    }
    resume = read_checkpoint(ck_path);
    ConfigReader reader = ConfigReader::from_string(resume->config_toml, ck_path);
    config = read_run_config(reader);
    out_dir = resume_dir;
  } else {
    if (config_path.empty()) throw UsageError("train: missing CONFIG.toml (or --resume RUN_DIR)");
    if (out_dir.empty()) out_dir = "runs/" + fs::path(config_path).stem().string() + "-" + timestamp();
    ConfigReader reader = open_config(config_path, overrides, seed, threads);
    if (is_sequence_algorithm(reader.get_string("algorithm", "ep", {"ep", "eqspike", "eprop", "bptt"})))
      return run_sequence_training(reader, out_dir, std::nullopt, request.progress);
    config = read_run_config(reader);
  }
  set_threads(config.threads);
  const LoadedData data = load_data(config);  // before anything is written: bad data leaves no run directory
  if (!resume) create_run_directory(out_dir, to_toml(config));
  std::fprintf(stderr, "plasticore: %s %s (%s, rule %s) on %d training / %d test samples, %d thread(s) -> %s\n",
               resume ? "resuming" : "training", config.name.c_str(), config.algorithm.c_str(),
               rule_name(config.learn.rule).c_str(), data.train.size(), data.test.size(), omp_get_max_threads(),
               out_dir.c_str());
  const nlohmann::json metrics = train_classifier(config, data, out_dir, resume, request.progress);
  write_file_atomic(out_dir + "/metrics.json", metrics.dump(2) + "\n");
  return {metrics, out_dir};
}

// The config a checkpoint was trained with, plus evaluation-time overrides.
static ConfigReader saved_config(const std::string& toml, const std::string& ck_path,
                                 const std::vector<std::string>& overrides, std::optional<int> threads) {
  ConfigReader reader = ConfigReader::from_string(toml, ck_path);
  for (const auto& o : overrides) reader.set_override(o);
  if (threads) reader.set_override("threads=" + std::to_string(*threads));
  return reader;
}

nlohmann::json run_evaluation(const std::string& target, const std::vector<std::string>& overrides,
                              std::optional<int> threads) {
  const std::string ck_path = fs::is_directory(target) ? target + "/checkpoint.bin" : target;
  if (!fs::exists(ck_path)) throw UsageError(target + ": no checkpoint found");
  if (is_sequence_checkpoint(ck_path)) {
    const SequenceCheckpoint ck = read_sequence_checkpoint(ck_path);
    ConfigReader reader = saved_config(ck.config_toml, ck_path, overrides, threads);
    const SequenceRunConfig config = read_sequence_config(reader);
    set_threads(config.threads);
    const auto t0 = std::chrono::steady_clock::now();
    nlohmann::json result = evaluate_sequence_model(config, ck);
    result["eval_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result["checkpoint"] = ck_path;
    result["epochs_done"] = ck.epochs_done;
    result["algorithm"] = config.algorithm;
    result["rule"] = config.algorithm;
    return result;
  }
  const Checkpoint ck = read_checkpoint(ck_path);
  ConfigReader reader = saved_config(ck.config_toml, ck_path, overrides, threads);
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
  return {{"checkpoint", ck_path},  {"epochs_done", ck.epochs_done}, {"test_samples", data.test.size()},
          {"test_accuracy", acc},   {"eval_seconds", seconds},       {"algorithm", config.algorithm},
          {"rule", rule_name(config.learn.rule)}};
}

}  // namespace plasticore
