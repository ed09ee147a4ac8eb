// Synthetic sequence tasks for the recurrent SNN (Bellec et al. 2020, Nat. Commun. 11:3625), generated
// from the seed with no files: a task hands out sequence `index` of a split as a SequenceStream
// (learn/sequence_stream.hpp) whose x[t] and y*[t] are computed on demand, so a sequence of any
// length T costs O(1) memory. Same (seed, split, index): the same sequence, whenever it is asked for.
//   pattern_generation     data/pattern_generation.hpp     mse, 1 output
//   evidence_accumulation  data/evidence_accumulation.hpp  cross-entropy over the recall window, 2 outputs
//   mnist                  data/sequential_mnist.hpp       images row by row as spikes (IDX files), 10 outputs
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "learn/sequence_loss.hpp"
#include "learn/sequence_stream.hpp"

namespace plasticore {

enum class Split { train, test };

struct SequenceTaskConfig {
  std::string name = "pattern_generation";  // pattern_generation | evidence_accumulation | mnist
  int64_t steps = 1000;                     // T
  double dt_ms = 1.0;
  double input_rate_hz = 10.0;              // rate of an active input channel
  uint64_t seed = 1;
  // mnist only: the decision window D, the IDX files and how many images of each split to load
  int64_t decision_steps = 28;
  std::string train_images, train_labels, test_images, test_labels;
  int64_t train_limit = 0, test_limit = 0;
};

class SequenceTask {
 public:
  virtual ~SequenceTask() = default;
  virtual int inputs() const = 0;   // n_in
  virtual int outputs() const = 0;  // n_out
  virtual Loss loss() const = 0;
  virtual Eigen::Index steps() const = 0;
  virtual std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const = 0;
};

// Throws UsageError (naming task.name / task.steps) when the task cannot be built.
std::unique_ptr<SequenceTask> make_sequence_task(const SequenceTaskConfig& config);

// Probability that a Poisson channel of rate_hz spikes in one step of dt_ms.
inline double spike_probability(double rate_hz, double dt_ms) { return rate_hz * dt_ms * 1e-3; }

}  // namespace plasticore
