// The learner seam (docs/architecture.md, "learner x trainer"). Every learning rule (rate EP, EqSpike's rules,
// e-prop with each feedback, BPTT) is a Learner: given a batch it runs its network, estimates the
// gradient of every parameter and, through the one optimizer layer, hands each matrix's update to that
// matrix's substrate. It owns its network and its state (feedback matrices, optimizer moments) and saves
// and restores them by name. The one trainer (train/trainer.hpp) drives every learner the same way:
//   accumulate(batch)   run the network on the batch, add its gradient estimates to the parameters'
//                       sums (and score it); may be called on slices of one batch before an update
//   apply_update(n)     the mean over the n samples -> optimizer -> substrate writes; sums back to zero
//   train_batch(batch)  accumulate and apply_update of one whole batch (what the trainer calls; a learner may
//                       write part of the update while it accumulates, where that gives the same numbers)
//   advance(seconds)    wall-clock time passes on every matrix's substrate
//   evaluate(batch)     forward only, scored
// Data parallelism (docs/scaling.md): with a communicator of several ranks each rank runs its slice of
// every batch, and the learner combines the slices in the serial order (learn/batch_exchange.hpp) so that
// every rank ends the batch with the same sums and scores as one process, and applies the same update.
// Work every rank repeats (the combined rule, the substrate writes) is counted on rank 0 only.
// Learners are found by name (`algorithm`) in learn/registry.hpp.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/communicator.hpp"
#include "core/named_tensors.hpp"
#include "core/op_counters.hpp"
#include "data/dataset.hpp"
#include "learn/gradient_columns.hpp"
#include "learn/optimizer.hpp"
#include "learn/score.hpp"
#include "substrate/substrate.hpp"

namespace plasticore {

// Samples of one split of a dataset, trained on (or evaluated) together.
struct Batch {
  const Dataset* dataset = nullptr;
  Split split = Split::train;
  int64_t epoch = 0, index = 0;  // the epoch and the batch's number in it (the rules' random streams)
  std::vector<int64_t> samples;  // sample indices of `split`
};

// A trainable tensor: held by a substrate (weight matrices) or on the host (biases, rows x cols).
struct Parameter {
  std::string name;                 // its name in the run record ("w1", "b1", "w_rec")
  Substrate* substrate = nullptr;
  Scalar* host = nullptr;
  Eigen::Index rows = 0, cols = 0;
  Matrix gradient;                  // the sum of the samples' gradient estimates since the last update
  GradientColumns columns;          // which of its columns may be non-zero (untracked: all)
  bool updated_in_place = false;    // this batch's SGD step is already in the weights (Learner::sgd_in_place_target)
};

class Learner {
 public:
  virtual ~Learner() = default;

  // The initial weights (and learner state) of a new run, from the seed; a resumed or evaluated run
  // restores them from its record instead (so device programming draws the same streams as before).
  virtual void initialize() = 0;
  virtual void accumulate(const Batch& batch, Score& score) = 0;
  void apply_update(int64_t samples);
  virtual void train_batch(const Batch& batch, Score& score) {
    accumulate(batch, score);
    apply_update(static_cast<int64_t>(batch.samples.size()));
  }
  virtual void evaluate(const Batch& batch, Score& score) = 0;
  virtual int64_t evaluation_batch_size() const = 0;
  // The rule's gradient estimate of one batch, per parameter, without applying it (the conformance
  // tests compare it with each rule's reference).
  std::vector<Matrix> gradient_estimate(const Batch& batch);

  // The ranks the batches are split across (default: this process alone).
  void set_communicator(const Communicator& comm) { comm_ = &comm; }
  // The schedule's factor on every learning rate, from now on.
  void set_learning_rate_scale(double factor) { optimizer_->set_schedule_factor(factor); }
  // Counts the operations of everything that follows into `counters` (nullptr: stop counting).
  virtual void set_counters(OpCounters* counters) = 0;
  // The network's weight matrices (the parameters held by substrates) by name, in a fixed order.
  std::vector<std::pair<std::string, Substrate*>> matrices() const;
  void advance(double seconds);
  // RuntimeError naming the epoch if a weight or a host parameter is not finite.
  void check_finite(int epoch) const;

  // Everything a resumed run needs: the network (weights, biases, substrate state), the optimizer, the
  // learner's own state.
  virtual void save(NamedTensors& out) const;
  virtual void restore(const NamedTensors& in);
  // The learner's part of metrics.json (rule, network shape, ...).
  virtual void describe(nlohmann::json& metrics) const = 0;
  // Whether its scores carry a loss and spike counts (metrics train_loss, test_loss, mean_rate_hz).
  virtual bool reports_loss_and_rate() const = 0;

  std::vector<Parameter>& parameters() { return parameters_; }
  const std::vector<Parameter>& parameters() const { return parameters_; }

 protected:
  // The parameters' sums -> the batch's gradient estimates (the mean over `samples`, and any term a rule
  // adds once per batch). Called in the update phase of the counters.
  virtual void finish_gradients(int64_t samples) = 0;
  // The factor the finished sums are multiplied by to give the gradient estimate (EP: -1 / (beta span B)); 1:
  // none. apply_update fuses the multiplication into its pass over the weights.
  virtual Scalar gradient_scale(int64_t /*samples*/) const { return 1; }
  // Whether the update after a batch of `samples` is worth splitting among the threads.
  virtual bool shares_update(int64_t /*samples*/) const { return true; }
  // A rule's last word on the optimizer's change of parameter p (e.g. no autapses); adjusts_change(p) says
  // whether it has one (if not, the update may be fused into one pass).
  virtual void adjust_change(size_t, Matrix&) {}
  virtual bool adjusts_change(size_t) const { return false; }
  // Parameter p's weights where this batch's plain SGD step may be written into them in place, with the roundings of
  // apply_update's sweep (Substrate::sgd_in_place), by a learner that then sets updated_in_place; nullptr where
  // apply_update would not sweep (Adam, weight decay, a rule's adjustment, a substrate that realises updates itself).
  Matrix* sgd_in_place_target(size_t p);
  virtual void save_network(NamedTensors& out) const = 0;
  virtual void restore_network(const NamedTensors& in) = 0;
  // After set_counters: where apply_update counts.
  OpCounters* counters_ = nullptr;
  const Communicator* comm_ = &serial_;
  bool parallel() const { return comm_->size() > 1; }
  // This rank's slice of a batch (all of it on one rank).
  Batch local_part(const Batch& batch) const;
  // Where work every rank repeats is counted: the counters on rank 0, nowhere on the others.
  OpCounters* repeated_work_counters() const { return comm_->root() ? counters_ : nullptr; }
  std::vector<Parameter> parameters_;
  std::unique_ptr<Optimizer> optimizer_;

 private:
  static void scale_sum(Matrix& sum, Scalar scale);  // sum *= scale, in column chunks on the threads
  Matrix change_;
  SerialCommunicator serial_;
};

// Optimizer slots for the parameters, with the learning rate of each.
std::vector<OptimizerSlot> optimizer_slots(const std::vector<Parameter>& parameters,
                                           const std::vector<double>& learning_rates);

}  // namespace plasticore
