// Protocol A end to end (docs/stdp.md): one pass of EqSpike training over a set of samples, from the
// config's initial weights and with its learning rates, with an StdpRecorder watching every phase.
#pragma once
#include <cstdint>
#include <string>

#include "analysis/stdp_window.hpp"
#include "data/dataset.hpp"
#include "train/run_config.hpp"

namespace plasticore {

struct StdpTrainingResult {
  StdpWindow window;      // pairings with a spike of the paired neuron, binned by dt
  StdpWindow plus_beta, minus_beta;  // the same split by the sign of the nudge (they add up to window)
  int64_t unpaired = 0;   // pairings whose paired neuron never spiked
  int64_t synapses = 0;   // synapses logged
  int64_t samples = 0;    // training samples seen
};

// UsageError naming `source` unless the config trains with the spike-triggered two-factor rule on
// sigma-delta spikes (the rule whose window is measured).
void require_two_factor_config(const RunConfig& config, const std::string& source);

StdpTrainingResult measure_stdp_in_training(const RunConfig& config, const ClassificationSet& train,
                                            int synapses_per_layer);

}  // namespace plasticore
