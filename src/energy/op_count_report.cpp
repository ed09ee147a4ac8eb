#include "energy/op_count_report.hpp"

#include <string>

namespace plasticore {

nlohmann::json op_count_report(const OpCounters& counters, int64_t samples) {
  nlohmann::json per_sample = nlohmann::json::object();
  for (int p = 0; p < static_cast<int>(Phase::count); ++p) {
    const OpCounts& counts = counters.counts(static_cast<Phase>(p));
    bool any = false;
    for (const int64_t c : counts) any = any || c != 0;
    if (!any) continue;
    nlohmann::json ops;
    for (size_t o = 0; o < counts.size(); ++o)
      ops[std::string(kOpNames[o])] = samples > 0 ? static_cast<double>(counts[o]) / static_cast<double>(samples) : 0.0;
    per_sample[std::string(kPhaseNames[static_cast<size_t>(p)])] = ops;
  }
  return {{"samples", samples}, {"per_sample", per_sample}};
}

}  // namespace plasticore
