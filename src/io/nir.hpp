// NIR, the Neuromorphic Intermediate Representation (Pedersen et al., Nat. Commun. 15:8122, 2024), in the
// HDF5 layout that its reference Python package writes (nir.write) and reads (nir.read): plasticore's
// recurrent LIF/ALIF network (network/recurrent_snn.hpp) as a NIR graph, and such a graph back into that
// network. What maps exactly and what does not: docs/nir.md.
//
// The file (every str a variable-length UTF-8 string, as h5py writes Python str):
//   /version                          str           the NIR version the layout follows
//   /node/type                        str           "NIRGraph"
//   /node/nodes/<name>/type           str           "Input", "Linear", "LIF", "LI", "Output", ...
//   /node/nodes/<name>/<parameter>    float         the node's parameters (below)
//   /node/nodes/<name>/input_type/input, output_type/output   int64 (1,)   neuron nodes: their size
//   /node/nodes/<name>/metadata/...                plasticore's parameters that NIR has no field for
//   /node/edges                       str (E, 2)    (source, target) node names
//   /node/input_type/input, /node/output_type/output   int64 (1,)  n_in, n_out
//   /node/metadata/dt                 float64       the step dt in seconds the parameters are meant for
// The graph:
//   input (Input, shape [n_in]) -> w_in (Linear, weight n_rec x n_in) -> lif (LIF, n_rec neurons)
//   lif -> w_rec (Linear, n_rec x n_rec) -> lif                    (recurrence: z[t-1] -> I[t])
//   lif -> w_out (Linear, n_out x n_rec) -> readout (LI, n_out) -> output (Output, shape [n_out])
// Parameters are NIR's continuous-time ones (tau in s, r, v_leak, v_threshold, v_reset), chosen so that the
// forward-Euler step of NIR's equation tau dv/dt = (v_leak - v) + r I at dt is plasticore's step exactly
// (snnTorch's convention): a decay d per step (alpha = exp(-dt / tau_m), kappa = exp(-dt / tau_out)) is
//   tau = dt / (1 - d),  r = tau / dt,  v_leak = 0   =>   v[t] = d v[t-1] + I[t].
// LIF: v_threshold = v_th and v_reset = 0 (plasticore subtracts v_th after a spike: docs/nir.md).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "network/recurrent_snn.hpp"

namespace plasticore {

// A recurrent network as a NIR file describes it.
struct NirNetwork {
  RecurrentSNNSizes sizes;
  RecurrentSNNParams params;
  Matrix w_in, w_rec, w_out;  // (n_rec, n_in), (n_rec, n_rec) with a zero diagonal, (n_out, n_rec)
};

// Writes `network` to `path` (atomically) and returns one line per thing NIR cannot express that the file
// approximates (ALIF adaptation, the refractory period); the values are kept in the LIF node's metadata,
// where read_nir finds them again. RuntimeError naming the file on failure.
std::vector<std::string> write_nir(const std::string& path, const RecurrentSNN& network);

// Reads a NIR graph of that shape (also Affine with a zero bias for Linear, and CubaLIF with tau_syn = dt
// for LIF, as other tools write them). dt_ms overrides the file's metadata dt (needed when it has none).
// Every dataset's shape is checked against sane limits before it is read; RuntimeError naming the file and
// the node for anything else: another node type, a wrong shape or type, parameters that differ between
// neurons, a non-zero v_leak or v_reset, a graph of another shape.
NirNetwork read_nir(const std::string& path, std::optional<double> dt_ms = std::nullopt);

// An ideal-substrate network with the file's weights (the substrates from `substrates`, ideal by default).
std::unique_ptr<RecurrentSNN> build_network(const NirNetwork& network);

}  // namespace plasticore
