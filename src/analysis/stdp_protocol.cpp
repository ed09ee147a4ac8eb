#include "analysis/stdp_protocol.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "learn/two_factor_rule.hpp"
#include "substrate/ideal.hpp"

namespace plasticore {

namespace {

constexpr Eigen::Index kPre = 0, kDriver = 1;  // the two input neurons; the post neuron is the only output

struct Pairing {
  double dw = 0;
  int post_spikes = 0;
  int post_spike_step = -1;
};

// Runs the network for `steps` steps with the drive starting at drive_on and one pre spike at pre_step
// (none if negative).
Pairing run_pairing(const LayeredEPNetwork& net, const Relaxation& relax, int pre_step, int drive_on, int steps) {
  RelaxationState st;
  relax.start(st, Matrix::Zero(2, 1), 0, "stdp_protocol", 0, {0});
  for (auto& accumulator : st.accumulator) accumulator.setZero();  // at rest: no random spike phase
  st.quiet_input.clear();  // the input below changes from step to step: no vector of it is always quiet
  Matrix dw = Matrix::Zero(1, 2), db = Matrix::Zero(1, 1);
  TwoFactorRule rule(net, relax.params(), {{&dw}, {&db}, {}}, 0);
  rule.begin_batch();
  PhaseObserver* observers[] = {&rule};
  Pairing p;
  for (int t = 0; t < steps; ++t) {
    // Will the post neuron fire in this step? Asked of its own generator, on a copy of its accumulator.
    Scalar accumulator = st.accumulator[1](0, 0);
    const bool post_fires = sigma_delta_spike(st.state[1](0, 0), accumulator) != 0;
    const bool driving = t >= drive_on && p.post_spikes == 0 && !post_fires;
    st.state[0](kDriver, 0) = driving ? 1 : 0;          // an input at state 1 spikes at every step
    if (t == pre_step) st.accumulator[0](kPre, 0) = 1;  // makes the pre neuron's generator fire now
    relax.run(st, 1, nullptr, 0, 1, observers);
    if (st.spikes[1](0, 0) != 0 && p.post_spikes++ == 0) p.post_spike_step = t;
  }
  p.dw = dw(0, kPre);
  return p;
}

}  // namespace

StdpProtocolResult run_stdp_protocol(const StdpProtocolParams& params) {
  StdpProtocolResult result;
  result.drive = params.drive > 0 ? params.drive : params.leak;
  LayeredEPNetwork net({2, 1}, ideal_substrates());
  Matrix w(1, 2);
  w << 0, result.drive;
  net.weight(0).set_weights(w);
  const Relaxation relax(net, RelaxationParams{SpikeCoding::sigma_delta, params.leak, params.trace_rate, params.trace_of_spikes});

  // The drive alone, long enough for the post state to decay to nothing: when it fires, and how often.
  const int horizon = 100 + static_cast<int>(std::ceil(50 / params.leak));
  const Pairing alone = run_pairing(net, relax, -1, 0, horizon);
  if (alone.post_spikes != 1)
    throw RuntimeError("stdp protocol: with leak " + std::to_string(params.leak) + " and drive " +
                       std::to_string(result.drive) + " the post neuron fires " + std::to_string(alone.post_spikes) +
                       " times, not once");
  result.latency = alone.post_spike_step;

  const int t_pre = result.latency + params.max_dt;  // room for the drive of the earliest post spike
  for (int dt = -params.max_dt; dt <= params.max_dt; ++dt) {
    const int drive_on = t_pre + dt - result.latency;
    result.window.add(dt, run_pairing(net, relax, t_pre, drive_on, t_pre + 1).dw);
  }
  return result;
}

}  // namespace plasticore
