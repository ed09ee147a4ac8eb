// A technology's energy cost table (configs/energy/*.toml): picojoules per counted operation, plus,
// optionally, bytes moved from DRAM per operation and picojoules per byte:
//   description = "..."
//   picojoules_per_byte = 31.2                        # optional, needs [bytes_per_op]
//   [picojoules_per_op]   OP = pJ, ...                 # OP: an op name of core/op_counters.hpp
//   [bytes_per_op]        OP = bytes, ...              # optional
// The energy of one operation is pJ(OP) + bytes(OP) * picojoules_per_byte; ops not listed cost
// nothing on that technology. Unknown keys, unknown ops and negative or non-numeric costs are
// UsageErrors naming the file and key.
#pragma once
#include <string>
#include <vector>

#include "core/op_counters.hpp"

namespace plasticore {

struct CostTable {
  std::string name;         // the file's stem: "loihi", "pcm_crossbar", "gpu"
  std::string description;
  std::array<double, kOpNames.size()> joules_per_op{};  // bytes already folded in
};

CostTable read_cost_table(const std::string& path);
// The same from the file's text (`path` names it and gives the table its name): the fuzz target's entry.
CostTable parse_cost_table(const std::string& text, const std::string& path);

// Every *.toml in dir, by name; UsageError if the directory is missing or holds none.
std::vector<CostTable> read_cost_tables(const std::string& dir);

}  // namespace plasticore
