// Typed access to a TOML config with dotted keys, range checks and unknown-key detection.
// Every getter records the key it read, its resolved value and its documentation (type, default,
// range, meaning, and the scope that read it). Three things follow from that one record:
//   check_all_used()  rejects any key nobody asked for, so a typo such as `train.epochz` is an error;
//   resolved_toml()   is the run's config.toml: every key that was read, with the value it had;
//   key_docs()        is what docs/configuration.md is generated from (train/config_doc.hpp).
// The registries' parameter readers (substrate/, data/, learn/) are the only callers, so the keys, their
// defaults and their documentation live in one place each.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace plasticore {

// What one getter call said about a key, for the generated documentation.
struct KeyDoc {
  std::string key, scope, type, default_text, range_text, meaning;
};

class ConfigReader {
 public:
  // Parses the file; throws UsageError naming the file (missing, malformed TOML with line:column).
  static ConfigReader from_file(const std::string& path);
  static ConfigReader from_string(const std::string& text, const std::string& source_name);

  // Applies `key=value`. The value is read as a TOML value (42, 0.5, true, "x", [1, 2]); anything that
  // is not valid TOML is taken as a bare string (so paths need no quotes).
  void set_override(const std::string& assignment);
  // A key that was renamed: its value moves to new_key, with a one-line deprecation note on stderr.
  // UsageError if both are given.
  void rename(const std::string& old_key, const std::string& new_key);
  // Removes a key or a whole table (e.g. "substrate", before another substrate's keys are set).
  void erase(const std::string& key);

  // The scope that subsequent reads are documented under ("every run", "pcm, memristor", ...).
  class Scope {
   public:
    Scope(ConfigReader& reader, std::string scope) : reader_(reader), previous_(std::move(reader.scope_)) {
      reader_.scope_ = std::move(scope);
    }
    ~Scope() { reader_.scope_ = std::move(previous_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    ConfigReader& reader_;
    std::string previous_;
  };

  bool has(const std::string& key) const;
  bool is_table(const std::string& key) const;
  // The keys of the table at `key` (none if there is no table there); reading them is up to the caller.
  std::vector<std::string> table_keys(const std::string& key) const;
  // Documents a table whose keys are named by the config (e.g. substrate.matrices.<matrix>).
  void describe_table(const std::string& key, std::string_view meaning) { document(key, "table", "-", "-", meaning); }
  int64_t get_int(const std::string& key, int64_t fallback, int64_t min, int64_t max, std::string_view meaning);
  double get_double(const std::string& key, double fallback, double min, double max, std::string_view meaning,
                    bool exclusive_min = false);
  bool get_bool(const std::string& key, bool fallback, std::string_view meaning);
  std::string get_string(const std::string& key, const std::string& fallback, std::string_view meaning);
  // One of `allowed` (a registry's names or an enum's).
  std::string get_choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& allowed,
                         std::string_view meaning);
  // A path: ${PLASTICORE_DATA}, ${HOME} and a leading ~ are expanded; config.toml keeps the expanded path.
  std::string get_path(const std::string& key, const std::string& fallback, std::string_view meaning);
  std::vector<int64_t> get_int_list(const std::string& key, const std::vector<int64_t>& fallback, int64_t min, int64_t max,
                                    std::string_view meaning);
  std::vector<double> get_double_list(const std::string& key, const std::vector<double>& fallback, double min,
                                      double max, std::string_view meaning, bool exclusive_min = false);
  // One value per name: a number (the same for all), a list (in the order of `names`) or a table
  // {name = value} (a name it leaves out keeps its default). config.toml keeps the form that was given
  // (a table with every name).
  std::vector<double> get_per_name(const std::string& key, const std::vector<double>& fallback,
                                   const std::vector<std::string>& names, double min, double max,
                                   std::string_view meaning);

  // Throws UsageError for the first key that no getter read. Exception: when --set changed one of the
  // `choices` (keys that pick an implementation, e.g. substrate.kind), keys of the file that the new
  // choice does not read are left out with a one-line note on stderr; unread --set keys stay errors.
  void check_all_used(const std::vector<std::string>& choices = {}) const;
  const std::string& source() const { return source_; }
  // "FILE: key" or "--set key", for messages about a key.
  std::string origin(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

  // Every key read so far with its resolved value, as TOML (the run directory's config.toml).
  std::string resolved_toml() const;
  const std::vector<KeyDoc>& key_docs() const { return docs_; }

 private:
  ConfigReader(toml::table table, std::string source) : table_(std::move(table)), source_(std::move(source)) {}
  toml::node_view<const toml::node> node(const std::string& key);
  void record(const std::string& key, const toml::node& value);
  void document(const std::string& key, std::string type, std::string default_text, std::string range_text,
                std::string_view meaning);

  toml::table table_;
  std::string source_;
  std::set<std::string> used_;
  std::set<std::string> overridden_;
  toml::table resolved_;
  std::vector<KeyDoc> docs_;
  std::string scope_ = "every run";
};

std::string expand_path(const std::string& path);  // ${PLASTICORE_DATA}, ${HOME}, leading ~
std::string data_directory();                      // $PLASTICORE_DATA, else ~/.cache/plasticore

}  // namespace plasticore
