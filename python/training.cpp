// Training and evaluation from Python: the same runs as `plasticore train` / `plasticore eval`, with
// results as dicts and a run's weights as NumPy arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <filesystem>

#include "arrays.hpp"
#include "config_input.hpp"
#include "core/data_files.hpp"
#include "core/error.hpp"
#include "interrupts.hpp"
#include "results.hpp"
#include "train/run.hpp"
#include "train/run_record.hpp"

namespace py = pybind11;
using namespace plasticore;
using namespace plasticore_python;

namespace {

// A run record's tensors by name: NumPy arrays in C order (shapes as in the record), text as str.
py::dict run_of(const std::string& target) {
  NamedTensors tensors;
  {
    py::gil_scoped_release release;
    tensors = read_record_tensors(record_path(target));
  }
  py::dict out;
  for (const auto& [name, t] : tensors.all()) {
    if (t.dtype == DType::text) {
      out[py::str(name)] = py::str(t.bytes);
      continue;
    }
    std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
    py::array a;
    if (t.dtype == DType::float32) a = py::array_t<float>(shape);
    else if (t.dtype == DType::float64) a = py::array_t<double>(shape);
    else a = py::array_t<int64_t>(shape);
    std::memcpy(a.mutable_data(), t.bytes.data(), t.bytes.size());
    out[py::str(name)] = a;
  }
  return out;
}

// A long run without the GIL (other Python threads go on); Ctrl-C stops it after a checkpoint.
TrainOutcome run(TrainRequest& request) {
  TrainingControl control;
  InterruptPoll interrupts(control);
  request.control = &control;
  try {
    py::gil_scoped_release release;
    return run_training(request);
  } catch (const TrainingInterrupted& e) {
    interrupts.raise_interrupt(e);
  }
}

}  // namespace

void bind_training(py::module_& m) {
  m.def(
      "train",
      [](const std::string& config, const py::object& overrides, const std::string& out, std::optional<int64_t> seed,
         std::optional<int> threads, bool progress) {
        TrainRequest request{config, "", to_overrides(overrides), seed, threads, out, progress};
        TrainOutcome outcome = run(request);
        py::dict result = to_python(outcome.metrics);
        result["out_dir"] = outcome.out_dir;
        return result;
      },
      py::arg("config"), py::arg("overrides") = py::none(), py::arg("out") = "", py::arg("seed") = py::none(),
      py::arg("threads") = py::none(), py::arg("progress") = false,
      "Train from a TOML config (overrides: {key: value}); returns metrics.json as a dict plus 'out_dir'. "
      "Ctrl-C stops after the batch under way, writes a checkpoint and raises KeyboardInterrupt; resume(out_dir) continues.");
  m.def(
      "resume",
      [](const std::string& run_dir, bool progress) {
        TrainRequest request;
        request.resume_dir = run_dir;
        request.progress = progress;
        TrainOutcome outcome = run(request);
        py::dict result = to_python(outcome.metrics);
        result["out_dir"] = outcome.out_dir;
        return result;
      },
      py::arg("run_dir"), py::arg("progress") = false, "Continue a killed run from its last checkpoint.");
  m.def(
      "evaluate",
      [](const std::string& target, const py::object& overrides, std::optional<int> threads) {
        return to_python(run_evaluation({target, to_overrides(overrides), threads, {}}));
      },
      py::arg("target"), py::arg("overrides") = py::none(), py::arg("threads") = py::none(),
      "Test accuracy of a saved model (run directory or checkpoint file).");
  m.def("data_file", &data_file, py::arg("source_path"),
        "Where a data file of the source tree is in this installation, e.g. data_file('configs/energy') "
        "(the energy cost tables) or data_file('scripts/plot_run.py'): beside the installed package, else in the "
        "source tree the module was built from. RuntimeError if neither has it.");
  m.def("load_run", &run_of, py::arg("run_dir"),
        "Every tensor of a run record by name (docs/architecture.md): the network's weights and biases ('w1', 'b1', ... "
        "or 'w_in', 'w_rec', 'w_out'; float32, (post, pre)), 'history/<column>' per epoch, 'optimizer/...', "
        "'substrate/<matrix>/...' (device state), 'feedback' (e-prop's B), 'run/config_toml' (str), "
        "'run/epochs_done', 'run/wall_seconds'.");
}
