// Energy cost tables (configs/energy/*.toml): TOML, known ops, non-negative finite costs.
#include <cmath>

#include "energy/cost_table.hpp"
#include "fuzz_target.hpp"

using namespace plasticore;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_answer([&] {
    const CostTable t = parse_cost_table(fuzz::bytes_of(data, size), "fuzz.toml");
    for (const double j : t.joules_per_op) fuzz::require(std::isfinite(j) && j >= 0, "every cost is finite and >= 0");
  });
  return 0;
}
