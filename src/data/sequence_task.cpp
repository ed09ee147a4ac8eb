#include "data/sequence_task.hpp"

#include "core/error.hpp"
#include "data/evidence_accumulation.hpp"
#include "data/pattern_generation.hpp"
#include "data/sequential_mnist.hpp"

namespace plasticore {

std::unique_ptr<SequenceTask> make_sequence_task(const SequenceTaskConfig& config) {
  if (config.steps < 1) throw UsageError("task.steps: must be at least 1");
  if (config.name == "pattern_generation") return std::make_unique<PatternGeneration>(config);
  if (config.name == "evidence_accumulation") return std::make_unique<EvidenceAccumulation>(config);
  if (config.name == "mnist") return std::make_unique<SequentialMnist>(config);
  throw UsageError("task.name: unknown task '" + config.name + "' (pattern_generation, evidence_accumulation, mnist)");
}

}  // namespace plasticore
