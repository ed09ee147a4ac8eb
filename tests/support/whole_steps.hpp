// An observer that needs whole steps (no observes_samples): beside it Relaxation::run steps the whole batch, the
// step-by-step path that the sample-by-sample one is tested against. Counts the steps it saw.
#pragma once
#include "learn/phase_observer.hpp"

namespace plasticore {

class WholeSteps final : public PhaseObserver {
 public:
  void begin_phase(Phase, Scalar) override {}
  void after_step(int, const RelaxationState&) override { ++steps; }
  void end_phase() override {}
  int steps = 0;
};

}  // namespace plasticore
