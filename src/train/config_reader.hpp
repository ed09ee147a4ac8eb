// Typed access to a TOML config with dotted keys, range checks and unknown-key detection.
// Every getter records the key it read; check_all_used() then rejects any key nobody asked for, so
// a typo such as `train.epochz` is an error, not a silently ignored setting.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace plasticore {

class ConfigReader {
 public:
  // Parses the file; throws UsageError naming the file (missing, malformed TOML with line:column).
  static ConfigReader from_file(const std::string& path);
  static ConfigReader from_string(const std::string& text, const std::string& source_name);

  // Applies `key=value`. The value is read as a TOML value (42, 0.5, true, "x", [1, 2]); anything that
  // is not valid TOML is taken as a bare string (so paths need no quotes).
  void set_override(const std::string& assignment);

  bool has(const std::string& key) const;
  int64_t get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max);
  double get_double(const std::string& key, double fallback, double min, double max, bool exclusive_min = false);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed = {});
  std::vector<int64_t> get_int_list(const std::string& key, const std::vector<int64_t>& fallback, int64_t min, int64_t max);
  std::vector<double> get_double_list(const std::string& key, const std::vector<double>& fallback, double min, double max,
                                      bool exclusive_min = false);

  // Throws UsageError for the first key that no getter read.
  void check_all_used() const;
  const std::string& source() const { return source_; }
  // "FILE: key" or "--set key", for messages about a key.
  std::string origin(const std::string& key) const;

 private:
  ConfigReader(toml::table table, std::string source) : table_(std::move(table)), source_(std::move(source)) {}
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  toml::node_view<const toml::node> node(const std::string& key);

  toml::table table_;
  std::string source_;
  std::set<std::string> used_;
  std::set<std::string> overridden_;
};

}  // namespace plasticore
