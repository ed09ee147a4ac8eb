// Energy cost tables (configs/energy/*.toml): TOML, known ops, non-negative finite costs.
#include <cmath>

#include "energy/cost_table.hpp"
#include "fuzz_target.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_answer([&] {
    const CostTable t = parse_cost_table(fuzz::bytes_of(data, size), "fuzz.toml");
    for (const double j : t.joules_per_op) fuzz::require(std::isfinite(j) && j >= 0, "every cost is finite and >= 0");
    if (t.gpu_power)
      fuzz::require(t.gpu_power->peak_macs_per_second > 0 && t.gpu_power->utilisation > 0 && t.gpu_power->utilisation <= 1 &&
                        std::isfinite(t.gpu_power->board_watts) && std::isfinite(t.gpu_power->kernel_launch_seconds),
                    "a GPU's [power] is finite, with a positive peak and a utilisation in (0, 1]");
    if (t.chip_power)
      fuzz::require(std::isfinite(t.chip_power->static_watts) && t.chip_power->static_watts >= 0 &&
                        std::isfinite(t.chip_power->seconds_per_step) && t.chip_power->seconds_per_step >= 0,
                    "a chip's [power] is finite and >= 0");
  });
  return 0;
}
