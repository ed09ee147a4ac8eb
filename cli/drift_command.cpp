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

CLI::App* add_drift_command(CLI::App& app, DriftArgs& args) {
  auto* cmd = app.add_subcommand("drift", "program a trained model onto PCM and evaluate it as the conductances drift");
  cmd->add_option("run_dir", args.run_dir, "run directory")->required();
  cmd->add_option("--times", args.times, "seconds since programming, comma-separated");
  cmd->add_flag("--compensate", args.compensate, "global drift compensation of the outputs");
  cmd->add_flag("--json", args.json, "print {\"points\": [...]} as JSON");
  cmd->add_option("--set", args.overrides, "override a config key, e.g. data.test_limit=1000")->allow_extra_args(false);
  cmd->add_option("--threads", args.threads, "worker threads")->check(CLI::Range(1, 1024));
  return cmd;
}

int run_drift_command(const DriftArgs& args) {
  const std::vector<double> times = parse_times(args.times);
  if (!std::filesystem::is_directory(args.run_dir)) throw UsageError(args.run_dir + ": not a run directory");
  nlohmann::json points = nlohmann::json::array();
  for (const double t : times) {
    std::vector<std::string> overrides = args.overrides;
    for (const std::string& o : {std::string("substrate.kind=\"pcm\""), std::string("substrate.mode=\"inference\""),
                                 "substrate.inference_seconds=" + std::to_string(t),
                                 std::string("substrate.drift_compensation=") + (args.compensate ? "true" : "false")})
      overrides.push_back(o);
    const nlohmann::json r = run_evaluation(args.run_dir, overrides, args.threads);
    nlohmann::json point{{"seconds", seconds_value(t)}};
    const char* metric = r.contains("test_accuracy") ? "test_accuracy" : "test_nmse";
    point[metric] = r[metric];
    points.push_back(point);
    if (!args.json) std::printf("%12.0f s  %s %.4f\n", t, metric, r[metric].get<double>());
  }
  nlohmann::json result{{"points", points}};
  if (args.json) std::cout << result.dump(2) << std::endl;
  result["compensate"] = args.compensate;
  write_file_atomic(args.run_dir + (args.compensate ? "/drift_compensated.json" : "/drift.json"), result.dump(2) + "\n");
  return 0;
}

}  // namespace plasticore
