// The controlled two-neuron STDP protocol (docs/stdp.md, "two-neuron protocol"), run through the
// training code: a LayeredEPNetwork relaxed by Relaxation, whose
// two-factor sums give the weight change.
//   pre    an input neuron that spikes once, at step t_pre
//   post   an EqSpike state neuron (leak and learning-trace rate from the config, sigma-delta spikes)
//          at rest: s = hat_s = 0 and an empty spike accumulator, so its spike time is controlled
//   drive  a second input neuron that spikes at every step onto the post neuron with weight `drive`
//          from step t_on until the step in which the post neuron spikes (the injected current stops
//          when the cell fires); with drive = leak the post neuron fires exactly once, `latency` steps
//          after t_on, and its state rises before the spike and decays after it
//   W      the pre -> post weight is 0, so the pre spike does not move the post state and the window
//          shows the pairing alone (a weight w would add about trace_rate * leak * w at every dt)
// For each dt in [-max_dt, max_dt], t_on is placed so that the post spike falls at t_pre + dt, and
//   dW(dt) = sum_t S_pre(t) dhat_s_post(t) = dhat_s_post(t_pre),
// the rule's weight change for this one pairing, before the 1/beta normalisation and the learning rate.
#pragma once
#include "analysis/stdp_window.hpp"
#include "core/tensor.hpp"

namespace plasticore {

struct StdpProtocolParams {
  Scalar leak = 0.3f;        // epsilon of the post neuron, per step (ep.leak)
  Scalar trace_rate = 1.0f;  // lambda of its learning trace (ep.trace_rate; 1 = no trace)
  Scalar drive = 0;          // weight of the driving input (state units per step); 0 means leak
  int max_dt = 20;           // steps
  bool trace_of_spikes = false;  // the trace follows the post spikes, not the state (ep.post_trace = "spikes")
};

struct StdpProtocolResult {
  StdpWindow window;  // one pairing per dt
  Scalar drive = 0;   // the drive used
  int latency = 0;    // steps from the drive onset to the post spike
};

// RuntimeError if the drive makes the post neuron fire more than once (the spike time is then ambiguous).
StdpProtocolResult run_stdp_protocol(const StdpProtocolParams& params);

}  // namespace plasticore
