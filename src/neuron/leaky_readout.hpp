// Leaky readout neuron of e-prop (Bellec et al. 2020, Nat. Commun. 11:3625, Methods), no bias:
//   y_k[t] = kappa y_k[t-1] + sum_j W_out[k,j] z_j[t],   kappa = exp(-dt / tau_out)
// The leak has no (1 - kappa) factor on the input: with it, e-prop's filtered eligibility traces would
// need the same factor (NEST's convention); without it, both use the plain filter kappa.
//
// Parameters
//   name        unit  default  meaning
//   tau_out_ms  ms    20       readout time constant
#pragma once
#include <cmath>

#include "core/tensor.hpp"

namespace plasticore {

struct LeakyReadoutParams {
  double tau_out_ms = 20.0;
};

// kappa = exp(-dt / tau_out)
inline Scalar readout_decay(const LeakyReadoutParams& p, double dt_ms) {
  return static_cast<Scalar>(std::exp(-dt_ms / p.tau_out_ms));
}

}  // namespace plasticore
