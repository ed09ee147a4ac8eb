// Training and evaluation from Python: the same runs as `plasticore train` / `plasticore eval`, with
// results as dicts and a run's weights as NumPy arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>

#include "arrays.hpp"
#include "core/error.hpp"
#include "train/checkpoint.hpp"
#include "train/run.hpp"
#include "train/sequence_checkpoint.hpp"

namespace py = pybind11;
using namespace plasticore;

namespace {

py::object to_python(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

std::vector<std::string> to_overrides(const py::object& overrides) {
  std::vector<std::string> out;
  if (overrides.is_none()) return out;
  if (!py::isinstance<py::dict>(overrides)) throw UsageError("overrides must be a dict {key: value}");
  for (const auto& [key, value] : overrides.cast<py::dict>()) {
    // Values are written as TOML literals: strings quoted, lists and numbers via their repr.
    std::string text;
    if (py::isinstance<py::str>(value)) text = py::str(value).cast<std::string>();
    else if (py::isinstance<py::bool_>(value)) text = value.cast<bool>() ? "true" : "false";
    else text = py::repr(value).cast<std::string>();
    out.push_back(py::str(key).cast<std::string>() + "=" + text);
  }
  return out;
}

py::dict weights_of(const std::string& target) {
  const std::string path = std::filesystem::is_directory(target) ? target + "/checkpoint.bin" : target;
  if (!std::filesystem::exists(path)) throw UsageError(target + ": no checkpoint found");
  py::dict out;
  if (is_sequence_checkpoint(path)) {  // recurrent SNN: the names of RecurrentSNN's properties
    const SequenceCheckpoint ck = read_sequence_checkpoint(path);
    const char* names[] = {"w_in", "w_rec", "w_out", "feedback"};  // feedback: B of adaptive e-prop
    for (size_t l = 0; l < ck.weights.size() && l < 4; ++l) out[names[l]] = to_array<float>(ck.weights[l]);
    return out;
  }
  const Checkpoint ck = read_checkpoint(path);
  for (size_t l = 0; l < ck.weights.size(); ++l) {
    py::array_t<float> b(ck.biases[l].size());
    std::copy(ck.biases[l].data(), ck.biases[l].data() + ck.biases[l].size(), b.mutable_data());
    out[py::str("W" + std::to_string(l + 1))] = to_array<float>(ck.weights[l]);
    out[py::str("b" + std::to_string(l + 1))] = b;
  }
  return out;
}

}  // namespace

void bind_training(py::module_& m) {
  m.def(
      "train",
      [](const std::string& config, const py::object& overrides, const std::string& out, std::optional<int64_t> seed,
         std::optional<int> threads, bool progress) {
        TrainRequest request{config, "", to_overrides(overrides), seed, threads, out, progress};
        TrainOutcome outcome;
        {
          py::gil_scoped_release release;  // long run: let other Python threads go on
          outcome = run_training(request);
        }
        py::dict result = to_python(outcome.metrics);
        result["out_dir"] = outcome.out_dir;
        return result;
      },
      py::arg("config"), py::arg("overrides") = py::none(), py::arg("out") = "", py::arg("seed") = py::none(),
      py::arg("threads") = py::none(), py::arg("progress") = false,
      "Train from a TOML config (overrides: {key: value}); returns metrics.json as a dict plus 'out_dir'.");
  m.def(
      "resume",
      [](const std::string& run_dir, bool progress) {
        TrainRequest request;
        request.resume_dir = run_dir;
        request.progress = progress;
        TrainOutcome outcome;
        {
          py::gil_scoped_release release;
          outcome = run_training(request);
        }
        py::dict result = to_python(outcome.metrics);
        result["out_dir"] = outcome.out_dir;
        return result;
      },
      py::arg("run_dir"), py::arg("progress") = false, "Continue a killed run from its last checkpoint.");
  m.def(
      "evaluate",
      [](const std::string& target, const py::object& overrides, std::optional<int> threads) {
        return to_python(run_evaluation(target, to_overrides(overrides), threads));
      },
      py::arg("target"), py::arg("overrides") = py::none(), py::arg("threads") = py::none(),
      "Test accuracy of a saved model (run directory or checkpoint file).");
  m.def("load_weights", &weights_of, py::arg("target"),
        "A run's weights: EP runs {'W1': (post, pre) float32, 'b1': ..., ...} input side first; e-prop/BPTT runs "
        "{'w_in', 'w_rec', 'w_out'}.");
}
