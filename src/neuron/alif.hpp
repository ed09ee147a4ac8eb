// Adaptive leaky integrate-and-fire neuron (ALIF, the "LSNN" unit of Bellec et al. 2020, Nat. Commun.
// 11:3625, Methods): a LIF neuron (neuron/lif.hpp) whose threshold rises with each of its spikes and
// decays back with tau_a. One step of neuron j, with alpha = exp(-dt / tau_m), rho = exp(-dt / tau_a):
//   a_j[t] = rho a_j[t-1] + z_j[t-1]
//   A_j[t] = v_th + adapt_beta a_j[t]                            (adaptive threshold)
//   v_j[t] = alpha v_j[t-1] + I_j[t] - v_th z_j[t-1]             (the reset uses the fixed v_th)
//   z_j[t] = H(v_j[t] - A_j[t])
//   psi_j[t] = (gamma / v_th) max(0, 1 - |v_j[t] - A_j[t]| / v_th)
// For gradients dz/da = -adapt_beta psi (through A); the path z[t-1] -> a[t] is kept, the reset is not.
// The refractory period and the smooth_sigmoid test mode of LIFParams apply here too.
//
// Parameters (on top of LIFParams, which ALIF neurons share with the LIF neurons of their network)
//   name         unit  default  meaning
//   tau_a_ms     ms    2000     adaptation time constant
//   adapt_beta   -     0.0174   threshold increase per unit of a; the default is 1.7 (1 - rho) / (1 - alpha)
//                               at tau_a = 2000 ms, tau_m = 20 ms, dt = 1 ms (e-prop evidence-accumulation task)
#pragma once
#include <cmath>

#include "neuron/lif.hpp"

namespace plasticore {

struct ALIFParams {
  double tau_a_ms = 2000.0;
  Scalar adapt_beta = 0.0174f;
};

// rho = exp(-dt / tau_a)
inline Scalar adaptation_decay(const ALIFParams& p, double dt_ms) {
  return static_cast<Scalar>(std::exp(-dt_ms / p.tau_a_ms));
}

// One step of n ALIF neurons. On entry z, v, a hold z[t-1], v[t-1], a[t-1] and r the refractory steps
// left; on exit z[t], v[t], a[t], psi[t], r.
inline void alif_step(const LIFParams& lif, const ALIFParams& alif, Scalar alpha, Scalar rho, const Scalar* input,
                      Scalar* v, Scalar* a, Scalar* z, Scalar* psi, Scalar* r, int n) {
  const Scalar reset = reset_step(lif);
  if (lif.spike_function == SpikeFunction::heaviside) {
    const HeavisideSpike emit(lif);
    const Scalar v_th = lif.v_th, adapt_beta = alif.adapt_beta;
#pragma GCC ivdep  // the state arrays are distinct: vectorise without run-time alias checks
    for (int j = 0; j < n; ++j) {
      a[j] = rho * a[j] + z[j];
      v[j] = alpha * v[j] + input[j] - reset * z[j];
      Scalar spike, slope, refractory = r[j];  // locals, as in lif_step
      emit(v[j] - (v_th + adapt_beta * a[j]), spike, slope, refractory);
      z[j] = spike, psi[j] = slope, r[j] = refractory;
    }
    return;
  }
  for (int j = 0; j < n; ++j) {
    a[j] = rho * a[j] + z[j];
    v[j] = alpha * v[j] + input[j] - reset * z[j];
    emit_spike(lif, v[j] - (lif.v_th + alif.adapt_beta * a[j]), z[j], psi[j], r[j]);
  }
}

}  // namespace plasticore
