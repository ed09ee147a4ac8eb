// The metrics.json form of a run's operation counts (core/op_counters.hpp), per sample and per phase:
//   {"samples": N, "per_sample": {PHASE: {OP: count / N, ...}, ...}}
// Phases with no operation at all are left out; inside a phase every op is listed.
#pragma once
#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/op_counters.hpp"

namespace plasticore {

nlohmann::json op_count_report(const OpCounters& counters, int64_t samples);

}  // namespace plasticore
