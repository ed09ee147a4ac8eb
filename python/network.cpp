// plasticore.Network: a network, its learning rule and its substrate built from a config (a dict with the
// TOML files' keys, or a file), trained on the caller's NumPy arrays with the same trainer as the CLI
// (train/trainer.hpp), evaluated, read and written through explicit accessors (docs/python.md). Its data
// set is `data.dataset = "arrays"` (data/array_dataset.hpp): the config names the shape, fit() brings the
// samples. Static learners (ep, eqspike) take x (n, n_in) with integer labels y (n,) (or, under mse,
// targets (n, n_out)); recurrent ones (eprop, bptt) take x (n, T, n_in) or one sequence (T, n_in) with
// targets of the same layout (n, T, n_out) (under cross-entropy, one-hot rows where a step is scored).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <optional>

#include "arrays.hpp"
#include "config_input.hpp"
#include "core/atomic_file.hpp"
#include "core/data_files.hpp"
#include "core/error.hpp"
#include "data/array_dataset.hpp"
#include "energy/energy_report.hpp"
#include "interrupts.hpp"
#include "learn/recurrent_learner.hpp"
#include "results.hpp"
#include "train/run.hpp"
#include "train/run_record.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;
using namespace plasticore;
using namespace plasticore_python;

namespace {

struct Samples {
  std::vector<Matrix> inputs, targets;
};

class Network {
 public:
  Network(const py::object& config, const py::object& overrides, const py::object& inputs, const py::object& outputs,
          const py::object& loss, const py::object& seed, const py::object& threads) {
    // The data set is "arrays": in a dict that names none, a key of the dict (so that a key nobody reads
    // stays an error); over a file's (or a dict's) other data set, an override (its keys are left out).
    py::object source = config;
    bool names_dataset = !config.is_none() && !py::isinstance<py::dict>(config);
    if (!names_dataset) {
      py::dict d = config.is_none() ? py::dict() : py::dict(config.cast<py::dict>());  // a copy: the caller's stays
      names_dataset = d.contains("data.dataset") ||
                      (d.contains("data") && py::isinstance<py::dict>(d["data"]) && d["data"].cast<py::dict>().contains("dataset"));
      if (!names_dataset) d["data.dataset"] = "arrays";
      source = d;
    }
    ConfigReader reader = config_reader_of(source);
    for (const std::string& o : to_overrides(overrides)) reader.set_override(o);
    if (names_dataset) reader.set_override("data.dataset=arrays");
    if (!inputs.is_none()) reader.set_override("data.inputs=" + std::to_string(size_argument(inputs, "inputs", 1, 1 << 24)));
    if (!outputs.is_none())
      reader.set_override("data.outputs=" + std::to_string(size_argument(outputs, "outputs", 1, 1 << 20)));
    if (!loss.is_none()) {
      if (!py::isinstance<py::str>(loss)) throw py::type_error("loss: expected 'cross_entropy' (or 'ce') or 'mse'");
      const std::string name = loss.cast<std::string>();
      reader.set_override("data.loss=" + (name == "ce" ? std::string("cross_entropy") : name));
    }
    if (!seed.is_none())
      reader.set_override("seed=" + std::to_string(size_argument(seed, "seed", 0, std::numeric_limits<int64_t>::max())));
    if (!threads.is_none()) reader.set_override("threads=" + std::to_string(size_argument(threads, "threads", 0, 1024)));
    build(reader);
    learner_->initialize();
  }

  // A run written by fit() or save(), to go on training or to evaluate.
  static std::unique_ptr<Network> load(const py::object& run_dir) {
    const std::string dir = py::str(py::module_::import("os").attr("fspath")(run_dir)).cast<std::string>();
    std::unique_ptr<Network> n(new Network());
    const std::string path = record_path(dir);
    RunRecord record = read_run_record(path);
    ConfigReader reader = ConfigReader::from_string(record.config_toml, path);
    n->build(reader);
    n->learner_->restore(record.tensors);
    n->record_ = std::move(record);
    n->out_dir_ = fs::is_directory(dir) ? dir : fs::path(dir).parent_path().string();
    return n;
  }

