#include "drift_command.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "train/run.hpp"

namespace plasticore {

namespace {

std::vector<double> parse_times(const std::string& list) {
  std::vector<double> times;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    size_t used = 0;
    double t = -1;
    try {
      t = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || item.empty() || !std::isfinite(t) || t < 0)
      throw UsageError("drift --times: '" + item + "' is not a number of seconds >= 0 (expected e.g. 1,60,3600)");
    times.push_back(t);
  }
  if (times.empty()) throw UsageError("drift --times: no times given");
  return times;
}

nlohmann::json seconds_value(double t) {
  if (t == std::floor(t) && t < 9e15) return static_cast<int64_t>(t);
  return t;
}

}  // namespace

DriftCommand::DriftCommand(CLI::App& app) {
  app_ = app.add_subcommand("drift", "program a trained model onto PCM and evaluate it as the conductances drift");
  app_->add_option("run_dir", run_dir_, "run directory")->required();
  app_->add_option("--times", times_, "seconds since programming, comma-separated");
  app_->add_flag("--compensate", compensate_, "global drift compensation of the outputs");
  app_->add_flag("--json", json_, "print {\"points\": [...]} as JSON");
  app_->add_option("--set", overrides_, "override a config key, e.g. data.test_limit=1000")->allow_extra_args(false);
  app_->add_option("--threads", threads_, "worker threads")->check(CLI::Range(1, 1024));
}

int DriftCommand::run() {
  const std::vector<double> times = parse_times(times_);
  if (!std::filesystem::is_directory(run_dir_)) throw UsageError(run_dir_ + ": not a run directory");
  nlohmann::json points = nlohmann::json::array();
  for (const double t : times) {
    EvaluationRequest request{run_dir_, overrides_, threads_, {}};
    // The trained run's substrate is replaced by PCM's inference model, programmed from its weights.
    request.substrate = {"substrate.kind=\"pcm\"", "substrate.mode=\"inference\"",
                         "substrate.inference_seconds=" + std::to_string(t),
                         std::string("substrate.drift_compensation=") + (compensate_ ? "true" : "false")};
    const nlohmann::json r = run_evaluation(request);
    nlohmann::json point{{"seconds", seconds_value(t)}};
    const char* metric = r.contains("test_accuracy") ? "test_accuracy" : "test_nmse";
    point[metric] = r[metric];
    points.push_back(point);
    if (!json_) std::printf("%12.0f s  %s %.4f\n", t, metric, r[metric].get<double>());
  }
  nlohmann::json result{{"points", points}};
  if (json_) std::cout << result.dump(2) << std::endl;
  result["compensate"] = compensate_;
  write_file_atomic(run_dir_ + (compensate_ ? "/drift_compensated.json" : "/drift.json"), result.dump(2) + "\n");
  return 0;
}

}  // namespace plasticore
