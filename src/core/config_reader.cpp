#include "core/config_reader.hpp"

#include "core/atomic_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/atomic_file.hpp"
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

// The shortest decimal that reads back as v (0.3, not 0.29999999999999999; 500, not 5e+02).
std::string number_text(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e5) return std::to_string(static_cast<int64_t>(v));
  for (int precision = 1; precision <= 17; ++precision) {
    std::ostringstream ss;
    ss.precision(precision);
    ss << v;
    if (std::strtod(ss.str().c_str(), nullptr) == v) return ss.str();
  }
  return std::to_string(v);
}

std::string interval(double min, double max, bool exclusive_min) {
  return (exclusive_min ? "(" : "[") + number_text(min) + ", " + number_text(max) + "]";
}

template <typename T>
std::string list_text(const std::vector<T>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + number_text(static_cast<double>(values[i]));
  return s + "]";
}

// Walks (and with create, makes) the parent tables of a dotted key; returns the parent and the last part.
toml::table* parent_of(toml::table& root, const std::string& key, bool create, std::string& last) {
  toml::table* parent = &root;
  std::string rest = key;
  for (auto dot = rest.find('.'); dot != std::string::npos; dot = rest.find('.')) {
    const std::string part = rest.substr(0, dot);
    rest = rest.substr(dot + 1);
    if (part.empty()) throw UsageError(key + ": empty component in key");
    auto* child = parent->get(part);
    if (child == nullptr) {
      if (!create) return nullptr;
      child = &parent->insert_or_assign(part, toml::table{}).first->second;
    }
    parent = child->as_table();
    if (parent == nullptr) throw UsageError(key + ": '" + part + "' is not a table");
  }
  if (rest.empty()) throw UsageError(key + ": empty key");
  last = rest;
  return parent;
}

}  // namespace

std::string data_directory() {
  if (const char* d = std::getenv("PLASTICORE_DATA"); d != nullptr && *d != 0) return d;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.cache/plasticore";
}

std::string expand_path(const std::string& path) {
  std::string out = path;
  for (const auto& [var, value] : {std::pair<std::string, std::string>{"${PLASTICORE_DATA}", data_directory()},
                                   {"${HOME}", std::getenv("HOME") ? std::getenv("HOME") : ""}}) {
    for (auto pos = out.find(var); pos != std::string::npos; pos = out.find(var)) out.replace(pos, var.size(), value);
  }
  if (!out.empty() && out[0] == '~' && std::getenv("HOME")) out = std::string(std::getenv("HOME")) + out.substr(1);
  return out;
}

