#include "train/run.hpp"

#include <omp.h>

#include <Eigen/Core>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <limits>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/run_lock.hpp"

namespace fs = std::filesystem;

namespace plasticore {

namespace {

std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::localtime(&now));
  return buf;
}

// Rank 0 creates the directory and holds its lock for the whole run, then looks for an existing run under
// the lock, so two processes started on one --out cannot both pass. (A failing rank 0 aborts the others.)
RunDirectoryLock create_run_directory(const std::string& out_dir, const std::string& config_toml, const Communicator& ranks) {
  RunDirectoryLock lock;
  if (ranks.root()) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) throw RuntimeError(out_dir + ": cannot create the run directory: " + ec.message());
    lock = RunDirectoryLock(out_dir);
    if (fs::exists(out_dir + "/checkpoint.bin") || fs::exists(out_dir + "/metrics.json"))
      throw UsageError(out_dir + ": already holds a run (use --resume to continue it, or another --out)");
    write_file_atomic(out_dir + "/config.toml", config_toml);
  }
  ranks.barrier();
  return lock;
}

// The keys of an older plasticore, read under their new names (with a one-line note).
void apply_renamed_keys(ConfigReader& r) {
  r.rename("train.learning_rates", "train.learning_rate");
  r.rename("task.name", "data.dataset");
  r.rename("network.dt_ms", "task.dt_ms");
  r.rename("network.input_scale", "network.init_scale.w_in");
  r.rename("network.recurrent_scale", "network.init_scale.w_rec");
  r.rename("network.readout_scale", "network.init_scale.w_out");
}

nlohmann::json run_header(const RunSpec& spec) {
  return {{"name", spec.name}, {"algorithm", spec.algorithm}, {"substrate", spec.substrate.kind},
          {"dataset", spec.dataset}, {"seed", spec.seed}};
}

}  // namespace

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
  // Eigen's own threading stays off: it gained nothing here (rate EP at 2 threads: 0.91-0.95x) and splits a
  // product in its own way; rate EP threads over aligned column chunks instead (core/product_chunks.hpp), so
  // a product's rounding, and every rate run's numbers, do not depend on the thread count.
  Eigen::setNbThreads(1);
}

RunSpec read_run_spec(ConfigReader& r) {
  apply_renamed_keys(r);
  RunSpec s;
  s.name = r.get_string("name", "run", "label written to metrics.json");
  s.algorithm = r.get_choice("algorithm", "ep", learner_registry().names(), "the learning rule (docs/architecture.md)");
  s.seed = static_cast<uint64_t>(r.get_int("seed", 1, 0, std::numeric_limits<int64_t>::max(),
                                           "every random number derives from it (also --seed)"));
  s.threads = static_cast<int>(r.get_int("threads", 1, 0, 1024,
                                         "worker threads (also --threads); 0 = as many as train fastest, measured on "
                                         "the run's own batches: 1, 2, 4, ... up to all cores (docs/performance.md; "
                                         "eval, drift and stdp then use all cores); one thread is fastest for two "
                                         "runs side by side on 2 cores"));
  const LearnerEntry& learner = learner_registry().at(s.algorithm, "algorithm");
  s.dataset = r.get_choice("data.dataset", learner.sequences ? "pattern_generation" : "mnist", dataset_registry().names(),
                           "the data set or task (docs/architecture.md)");
  const DatasetEntry& dataset = dataset_registry().at(s.dataset, "data.dataset");
  if (!learner.sequences && dataset.sequence_task)
    r.fail("data.dataset", "'" + s.dataset + "' is a sequence task; algorithm '" + s.algorithm +
                               "' classifies static samples (use eprop or bptt)");
  {
    const bool as_sequences = learner.sequences && !dataset.sequence_task;
    const ConfigReader::Scope scope(r, "dataset " + s.dataset + (as_sequences ? " (as sequences)" : ""));
    s.build_dataset = dataset.read(r, {s.seed, learner.sequences});
  }
  {
    const ConfigReader::Scope scope(r, "algorithm " + s.algorithm);
    s.learner = learner.read(r, {s.algorithm, s.seed, &dataset});
  }
  s.trainer.batch_size = s.learner.batch_size;
  s.trainer.epochs = static_cast<int>(r.get_int("train.epochs", 1, 1, 1000000, "passes over the training set"));
  s.trainer.lr_schedule = r.get_choice("train.lr_schedule", "constant", {"constant", "cosine"},
                                       "per epoch; cosine: from train.learning_rate down to lr_final_factor times it");
  s.trainer.lr_final_factor = r.get_double("train.lr_final_factor", 0.1, 0.0, 1.0,
                                           "cosine: the last epoch's rate / the first epoch's");
  s.substrate = read_substrate_config(r, s.seed);
  s.trainer.seconds_per_update = s.substrate.seconds_per_update();
  s.trainer.measure_threads = s.threads == 0;
  // The keys that pick an implementation: changing one with --set leaves the file's keys of the old one out.
  r.check_all_used({"algorithm", "data.dataset", "ep.rule", "substrate.kind", "substrate.mode", "substrate.update",
                    "substrate.training", "substrate.mapping", "train.feedback"});
  s.config_toml = r.resolved_toml();
  return s;
}

