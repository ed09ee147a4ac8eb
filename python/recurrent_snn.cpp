// RecurrentSNN from Python: LIF/ALIF recurrent network with NumPy weights and the e-prop / BPTT
// gradient of one sequence (the API the e-prop issue specifies; shapes as in the NumPy convention:
// x is (T, n_in), y is (T, n_out), w_in (n_rec, n_in), w_rec (n_rec, n_rec), w_out (n_out, n_rec)).
// Weights start as the e-prop learner's (learn/recurrent_learner.hpp, from `seed`), so the network spikes;
// they read as read-only copies and change through assignment of a whole matrix (net.w_in = w).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "arrays.hpp"
#include "core/error.hpp"
#include "learn/bptt.hpp"
#include "learn/eprop.hpp"
#include "learn/recurrent_learner.hpp"
#include "network/recurrent_snn.hpp"
#include "substrate/ideal.hpp"

namespace py = pybind11;
using namespace plasticore;
using namespace plasticore_python;

namespace {

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
      .def(py::init([](const py::object& n_in, const py::object& n_rec, const py::object& n_out, const py::object& n_adaptive,
                       double tau_m, double tau_out, double tau_a, double v_th, double adapt_beta, double gamma, double dt,
                       int refractory_steps, const py::object& seed) {
             RecurrentSNNParams p;
             p.dt_ms = dt;
             p.lif.tau_m_ms = tau_m;
             p.lif.v_th = static_cast<Scalar>(v_th);
             p.lif.gamma = static_cast<Scalar>(gamma);
             p.alif.tau_a_ms = tau_a;
             p.alif.adapt_beta = static_cast<Scalar>(adapt_beta);
             p.readout.tau_out_ms = tau_out;
             p.lif.refractory_steps = refractory_steps;
             const int rec = static_cast<int>(size_argument(n_rec, "n_rec", 1, 1 << 16));
             RecurrentSNN net({static_cast<int>(size_argument(n_in, "n_in", 1, 1 << 24)), rec,
                               static_cast<int>(size_argument(n_adaptive, "n_adaptive", 0, rec)),
                               static_cast<int>(size_argument(n_out, "n_out", 1, 1 << 20))},
                              p, ideal_substrates());
             initialize_recurrent_weights(net, RecurrentLearnerParams{},
                                          static_cast<uint64_t>(size_argument(seed, "seed", 0, std::numeric_limits<int64_t>::max())));
             return net;
           }),
           py::kw_only(), py::arg("n_in"), py::arg("n_rec"), py::arg("n_out"), py::arg("n_adaptive") = 0,
           py::arg("tau_m") = 20.0, py::arg("tau_out") = 20.0, py::arg("tau_a") = 2000.0, py::arg("v_th") = 0.6,
           py::arg("adapt_beta") = 0.0174, py::arg("gamma") = 0.3, py::arg("dt") = 1.0,
           py::arg("refractory_steps") = 0, py::arg("seed") = 1)
      .def_property(
          "w_in", [](const RecurrentSNN& n) { return read_only(n.input_weights().weights()); },
          [](RecurrentSNN& n, const py::object& w) {
            n.set_weights(matrix_of(w, "w_in", n.sizes().recurrent, n.sizes().inputs), n.recurrent_weights().weights(),
                          n.readout_weights().weights());
          },
          "input weights, shape (n_rec, n_in); read-only copy, assign a whole matrix to change them")
      .def_property(
          "w_rec", [](const RecurrentSNN& n) { return read_only(n.recurrent_weights().weights()); },
          [](RecurrentSNN& n, const py::object& w) {
            n.set_weights(n.input_weights().weights(), matrix_of(w, "w_rec", n.sizes().recurrent, n.sizes().recurrent),
                          n.readout_weights().weights());
          },
          "recurrent weights, shape (n_rec, n_rec); the diagonal is ignored (no autapses); read-only copy")
      .def_property(
          "w_out", [](const RecurrentSNN& n) { return read_only(n.readout_weights().weights()); },
          [](RecurrentSNN& n, const py::object& w) {
            n.set_weights(n.input_weights().weights(), n.recurrent_weights().weights(),
                          matrix_of(w, "w_out", n.sizes().outputs, n.sizes().recurrent));
          },
          "readout weights, shape (n_out, n_rec); read-only copy")
      .def(
          "gradients",
          [](const RecurrentSNN& n, const py::object& x, const py::object& y, const std::string& method, const std::string& loss) {
            if (method != "eprop" && method != "bptt")
              throw UsageError("method: unknown method '" + method + "' (expected 'eprop' or 'bptt')");
            const Loss kind = parse_loss(loss);
            const Matrix inputs = matrix_of(x, "x", -1, n.sizes().inputs);
            const Matrix targets = matrix_of(y, "y", inputs.rows(), n.sizes().outputs);
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
           [](const RecurrentSNN& n, const py::object& x) {
             Matrix readout, spikes;
             n.forward(matrix_of(x, "x", -1, n.sizes().inputs), readout, &spikes);
             return py::make_tuple(to_array<double>(readout), to_array<double>(spikes));
           },
           py::arg("x"), "(readout (T, n_out), spikes (T, n_rec)) of one sequence");
}