ConfigReader ConfigReader::from_file(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UsageError(path + ": config file not found");
  if (!std::filesystem::is_regular_file(path)) throw UsageError(path + ": is not a regular file");
  std::string text;
  try {
    text = read_file(path, kMaxConfigBytes);
  } catch (const RuntimeError& e) {
    throw UsageError(e.what());
  }
  try {
    return ConfigReader(toml::parse(text, path), path);
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
  std::string last;
  toml::table* parent = nullptr;
  try {
    parent = parent_of(table_, key, /*create=*/true, last);
  } catch (const UsageError& e) {
    throw UsageError("--set " + std::string(e.what()));
  }
  if (as_toml) parent->insert_or_assign(last, *parsed.get("v"));
  else parent->insert_or_assign(last, text);
  overridden_.insert(key);
}

void ConfigReader::rename(const std::string& old_key, const std::string& new_key) {
  const auto old_node = table_.at_path(old_key);
  if (!old_node) return;
  const bool old_from_set = origin(old_key).rfind("--set", 0) == 0;
  // Both given: an override of the old name still overrides the file's new name; otherwise it is ambiguous.
  if (has(new_key) && (!old_from_set || origin(new_key).rfind("--set", 0) == 0))
    throw UsageError(origin(old_key) + ": renamed to " + new_key + ", which is also given; keep only " + new_key);
  std::string last;
  toml::table* parent = parent_of(table_, new_key, /*create=*/true, last);
  parent->insert_or_assign(last, *old_node.node());
  erase(old_key);
  if (old_from_set) overridden_.insert(new_key);
  std::fprintf(stderr, "plasticore: note: %s is deprecated: read as %s\n", origin(old_key).c_str(), new_key.c_str());
}

void ConfigReader::erase(const std::string& key) {
  std::string last;
  toml::table* parent = parent_of(table_, key, /*create=*/false, last);
  if (parent == nullptr) return;
  parent->erase(last);
  // A table left empty was only there for this key: it goes too (an empty [section] reads as a key).
  const auto dot = key.rfind('.');
  if (parent->empty() && dot != std::string::npos) erase(key.substr(0, dot));
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

void ConfigReader::record(const std::string& key, const toml::node& value) {
  std::string last;
  parent_of(resolved_, key, /*create=*/true, last)->insert_or_assign(last, value);
}

bool ConfigReader::is_table(const std::string& key) const { return std::as_const(table_).at_path(key).is_table(); }

std::vector<std::string> ConfigReader::table_keys(const std::string& key) const {
  std::vector<std::string> keys;
  if (const toml::table* t = std::as_const(table_).at_path(key).as_table())
    for (const auto& [k, v] : *t) keys.emplace_back(k.str());
  return keys;
}

void ConfigReader::document(const std::string& key, std::string type, std::string default_text, std::string range_text,
                            std::string_view meaning) {
  for (const auto& d : docs_)
    if (d.key == key && d.scope == scope_) return;
  std::string text;
  for (const char c : meaning) text += c == '|' ? std::string("\\|") : std::string(1, c);  // a Markdown table cell
  docs_.push_back({key, scope_, std::move(type), std::move(default_text), std::move(range_text), std::move(text)});
}

int64_t ConfigReader::get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max,
                              std::string_view meaning) {
  document(key, "int", std::to_string(fallback), "[" + std::to_string(min) + ", " + std::to_string(max) + "]", meaning);
  const auto n = node(key);
  int64_t v = fallback;
  if (n) {
    if (!n.is_integer()) fail(key, "expected an integer, got " + describe(*n.node()));
    v = *n.value<int64_t>();
    if (v < min || v > max)
      fail(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(v));
  }
  record(key, toml::value<int64_t>(v));
  return v;
}

double ConfigReader::get_double(const std::string& key, double fallback, double min, double max,
                                std::string_view meaning, bool exclusive_min) {
  document(key, "float", number_text(fallback), interval(min, max, exclusive_min), meaning);
  const auto n = node(key);
  double v = fallback;
  if (n) {
    if (!n.is_number()) fail(key, "expected a number, got " + describe(*n.node()));
    v = *n.value<double>();
    if (!std::isfinite(v)) fail(key, "must be a finite number, got " + describe(*n.node()));
    if ((exclusive_min ? v <= min : v < min) || v > max)
      fail(key, "must be in " + interval(min, max, exclusive_min) + ", got " + number_text(v));
  }
  record(key, toml::value<double>(v));
  return v;
}

bool ConfigReader::get_bool(const std::string& key, bool fallback, std::string_view meaning) {
  document(key, "bool", fallback ? "true" : "false", "", meaning);
  const auto n = node(key);
  bool v = fallback;
  if (n) {
    if (!n.is_boolean()) fail(key, "expected true or false, got " + describe(*n.node()));
    v = *n.value<bool>();
  }
  record(key, toml::value<bool>(v));
  return v;
}

std::string ConfigReader::get_string(const std::string& key, const std::string& fallback, std::string_view meaning) {
  document(key, "string", "\"" + fallback + "\"", "", meaning);
  const auto n = node(key);
  std::string v = fallback;
  if (n) {
    if (!n.is_string()) fail(key, "expected a string, got " + describe(*n.node()));
    v = *n.value<std::string>();
  }
  record(key, toml::value<std::string>(v));
  return v;
}

std::string ConfigReader::get_choice(const std::string& key, const std::string& fallback,
                                     const std::vector<std::string>& allowed, std::string_view meaning) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : " \\| ") + ("`" + a + "`");
  document(key, list, "`" + fallback + "`", "", meaning);
  const auto n = node(key);
  std::string v = fallback;
  if (n) {
    if (!n.is_string()) fail(key, "expected a string, got " + describe(*n.node()));
    v = *n.value<std::string>();
    if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
      std::string names;
      for (const auto& a : allowed) names += (names.empty() ? "" : ", ") + a;
      fail(key, "unknown value '" + v + "' (expected one of: " + names + ")");
    }
  }
  record(key, toml::value<std::string>(v));
  return v;
}

std::string ConfigReader::get_path(const std::string& key, const std::string& fallback, std::string_view meaning) {
  document(key, "path", "`" + fallback + "`", "", meaning);
  const auto n = node(key);
  std::string v = fallback;
  if (n) {
    if (!n.is_string()) fail(key, "expected a path (a string), got " + describe(*n.node()));
    v = *n.value<std::string>();
  }
  v = expand_path(v);
  record(key, toml::value<std::string>(v));
  return v;
}