  py::dict fit(const py::object& x, const py::object& y, const py::object& epochs, const py::object& test,
               bool shuffle, const py::object& callbacks, const py::object& out, bool progress) {
    Samples train = samples_of(x, y, "x", "y"), held_out;
    if (!test.is_none()) {
      if (!py::isinstance<py::tuple>(test) || py::len(test) != 2) throw py::type_error("test: expected a tuple (x_test, y_test)");
      held_out = samples_of(test.cast<py::tuple>()[0], test.cast<py::tuple>()[1], "test[0]", "test[1]");
    }
    const int64_t more = epochs.is_none() ? spec_.trainer.epochs : size_argument(epochs, "epochs", 1, 1000000);
    std::vector<py::object> hooks;
    if (!callbacks.is_none()) {
      if (PyCallable_Check(callbacks.ptr())) hooks.push_back(callbacks);
      else
        for (const auto& c : callbacks) {
          if (!PyCallable_Check(c.ptr())) throw py::type_error("callbacks: expected a callable or a list of callables");
          hooks.push_back(py::reinterpret_borrow<py::object>(c));
        }
    }
    if (!out.is_none()) use_directory(py::str(py::module_::import("os").attr("fspath")(out)).cast<std::string>());
    const std::unique_ptr<ArrayDataset> data = shape_->with_samples(
        std::move(train.inputs), std::move(train.targets), std::move(held_out.inputs), std::move(held_out.targets),
        shuffle ? std::optional<uint64_t>(spec_.seed) : std::nullopt);
    TrainerSettings settings = spec_.trainer;
    // A pending epoch (stopped between batches) is the first of these.
    settings.epochs = static_cast<int>(record_.epochs_done + more);
    Trainer trainer(settings, *data, *learner_);
    TrainingControl control;
    InterruptPoll interrupts(control);
    control.after_epoch = [&](const EpochRecord& row) {
      py::gil_scoped_acquire gil;
      py::dict figures;
      for (const auto& [name, value] : row) figures[py::str(name)] = value;
      bool go_on = true;
      for (const py::object& hook : hooks) go_on = !hook(figures).is(py::bool_(false)) && go_on;
      return go_on;
    };
    nlohmann::json metrics;
    try {
      py::gil_scoped_release release;
      metrics = trainer.train(record_, out_dir_, progress, &control);
    } catch (const TrainingInterrupted& e) {
      interrupts.raise_interrupt(TrainingInterrupted(
          std::string(e.what()) + "; the network keeps its state: fit() again goes on from the next batch" +
          (out_dir_.empty() ? "" : " (or plasticore.Network.load(\"" + out_dir_ + "\"))")));
    }
    metrics.update({{"name", spec_.name}, {"algorithm", spec_.algorithm}, {"substrate", spec_.substrate.kind},
                    {"dataset", spec_.dataset}, {"seed", spec_.seed}});
    if (!out_dir_.empty()) write_file_atomic(out_dir_ + "/metrics.json", metrics.dump(2) + "\n");
    metrics_ = metrics;
    return to_python(metrics);
  }

  // One update from one mini-batch (all the samples given), outside the epoch loop.
  py::dict step(const py::object& x, const py::object& y) {
    Samples s = samples_of(x, y, "x", "y");
    const auto n = static_cast<int64_t>(s.inputs.size());
    const std::unique_ptr<ArrayDataset> data =
        shape_->with_samples(std::move(s.inputs), std::move(s.targets), {}, {}, std::nullopt);
    Trainer trainer(spec_.trainer, *data, *learner_);
    Batch batch{data.get(), Split::train, record_.epochs_done, steps_taken_++, {}};
    for (int64_t i = 0; i < n; ++i) batch.samples.push_back(i);
    Score score;
    {
      py::gil_scoped_release release;
      trainer.train_batch(batch, score);
      learner_->check_finite(static_cast<int>(record_.epochs_done) + 1);
    }
    py::dict out;
    out["samples"] = n;
    if (learner_->reports_loss_and_rate()) out["train_loss"] = score.mean_loss();
    if (data->loss() == Loss::cross_entropy) out["train_accuracy"] = score.accuracy();
    return out;
  }

