// Energy per sample of a run on each technology: the run's counted operations per sample
// (metrics.json "op_counts", energy/op_count_report.hpp) times each cost table's joules per operation,
// summed over operations and phases:
//   E_inference(tech) = sum_phase sum_op n_inference(phase, op) * e_tech(op)
//   E_training(tech)  = sum_phase sum_op n_training(phase, op)  * e_tech(op)
// and the ratios E(gpu) / E(tech). The GPU table prices only dense_equivalent_macs (docs/energy.md).
#pragma once
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "energy/cost_table.hpp"

namespace plasticore {

using PerSampleCounts = std::array<std::array<double, kOpNames.size()>, kPhaseNames.size()>;  // [phase][op]

struct RunOpCounts {
  PerSampleCounts training{}, inference{};
};

// UsageError if run_dir or its metrics.json is missing; RuntimeError if metrics.json has no usable op_counts.
RunOpCounts read_run_op_counts(const std::string& run_dir);
// The same from metrics.json's text (`path` names it in errors): the fuzz target's entry point.
RunOpCounts parse_run_op_counts(const std::string& text, const std::string& path);
// The same from metrics.json's content (RuntimeError naming `source`).
RunOpCounts op_counts_of(const nlohmann::json& metrics, const std::string& source);

double joules_per_sample(const CostTable& table, const PerSampleCounts& counts);

// {"technologies": {NAME: {"inference_joules", "training_joules"}}, "ratios": {"inference_gpu_over_NAME",
// "training_gpu_over_NAME"} for every NAME but gpu}. UsageError without a table named gpu.
nlohmann::json energy_report(const RunOpCounts& counts, const std::vector<CostTable>& tables);

}  // namespace plasticore
