// One training or evaluation run end to end, as the CLI and the Python module start it: resolve the
// config through the registries (file + overrides, or a run directory to resume), load the data before
// anything is written, create the run directory, train with the one trainer, and write metrics.json
// atomically.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/registry.hpp"
#include "learn/registry.hpp"
#include "substrate/registry.hpp"
#include "train/trainer.hpp"

namespace plasticore {

// Everything a config says, read and validated by the registries' readers.
struct RunSpec {
  std::string name, algorithm, dataset;
  uint64_t seed = 1;
  int threads = 1;
  SubstrateChoice substrate;
  DatasetBuilder build_dataset;
  LearnerRecipe learner;
  TrainerSettings trainer;
  std::string config_toml;  // the resolved config (every key read, with its value)
};

// Applies the renamed keys, reads every key (UsageError naming the file/override and key) and rejects
// the ones nobody read.
RunSpec read_run_spec(ConfigReader& reader);

// A run's dataset and learner, built from its spec (the learner initialised from the seed).
struct BuiltRun {
  std::unique_ptr<Dataset> dataset;
  std::unique_ptr<Learner> learner;
};
// UsageError if a substrate.matrices table names a matrix the learner does not have.
void check_substrate_matrices(const SubstrateChoice& substrate, const Learner& learner);
BuiltRun build_run(const RunSpec& spec, bool need_train);

// The settings that belong to the machine, not to the run (OpenMP and Eigen threads).
void set_threads(int threads);

struct TrainRequest {
  std::string config_path;             // CONFIG.toml (empty when resuming)
  std::string resume_dir;              // run directory to continue (empty for a new run)
  std::vector<std::string> overrides;  // key=value
  std::optional<int64_t> seed;
  std::optional<int> threads;
  std::string out_dir;                 // default runs/<config-name>-<timestamp>
  bool progress = false;               // progress bar on stderr
  const Communicator* ranks = nullptr; // the ranks this run is split across; nullptr: world()
  TrainingControl* control = nullptr;  // stop requests (SIGINT, Ctrl-C in Python), callbacks
};

struct TrainOutcome {
  nlohmann::json metrics;  // the content of metrics.json
  std::string out_dir;
};

// TrainingInterrupted (after a checkpoint) when request.control asked to stop.
TrainOutcome run_training(const TrainRequest& request);

struct EvaluationRequest {
  std::string target;                  // run directory or checkpoint file
  std::vector<std::string> overrides;  // key=value on the saved config
  std::optional<int> threads;
  // If not empty: the saved [substrate] section is replaced by these key=value (plasticore drift).
  std::vector<std::string> substrate;
};

// Test figures of a saved model, as `plasticore eval --json` prints them.
nlohmann::json run_evaluation(const EvaluationRequest& request);

}  // namespace plasticore