  py::dict evaluate(const py::object& x, const py::object& y) {
    Samples s = samples_of(x, y, "x", "y");
    const std::unique_ptr<ArrayDataset> data =
        shape_->with_samples(std::move(s.inputs), std::move(s.targets), {}, {}, std::nullopt);
    Trainer trainer(spec_.trainer, *data, *learner_);
    nlohmann::json result;
    {
      py::gil_scoped_release release;
      trainer.add_test_figures(trainer.evaluate(Split::test), result);
    }
    result["test_samples"] = data->size(Split::test);
    return to_python(result);
  }

  // Every trainable tensor by name: weights (rows = post, cols = pre) and biases (n,), read-only copies.
  py::dict parameters() const {
    py::dict out;
    for (const Parameter& p : learner_->parameters()) out[py::str(p.name)] = value_of(p);
    return out;
  }

  py::array_t<float> parameter(const std::string& name) const { return value_of(find(name)); }

  // Programs a weight matrix into its substrate (on a device: the achieved weights, read them back) or
  // sets a bias. The shape must be the parameter's, all finite.
  void set_parameter(const std::string& name, const py::object& value) {
    Parameter& p = find(name);
    if (p.substrate == nullptr) {
      const py::array a = checked_array(value, name, {1});
      if (a.shape(0) != p.rows) throw py::value_error(name + ": shape (" + std::to_string(a.shape(0)) + ",); expected (" + std::to_string(p.rows) + ",)");
      const Matrix m = rows_of(a.attr("reshape")(p.rows, 1), 0, p.rows, 1);
      std::copy(m.data(), m.data() + p.rows, p.host);
      return;
    }
    const Matrix w = matrix_of(value, name, p.rows, p.cols);
    if (auto* recurrent = dynamic_cast<RecurrentLearner*>(learner_.get())) {
      // Through the network, which keeps W_rec's diagonal at zero (no autapses).
      RecurrentSNN& net = recurrent->network();
      net.set_weights(name == "w_in" ? w : net.input_weights().weights(), name == "w_rec" ? w : net.recurrent_weights().weights(),
                      name == "w_out" ? w : net.readout_weights().weights());
      return;
    }
    p.substrate->set_weights(w);
  }

  // Each device matrix's conductances in microsiemens (1-d, read-only); digital substrates have none.
  py::dict conductances() const {
    py::dict out;
    for (const auto& [name, substrate] : learner_->matrices()) {
      const std::vector<float> g = substrate->conductances_uS();
      if (!g.empty()) out[py::str(name)] = read_only(g);
    }
    return out;
  }

  py::object op_counts() const { return to_python(last_metrics("op_counts")["op_counts"]); }

  py::object energy(const py::object& tables) const {
    const std::string dir = tables.is_none() ? data_file("configs/energy")
                                             : py::str(py::module_::import("os").attr("fspath")(tables)).cast<std::string>();
    return to_python(energy_report(op_counts_of(last_metrics("op_counts"), "Network"), read_cost_tables(dir)));
  }

  // The run record (checkpoint.bin) and config.toml into run_dir; fit() then writes there too.
  void save(const py::object& run_dir) {
    use_directory(py::str(py::module_::import("os").attr("fspath")(run_dir)).cast<std::string>());
    record_.tensors = NamedTensors();
    learner_->save(record_.tensors);
    write_run_record(out_dir_ + "/checkpoint.bin", record_);
  }

