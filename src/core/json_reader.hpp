// JSON read from files we did not write in this process (metrics.json of a run, for `energy` and `sweep`):
// parsed with a nesting limit, so a crafted file of a million '[' is a one-line error, not a deep tree.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace plasticore {

constexpr uint64_t kMaxMetricsBytes = uint64_t{1} << 26;  // 64 MiB; a metrics.json is a few KiB
constexpr int kMaxJsonDepth = 64;

// RuntimeError naming `path`: malformed JSON, or nested deeper than kMaxJsonDepth.
nlohmann::json parse_json(const std::string& text, const std::string& path);

}  // namespace plasticore
