// Leaky integrate-and-fire neuron in discrete time (Bellec et al. 2020, Nat. Commun. 11:3625, Methods),
// the recurrent unit of e-prop. One step of neuron j, with alpha = exp(-dt / tau_m):
//   v_j[t] = alpha v_j[t-1] + I_j[t] - v_th z_j[t-1]            (subtractive reset)
//   z_j[t] = H(v_j[t] - v_th)                                   (H(u) = 1 if u > 0, else 0)
//   psi_j[t] = (gamma / v_th) max(0, 1 - |v_j[t] - v_th| / v_th)  (pseudo-derivative, stands for dz/dv)
// where I_j[t] = sum_i W_rec[j,i] z_i[t-1] + sum_i W_in[j,i] x_i[t] is the synaptic input. The reset term
// is a constant for gradients (e-prop and BPTT alike).
// Refractory period (Bellec's n_ref): after a spike at step t the neuron cannot spike at steps
// t+1..t+n_ref, and psi = 0 there (its spike does not depend on v): a counter r_j of refractory steps
// left is set to n_ref by a spike and counted down by each refractory step. The membrane keeps
// integrating. It applies to the heaviside spike only (the smooth test mode has no spike events).
//
// For gradient checks only, spike_function = smooth_sigmoid replaces the spike by a differentiable
// one, z = sigmoid(u / s) with u = v - threshold, psi = dz/du = z (1 - z) / s exactly, and turns the
// reset off: the network's loss is then a smooth function of the weights and BPTT must match finite
// differences. It is not a neuron model.
//
// Parameters (v is dimensionless: the same units as the weights times the input)
//   name            unit  default  meaning
//   tau_m_ms        ms    20       membrane time constant
//   v_th            -     0.6      firing threshold; also the reset step and the pseudo-derivative width
//   gamma           -     0.3      pseudo-derivative height times v_th ("dampening factor")
//   spike_function  -     heaviside  heaviside (the model) or smooth_sigmoid (gradient checks)
//   sigmoid_width   -     0.1      s of the smooth_sigmoid spike
//   refractory_steps steps 0       n_ref (0 = none)
#pragma once
#include <algorithm>
#include <cmath>

#include "core/tensor.hpp"

namespace plasticore {

enum class SpikeFunction { heaviside, smooth_sigmoid };

struct LIFParams {
  double tau_m_ms = 20.0;
  Scalar v_th = 0.6f;
  Scalar gamma = 0.3f;
  SpikeFunction spike_function = SpikeFunction::heaviside;
  Scalar sigmoid_width = 0.1f;
  int refractory_steps = 0;
};

// alpha = exp(-dt / tau_m)
inline Scalar membrane_decay(const LIFParams& p, double dt_ms) {
  return static_cast<Scalar>(std::exp(-dt_ms / p.tau_m_ms));
}

// The amount subtracted from v after a spike: v_th, or 0 with the smooth (reset-free) spike.
inline Scalar reset_step(const LIFParams& p) {
  return p.spike_function == SpikeFunction::heaviside ? p.v_th : Scalar{0};
}

// Spike z and pseudo-derivative psi from the distance to threshold u = v - A.
inline void emit_spike(const LIFParams& p, Scalar u, Scalar& z, Scalar& psi) {
  if (p.spike_function == SpikeFunction::heaviside) {
    z = u > Scalar{0} ? Scalar{1} : Scalar{0};
    psi = p.gamma / p.v_th * std::max(Scalar{0}, Scalar{1} - std::abs(u) / p.v_th);
  } else {
    z = Scalar{1} / (Scalar{1} + std::exp(-u / p.sigmoid_width));
    psi = z * (Scalar{1} - z) / p.sigmoid_width;
  }
}

// emit_spike with r for the heaviside spike, the parameters passed by value and no branches, so that a
// loop over neurons vectorises (the same arithmetic: bit-identical).
struct HeavisideSpike {
  Scalar v_th, slope_peak, refractory_steps;  // slope_peak = gamma / v_th
  explicit HeavisideSpike(const LIFParams& p)
      : v_th(p.v_th), slope_peak(p.gamma / p.v_th), refractory_steps(static_cast<Scalar>(p.refractory_steps)) {}
  void operator()(Scalar u, Scalar& z, Scalar& psi, Scalar& r) const {
    const bool refractory = r > 0;
    const Scalar spike = u > Scalar{0} ? Scalar{1} : Scalar{0};
    const Scalar slope = slope_peak * std::max(Scalar{0}, Scalar{1} - std::abs(u) / v_th);
    z = refractory ? Scalar{0} : spike;
    psi = refractory ? Scalar{0} : slope;
    r = refractory ? r - 1 : (spike > 0 ? refractory_steps : r);
  }
};

// Spike z and psi of a neuron with r refractory steps left (updated): refractory, or emit_spike.
inline void emit_spike(const LIFParams& p, Scalar u, Scalar& z, Scalar& psi, Scalar& r) {
  if (r > 0) {
    z = psi = 0;
    r -= 1;
    return;
  }
  emit_spike(p, u, z, psi);
  if (z > 0 && p.spike_function == SpikeFunction::heaviside) r = static_cast<Scalar>(p.refractory_steps);
}

// One step of n LIF neurons. On entry z holds z[t-1], v holds v[t-1], r the refractory steps left;
// on exit z[t], v[t], psi[t], r.
inline void lif_step(const LIFParams& p, Scalar alpha, const Scalar* input, Scalar* v, Scalar* z, Scalar* psi,
                     Scalar* r, int n) {
  const Scalar reset = reset_step(p);
  if (p.spike_function == SpikeFunction::heaviside) {
    const HeavisideSpike emit(p);
    const Scalar v_th = p.v_th;
#pragma GCC ivdep  // the state arrays are distinct: vectorise without run-time alias checks
    for (int j = 0; j < n; ++j) {
      v[j] = alpha * v[j] + input[j] - reset * z[j];
      Scalar spike, slope, refractory = r[j];  // locals: writing through z, psi, r made masked stores
      emit(v[j] - v_th, spike, slope, refractory);  // that the next step's loads stalled on
      z[j] = spike, psi[j] = slope, r[j] = refractory;
    }
    return;
  }
  for (int j = 0; j < n; ++j) {
    v[j] = alpha * v[j] + input[j] - reset * z[j];
    emit_spike(p, v[j] - p.v_th, z[j], psi[j], r[j]);
  }
}

}  // namespace plasticore
