// A run's metrics.json as `plasticore energy` reads it: JSON (nesting bounded), op_counts sections, and
// the energy report computed from them with the shipped cost tables' shape (one table of unit costs).
#include <cmath>

#include "energy/energy_report.hpp"
#include "fuzz_target.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_answer([&] {
    const RunOpCounts counts = parse_run_op_counts(fuzz::bytes_of(data, size), "metrics.json");
    CostTable unit;
    unit.name = "unit";
    unit.joules_per_op.fill(1e-12);
    unit.chip_power = ChipPower{0.03, 1e-5};
    CostTable gpu = unit;
    gpu.name = "gpu";
    gpu.chip_power.reset();
    gpu.gpu_power = GpuPower{400, 78e12, 0.5, 5e-6, 3, 5};
    // Both ways, the GPU side from the same counts and (as with --gpu-run) from themselves again.
    const nlohmann::json report = energy_report(counts, {gpu, unit}, &counts);
    for (const char* phase : {"inference_joules", "training_joules"}) {
      const double joules = report["technologies"]["unit"][phase].get<double>();
      fuzz::require(std::isfinite(joules) && joules >= 0, "energies from validated counts are finite and >= 0");
    }
    const nlohmann::json& chip = report["both_ways"]["chips"]["unit"];
    if (!chip["power_time"].is_null())
      for (const char* kind : {"inference", "training"}) {
        const double joules = chip["power_time"][kind]["joules"].get<double>();
        fuzz::require(std::isfinite(joules) && joules >= 0, "power x time energies are finite and >= 0");
      }
    for (const auto& row : report["both_ways"]["sensitivity"])
      for (const char* key : {"ratio", "gpu_joules_needed", "gpu_watts_needed", "chip_costs_divide_by"})
        fuzz::require(row[key].is_null() || (std::isfinite(row[key].get<double>()) && row[key].get<double>() >= 0),
                      "sensitivity figures are null or finite and >= 0");
  });
  return 0;
}
