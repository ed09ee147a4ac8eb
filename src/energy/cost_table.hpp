// A technology's energy cost table (configs/energy/*.toml): picojoules per counted operation, plus,
// optionally, bytes moved from DRAM per operation and picojoules per byte:
//   description = "..."
//   picojoules_per_byte = 31.2                        # optional, needs [bytes_per_op]
//   [picojoules_per_op]   OP = pJ, ...                 # OP: an op name of core/op_counters.hpp
//   [bytes_per_op]        OP = bytes, ...              # optional
// The energy of one operation is pJ(OP) + bytes(OP) * picojoules_per_byte; ops not listed cost
// nothing on that technology.
// Optionally, a [power] section for the power x time comparison (energy/energy_report.hpp), every key
// required once the section is there: in gpu.toml
//   board_watts, peak_macs_per_second, utilisation (0 < u <= 1), kernel_launch_seconds,
//   kernel_launches_per_step, kernel_launches_per_update
// and in any other table (a chip)
//   static_watts, seconds_per_step
// Unknown keys, unknown ops, missing [power] keys and negative or non-numeric values are UsageErrors
// naming the file and key.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/op_counters.hpp"

namespace plasticore {

// A GPU's board power and the two regimes of its time per sample (docs/energy.md, "Power x time").
struct GpuPower {
  double board_watts = 0;
  double peak_macs_per_second = 0;  // > 0
  double utilisation = 0;           // of the peak, at a large batch; (0, 1]
  double kernel_launch_seconds = 0;
  double kernel_launches_per_step = 0;    // per simulated time step of one sample, at batch 1
  double kernel_launches_per_update = 0;  // per weight update (one per sample at batch 1)
};

// A chip's static power and the wall-clock length of one simulated time step.
struct ChipPower {
  double static_watts = 0;
  double seconds_per_step = 0;
};

struct CostTable {
  std::string name;         // the file's stem: "loihi", "pcm_crossbar", "gpu"
  std::string description;
  std::array<double, kOpNames.size()> joules_per_op{};  // bytes already folded in
  std::optional<GpuPower> gpu_power;    // gpu.toml's [power]
  std::optional<ChipPower> chip_power;  // any other table's [power]
};

CostTable read_cost_table(const std::string& path);
// The same from the file's text (`path` names it and gives the table its name): the fuzz target's entry.
CostTable parse_cost_table(const std::string& text, const std::string& path);

// Every *.toml in dir, by name; UsageError if the directory is missing or holds none.
std::vector<CostTable> read_cost_tables(const std::string& dir);

}  // namespace plasticore
