#include "train/run_config.hpp"

#include <cstdlib>
#include <limits>
#include <sstream>

#include "core/error.hpp"
#include "train/substrate_config_reader.hpp"

namespace plasticore {

namespace {

const char* kDefaultData = "${PLASTICORE_DATA}/mnist/";

std::string data_dir() {
  if (const char* d = std::getenv("PLASTICORE_DATA"); d != nullptr && *d != 0) return d;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.cache/plasticore";
}

template <typename E>
E parse_enum(const std::string& v, std::initializer_list<std::pair<const char*, E>> table) {
  for (const auto& [name, e] : table)
    if (v == name) return e;
  return table.begin()->second;  // unreachable: the reader already checked the allowed set
}

}  // namespace

std::string expand_path(const std::string& path) {
  std::string out = path;
  for (const auto& [var, value] : {std::pair<std::string, std::string>{"${PLASTICORE_DATA}", data_dir()},
                                   {"${HOME}", std::getenv("HOME") ? std::getenv("HOME") : ""}}) {
    for (auto pos = out.find(var); pos != std::string::npos; pos = out.find(var)) out.replace(pos, var.size(), value);
  }
  if (!out.empty() && out[0] == '~' && std::getenv("HOME")) out = std::string(std::getenv("HOME")) + out.substr(1);
  return out;
}

std::string rule_name(EPRule rule) { return rule == EPRule::two_factor ? "two_factor" : "end_of_phase"; }

std::string coding_name(SpikeCoding coding) {
  switch (coding) {
    case SpikeCoding::rate: return "rate";
    case SpikeCoding::sigma_delta: return "sigma_delta";
    case SpikeCoding::bernoulli: return "bernoulli";
  }
  return "rate";
}

static std::string sign_name(BetaSign s) {
  return s == BetaSign::positive ? "positive" : s == BetaSign::random ? "random" : "symmetric";
}

RunConfig read_run_config(ConfigReader& r) {
  RunConfig c;
  constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
  c.name = r.get_string("name", "run");
  c.algorithm = r.get_string("algorithm", "ep", {"ep", "eqspike"});
  c.seed = static_cast<uint64_t>(r.get_int("seed", 1, 0, std::numeric_limits<int64_t>::max()));
  c.threads = static_cast<int>(r.get_int("threads", 1, 0, 1024));  // 1: see docs/performance.md, "Threads"

  c.data.dataset = r.get_string("data.dataset", "mnist", {"mnist", "fashion_mnist"});
  const std::string base = c.data.dataset == "mnist" ? kDefaultData : "/usr/share/dataset-fashion-mnist/";
  c.data.train_images = expand_path(r.get_string("data.train_images", base + "train-images-idx3-ubyte"));
  c.data.train_labels = expand_path(r.get_string("data.train_labels", base + "train-labels-idx1-ubyte"));
  c.data.test_images = expand_path(r.get_string("data.test_images", base + "t10k-images-idx3-ubyte"));
  c.data.test_labels = expand_path(r.get_string("data.test_labels", base + "t10k-labels-idx1-ubyte"));
  c.data.train_limit = r.get_int("data.train_limit", 0, 0, kMaxInt);
  c.data.test_limit = r.get_int("data.test_limit", 0, 0, kMaxInt);

  c.hidden.clear();
  for (const int64_t h : r.get_int_list("network.hidden", {500}, 1, 1 << 16)) c.hidden.push_back(static_cast<int>(h));
  const size_t layers = c.hidden.size() + 1;
  c.init_scale = r.get_double_list("network.init_scale", {1.0, 0.5}, 0.0, 100.0, true);

  c.learn.free_steps = static_cast<int>(r.get_int("ep.free_steps", 20, 1, 100000));
  c.learn.nudged_steps = static_cast<int>(r.get_int("ep.nudged_steps", 4, 1, 100000));
  c.learn.beta = static_cast<Scalar>(r.get_double("ep.beta", 0.5, 0.0, 100.0, true));
  c.learn.beta_sign = parse_enum<BetaSign>(
      r.get_string("ep.beta_sign", "random", {"positive", "random", "symmetric"}),
      {{"positive", BetaSign::positive}, {"random", BetaSign::random}, {"symmetric", BetaSign::symmetric}});
  c.learn.rule = parse_enum<EPRule>(r.get_string("ep.rule", "end_of_phase", {"end_of_phase", "two_factor"}),
                                    {{"end_of_phase", EPRule::end_of_phase}, {"two_factor", EPRule::two_factor}});
  c.learn.self_correction = r.get_double("ep.self_correction", 1.0, 0.0, 10.0);
  c.relax.leak = static_cast<Scalar>(r.get_double("ep.leak", 1.0, 0.0, 1.0, true));
  c.relax.trace_rate = static_cast<Scalar>(r.get_double("ep.trace_rate", 1.0, 0.0, 1.0, true));
  c.relax.coding = parse_enum<SpikeCoding>(
      r.get_string("ep.spike_coding", c.algorithm == "eqspike" ? "sigma_delta" : "rate", {"rate", "sigma_delta", "bernoulli"}),
      {{"rate", SpikeCoding::rate}, {"sigma_delta", SpikeCoding::sigma_delta}, {"bernoulli", SpikeCoding::bernoulli}});
  if (c.algorithm == "ep" && c.relax.coding != SpikeCoding::rate)
    throw UsageError(r.origin("ep.spike_coding") + ": algorithm 'ep' is rate-based; use algorithm = \"eqspike\" for spikes");

  c.train.epochs = static_cast<int>(r.get_int("train.epochs", 1, 1, 100000));
  c.train.batch_size = static_cast<int>(r.get_int("train.batch_size", 20, 1, 100000));
  c.train.learning_rates = r.get_double_list("train.learning_rates", {0.1, 0.05}, 0.0, 1e6);
  c.train.lr_schedule = r.get_string("train.lr_schedule", "constant", {"constant", "cosine"});
  c.train.lr_final_factor = r.get_double("train.lr_final_factor", 0.1, 0.0, 1.0);
  if (c.train.learning_rates.size() != layers)
    throw UsageError(r.origin("train.learning_rates") + ": needs " + std::to_string(layers) +
                     " entries (one per weight layer), got " + std::to_string(c.train.learning_rates.size()));
  if (c.init_scale.size() != layers)
    throw UsageError(r.origin("network.init_scale") + ": needs " + std::to_string(layers) + " entries, got " +
                     std::to_string(c.init_scale.size()));
  c.learn.learning_rates = c.train.learning_rates;

  c.substrate = read_substrate_config(r, c.seed);
  r.check_all_used();
  return c;
}

std::string to_toml(const RunConfig& c) {
  auto list = [](const auto& v) {
    toml::array a;
    for (const auto& x : v) a.push_back(x);
    return a;
  };
  toml::table t;
  t.insert("name", c.name);
  t.insert("algorithm", c.algorithm);
  t.insert("seed", static_cast<int64_t>(c.seed));
  t.insert("threads", c.threads);
  t.insert("data", toml::table{{"dataset", c.data.dataset},
                               {"train_images", c.data.train_images},
                               {"train_labels", c.data.train_labels},
                               {"test_images", c.data.test_images},
                               {"test_labels", c.data.test_labels},
                               {"train_limit", c.data.train_limit},
                               {"test_limit", c.data.test_limit}});
  t.insert("network", toml::table{{"hidden", list(c.hidden)}, {"init_scale", list(c.init_scale)}});
  t.insert("ep", toml::table{{"free_steps", c.learn.free_steps},
                             {"nudged_steps", c.learn.nudged_steps},
                             {"beta", static_cast<double>(c.learn.beta)},
                             {"beta_sign", sign_name(c.learn.beta_sign)},
                             {"rule", rule_name(c.learn.rule)},
                             {"self_correction", c.learn.self_correction},
                             {"leak", static_cast<double>(c.relax.leak)},
                             {"trace_rate", static_cast<double>(c.relax.trace_rate)},
                             {"spike_coding", coding_name(c.relax.coding)}});
  t.insert("train", toml::table{{"epochs", c.train.epochs},
                                {"batch_size", c.train.batch_size},
                                {"learning_rates", list(c.train.learning_rates)},
                                {"lr_schedule", c.train.lr_schedule},
                                {"lr_final_factor", c.train.lr_final_factor}});
  t.insert("substrate", substrate_toml(c.substrate));
  std::ostringstream ss;
  ss << "# resolved configuration written by plasticore; `plasticore train --resume` reads it back\n" << t << "\n";
  return ss.str();
}

}  // namespace plasticore