std::vector<int64_t> ConfigReader::get_int_list(const std::string& key, const std::vector<int64_t>& fallback,
                                                int64_t min, int64_t max, std::string_view meaning) {
  document(key, "list of int", list_text(fallback), "[" + std::to_string(min) + ", " + std::to_string(max) + "]",
           meaning);
  const auto n = node(key);
  std::vector<int64_t> out = fallback;
  if (n) {
    const auto* arr = n.as_array();
    if (arr == nullptr || arr->empty()) fail(key, "expected a non-empty list of integers");
    out.clear();
    for (const auto& e : *arr) {
      if (!e.is_integer()) fail(key, "expected a list of integers, found " + describe(e));
      const int64_t v = *e.value<int64_t>();
      if (v < min || v > max)
        fail(key, "entries must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(v));
      out.push_back(v);
    }
  }
  toml::array a;
  for (const int64_t v : out) a.push_back(v);
  record(key, a);
  return out;
}

std::vector<double> ConfigReader::get_double_list(const std::string& key, const std::vector<double>& fallback,
                                                  double min, double max, std::string_view meaning, bool exclusive_min) {
  document(key, "list of float", list_text(fallback), interval(min, max, exclusive_min), meaning);
  const auto n = node(key);
  std::vector<double> out = fallback;
  if (n) {
    const auto* arr = n.as_array();
    if (arr == nullptr || arr->empty()) fail(key, "expected a non-empty list of numbers");
    out.clear();
    for (const auto& e : *arr) {
      if (!e.is_number()) fail(key, "expected a list of numbers, found " + describe(e));
      const double v = *e.value<double>();
      if (!std::isfinite(v) || (exclusive_min ? v <= min : v < min) || v > max)
        fail(key, "entries must be finite and in " + interval(min, max, exclusive_min) + ", got " + number_text(v));
      out.push_back(v);
    }
  }
  toml::array a;
  for (const double v : out) a.push_back(v);
  record(key, a);
  return out;
}

std::vector<double> ConfigReader::get_per_name(const std::string& key, const std::vector<double>& fallback,
                                               const std::vector<std::string>& names, double min, double max,
                                               std::string_view meaning) {
  std::string name_list;
  for (const auto& name : names) name_list += (name_list.empty() ? "" : ", ") + name;
  document(key, "float, list or table", fallback.size() == 1 ? number_text(fallback[0]) : list_text(fallback),
           interval(min, max, false), meaning);
  const auto check = [&](double v) {
    if (!std::isfinite(v) || v < min || v > max)
      fail(key, "must be finite and in " + interval(min, max, false) + ", got " + number_text(v));
    return v;
  };
  const auto n = node(key);
  std::vector<double> out;
  if (!n) {
    out = fallback.size() == 1 ? std::vector<double>(names.size(), fallback[0]) : fallback;
    if (fallback.size() == 1) record(key, toml::value<double>(fallback[0]));
    else {
      toml::array a;
      for (const double v : fallback) a.push_back(v);
      record(key, a);
    }
  } else if (n.is_number()) {
    out.assign(names.size(), check(*n.value<double>()));
    record(key, toml::value<double>(out[0]));
  } else if (const auto* arr = n.as_array()) {
    if (arr->size() != names.size())
      fail(key, "needs " + std::to_string(names.size()) + " entries (one per matrix: " + name_list + "), got " +
                    std::to_string(arr->size()));
    for (const auto& e : *arr) {
      if (!e.is_number()) fail(key, "expected a list of numbers, found " + describe(e));
      out.push_back(check(*e.value<double>()));
    }
    record(key, *arr);
  } else if (const auto* table = n.as_table()) {
    const std::vector<double> defaults = fallback.size() == 1 ? std::vector<double>(names.size(), fallback[0]) : fallback;
    toml::table resolved;
    for (size_t k = 0; k < names.size(); ++k) {  // a name the table leaves out keeps its default
      const auto* v = table->get(names[k]);
      if (v != nullptr && !v->is_number()) fail(key + "." + names[k], "expected a number, got " + describe(*v));
      out.push_back(v != nullptr ? check(*v->value<double>()) : defaults[k]);
      resolved.insert(names[k], out.back());
    }
    for (const auto& [k, v] : *table)
      if (std::find(names.begin(), names.end(), std::string(k.str())) == names.end())
        fail(key + "." + std::string(k.str()), "not a matrix of this network (its matrices: " + name_list + ")");
    record(key, resolved);
  } else {
    fail(key, "expected a number, a list or a table {" + name_list + "}, got " + describe(*n.node()));
  }
  return out;
}

void ConfigReader::check_all_used(const std::vector<std::string>& choices) const {
  std::vector<std::string> leaves;
  collect_leaves(table_, "", leaves);
  bool choice_overridden = false;
  for (const auto& c : choices) choice_overridden |= overridden_.count(c) > 0;
  std::string left_out;
  for (const auto& key : leaves) {
    if (used_.count(key)) continue;
    // get_per_name reads a table's entries itself.
    const auto dot = key.rfind('.');
    if (dot != std::string::npos && used_.count(key.substr(0, dot)) && table_.at_path(key.substr(0, dot)).is_table())
      continue;
    if (choice_overridden && origin(key).rfind("--set", 0) != 0) {
      left_out += (left_out.empty() ? "" : ", ") + key;
      continue;
    }
    std::string known;
    const std::string section = key.substr(0, key.find('.') == std::string::npos ? 0 : key.find('.') + 1);
    for (const auto& u : used_)
      if (!section.empty() && u.rfind(section, 0) == 0) known += (known.empty() ? "" : ", ") + u.substr(section.size());
    throw UsageError(origin(key) + ": unknown key" +
                     (known.empty() ? "" : " (this run reads [" + section.substr(0, section.size() - 1) + "] " + known + ")"));
  }
  if (!left_out.empty())
    std::fprintf(stderr, "plasticore: note: %s: not read after --set changed the implementation: %s\n", source_.c_str(),
                 left_out.c_str());
}

std::string ConfigReader::resolved_toml() const {
  std::ostringstream ss;
  ss << "# resolved configuration written by plasticore; `plasticore train --resume` reads it back\n" << resolved_ << "\n";
  return ss.str();
}

}  // namespace plasticore
