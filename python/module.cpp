// The extension module `plasticore._plasticore` (the package python/plasticore/ re-exports it): one file
// per concept, this one only assembles them, sets __version__ (CMake's project VERSION, as
// `plasticore --version`) and maps the library's errors to Python exceptions (usage errors -> ValueError,
// runtime errors -> RuntimeError).
#include <pybind11/pybind11.h>

#include "core/error.hpp"

namespace py = pybind11;

void bind_training(py::module_& m);
void bind_recurrent_snn(py::module_& m);
void bind_nir(py::module_& m);
void bind_network(py::module_& m);

PYBIND11_MODULE(_plasticore, m) {
  m.doc() = "plasticore: spiking networks trained with local learning rules on models of neuromorphic hardware";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const plasticore::UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const plasticore::RuntimeError& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
  m.attr("__version__") = PLASTICORE_VERSION;
  bind_training(m);
  bind_recurrent_snn(m);
  bind_nir(m);  // after bind_recurrent_snn: from_nir returns a RecurrentSNN
  bind_network(m);
}