void check_substrate_matrices(const SubstrateChoice& substrate, const Learner& learner) {
  std::vector<std::string> names;
  for (const auto& [name, s] : learner.matrices()) names.push_back(name);
  check_matrix_names(substrate, names);
}

BuiltRun build_run(const RunSpec& spec, bool need_train) {
  BuiltRun run;
  run.dataset = spec.build_dataset(need_train);
  if (run.dataset->size(Split::test) == 0)  // only "arrays" has none: its samples come from Python
    throw UsageError("data.dataset = \"" + spec.dataset +
                     "\": no samples here; its samples are NumPy arrays given to plasticore.Network from Python");
  run.learner = spec.learner.build(*run.dataset, substrate_factory(spec.substrate));
  check_substrate_matrices(spec.substrate, *run.learner);
  return run;
}

TrainOutcome run_training(const TrainRequest& request) {
  const Communicator& ranks = request.ranks != nullptr ? *request.ranks : world();
  std::string out_dir = request.out_dir;
  std::optional<RunRecord> resume;
  std::optional<ConfigReader> reader;
  RunDirectoryLock lock;
  bool restart = false;  // --resume of a run that has its config.toml but no record yet
  if (!request.resume_dir.empty()) {
    if (!request.config_path.empty()) throw UsageError("train: give either CONFIG or --resume RUN_DIR, not both");
    if (!request.overrides.empty() || request.seed || request.threads.has_value())
      throw UsageError("train --resume: the run continues with its own config; --set/--seed/--threads are not allowed");
    out_dir = request.resume_dir;
    if (!fs::is_directory(out_dir)) throw UsageError(out_dir + ": no such run directory");
    if (ranks.root()) lock = RunDirectoryLock(out_dir);
    const std::string path = out_dir + "/checkpoint.bin";
    if (fs::exists(out_dir + "/metrics.json")) throw UsageError(out_dir + ": run already finished (metrics.json exists)");
    if (fs::exists(path)) {
      resume = read_run_record(path);
      reader.emplace(ConfigReader::from_string(resume->config_toml, path));
    } else if (fs::exists(out_dir + "/config.toml")) {  // killed before its epoch-0 record: start it again
      reader.emplace(ConfigReader::from_file(out_dir + "/config.toml"));
      restart = true;
    } else {
      throw UsageError(out_dir + ": no checkpoint.bin to resume from");
    }
  } else {
    if (request.config_path.empty()) throw UsageError("train: missing CONFIG.toml (or --resume RUN_DIR)");
    if (out_dir.empty()) out_dir = "runs/" + fs::path(request.config_path).stem().string() + "-" + timestamp();
    reader.emplace(ConfigReader::from_file(request.config_path));
    for (const auto& o : request.overrides) reader->set_override(o);
    if (request.seed) reader->set_override("seed=" + std::to_string(*request.seed));
    if (request.threads) reader->set_override("threads=" + std::to_string(*request.threads));
  }
  const RunSpec spec = read_run_spec(*reader);
  if (resume && resume->epochs_done > spec.trainer.epochs)
    throw RuntimeError(out_dir + "/checkpoint.bin: " + std::to_string(resume->epochs_done) + " epochs done, more than the " +
                       std::to_string(spec.trainer.epochs) + " configured");
  set_threads(spec.threads);
  BuiltRun run = build_run(spec, /*need_train=*/true);  // before anything is written: bad data leaves no run directory
  RunRecord record;
  if (resume) {
    record = std::move(*resume);
    run.learner->restore(record.tensors);
  } else {
    run.learner->initialize();
    record.config_toml = spec.config_toml;
    if (!restart) lock = create_run_directory(out_dir, spec.config_toml, ranks);
    run.learner->save(record.tensors);
    // An epoch-0 record: a run killed in its first epoch resumes from its initial state.
    if (ranks.root()) write_run_record(out_dir + "/checkpoint.bin", record);
  }
  if (ranks.root())
    std::fprintf(stderr, "plasticore: %s %s (%s on %s) with %lld training / %lld test samples, %s%d thread(s)%s -> %s\n",
                 resume || restart ? "resuming" : "training", spec.name.c_str(), spec.algorithm.c_str(), spec.dataset.c_str(),
                 static_cast<long long>(run.dataset->size(Split::train)),
                 static_cast<long long>(run.dataset->size(Split::test)), spec.trainer.measure_threads ? "up to " : "",
                 omp_get_max_threads(),
                 ranks.size() > 1 ? (" x " + std::to_string(ranks.size()) + " ranks").c_str() : "", out_dir.c_str());
  Trainer trainer(spec.trainer, *run.dataset, *run.learner, ranks);
  nlohmann::json metrics;
  try {
    metrics = trainer.train(record, out_dir, request.progress, request.control);
  } catch (const TrainingInterrupted& e) {
    throw TrainingInterrupted(std::string(e.what()) + "; continue with: plasticore train --resume " + out_dir +
                              " (Python: plasticore.resume(\"" + out_dir + "\"))");
  }
  metrics.update(run_header(spec));
  if (ranks.root()) write_file_atomic(out_dir + "/metrics.json", metrics.dump(2) + "\n");
  return {metrics, out_dir};
}

