// Energy per sample of a run on each technology: the run's counted operations per sample
// (metrics.json "op_counts", energy/op_count_report.hpp) times each cost table's joules per operation,
// summed over operations and phases:
//   E_inference(tech) = sum_phase sum_op n_inference(phase, op) * e_tech(op)
//   E_training(tech)  = sum_phase sum_op n_training(phase, op)  * e_tech(op)
// and the ratios E(gpu) / E(tech). The GPU table prices only dense_equivalent_macs (docs/energy.md).
//
// Both ways (issue 14; docs/energy.md, "Power x time"): besides the per-operation energy above, a GPU's
// board power times its time per sample, at batch 1 (launch-bound) and at a large batch (throughput-bound),
//   t_gpu,1 = (steps * launches_per_step + [training] launches_per_update) * launch_seconds + MACs / (peak u)
//   t_gpu,B = MACs / (peak u),     E = board_watts * t
// (steps = counted time_steps, MACs = dense_equivalent_macs, per sample), and a chip's static plus dynamic
// energy over the simulated time,
//   E_chip = static_watts * steps * seconds_per_step + E_per_operation(chip)
// The GPU side can come from another run (rate EP at the accuracy EqSpike reaches on the chip), and a
// sensitivity table says what each side must cost for the ratio to reach 10^3 (inference), 10^2 (training).
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
  // What the run was, from metrics.json: {"name", "algorithm", "test_accuracy"} (null where absent).
  nlohmann::json about = {{"name", nullptr}, {"algorithm", nullptr}, {"test_accuracy", nullptr}};
};

// UsageError if run_dir or its metrics.json is missing; RuntimeError if metrics.json has no usable op_counts.
RunOpCounts read_run_op_counts(const std::string& run_dir);
// The same from metrics.json's text (`path` names it in errors): the fuzz target's entry point.
RunOpCounts parse_run_op_counts(const std::string& text, const std::string& path);
// The same from metrics.json's content (RuntimeError naming `source`).
RunOpCounts op_counts_of(const nlohmann::json& metrics, const std::string& source);

double joules_per_sample(const CostTable& table, const PerSampleCounts& counts);

// The ratio the paper claims, per kind of sample: 10^3 for inference, 10^2 for training.
inline constexpr double kClaimedInferenceRatio = 1e3, kClaimedTrainingRatio = 1e2;

// {"technologies": {NAME: {"inference_joules", "training_joules"}}, "ratios": {"inference_gpu_over_NAME",
// "training_gpu_over_NAME"} for every NAME but gpu} (the run alone, the GPU priced on its dense
// equivalent), plus "both_ways" (docs/energy.md): the chip side from `counts`, the GPU side from
// `gpu_counts` (nullptr: the same run). UsageError without a table named gpu.
nlohmann::json energy_report(const RunOpCounts& counts, const std::vector<CostTable>& tables,
                             const RunOpCounts* gpu_counts = nullptr);

}  // namespace plasticore
