// A learning rule of equilibrium propagation (learn/ep_learner.hpp runs the phases; the rule turns them
// into an update). For one mini-batch the rule adds its unnormalised update direction into the
// learner's sums, one weight matrix and one bias per layer:
//   dW_l += the rule's sum over the batch (and over the +-beta phases, signed)
// and the learner makes the batch's gradient estimate of it, -dW_l / (beta phases B). Rules by name
// (`ep.rule`), each in its own file:
//   end_of_phase  learn/end_of_phase_rule.hpp  standard EP, from the states at the end of the phases
//   two_factor    learn/two_factor_rule.hpp    EqSpike: presynaptic spike x postsynaptic change, every step
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/registry.hpp"
#include "learn/gradient_columns.hpp"
#include "learn/phase_observer.hpp"
#include "learn/relaxation.hpp"

namespace plasticore {

// Where a rule adds its sums: weight_sums[l] (n_l+1 x n_l), bias_sums[l] (n_l+1 x 1), zero at a batch's start,
// and per weight sum the record of its written columns, which a rule that writes few columns may track and mark.
struct EPRuleSums {
  std::vector<Matrix*> weights, biases;
  std::vector<GradientColumns*> columns;
};

class EPRule {
 public:
  virtual ~EPRule() = default;
  virtual void set_counters(OpCounters* counters) = 0;
  // Before the nudged phases of a batch.
  virtual void begin_batch() {}
  // Called after begin_batch: true if the batch's two nudged phases have opposite signs and see the same input
  // spikes step for step (symmetric nudging from the saved free state), so a rule may sum them as one.
  virtual void pair_phases(bool) {}
  // A rule that learns at every step watches the nudged phases, step by step or sample by sample
  // (learn/phase_observer.hpp; nullptr: none).
  virtual PhaseObserver* nudged_observer() { return nullptr; }
  // After each nudged phase, with its sign, from the nudged and the free states.
  virtual void end_nudged_phase(const RelaxationState& nudged, const RelaxationState& free, Scalar sign) = 0;
  // Whether end_nudged_phase reads the reference (free) state: a chip must then keep the free state of
  // every non-input neuron until the update (counted as state_stores / state_loads by the learner). If not, the
  // learner may hand end_nudged_phase another state as `free` (the last phase starts from the saved one itself).
  virtual bool reads_reference_state() const { return false; }
  // After the last nudged phase: terms that need the whole batch (in the update phase of the counters).
  virtual void finish_batch() {}
  // A tile of the work: a rule that can add only columns [begin, end) of each weight sum (the synapses
  // of those presynaptic neurons, leaving the others alone), with every element summed exactly as with all
  // columns, says so. Data-parallel ranks then split the columns of its per-step sums instead of each
  // doing all of them (docs/scaling.md).
  // `batch` is the global batch (the same on every rank): whether splitting pays can depend on it.
  virtual bool sums_column_blocks(int64_t /*batch*/) const { return false; }
  // Plain SGD of the first layer applied by the rule itself: for the next batch, instead of adding its first-layer
  // sum, the rule adds step * (scale * that sum) to `weights` with the roundings of the sum and the update's sweep
  // (Substrate::sgd_in_place). The learner asks only for a batch of one nudged phase on one rank; a rule that can,
  // takes it and returns true. Cleared with weights = nullptr.
  struct InPlaceSgd {
    Matrix* weights = nullptr;
    Scalar scale = 0, step = 0;
  };
  virtual bool update_first_layer_in_place(const InPlaceSgd&) { return false; }
  struct ColumnBlock {
    Eigen::Index begin = 0, end = 0;
  };
  virtual void set_column_blocks(std::vector<ColumnBlock>) {}
};

// Builds a rule for a network (its parameters captured when the rule's keys were read).
using EPRuleBuilder =
    std::function<std::unique_ptr<EPRule>(const LayeredEPNetwork& net, const RelaxationParams& relax, EPRuleSums sums)>;

// A rule by name with its builder: what EPLearningParams holds. Each rule's header has a function that
// makes one from its parameters (end_of_phase_rule(), two_factor_rule(self_correction)).
struct EPRuleChoice {
  std::string name;
  EPRuleBuilder build;
};

struct EPRuleEntry {
  std::string description;
  // Reads the rule's own keys (ep.*; the learning trace's rate into relax) and returns the rule.
  EPRuleChoice (*read)(ConfigReader& reader, RelaxationParams& relax);
};

const Registry<EPRuleEntry>& ep_rule_registry();

}  // namespace plasticore
