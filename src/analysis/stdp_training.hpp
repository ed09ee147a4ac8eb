// The training protocol of docs/stdp.md end to end: one pass of EqSpike training over the first samples
// of a dataset, from the config's initial weights and with its learning rates, with an StdpRecorder
// watching every phase.
#pragma once
#include <cstdint>
#include <string>

#include "analysis/stdp_window.hpp"
#include "learn/ep_learner.hpp"

namespace plasticore {

struct StdpTrainingResult {
  StdpWindow window;      // pairings with a spike of the paired neuron, binned by dt
  StdpWindow plus_beta, minus_beta;  // the same split by the sign of the nudge (they add up to window)
  int64_t unpaired = 0;   // pairings whose paired neuron never spiked
  int64_t synapses = 0;   // synapses logged
  int64_t samples = 0;    // training samples seen
};

// The learner of an EqSpike config trained with the spike-triggered two-factor rule on sigma-delta
// spikes (the rule whose window is measured); UsageError naming `source` otherwise.
EPLearner& require_two_factor_learner(Learner& learner, const std::string& algorithm, const std::string& source);

// Trains one pass over the first `samples` of the dataset's training split in order (no shuffle), in the
// learner's batches, with SGD (the recorder logs SGD updates).
StdpTrainingResult measure_stdp_in_training(EPLearner& learner, const Dataset& dataset, int64_t samples,
                                            int synapses_per_layer, uint64_t seed, double seconds_per_update);

}  // namespace plasticore
