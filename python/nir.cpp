// NIR from Python (io/nir.hpp, docs/nir.md): plasticore.to_nir writes a saved e-prop / BPTT run's network as
// a NIR graph; plasticore.from_nir reads such a graph back into a RecurrentSNN (ideal substrate).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "io/nir.hpp"
#include "train/saved_network.hpp"

namespace py = pybind11;
using namespace plasticore;

void bind_nir(py::module_& m) {
  m.def(
      "to_nir",
      [](const std::string& run_dir, const std::string& file) {
        py::gil_scoped_release release;
        return write_nir(file, *saved_recurrent_network(run_dir));
      },
      py::arg("run_dir"), py::arg("file"),
      "Write the recurrent network of a saved e-prop / BPTT run (directory or checkpoint) to `file` as a NIR "
      "graph (HDF5); returns one line per thing NIR cannot express that the file approximates (docs/nir.md).");
  m.def(
      "from_nir",
      [](const std::string& file, std::optional<double> dt) {
        NirNetwork network;
        {
          py::gil_scoped_release release;
          network = read_nir(file, dt);
        }
        return build_network(network);
      },
      py::arg("file"), py::arg("dt") = py::none(),
      "Read a NIR graph (Input -> Linear -> LIF (+ Linear recurrence) -> Linear -> LI -> Output) into a "
      "RecurrentSNN; dt (ms) overrides the file's metadata dt, and is needed when it has none.");
}
