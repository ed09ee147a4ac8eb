// A recurrent SNN (network/recurrent_snn.hpp) trained on sequences with e-prop (learn/eprop.hpp: online,
// memory independent of T) or BPTT (learn/bptt.hpp: stores the states): a Learner.
//   init     W_in ~ N(0, 1) input_scale / sqrt(n_in), W_rec ~ N(0, 1) recurrent_scale / sqrt(n_rec)
//            (zero diagonal), W_out ~ N(0, 1) readout_scale / sqrt(n_rec), from (seed, "init_w_*")
//   feedback e-prop learning signal B: W_out^T (symmetric), fixed random (random) or Kolen-Pollack
//            (adaptive, learn/adaptive_feedback.hpp); B is in the run record as "feedback"
//   batch    the sequences of a batch run in parallel (OpenMP); their dLoss/dW (task loss + rate
//            regularisation) are summed in index order, so results are bit-identical for any thread
//            count; the update is their mean through the optimizer, W_rec's diagonal kept at zero
//   scores   loss per scored step, accuracy (classification) or NMSE (regression), spikes
//
// Parameters (network.*, train.*)
//   name             unit  default  meaning
//   recurrent        -     100      n_rec
//   adaptive         -     dataset  n_adaptive (ALIF neurons, the first ones)
//   feedback         -     symmetric  symmetric | random | adaptive (e-prop only)
//   feedback_decay   1/update  0.01  adaptive: lambda
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "learn/learner.hpp"
#include "learn/sequence_loss.hpp"

namespace plasticore {

struct RecurrentLearnerParams {
  std::string method = "eprop";  // eprop | bptt
  int recurrent = 100, adaptive = 0;
  RecurrentSNNParams neuron;
  double input_scale = 1.0, recurrent_scale = 0.5, readout_scale = 1.0;
  RateRegularization regularization;
  std::string feedback = "symmetric";  // symmetric | random | adaptive
  double feedback_decay = 0.01;        // adaptive: lambda per update, on W_out and B
  std::vector<double> learning_rates = {3e-3, 3e-3, 3e-3};  // w_in, w_rec, w_out
  OptimizerConfig optimizer;
};

// The initial weights of the header comment (also the Python RecurrentSNN's default).
void initialize_recurrent_weights(RecurrentSNN& net, const RecurrentLearnerParams& params, uint64_t seed);

class RecurrentLearner final : public Learner {
 public:
  RecurrentLearner(std::unique_ptr<RecurrentSNN> net, Loss loss, RecurrentLearnerParams params, uint64_t seed);

  // The weights (and B) from the seed (see the header comment).
  void initialize() override;
  void accumulate(const Batch& batch, Score& score) override;
  void evaluate(const Batch& batch, Score& score) override;
  int64_t evaluation_batch_size() const override { return 256; }
  void set_counters(OpCounters* counters) override;
  void describe(nlohmann::json& metrics) const override;
  bool reports_loss_and_rate() const override { return true; }
  void save(NamedTensors& out) const override;
  void restore(const NamedTensors& in) override;

  RecurrentSNN& network() { return *net_; }
  const RecurrentSNN& network() const { return *net_; }

 protected:
  void finish_gradients(int64_t samples) override;
  void adjust_change(size_t p, Matrix& change) override;
  bool adjusts_change(size_t p) const override { return p == 1 || (p == 2 && params_.feedback == "adaptive"); }
  void save_network(NamedTensors& out) const override { net_->save(out); }
  void restore_network(const NamedTensors& in) override { net_->restore(in); }

 private:
  std::unique_ptr<RecurrentSNN> net_;
  Loss loss_;
  RecurrentLearnerParams params_;
  uint64_t seed_;
  Matrix feedback_;  // B: random and adaptive e-prop
  std::vector<SequenceGradients> gradients_;
  std::vector<Score> scores_;
  Matrix decayed_change_;
};

}  // namespace plasticore

namespace plasticore {
struct LearnerEntry;
LearnerEntry eprop_learner_entry();
LearnerEntry bptt_learner_entry();
}  // namespace plasticore
