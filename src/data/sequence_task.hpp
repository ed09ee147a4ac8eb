// The parameters every sequence task shares (task.*, data.train_limit / data.test_limit), read by the
// task's registry entry (data/registry.hpp): synthetic tasks generate sequence `index` of a split from
// the seed with no files, so a sequence of any length T costs O(1) memory.
//   pattern_generation     data/pattern_generation.hpp     mse, 1 output
//   evidence_accumulation  data/evidence_accumulation.hpp  cross-entropy over the recall window, 2 outputs
//   images as row spikes   data/sequential_images.hpp      MNIST / Fashion-MNIST for recurrent networks
#pragma once
#include <cstdint>

namespace plasticore {

struct SequenceTaskParams {
  int64_t steps = 1000;        // T (task.steps)
  double dt_ms = 1.0;          // one step (task.dt_ms)
  double input_rate_hz = 10.0; // rate of an active input channel (task.input_rate_hz)
  uint64_t seed = 1;
  int64_t train_sequences = 1, test_sequences = 1;  // per epoch / evaluated (data.train_limit, data.test_limit)
  int64_t decision_steps = 28;                      // images: the answer window D (task.decision_steps)
  bool validation = false;  // generated tasks: the evaluation sequences come from a validation stream (data.validation)
};

}  // namespace plasticore
