#include "energy/energy_report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/json_reader.hpp"

namespace fs = std::filesystem;

namespace plasticore {

namespace {

template <size_t N>
size_t index_of(const std::array<std::string_view, N>& names, const std::string& name, const std::string& where) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) throw RuntimeError(where + ": unknown name '" + name + "'");
  return static_cast<size_t>(it - names.begin());
}

PerSampleCounts read_section(const nlohmann::json& op_counts, const std::string& section, const std::string& path) {
  const std::string where = path + ": op_counts." + section;
  if (!op_counts.contains(section) || !op_counts[section].is_object() || !op_counts[section].contains("per_sample") ||
      !op_counts[section]["per_sample"].is_object())
    throw RuntimeError(where + ".per_sample is missing");
  const nlohmann::json& samples = op_counts[section].value("samples", nlohmann::json());
  if (!samples.is_number_integer() || samples.get<int64_t>() <= 0)
    throw RuntimeError(where + ".samples: no sample was counted (a run resumed after its last epoch?)");
  PerSampleCounts counts{};
  for (const auto& [phase, ops] : op_counts[section]["per_sample"].items()) {
    const size_t p = index_of(kPhaseNames, phase, where + ".per_sample");
    if (!ops.is_object()) throw RuntimeError(where + ".per_sample." + phase + ": expected an object");
    for (const auto& [op, value] : ops.items()) {
      const size_t o = index_of(kOpNames, op, where + ".per_sample." + phase);
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0)
        throw RuntimeError(where + ".per_sample." + phase + "." + op + ": expected a non-negative number");
      counts[p][o] = value.get<double>();
    }
  }
  return counts;
}

}  // namespace

RunOpCounts read_run_op_counts(const std::string& run_dir) {
  if (!fs::is_directory(run_dir)) throw UsageError(run_dir + ": no such run directory");
  const std::string path = run_dir + "/metrics.json";
  if (!fs::exists(path)) throw UsageError(run_dir + ": no metrics.json (the run has not finished)");
  return parse_run_op_counts(read_file(path, kMaxMetricsBytes), path);
}

RunOpCounts parse_run_op_counts(const std::string& text, const std::string& path) {
  const nlohmann::json metrics = parse_json(text, path);
  return op_counts_of(metrics, path);
}

RunOpCounts op_counts_of(const nlohmann::json& metrics, const std::string& source) {
  if (!metrics.is_object() || !metrics.contains("op_counts") || !metrics["op_counts"].is_object())
    throw RuntimeError(source + ": no op_counts (the run predates operation counting; train it again)");
  return {read_section(metrics["op_counts"], "training", source), read_section(metrics["op_counts"], "inference", source)};
}

double joules_per_sample(const CostTable& table, const PerSampleCounts& counts) {
  double joules = 0;
  for (const auto& phase : counts)
    for (size_t o = 0; o < phase.size(); ++o) joules += phase[o] * table.joules_per_op[o];
  return joules;
}

nlohmann::json energy_report(const RunOpCounts& counts, const std::vector<CostTable>& tables) {
  const auto gpu = std::find_if(tables.begin(), tables.end(), [](const CostTable& t) { return t.name == "gpu"; });
  if (gpu == tables.end()) throw UsageError("energy: no cost table named gpu (gpu.toml), which the ratios need");
  const double gpu_inference = joules_per_sample(*gpu, counts.inference);
  const double gpu_training = joules_per_sample(*gpu, counts.training);
  nlohmann::json technologies = nlohmann::json::object(), ratios = nlohmann::json::object();
  for (const auto& t : tables) {
    const double inference = joules_per_sample(t, counts.inference), training = joules_per_sample(t, counts.training);
    technologies[t.name] = {{"inference_joules", inference}, {"training_joules", training}};
    if (t.name == "gpu") continue;
    // A technology that costs nothing for the run's operations has no finite ratio: null.
    ratios["inference_gpu_over_" + t.name] = inference > 0 ? nlohmann::json(gpu_inference / inference) : nlohmann::json();
    ratios["training_gpu_over_" + t.name] = training > 0 ? nlohmann::json(gpu_training / training) : nlohmann::json();
  }
  return {{"technologies", technologies}, {"ratios", ratios}};
}

}  // namespace plasticore