  py::list history() const {
    py::list rows;
    for (const EpochRecord& row : record_.history.rows()) {
      py::dict d;
      for (const auto& [name, value] : row) d[py::str(name)] = value;
      rows.append(d);
    }
    return rows;
  }

  int64_t epochs_done() const { return record_.epochs_done; }
  const std::string& config_toml() const { return record_.config_toml; }
  const std::string& algorithm() const { return spec_.algorithm; }
  const std::string& substrate() const { return spec_.substrate.kind; }
  py::object out_dir() const { return out_dir_.empty() ? py::object(py::none()) : py::object(py::str(out_dir_)); }
  std::string repr() const {
    std::string sizes;
    for (const Parameter& p : learner_->parameters())
      if (p.substrate != nullptr) sizes += (sizes.empty() ? "" : ", ") + p.name + " " + std::to_string(p.rows) + "x" + std::to_string(p.cols);
    return "<plasticore.Network " + spec_.algorithm + " on " + spec_.substrate.kind + ": " + sizes + "; " +
           std::to_string(record_.epochs_done) + " epochs trained>";
  }

 private:
  Network() = default;

  void build(ConfigReader& reader) {
    spec_ = read_run_spec(reader);
    if (spec_.dataset != "arrays")
      throw UsageError(reader.source() + ": a run on data.dataset = \"" + spec_.dataset +
                       "\"; Network.load reads runs of plasticore.Network (for this one: plasticore.evaluate, load_run)");
    set_threads(spec_.threads);
    std::unique_ptr<Dataset> shape = spec_.build_dataset(false);
    shape_.reset(static_cast<ArrayDataset*>(shape.release()));  // "arrays" builds an ArrayDataset
    sequences_ = learner_registry().at(spec_.algorithm, "algorithm").sequences;
    learner_ = spec_.learner.build(*shape_, substrate_factory(spec_.substrate));
    check_substrate_matrices(spec_.substrate, *learner_);
    record_.config_toml = spec_.config_toml;
  }

  // The samples of x, y in this network's layout (see the file's comment); ValueError/TypeError otherwise.
  Samples samples_of(const py::handle& x, const py::handle& y, const std::string& xn, const std::string& yn) const {
    const int n_in = shape_->inputs(), n_out = shape_->outputs();
    const bool classes = shape_->loss() == Loss::cross_entropy;
    Samples s;
    if (!sequences_) {
      const py::array a = checked_array(x, xn, {2});
      if (a.shape(1) != n_in) throw py::value_error(xn + ": " + std::to_string(a.shape(1)) + " inputs per sample; the network has " + std::to_string(n_in));
      const Eigen::Index n = a.shape(0);
      Matrix targets;
      if (classes) {
        const std::vector<int32_t> labels = labels_of(y, yn, n_out);
        if (static_cast<Eigen::Index>(labels.size()) != n)
          throw py::value_error(yn + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(n) + " samples");
        targets = Matrix::Zero(n, n_out);
        for (Eigen::Index i = 0; i < n; ++i) targets(i, labels[static_cast<size_t>(i)]) = 1;
      } else {
        targets = matrix_of(y, yn, n, n_out);
      }
      for (Eigen::Index i = 0; i < n; ++i) {
        s.inputs.push_back(rows_of(a, i, i + 1, n_in));
        s.targets.push_back(targets.row(i));
      }
      return s;
    }
    const py::array a = checked_array(x, xn, {2, 3}), b = checked_array(y, yn, {2, 3});
    if (a.ndim() != b.ndim()) throw py::value_error(yn + ": " + std::to_string(b.ndim()) + "-d targets for " + std::to_string(a.ndim()) + "-d inputs");
    const bool one = a.ndim() == 2;
    const Eigen::Index n = one ? 1 : a.shape(0), T = a.shape(one ? 0 : 1);
    if (a.shape(a.ndim() - 1) != n_in)
      throw py::value_error(xn + ": " + std::to_string(a.shape(a.ndim() - 1)) + " inputs per step; the network has " + std::to_string(n_in));
    if ((!one && b.shape(0) != n) || b.shape(one ? 0 : 1) != T || b.shape(b.ndim() - 1) != n_out)
      throw py::value_error(yn + ": expected targets of shape (" + (one ? "" : std::to_string(n) + ", ") +
                            std::to_string(T) + ", " + std::to_string(n_out) + ") for x of shape (" +
                            (one ? "" : std::to_string(n) + ", ") + std::to_string(T) + ", " + std::to_string(n_in) + ")");
    for (Eigen::Index i = 0; i < n; ++i) {
      s.inputs.push_back(rows_of(a, i * T, (i + 1) * T, n_in));
      s.targets.push_back(rows_of(b, i * T, (i + 1) * T, n_out));
    }
    return s;
  }

