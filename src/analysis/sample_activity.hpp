// One test sample re-run from a run's checkpoint, recorded for the plots of `plasticore plot`
// (scripts/plot_run.py reads the JSON; docs/plots.md):
//   EP / EqSpike  test image 0 through the free phase, as at evaluation: per layer the spikes [step,
//                 neuron] and the states s(t) for t = 0..T1 (row t is the state the spikes of step t
//                 were emitted from), the label and the prediction
//   e-prop / BPTT test sequence 0: input and recurrent spikes [step, neuron], membrane potential and
//                 firing threshold of the most active LIF and ALIF neurons, readout and target per step
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace plasticore {

// RuntimeError naming the file for an unreadable checkpoint or missing test data.
nlohmann::json record_sample_activity(const std::string& checkpoint_path);

}  // namespace plasticore
