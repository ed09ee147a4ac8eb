// One training or evaluation run end to end, as the CLI and the Python module start it: resolve the
// config (file + overrides, or a run directory to resume), load the data before anything is written,
// create the run directory, train, and write metrics.json atomically.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace plasticore {

struct TrainRequest {
  std::string config_path;             // CONFIG.toml (empty when resuming)
  std::string resume_dir;              // run directory to continue (empty for a new run)
  std::vector<std::string> overrides;  // key=value
  std::optional<int64_t> seed;
  std::optional<int> threads;
  std::string out_dir;                 // default runs/<config-name>-<timestamp>
  bool progress = false;               // progress bar on stderr
};

struct TrainOutcome {
  nlohmann::json metrics;  // the content of metrics.json
  std::string out_dir;
};

TrainOutcome run_training(const TrainRequest& request);

// Test accuracy of a saved model (run directory or checkpoint file), as `plasticore eval --json` prints it.
nlohmann::json run_evaluation(const std::string& target, const std::vector<std::string>& overrides,
                              std::optional<int> threads);

}  // namespace plasticore