nlohmann::json run_evaluation(const EvaluationRequest& request) {
  const std::string path = record_path(request.target);
  const RunRecord record = read_run_record(path);
  ConfigReader reader = ConfigReader::from_string(record.config_toml, path);
  for (const auto& o : request.overrides) reader.set_override(o);
  if (!request.substrate.empty()) {
    reader.erase("substrate");
    for (const auto& o : request.substrate) reader.set_override(o);
  }
  if (request.threads) reader.set_override("threads=" + std::to_string(*request.threads));
  const RunSpec spec = read_run_spec(reader);
  set_threads(spec.threads);
  BuiltRun run = build_run(spec, /*need_train=*/false);
  run.learner->restore(record.tensors);
  Trainer trainer(spec.trainer, *run.dataset, *run.learner);
  const auto t0 = std::chrono::steady_clock::now();
  const Score test = trainer.evaluate(Split::test);
  nlohmann::json result = {{"checkpoint", path},
                           {"epochs_done", record.epochs_done},
                           {"test_samples", run.dataset->size(Split::test)},
                           {"evaluated_on", run.dataset->evaluation_set()},
                           {"algorithm", spec.algorithm}};
  trainer.add_test_figures(test, result);
  nlohmann::json described;
  run.learner->describe(described);
  result["rule"] = described["rule"];
  result["eval_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace plasticore
