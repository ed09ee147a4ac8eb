#include "data/registry.hpp"

#include <limits>

#include "data/array_dataset.hpp"
#include "data/evidence_accumulation.hpp"
#include "data/heidelberg.hpp"
#include "data/image_dataset.hpp"
#include "data/nmnist.hpp"
#include "data/pattern_generation.hpp"

namespace plasticore {

const Registry<DatasetEntry>& dataset_registry() {
  static const Registry<DatasetEntry> registry = {
      {"mnist", mnist_entry()},
      {"fashion_mnist", fashion_mnist_entry()},
      {"pattern_generation", pattern_generation_entry()},
      {"evidence_accumulation", evidence_accumulation_entry()},
      {"nmnist", nmnist_entry()},
      {"shd", shd_entry()},
      {"ssc", ssc_entry()},
      {"arrays", array_dataset_entry()},
  };
  return registry;
}

SequenceTaskParams read_sequence_task(ConfigReader& r, const DatasetContext& context, const SequenceTaskParams& d,
                                      int64_t minimum_limit) {
  constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
  SequenceTaskParams p = d;
  p.seed = context.seed;
  p.steps = r.get_int("task.steps", d.steps, 1, 1000000, "sequence length T in steps (at most 10^6: 1000 s at 1 ms)");
  p.dt_ms = r.get_double("task.dt_ms", d.dt_ms, 0.0, 1000.0, "one time step, in ms (of the task and the network)", true);
  p.input_rate_hz = r.get_double("task.input_rate_hz", d.input_rate_hz, 0.0, 1000.0, "rate of an active input channel");
  const char* what = minimum_limit == 0 ? "images per epoch (0 = all)" : "sequences per epoch";
  p.train_sequences = r.get_int("data.train_limit", d.train_sequences, minimum_limit, kMaxInt, what);
  p.test_sequences = r.get_int("data.test_limit", d.test_sequences, minimum_limit, kMaxInt,
                               minimum_limit == 0 ? "test images evaluated (0 = all)" : "test sequences evaluated");
  return p;
}

}  // namespace plasticore