  Parameter& find(const std::string& name) const {
    std::string names;
    for (Parameter& p : learner_->parameters()) {
      if (p.name == name) return p;
      names += (names.empty() ? "" : ", ") + p.name;
    }
    throw py::key_error("no parameter '" + name + "' (this network has " + names + ")");
  }

  static py::array_t<float> value_of(const Parameter& p) {
    if (p.substrate != nullptr) return read_only(p.substrate->weights());
    return read_only(Matrix(Eigen::Map<const Matrix>(p.host, p.rows, p.cols)), /*as_vector=*/true);
  }

  const nlohmann::json& last_metrics(const char* what) const {
    if (!metrics_.contains(what)) throw RuntimeError(std::string("no ") + what + " yet: they are counted by fit()");
    return metrics_;
  }

  // Where fit() and save() write: a new directory (config.toml now), or the one this network is in already.
  void use_directory(const std::string& dir) {
    if (dir.empty()) throw py::value_error("out: an empty path");
    std::error_code same;
    if (!out_dir_.empty() && fs::equivalent(dir, out_dir_, same)) return;
    if (fs::exists(dir + "/checkpoint.bin") || fs::exists(dir + "/metrics.json"))
      throw UsageError(dir + ": already holds a run (continue it with plasticore.Network.load, or choose another directory)");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw RuntimeError(dir + ": cannot create the run directory: " + ec.message());
    write_file_atomic(dir + "/config.toml", record_.config_toml);
    out_dir_ = dir;
  }

  RunSpec spec_;
  bool sequences_ = false;  // a recurrent learner: x (n, T, n_in); else static samples x (n, n_in)
  std::unique_ptr<ArrayDataset> shape_;
  std::unique_ptr<Learner> learner_;
  RunRecord record_;
  nlohmann::json metrics_;      // of the last fit(): its op counts
  std::string out_dir_;         // where fit() writes ("" : nowhere)
  int64_t steps_taken_ = 0;     // step()'s batch numbers (the rules' random streams)
};

}  // namespace

