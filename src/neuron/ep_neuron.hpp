// EqSpike / EP state neuron (reconstruction, see docs/eqspike.md).
//
// State s_i in [0, 1], a leaky filtered rate, driven by the spikes S_j of its neighbours:
//   s_i(t+1) = clip((1 - leak) * s_i(t) + leak * (sum_j W_ij S_j(t) + b_i + n_i(t)), 0, 1)
// with the nudge n_i = beta * (y_i - s_i(t)) on output neurons in the nudged phase only.
// With leak = 1 and S = s this is prototypical discrete-time EP, s <- hardsigmoid(W s + b).
//
// Spike generation from the state (the neuron fires at a rate that tracks s_i):
//   rate         S_i = s_i (no spikes: the regression reference)
//   sigma_delta  a_i += s_i; S_i = [a_i >= 1]; a_i -= S_i   (integrate-and-fire, subtractive reset)
//   bernoulli    S_i ~ Bernoulli(s_i)
//
// Parameters: leak (dimensionless, 1/tau in steps, 0 < leak <= 1); threshold of the spike
// accumulator fixed at 1 so the rate equals the state.
#pragma once
#include <algorithm>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace plasticore {

enum class SpikeCoding { rate, sigma_delta, bernoulli };

inline Scalar hard_sigmoid(Scalar u) { return std::clamp(u, Scalar{0}, Scalar{1}); }

// One sigma-delta step: returns the spike (0 or 1) and updates the accumulator.
// Branch-free: spikes are irregular, so a branch here mispredicts about once per spike.
inline Scalar sigma_delta_spike(Scalar state, Scalar& accumulator) {
  accumulator += state;
  const Scalar spike = accumulator >= Scalar{1} ? Scalar{1} : Scalar{0};
  accumulator -= spike;
  return spike;
}

inline Scalar bernoulli_spike(Scalar state, Rng& rng) { return rng.uniform() < state ? Scalar{1} : Scalar{0}; }

}  // namespace plasticore
