#include "train/config_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/error.hpp"

namespace plasticore {

namespace {

std::string describe(const toml::node& n) {
  std::ostringstream ss;
  if (n.is_string()) ss << '\'' << *n.value<std::string>() << '\'';
  else if (n.is_table()) ss << "a table";
  else n.visit([&](auto&& v) { ss << v; });
  return ss.str();
}

void collect_leaves(const toml::table& t, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [k, v] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    const auto* sub = v.as_table();
    if (sub != nullptr && !sub->empty()) collect_leaves(*sub, key, out);
    else out.push_back(key);  // values, and empty tables (an unknown [section] with nothing in it)
  }
}

}  // namespace

ConfigReader ConfigReader::from_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UsageError(path + ": config file not found");
  if (!std::filesystem::is_regular_file(path)) throw UsageError(path + ": is not a regular file");
  try {
    return ConfigReader(toml::parse_file(path), path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    throw UsageError(path + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                     ": malformed TOML: " + std::string(e.description()));
  }
}

ConfigReader ConfigReader::from_string(const std::string& text, const std::string& source_name) {
  try {
    return ConfigReader(toml::parse(text, source_name), source_name);
  } catch (const toml::parse_error& e) {
    throw UsageError(source_name + ": malformed TOML: " + std::string(e.description()));
  }
}

void ConfigReader::set_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw UsageError("--set " + assignment + ": expected key=value");
  const std::string key = assignment.substr(0, eq), text = assignment.substr(eq + 1);
  toml::table parsed;
  bool as_toml = true;
  try {
    parsed = toml::parse("v = " + text);
  } catch (const toml::parse_error&) {
    as_toml = false;
  }
  // Walk/create the parent tables of a dotted key.
  toml::table* parent = &table_;
  std::string rest = key;
  for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
    const std::string part = rest.substr(0, dot);
    rest = rest.substr(dot + 1);
    if (part.empty()) throw UsageError("--set " + key + ": empty component in key");
    auto* child = parent->get(part);
    if (child == nullptr) child = &parent->insert_or_assign(part, toml::table{}).first->second;
    parent = child->as_table();
    if (parent == nullptr) throw UsageError("--set " + key + ": '" + part + "' is not a table");
  }
  if (rest.empty()) throw UsageError("--set " + key + ": empty key");
  if (as_toml) parent->insert_or_assign(rest, *parsed.get("v"));
  else parent->insert_or_assign(rest, text);
  overridden_.insert(key);
}

std::string ConfigReader::origin(const std::string& key) const {
  // The key itself, or a table above it, came from --set: blame the override, not the file.
  for (const auto& o : overridden_)
    if (key == o || key.rfind(o + ".", 0) == 0) return "--set " + key;
  return source_ + ": " + key;
}

void ConfigReader::fail(const std::string& key, const std::string& problem) const {
  throw UsageError(origin(key) + ": " + problem);
}

bool ConfigReader::has(const std::string& key) const { return static_cast<bool>(table_.at_path(key)); }

toml::node_view<const toml::node> ConfigReader::node(const std::string& key) {
  used_.insert(key);
  return std::as_const(table_).at_path(key);
}

int64_t ConfigReader::get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
  const auto n = node(key);
  if (!n) return fallback;
  if (!n.is_integer()) fail(key, "expected an integer, got " + describe(*n.node()));
  const int64_t v = *n.value<int64_t>();
  if (v < min || v > max) fail(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(v));
  return v;
}

double ConfigReader::get_double(const std::string& key, double fallback, double min, double max, bool exclusive_min) {
  const auto n = node(key);
  if (!n) return fallback;
  if (!n.is_number()) fail(key, "expected a number, got " + describe(*n.node()));
  const double v = *n.value<double>();
  if (!std::isfinite(v)) fail(key, "must be a finite number, got " + describe(*n.node()));
  if ((exclusive_min ? v <= min : v < min) || v > max) {
    std::ostringstream ss;
    ss << "must be in " << (exclusive_min ? "(" : "[") << min << ", " << max << "], got " << v;
    fail(key, ss.str());
  }
  return v;
}

bool ConfigReader::get_bool(const std::string& key, bool fallback) {
  const auto n = node(key);
  if (!n) return fallback;
  if (!n.is_boolean()) fail(key, "expected true or false, got " + describe(*n.node()));
  return *n.value<bool>();
}

std::string ConfigReader::get_string(const std::string& key, const std::string& fallback,
                                     const std::vector<std::string>& allowed) {
  const auto n = node(key);
  if (!n) return fallback;
  if (!n.is_string()) fail(key, "expected a string, got " + describe(*n.node()));
  std::string v = *n.value<std::string>();
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    fail(key, "unknown value '" + v + "' (expected one of: " + list + ")");
  }
  return v;
}

std::vector<int64_t> ConfigReader::get_int_list(const std::string& key, const std::vector<int64_t>& fallback, int64_t min,
                                                int64_t max) {
  const auto n = node(key);
  if (!n) return fallback;
  const auto* arr = n.as_array();
  if (arr == nullptr || arr->empty()) fail(key, "expected a non-empty list of integers");
  std::vector<int64_t> out;
  for (const auto& e : *arr) {
    if (!e.is_integer()) fail(key, "expected a list of integers, found " + describe(e));
    const int64_t v = *e.value<int64_t>();
    if (v < min || v > max) fail(key, "entries must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(v));
    out.push_back(v);
  }
  return out;
}

std::vector<double> ConfigReader::get_double_list(const std::string& key, const std::vector<double>& fallback, double min,
                                                  double max, bool exclusive_min) {
  const auto n = node(key);
  if (!n) return fallback;
  const auto* arr = n.as_array();
  if (arr == nullptr || arr->empty()) fail(key, "expected a non-empty list of numbers");
  std::vector<double> out;
  for (const auto& e : *arr) {
    if (!e.is_number()) fail(key, "expected a list of numbers, found " + describe(e));
    const double v = *e.value<double>();
    if (!std::isfinite(v) || (exclusive_min ? v <= min : v < min) || v > max) {
      std::ostringstream ss;
      ss << "entries must be finite and in " << (exclusive_min ? "(" : "[") << min << ", " << max << "], got " << v;
      fail(key, ss.str());
    }
    out.push_back(v);
  }
  return out;
}

void ConfigReader::check_all_used() const {
  std::vector<std::string> leaves;
  collect_leaves(table_, "", leaves);
  for (const auto& key : leaves)
    if (!used_.count(key)) throw UsageError(origin(key) + ": unknown key");
}

}  // namespace plasticore
