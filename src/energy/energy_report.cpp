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
  RunOpCounts counts{read_section(metrics["op_counts"], "training", source),
                     read_section(metrics["op_counts"], "inference", source), {}};
  for (const char* key : {"name", "algorithm"})
    if (metrics.contains(key) && metrics[key].is_string()) counts.about[key] = metrics[key];
  if (metrics.contains("test_accuracy") && metrics["test_accuracy"].is_number() &&
      std::isfinite(metrics["test_accuracy"].get<double>()))
    counts.about["test_accuracy"] = metrics["test_accuracy"];
  return counts;
}

double joules_per_sample(const CostTable& table, const PerSampleCounts& counts) {
  double joules = 0;
  for (const auto& phase : counts)
    for (size_t o = 0; o < phase.size(); ++o) joules += phase[o] * table.joules_per_op[o];
  return joules;
}

namespace {

double total_of(const PerSampleCounts& counts, Op op) {
  double n = 0;
  for (const auto& phase : counts) n += phase[static_cast<size_t>(op)];
  return n;
}

// a / b, or null where b is 0 (no finite ratio).
nlohmann::json ratio_or_null(double a, double b) { return b > 0 ? nlohmann::json(a / b) : nlohmann::json(); }

constexpr std::array<const char*, 2> kKinds = {"inference", "training"};

const PerSampleCounts& section(const RunOpCounts& c, size_t kind) { return kind == 0 ? c.inference : c.training; }

// The GPU's board power x time per sample (null without a [power] section or counted time steps).
nlohmann::json gpu_power_time(const CostTable& gpu, const RunOpCounts& counts, std::vector<std::string>& notes) {
  if (!gpu.gpu_power) {
    notes.push_back("no power x time: gpu.toml has no [power] section");
    return nullptr;
  }
  const GpuPower& p = *gpu.gpu_power;
  nlohmann::json out = {{"board_watts", p.board_watts}};
  for (size_t k = 0; k < kKinds.size(); ++k) {
    const PerSampleCounts& c = section(counts, k);
    const double steps = total_of(c, Op::time_steps), macs = total_of(c, Op::dense_equivalent_macs);
    if (steps <= 0) {
      notes.push_back("no power x time for the GPU: its run counted no time steps (it predates their counting; train it again)");
      return nullptr;
    }
    const double compute = macs / (p.peak_macs_per_second * p.utilisation);
    const double launches = steps * p.kernel_launches_per_step + (k == 1 ? p.kernel_launches_per_update : 0.0);
    const double batch_1 = launches * p.kernel_launch_seconds + compute;
    out[kKinds[k]] = {{"time_steps", steps},
                      {"kernel_launches", launches},
                      {"batch_1", {{"seconds", batch_1}, {"joules", p.board_watts * batch_1}}},
                      {"large_batch", {{"seconds", compute}, {"joules", p.board_watts * compute}}}};
  }
  return out;
}

// A chip's static + dynamic energy over the simulated time (null without a [power] section or time steps).
nlohmann::json chip_power_time(const CostTable& chip, const RunOpCounts& counts, std::vector<std::string>& notes) {
  if (!chip.chip_power) return nullptr;
  const ChipPower& p = *chip.chip_power;
  nlohmann::json out = {{"static_watts", p.static_watts}, {"seconds_per_step", p.seconds_per_step}};
  for (size_t k = 0; k < kKinds.size(); ++k) {
    const PerSampleCounts& c = section(counts, k);
    const double steps = total_of(c, Op::time_steps);
    if (steps <= 0) {
      notes.push_back("no power x time for " + chip.name + ": the run counted no time steps (it predates their counting; train it again)");
      return nullptr;
    }
    const double seconds = steps * p.seconds_per_step, dynamic = joules_per_sample(chip, c);
    const double static_joules = p.static_watts * seconds;
    out[kKinds[k]] = {{"time_steps", steps},      {"seconds", seconds},
                      {"static_joules", static_joules}, {"dynamic_joules", dynamic},
                      {"joules", static_joules + dynamic}};
  }
  return out;
}

// One row of the sensitivity table: what it takes for gpu_joules / chip_joules to reach `target`.
// chip_static_joules and chip_seconds are 0 for the per-operation basis (no static power there).
nlohmann::json sensitivity_row(const std::string& technology, size_t kind, const std::string& basis, double gpu_joules,
                               double gpu_seconds, double chip_dynamic, double chip_static, double chip_seconds) {
  const double target = kind == 0 ? kClaimedInferenceRatio : kClaimedTrainingRatio;
  const double chip = chip_dynamic + chip_static;
  const double allowed = gpu_joules / target;  // the chip's joules at which the ratio is exactly the target
  nlohmann::json row = {{"technology", technology}, {"kind", kKinds[kind]}, {"target", target}, {"basis", basis}};
  row["ratio"] = ratio_or_null(gpu_joules, chip);
  row["holds"] = chip > 0 && gpu_joules / chip >= target;
  row["gpu_joules_needed"] = target * chip;
  row["gpu_watts_needed"] = basis == "per_operation" ? nlohmann::json() : ratio_or_null(target * chip, gpu_seconds);
  // Every chip cost (per-op and static) divided by one factor; above 1 the chip must get cheaper.
  row["chip_costs_divide_by"] = ratio_or_null(chip, allowed);
  // The per-operation costs alone (static power as it is): impossible (null) if the static energy alone is too much.
  row["chip_dynamic_divide_by"] = allowed > chip_static ? ratio_or_null(chip_dynamic, allowed - chip_static) : nlohmann::json();
  // The static power alone (per-operation costs as they are): impossible (null) if the dynamic energy alone is too much.
  row["chip_static_watts_needed"] = basis == "per_operation" || chip_seconds <= 0 || allowed < chip_dynamic
                                        ? nlohmann::json()
                                        : nlohmann::json((allowed - chip_dynamic) / chip_seconds);
  return row;
}

nlohmann::json both_ways(const RunOpCounts& counts, const std::vector<CostTable>& tables, const CostTable& gpu,
                         const RunOpCounts& gpu_counts) {
  std::vector<std::string> notes;
  const double gpu_per_op[2] = {joules_per_sample(gpu, gpu_counts.inference), joules_per_sample(gpu, gpu_counts.training)};
  const nlohmann::json gpu_pt = gpu_power_time(gpu, gpu_counts, notes);
  nlohmann::json chips = nlohmann::json::object(), sensitivity = nlohmann::json::array();
  for (const auto& t : tables) {
    if (t.name == "gpu") continue;
    const double dynamic[2] = {joules_per_sample(t, counts.inference), joules_per_sample(t, counts.training)};
    const nlohmann::json pt = chip_power_time(t, counts, notes);
    nlohmann::json ratios = nlohmann::json::object();
    for (size_t k = 0; k < kKinds.size(); ++k) {
      const std::string kind = kKinds[k];
      ratios[kind + "_per_operation"] = ratio_or_null(gpu_per_op[k], dynamic[k]);
      sensitivity.push_back(sensitivity_row(t.name, k, "per_operation", gpu_per_op[k], 0, dynamic[k], 0, 0));
      if (pt.is_null() || gpu_pt.is_null()) continue;
      const nlohmann::json& c = pt[kind];
      for (const char* basis : {"batch_1", "large_batch"}) {
        const nlohmann::json& g = gpu_pt[kind][basis];
        ratios[kind + "_" + basis] = ratio_or_null(g["joules"].get<double>(), c["joules"].get<double>());
        sensitivity.push_back(sensitivity_row(t.name, k, basis, g["joules"].get<double>(), g["seconds"].get<double>(),
                                              dynamic[k], c["static_joules"].get<double>(), c["seconds"].get<double>()));
      }
    }
    chips[t.name] = {{"per_operation", {{"inference_joules", dynamic[0]}, {"training_joules", dynamic[1]}}},
                     {"power_time", pt},
                     {"ratios", ratios}};
  }
  return {{"chip_run", counts.about},
          {"gpu_run", gpu_counts.about},
          {"gpu",
           {{"per_operation", {{"inference_joules", gpu_per_op[0]}, {"training_joules", gpu_per_op[1]}}},
            {"power_time", gpu_pt}}},
          {"chips", chips},
          {"sensitivity", sensitivity},
          {"notes", notes}};
}

}  // namespace

nlohmann::json energy_report(const RunOpCounts& counts, const std::vector<CostTable>& tables, const RunOpCounts* gpu_counts) {
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
  return {{"technologies", technologies},
          {"ratios", ratios},
          {"both_ways", both_ways(counts, tables, *gpu, gpu_counts != nullptr ? *gpu_counts : counts)}};
}

}  // namespace plasticore
