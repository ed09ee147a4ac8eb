// Watches a relaxation step by step: the analyses (analysis/stdp_recorder.hpp, analysis/sample_activity.hpp) and
// the rules that learn at every step (learn/two_factor_rule.hpp), which may take it sample by sample (below).
// Relaxation::run calls begin_phase, then after_step after every step t, then end_phase. After step t
// the state holds the spikes S(t) the step emitted (spikes, events), the new states s(t+1) and the
// change of the learning variable the step caused (delta): exactly what the two-factor rule pairs.
// Training passes no observer: a null-pointer test per step, and the free phase keeps its single
// parallel region. An observer that can take each sample's steps on that sample's thread and sum over the
// batch at end_phase (observes_samples) keeps the single region too: if every observer of a phase can,
// Relaxation::run calls begin_sample_steps(steps, batch) after begin_phase and then after_sample_step for
// every step of every sample (a sample's steps in order, samples concurrently) instead of after_step.
// There, with a sigma-delta input (sent as changes or as spikes), the input's lists of every step are emitted before
// the first (Relaxation::run): after_sample_step sees step t's input lists (events[0], and with changes input_on and
// input_off) but the input's accumulator and spikes (accumulator[0], spikes[0]) and the carried input_drive as they
// are at the phase's end.
#pragma once
#include "core/op_counters.hpp"
#include "learn/relaxation.hpp"

namespace plasticore {

class PhaseObserver {
 public:
  virtual ~PhaseObserver() = default;
  // phase is Phase::free or Phase::nudged; sign is the sign of beta in a nudged phase (+1 / -1), 0 when free.
  virtual void begin_phase(Phase phase, Scalar sign) = 0;
  virtual void after_step(int step, const RelaxationState& state) = 0;
  virtual void end_phase() = 0;
  virtual bool observes_samples() const { return false; }
  virtual void begin_sample_steps(int /*steps*/, int /*batch*/) {}
  virtual void after_sample_step(int /*step*/, int /*sample*/, const RelaxationState& /*state*/) {}
};

}  // namespace plasticore
