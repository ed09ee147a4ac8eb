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
    CostTable gpu = unit;
    gpu.name = "gpu";
    const nlohmann::json report = energy_report(counts, {gpu, unit});
    for (const char* phase : {"inference_joules", "training_joules"}) {
      const double joules = report["technologies"]["unit"][phase].get<double>();
      fuzz::require(std::isfinite(joules) && joules >= 0, "energies from validated counts are finite and >= 0");
    }
  });
  return 0;
}
