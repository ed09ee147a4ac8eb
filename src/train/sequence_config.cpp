#include "train/sequence_config.hpp"

#include "core/error.hpp"
#include "train/run_config.hpp"
#include "train/substrate_config_reader.hpp"

#include <algorithm>
#include <limits>
#include <sstream>

namespace plasticore {

namespace {

std::string mnist_file(const char* name) { return std::string("${PLASTICORE_DATA}/mnist/") + name; }

}  // namespace

bool is_sequence_algorithm(const std::string& algorithm) { return algorithm == "eprop" || algorithm == "bptt"; }

SequenceRunConfig read_sequence_config(ConfigReader& r) {
  SequenceRunConfig c;
  constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
  c.name = r.get_string("name", "run");
  c.algorithm = r.get_string("algorithm", "eprop", {"eprop", "bptt"});
  c.seed = static_cast<uint64_t>(r.get_int("seed", 1, 0, std::numeric_limits<int64_t>::max()));
  c.threads = static_cast<int>(r.get_int("threads", 1, 0, 1024));  // 1: see docs/performance.md, "Threads"

  c.task.name = r.get_string("task.name", "pattern_generation", {"pattern_generation", "evidence_accumulation", "mnist"});
  const bool evidence = c.task.name == "evidence_accumulation", mnist = c.task.name == "mnist";
  c.task.seed = c.seed;
  c.task.steps = r.get_int("task.steps", evidence ? 2250 : mnist ? 140 : 1000, 1, int64_t{1} << 32);
  c.task.input_rate_hz = r.get_double("task.input_rate_hz", evidence ? 40.0 : mnist ? 1000.0 : 10.0, 0.0, 1000.0);
  c.train_limit = r.get_int("data.train_limit", evidence ? 64 : mnist ? 60000 : 1, 1, kMaxInt);
  c.test_limit = r.get_int("data.test_limit", evidence ? 64 : mnist ? 10000 : 1, 1, kMaxInt);
  if (mnist) {  // data/sequential_mnist.hpp; the paths as in the EP configs
    c.task.decision_steps = r.get_int("task.decision_steps", 28, 1, std::max<int64_t>(1, c.task.steps - 1));
    c.task.train_images = expand_path(r.get_string("data.train_images", mnist_file("train-images-idx3-ubyte")));
    c.task.train_labels = expand_path(r.get_string("data.train_labels", mnist_file("train-labels-idx1-ubyte")));
    c.task.test_images = expand_path(r.get_string("data.test_images", mnist_file("t10k-images-idx3-ubyte")));
    c.task.test_labels = expand_path(r.get_string("data.test_labels", mnist_file("t10k-labels-idx1-ubyte")));
    c.task.train_limit = c.train_limit;
    c.task.test_limit = c.test_limit;
  }

  auto& n = c.network;
  auto& p = n.neuron;
  n.recurrent = static_cast<int>(r.get_int("network.recurrent", 100, 1, 1 << 16));
  n.adaptive = static_cast<int>(r.get_int("network.adaptive", evidence ? 50 : 0, 0, n.recurrent));
  p.dt_ms = r.get_double("network.dt_ms", 1.0, 0.0, 1000.0, true);
  c.task.dt_ms = p.dt_ms;
  p.lif.tau_m_ms = r.get_double("network.tau_m_ms", 20.0, 0.0, 1e6, true);
  p.alif.tau_a_ms = r.get_double("network.tau_a_ms", 2000.0, 0.0, 1e7, true);
  p.readout.tau_out_ms = r.get_double("network.tau_out_ms", 20.0, 0.0, 1e6, true);
  p.lif.v_th = static_cast<Scalar>(r.get_double("network.v_th", 0.6, 0.0, 1e6, true));
  p.lif.gamma = static_cast<Scalar>(r.get_double("network.gamma", 0.3, 0.0, 100.0));
  p.alif.adapt_beta = static_cast<Scalar>(r.get_double("network.adapt_beta", 0.0174, 0.0, 100.0));
  p.lif.refractory_steps = static_cast<int>(r.get_int("network.refractory_steps", 0, 0, 1000000));
  n.input_scale = r.get_double("network.input_scale", 1.0, 0.0, 1000.0);
  n.recurrent_scale = r.get_double("network.recurrent_scale", 0.5, 0.0, 1000.0);
  n.readout_scale = r.get_double("network.readout_scale", 1.0, 0.0, 1000.0);

  auto& t = c.train;
  t.epochs = static_cast<int>(r.get_int("train.epochs", 1, 1, 1000000));
  t.batch_size = static_cast<int>(r.get_int("train.batch_size", evidence || mnist ? 32 : 1, 1, 100000));
  t.optimizer.kind = r.get_string("train.optimizer", "adam", {"adam", "sgd"});
  t.optimizer.learning_rate = r.get_double("train.learning_rate", evidence || mnist ? 5e-3 : 3e-3, 0.0, 1e6);
  t.lr_schedule = r.get_string("train.lr_schedule", "constant", {"constant", "cosine"});
  t.lr_final_factor = r.get_double("train.lr_final_factor", 0.1, 0.0, 1.0);
  t.regularization.strength = r.get_double("train.rate_regularization", 1.0, 0.0, 1e9);
  t.target_rate_hz = r.get_double("train.target_rate_hz", 10.0, 0.0, 1000.0);
  t.feedback = r.get_string("train.feedback", "symmetric", {"symmetric", "random", "adaptive"});
  if (t.feedback == "adaptive") t.feedback_decay = r.get_double("train.feedback_decay", 0.01, 0.0, 1.0);
  if (c.algorithm == "bptt" && t.feedback != "symmetric")
    throw UsageError(r.origin("train.feedback") + ": BPTT computes the exact gradient; feedback applies to e-prop only");
  t.regularization.target_rate_per_ms = t.target_rate_hz * 1e-3;

  c.substrate = read_substrate_config(r, c.seed);
  r.check_all_used();
  return c;
}

std::string to_toml(const SequenceRunConfig& c) {
  const auto& p = c.network.neuron;
  toml::table t;
  t.insert("name", c.name);
  t.insert("algorithm", c.algorithm);
  t.insert("seed", static_cast<int64_t>(c.seed));
  t.insert("threads", c.threads);
  toml::table task{{"name", c.task.name}, {"steps", c.task.steps}, {"input_rate_hz", c.task.input_rate_hz}};
  toml::table data{{"train_limit", c.train_limit}, {"test_limit", c.test_limit}};
  if (c.task.name == "mnist") {
    task.insert("decision_steps", c.task.decision_steps);
    data.insert("train_images", c.task.train_images);
    data.insert("train_labels", c.task.train_labels);
    data.insert("test_images", c.task.test_images);
    data.insert("test_labels", c.task.test_labels);
  }
  t.insert("task", task);
  t.insert("data", data);
  t.insert("network", toml::table{{"recurrent", c.network.recurrent},
                                  {"adaptive", c.network.adaptive},
                                  {"dt_ms", p.dt_ms},
                                  {"tau_m_ms", p.lif.tau_m_ms},
                                  {"tau_a_ms", p.alif.tau_a_ms},
                                  {"tau_out_ms", p.readout.tau_out_ms},
                                  {"v_th", static_cast<double>(p.lif.v_th)},
                                  {"gamma", static_cast<double>(p.lif.gamma)},
                                  {"adapt_beta", static_cast<double>(p.alif.adapt_beta)},
                                  {"refractory_steps", p.lif.refractory_steps},
                                  {"input_scale", c.network.input_scale},
                                  {"recurrent_scale", c.network.recurrent_scale},
                                  {"readout_scale", c.network.readout_scale}});
  t.insert("train", toml::table{{"epochs", c.train.epochs},
                                {"batch_size", c.train.batch_size},
                                {"optimizer", c.train.optimizer.kind},
                                {"learning_rate", c.train.optimizer.learning_rate},
                                {"lr_schedule", c.train.lr_schedule},
                                {"lr_final_factor", c.train.lr_final_factor},
                                {"rate_regularization", c.train.regularization.strength},
                                {"target_rate_hz", c.train.target_rate_hz},
                                {"feedback", c.train.feedback}});
  if (c.train.feedback == "adaptive") t["train"].as_table()->insert("feedback_decay", c.train.feedback_decay);
  t.insert("substrate", substrate_toml(c.substrate));
  std::ostringstream ss;
  ss << "# resolved configuration written by plasticore; `plasticore train --resume` reads it back\n" << t << "\n";
  return ss.str();
}

}  // namespace plasticore
