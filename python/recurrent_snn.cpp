// RecurrentSNN from Python: LIF/ALIF recurrent network with NumPy weights and the e-prop / BPTT
// gradient of one sequence (the API the e-prop issue specifies; shapes as in the NumPy convention:
// x is (T, n_in), y is (T, n_out), w_in (n_rec, n_in), w_rec (n_rec, n_rec), w_out (n_out, n_rec)).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "arrays.hpp"
#include "core/error.hpp"
#include "learn/bptt.hpp"
#include "learn/eprop.hpp"
#include "network/recurrent_snn.hpp"
#include "substrate/ideal.hpp"

namespace py = pybind11;
using namespace plasticore;

namespace {

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

Matrix to_matrix(const Array& a, const char* name, Eigen::Index rows, Eigen::Index cols) {
  if (a.ndim() != 2 || (rows >= 0 && a.shape(0) != rows) || a.shape(1) != cols)
    throw UsageError(std::string(name) + ": expected shape (" + (rows >= 0 ? std::to_string(rows) : std::string("T")) +
                     ", " + std::to_string(cols) + ")");
  const auto v = a.unchecked<2>();
  Matrix m(a.shape(0), a.shape(1));
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    for (py::ssize_t j = 0; j < a.shape(1); ++j) m(i, j) = static_cast<Scalar>(v(i, j));
  if (!m.allFinite()) throw UsageError(std::string(name) + ": contains NaN or infinity");
  return m;
}

// "ce" and "cross_entropy" are the same loss (the library's and the config's name).
Loss parse_loss(const std::string& loss) {
  if (loss == "mse") return Loss::mse;
  if (loss == "ce" || loss == "cross_entropy") return Loss::cross_entropy;
  throw UsageError("loss: unknown loss '" + loss + "' (expected 'mse', 'ce' or 'cross_entropy')");
}

}  // namespace

void bind_recurrent_snn(py::module_& m) {
  py::class_<RecurrentSNN>(m, "RecurrentSNN",
                           "Recurrent spiking network: neurons 0..n_adaptive-1 are ALIF, the rest LIF; leaky readout.")
      .def(py::init([](int n_in, int n_rec, int n_out, int n_adaptive, double tau_m, double tau_out, double tau_a,
                       double v_th, double adapt_beta, double gamma, double dt, int refractory_steps) {
             RecurrentSNNParams p;
             p.dt_ms = dt;
             p.lif.tau_m_ms = tau_m;
             p.lif.v_th = static_cast<Scalar>(v_th);
             p.lif.gamma = static_cast<Scalar>(gamma);
             p.alif.tau_a_ms = tau_a;
             p.alif.adapt_beta = static_cast<Scalar>(adapt_beta);
             p.readout.tau_out_ms = tau_out;
             p.lif.refractory_steps = refractory_steps;
             return RecurrentSNN({n_in, n_rec, n_adaptive, n_out}, p, ideal_substrates());
           }),
           py::kw_only(), py::arg("n_in"), py::arg("n_rec"), py::arg("n_out"), py::arg("n_adaptive") = 0,
           py::arg("tau_m") = 20.0, py::arg("tau_out") = 20.0, py::arg("tau_a") = 2000.0, py::arg("v_th") = 0.6,
           py::arg("adapt_beta") = 0.0174, py::arg("gamma") = 0.3, py::arg("dt") = 1.0,
           py::arg("refractory_steps") = 0)
      .def_property(
          "w_in", [](const RecurrentSNN& n) { return to_array<double>(n.input_weights().weights()); },
          [](RecurrentSNN& n, const Array& w) {
            n.set_weights(to_matrix(w, "w_in", n.sizes().recurrent, n.sizes().inputs), n.recurrent_weights().weights(),
                          n.readout_weights().weights());
          },
          "input weights, shape (n_rec, n_in)")
      .def_property(
          "w_rec", [](const RecurrentSNN& n) { return to_array<double>(n.recurrent_weights().weights()); },
          [](RecurrentSNN& n, const Array& w) {
            n.set_weights(n.input_weights().weights(), to_matrix(w, "w_rec", n.sizes().recurrent, n.sizes().recurrent),
                          n.readout_weights().weights());
          },
          "recurrent weights, shape (n_rec, n_rec); the diagonal is ignored (no autapses)")
      .def_property(
          "w_out", [](const RecurrentSNN& n) { return to_array<double>(n.readout_weights().weights()); },
          [](RecurrentSNN& n, const Array& w) {
            n.set_weights(n.input_weights().weights(), n.recurrent_weights().weights(),
                          to_matrix(w, "w_out", n.sizes().outputs, n.sizes().recurrent));
          },
          "readout weights, shape (n_out, n_rec)")
      .def(
          "gradients",
          [](const RecurrentSNN& n, const Array& x, const Array& y, const std::string& method, const std::string& loss) {
            if (method != "eprop" && method != "bptt")
              throw UsageError("method: unknown method '" + method + "' (expected 'eprop' or 'bptt')");
            const Loss kind = parse_loss(loss);
            const Matrix inputs = to_matrix(x, "x", -1, n.sizes().inputs);
            const Matrix targets = to_matrix(y, "y", inputs.rows(), n.sizes().outputs);
            SequenceGradients g;
            {
              py::gil_scoped_release release;
              g = method == "eprop" ? eprop_gradients(n, inputs, targets, kind) : bptt_gradients(n, inputs, targets, kind);
            }
            py::dict grads;
            grads["w_in"] = to_array<double>(g.input);
            grads["w_rec"] = to_array<double>(g.recurrent);
            grads["w_out"] = to_array<double>(g.readout);
            return py::make_tuple(g.loss, grads);
          },
          py::arg("x"), py::arg("y"), py::arg("method") = "eprop", py::arg("loss") = "mse",
          "(loss, {'w_in', 'w_rec', 'w_out'}) = dLoss/dW of one sequence; method 'eprop' (online, symmetric "
          "feedback) or 'bptt'; loss 'mse' (1/2 sum (y - y*)^2) or 'ce' = 'cross_entropy' (-sum y* log softmax(y)) "
          "over all T steps")
      .def("forward",
           [](const RecurrentSNN& n, const Array& x) {
             Matrix readout, spikes;
             n.forward(to_matrix(x, "x", -1, n.sizes().inputs), readout, &spikes);
             return py::make_tuple(to_array<double>(readout), to_array<double>(spikes));
           },
           py::arg("x"), "(readout (T, n_out), spikes (T, n_rec)) of one sequence");
}
