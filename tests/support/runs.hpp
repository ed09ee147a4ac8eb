// Test helper: a whole run from a few TOML lines through the registries and the one trainer, in a
// temporary directory; returns every tensor of its run record (as plasticore.load_run shows them).
#pragma once
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "train/run.hpp"

namespace plasticore {

inline NamedTensors train_tensors(const std::string& toml) {
  static std::atomic<int> counter{0};
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() /
                       ("plasticore-test-run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(dir);
  ConfigReader reader = ConfigReader::from_string(toml, "test run");
  const RunSpec spec = read_run_spec(reader);
  BuiltRun run = build_run(spec, /*need_train=*/true);
  run.learner->initialize();
  RunRecord record;
  record.config_toml = spec.config_toml;
  Trainer trainer(spec.trainer, *run.dataset, *run.learner);
  trainer.train(record, dir.string(), false);
  fs::remove_all(dir);
  return all_tensors(record);
}

}  // namespace plasticore