void bind_network(py::module_& m) {
  py::class_<Network>(m, "Network", R"(A network, its learning rule and its substrate, trained on your NumPy arrays.

Network(config=None, overrides=None, *, inputs, outputs, loss=None, seed=None, threads=None)

config: a dict with the keys of the TOML configs (nested {"network": {"hidden": [100]}} or dotted
{"network.hidden": [100]}), or a TOML file's path; overrides: {key: value} as the CLI's --set.
inputs, outputs: n_in and n_out of the arrays (the config keys data.inputs, data.outputs); loss:
'cross_entropy' ('ce', classes: the default) or 'mse'. Every other default is the config's
(docs/configuration.md). Weights start from the rule's initialisation, drawn from the seed.
See docs/python.md.)")
      .def(py::init<const py::object&, const py::object&, const py::object&, const py::object&, const py::object&,
                    const py::object&, const py::object&>(),
           py::arg("config") = py::none(), py::arg("overrides") = py::none(), py::kw_only(), py::arg("inputs") = py::none(),
           py::arg("outputs") = py::none(), py::arg("loss") = py::none(), py::arg("seed") = py::none(),
           py::arg("threads") = py::none())
      .def_static("load", &Network::load, py::arg("run_dir"),
                  "The network of a run that fit(out=...) or save() wrote, to train on (fit goes on where it stopped) or evaluate.")
      .def("fit", &Network::fit, py::arg("x"), py::arg("y"), py::kw_only(), py::arg("epochs") = py::none(),
           py::arg("test") = py::none(), py::arg("shuffle") = true, py::arg("callbacks") = py::none(),
           py::arg("out") = py::none(), py::arg("progress") = false,
           R"(Train for `epochs` more epochs (default: the config's train.epochs) with the one trainer of the CLI.

x, y: static rules (ep, eqspike): x (n, n_in) float32/float64, y (n,) integer labels (or (n, n_out) under mse);
recurrent rules (eprop, bptt): x (n, T, n_in) or one sequence (T, n_in), y the same layout with n_out.
test: (x_test, y_test) evaluated after every epoch (default: the training arrays). shuffle: a new order
every epoch from the seed. callbacks: a callable or a list, called after every epoch with its figures
(a dict as a metrics.csv row); one returning False ends training after that epoch. out: a run directory
written after every epoch (config.toml, checkpoint.bin, metrics.csv, metrics.json); default: the one the
network was loaded from or saved to, if any. Ctrl-C stops after the batch under way and raises
KeyboardInterrupt; the network (and out's checkpoint) keep the state, and fit() goes on from the next
batch. Returns metrics.json as a dict.)")
      .def("step", &Network::step, py::arg("x"), py::arg("y"),
           "One update from one mini-batch (all the samples given, layout as fit), outside the epoch loop; "
           "returns its training figures.")
      .def("evaluate", &Network::evaluate, py::arg("x"), py::arg("y"),
           "Figures on the given arrays (layout as fit): test_accuracy (classes) or test_nmse, test_loss (recurrent), test_samples.")
      .def("parameters", &Network::parameters,
           "Every trainable tensor by name ('w1', 'b1', ... or 'w_in', 'w_rec', 'w_out'): read-only float32 copies, "
           "weights (post, pre), biases (n,). Change them with set_parameter.")
      .def("parameter", &Network::parameter, py::arg("name"), "One of parameters(), read-only.")
      .def("set_parameter", &Network::set_parameter, py::arg("name"), py::arg("value"),
           "Program a weight matrix into its substrate (on a device, read back what was achieved) or set a bias; "
           "value of the parameter's shape, float32/float64, finite. W_rec's diagonal stays zero.")
      .def("conductances", &Network::conductances,
           "Each device matrix's conductances in microsiemens, 1-d read-only float32 (empty dict on digital substrates).")
      .def("op_counts", &Network::op_counts,
           "Operations per sample of the last fit's last epoch (training) and evaluation (inference), by phase: metrics.json's op_counts.")
      .def("energy", &Network::energy, py::arg("tables") = py::none(),
           "Joules per sample of the last fit on every technology of the cost tables (default: configs/energy), "
           "and the GPU ratios: the report of `plasticore energy --json`.")
      .def("save", &Network::save, py::arg("run_dir"),
           "Write config.toml and the run record checkpoint.bin into run_dir (a new directory, or the network's own).")
      .def_property_readonly("history", &Network::history, "One dict per trained epoch (metrics.csv's rows).")
      .def_property_readonly("epochs_done", &Network::epochs_done)
      .def_property_readonly("config_toml", &Network::config_toml, "The resolved config: every key read, with its value.")
      .def_property_readonly("algorithm", &Network::algorithm)
      .def_property_readonly("substrate", &Network::substrate, "substrate.kind")
      .def_property_readonly("out_dir", &Network::out_dir, "The run directory fit() writes to, or None.")
      .def("__repr__", &Network::repr);
}
