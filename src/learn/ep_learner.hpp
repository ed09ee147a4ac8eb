// Equilibrium propagation on a LayeredEPNetwork, rate-based or spiking (EqSpike): a Learner. One
// mini-batch: a free phase of T1 steps from zero states, then one or two nudged phases of T2 steps from
// the free state, then the rule (learn/ep_rule.hpp: end_of_phase or two_factor) has summed its update
// direction dW; the gradient estimate handed to the optimizer is
//   g = -dW / (beta * phases * B)      (phases = 2 for symmetric +-beta nudging, else 1)
// so SGD's change -eta g is the EP update eta dW / (beta phases B) of the paper.
// Op counts (set_counters): relaxation in the free and nudged phases; the rule's products and one
// accumulator update per synapse for applying the batch's update in the update phase; the state a chip
// stores and loads for the scheme and the rule, and the sign of beta sent to the neurons (state_stores,
// state_loads, sign_broadcasts: count_chip_state_traffic).
//
// Parameters (ep.*, network.*)
//   name         unit  default  meaning
//   free_steps   steps 20       T1
//   nudged_steps steps 4        T2
//   beta         -     0.5      nudging strength (> 0)
//   beta_sign    -     random   positive | random (one phase, sign drawn per batch) | alternating (one phase,
//                               sign alternating between batches) | symmetric (+-beta from the free state) |
//                               flip (+beta then -beta from where +beta ended, or the other way round: the
//                               order alternates between batches; the rule learns in both, nothing stored)
//   nudged_start -     saved_free_state   symmetric: the -beta phase from the stored free state, or
//                               fresh_free_phase (the free phase run again: the same state, not stored)
//   rule         -     end_of_phase   end_of_phase | two_factor
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "learn/end_of_phase_rule.hpp"
#include "learn/ep_rule.hpp"
#include "learn/two_factor_rule.hpp"
#include "learn/learner.hpp"

namespace plasticore {

enum class BetaSign { positive, random, alternating, symmetric, flip };
enum class NudgedStart { saved_free_state, fresh_free_phase };

struct EPLearningParams {
  int free_steps = 20;    // T1
  int nudged_steps = 4;   // T2
  Scalar beta = 0.5f;     // nudging strength (> 0)
  BetaSign beta_sign = BetaSign::random;
  // Symmetric nudging: the -beta phase starts from the stored free state, or from a second free phase
  // (nothing stored: the spiking dynamics are deterministic given the initial spike phases).
  NudgedStart nudged_start = NudgedStart::saved_free_state;
  EPRuleChoice rule = end_of_phase_rule();  // learn/ep_rule.hpp
  std::vector<double> learning_rates = {0.1};  // one per weight layer (the last entry repeats), input side first
  std::vector<double> init_scale = {1.0};      // Glorot-uniform multiplier per weight layer (the last repeats)
  OptimizerConfig optimizer{"sgd"};
  int batch_size = 20;  // training batch; evaluation batches are max(batch_size, 100)
};

class EPLearner final : public Learner {
 public:
  EPLearner(std::unique_ptr<LayeredEPNetwork> net, RelaxationParams relax, EPLearningParams learn, uint64_t seed);

  // Glorot-uniform weights times learning().init_scale per layer, zero biases.
  void initialize() override { net_->initialize(seed_, learn_.init_scale); }
  void accumulate(const Batch& batch, Score& score) override;
  // With one nudged phase on one rank and plain SGD, the rule writes the first layer's step into W1 as it forms it
  // (EPRule::update_first_layer_in_place): W1's gradient sum is neither written nor swept. The same numbers.
  void train_batch(const Batch& batch, Score& score) override;
  void evaluate(const Batch& batch, Score& score) override;
  int64_t evaluation_batch_size() const override { return std::max(learn_.batch_size, 100); }
  void set_counters(OpCounters* counters) override;
  void describe(nlohmann::json& metrics) const override;
  bool reports_loss_and_rate() const override { return false; }

  // Analysis hook: the observer sees every training phase step by step (nullptr: off). Not used by predict().
  void set_observer(PhaseObserver* observer) { observer_ = observer; }

  LayeredEPNetwork& network() { return *net_; }
  const LayeredEPNetwork& network() const { return *net_; }
  const RelaxationParams& relaxation() const { return relax_params_; }
  const EPLearningParams& learning() const { return learn_; }
  uint64_t seed() const { return seed_; }
  // How many beta the summed phases span, the update's divisor besides beta: 2 (symmetric), 3 (flip:
  // 0 -> sigma beta, then sigma beta -> -sigma beta, learned with the signs sigma and -sigma), else 1.
  int beta_span() const {
    return learn_.beta_sign == BetaSign::symmetric ? 2 : learn_.beta_sign == BetaSign::flip ? 3 : 1;
  }

 protected:
  void finish_gradients(int64_t samples) override;
  Scalar gradient_scale(int64_t samples) const override;
  // A batch of one (the chip config) runs on one thread: a single sample's relaxation cannot be split, and
  // splitting its rule and update only moved W1's lines between the cores (2 threads: 0.68x).
  bool shares_update(int64_t samples) const override { return samples > 1; }
  void save_network(NamedTensors& out) const override { net_->save(out); }
  void restore_network(const NamedTensors& in) override { net_->restore(in); }

 private:
  void set_phase(Phase phase);
  void gather(const Batch& batch);
  // Free-phase prediction: argmax of the output states after T1 steps.
  void predict(const Matrix& x, const std::vector<int64_t>& ids, std::vector<int32_t>& out);
  int run_phases(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids, uint64_t epoch,
                 uint64_t batch_index);
  // state_stores / state_loads / sign_broadcasts of one batch (ep_learner.cpp says what and why).
  void count_chip_state_traffic(int64_t batch, int64_t phases);

  std::unique_ptr<LayeredEPNetwork> net_;
  Relaxation relax_;
  RelaxationParams relax_params_;
  EPLearningParams learn_;
  uint64_t seed_;
  std::unique_ptr<EPRule> rule_;
  RelaxationState state_, free_state_, phase_start_;
  RelaxationState whole_free_, whole_nudged_;  // several ranks: the whole batch's states, for the rule
  Matrix whole_input_;
  bool split_columns_ = false;  // several ranks: this batch's rule sums are split by columns (EPRule)
  Matrix targets_;
  PhaseObserver* observer_ = nullptr;
  std::vector<PhaseObserver*> observers_;  // of the phase being run (kept: no allocation per batch)
  // The batch gathered from the dataset.
  Matrix x_;
  std::vector<std::pair<Matrix, Vector>> gather_scratch_;  // per part of gather(): a sample's input and target
  std::vector<int32_t> labels_, predicted_;
};

int argmax_column(const Matrix& m, Eigen::Index col);

}  // namespace plasticore

namespace plasticore {
struct LearnerEntry;
LearnerEntry ep_learner_entry();       // rate-based EP
LearnerEntry eqspike_learner_entry();  // the same network with spikes
}  // namespace plasticore
