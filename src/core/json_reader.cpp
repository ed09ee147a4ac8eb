#include "core/json_reader.hpp"

#include "core/error.hpp"

namespace plasticore {

nlohmann::json parse_json(const std::string& text, const std::string& path) {
  bool too_deep = false;
  // The callback sees every value as it is parsed; returning false at depth > limit drops it, and the flag
  // makes that an error instead of a silently shortened document.
  const nlohmann::json::parser_callback_t limit = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  nlohmann::json out;
  try {
    out = nlohmann::json::parse(text, limit);
  } catch (const nlohmann::json::exception& e) {
    throw RuntimeError(path + ": malformed JSON: " + e.what());
  }
  if (too_deep) throw RuntimeError(path + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  return out;
}

}  // namespace plasticore
