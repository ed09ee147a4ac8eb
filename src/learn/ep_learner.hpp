// Equilibrium propagation on a LayeredEPNetwork, rate-based or spiking (EqSpike). One mini-batch:
// a free phase of T1 steps from zero states, then one or two nudged phases of T2 steps from the free
// state, then one weight update per layer sent to the substrate. Rules (docs/eqspike.md):
//   end_of_phase  dW = (1/beta) (s^beta_post s^beta_pre^T - s^0_post s^0_pre^T)        (standard EP)
//   two_factor    dW = (1/beta) sum_t [S_pre(t) ds_post(t) + S_post(t) ds_pre(t)]      (EqSpike)
//                      - self_correction * leak * W . (C_pre + C_post) / beta
// with C the spike self-correlation counts sum_t S (S - s); applied once at the end of the batch.
// Op counts (set_counters): relaxation in the free and nudged phases; the rule's products and one
// accumulator update per synapse for applying the batch's update in the update phase.
#pragma once
#include <cstdint>
#include <vector>

#include "learn/relaxation.hpp"

namespace plasticore {

enum class BetaSign { positive, random, symmetric };
enum class EPRule { end_of_phase, two_factor };

struct EPLearningParams {
  int free_steps = 20;    // T1
  int nudged_steps = 4;   // T2
  Scalar beta = 0.5f;     // nudging strength (> 0)
  BetaSign beta_sign = BetaSign::random;
  EPRule rule = EPRule::end_of_phase;
  std::vector<double> learning_rates;  // one per weight layer, input side first
  double self_correction = 1.0;        // two_factor only: 1 removes the spike self-correlation bias
};

class EPLearner {
 public:
  EPLearner(LayeredEPNetwork& net, RelaxationParams relax, EPLearningParams learn, uint64_t seed);

  // Counts the operations of everything that follows into `counters` (nullptr: stop counting),
  // the network's substrates included.
  void set_counters(OpCounters* counters);

  // Trains on one mini-batch (x: pixels x B); returns how many free-phase predictions were right.
  int train_batch(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids, uint64_t epoch,
                  uint64_t batch_index, double lr_scale);
  // Free-phase prediction: argmax of the output states after T1 steps.
  void predict(const Matrix& x, const std::vector<int64_t>& ids, std::vector<int32_t>& out);

  // The per-layer update of the last batch, before the learning rate (for tests and analysis).
  const std::vector<Matrix>& last_weight_gradient() const { return last_dw_; }
  const std::vector<Vector>& last_bias_gradient() const { return last_db_; }
  // Analysis hook: the observer sees every training phase step by step (nullptr: off). Not used by predict().
  void set_observer(PhaseObserver* observer) { observer_ = observer; }
  // Computes the EP update of one batch without applying it (dW/beta, averaged over the batch).
  void estimate_update(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids,
                       uint64_t epoch, uint64_t batch_index);


 private:
  void set_phase(Phase phase);
  int run_phases(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids, uint64_t epoch,
                 uint64_t batch_index);

  LayeredEPNetwork& net_;
  Relaxation relax_;
  EPLearningParams learn_;
  RelaxationParams relax_params_;
  uint64_t seed_;
  OpCounters* counters_ = nullptr;
  RelaxationState state_, free_state_;
  TwoFactorSums sums_;
  Matrix targets_;
  std::vector<Matrix> last_dw_;
  std::vector<Vector> last_db_;
  Matrix scaled_update_, phase_delta_;
  PhaseObserver* observer_ = nullptr;
};

int argmax_column(const Matrix& m, Eigen::Index col);

}  // namespace plasticore
