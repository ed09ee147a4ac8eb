#include "energy/cost_table.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;

namespace plasticore {

namespace {

constexpr double kJoulesPerPicojoule = 1e-12;

size_t op_index(const std::string& path, const std::string& table, const std::string& op) {
  const auto it = std::find(kOpNames.begin(), kOpNames.end(), op);
  if (it == kOpNames.end()) throw UsageError(path + ": [" + table + "] " + op + ": unknown operation");
  return static_cast<size_t>(it - kOpNames.begin());
}

double non_negative(const std::string& path, const std::string& key, const toml::node& node) {
  const std::optional<double> value = node.value<double>();
  if (!value || !std::isfinite(*value) || *value < 0)
    throw UsageError(path + ": " + key + ": expected a non-negative number");
  return *value;
}

const toml::table& sub_table(const std::string& path, const std::string& key, const toml::node& node) {
  if (!node.is_table()) throw UsageError(path + ": " + key + ": expected a table");
  return *node.as_table();
}

// [power]: the GPU's keys in the table named gpu, a chip's in any other; every key required.
void read_power(const std::string& path, const toml::table& power, CostTable& t) {
  const bool gpu = t.name == "gpu";
  const std::vector<std::string> keys =
      gpu ? std::vector<std::string>{"board_watts", "peak_macs_per_second", "utilisation", "kernel_launch_seconds",
                                     "kernel_launches_per_step", "kernel_launches_per_update"}
          : std::vector<std::string>{"static_watts", "seconds_per_step"};
  std::string listed;
  for (const auto& k : keys) listed += (listed.empty() ? "" : ", ") + k;
  for (const auto& [key_view, node] : power)
    if (std::find(keys.begin(), keys.end(), std::string(key_view.str())) == keys.end())
      throw UsageError(path + ": [power] unknown key '" + std::string(key_view.str()) + "' (" +
                       (gpu ? "the gpu table's" : "a chip's") + " [power] has " + listed + ")");
  std::vector<double> v;
  for (const auto& k : keys) {
    const toml::node* node = power.get(k);
    if (node == nullptr) throw UsageError(path + ": [power] missing key '" + k + "' (it needs " + listed + ")");
    v.push_back(non_negative(path, "power." + k, *node));
  }
  if (gpu) {
    if (v[1] <= 0) throw UsageError(path + ": power.peak_macs_per_second: expected a positive number");
    if (v[2] <= 0 || v[2] > 1) throw UsageError(path + ": power.utilisation: expected a number in (0, 1]");
    t.gpu_power = GpuPower{v[0], v[1], v[2], v[3], v[4], v[5]};
  } else {
    t.chip_power = ChipPower{v[0], v[1]};
  }
}

}  // namespace

CostTable read_cost_table(const std::string& path) {
  std::string text;
  try {
    text = read_file(path, kMaxConfigBytes);
  } catch (const RuntimeError& e) {
    throw UsageError(e.what());
  }
  return parse_cost_table(text, path);
}

CostTable parse_cost_table(const std::string& text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw UsageError(path + ": malformed TOML: " + std::string(e.description()));
  }
  CostTable t;
  t.name = fs::path(path).stem().string();
  std::array<double, kOpNames.size()> bytes_per_op{};
  double picojoules_per_byte = -1;
  bool has_costs = false, has_bytes = false;
  for (const auto& [key_view, node] : root) {
    const std::string key(key_view.str());
    if (key == "description") {
      if (!node.is_string()) throw UsageError(path + ": description: expected a string");
      t.description = node.value<std::string>().value_or("");
    } else if (key == "picojoules_per_byte") {
      picojoules_per_byte = non_negative(path, key, node);
    } else if (key == "picojoules_per_op" || key == "bytes_per_op") {
      const bool costs = key == "picojoules_per_op";
      (costs ? has_costs : has_bytes) = true;
      for (const auto& [op_view, value] : sub_table(path, key, node)) {
        const std::string op(op_view.str());
        const double v = non_negative(path, key + "." + op, value);
        if (costs) t.joules_per_op[op_index(path, key, op)] = v * kJoulesPerPicojoule;
        else bytes_per_op[op_index(path, key, op)] = v;
      }
    } else if (key == "power") {
      read_power(path, sub_table(path, key, node), t);
    } else {
      throw UsageError(path + ": unknown key '" + key + "'");
    }
  }
  if (!has_costs) throw UsageError(path + ": missing the [picojoules_per_op] table");
  if (has_bytes != (picojoules_per_byte >= 0))
    throw UsageError(path + ": [bytes_per_op] and picojoules_per_byte go together");
  for (size_t o = 0; o < kOpNames.size(); ++o)
    t.joules_per_op[o] += bytes_per_op[o] * std::max(picojoules_per_byte, 0.0) * kJoulesPerPicojoule;
  return t;
}

std::vector<CostTable> read_cost_tables(const std::string& dir) {
  if (!fs::is_directory(dir)) throw UsageError(dir + ": no such directory of energy cost tables (see --tables)");
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".toml") paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) throw UsageError(dir + ": holds no energy cost table (*.toml)");
  std::vector<CostTable> tables;
  for (const auto& p : paths) tables.push_back(read_cost_table(p));
  return tables;
}

}  // namespace plasticore
