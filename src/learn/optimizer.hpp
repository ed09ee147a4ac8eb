// The one optimizer layer of every learning rule: given the gradient estimate g of a parameter for a
// mini-batch (the mean over its samples), the change dW to request from its substrate (or host tensor).
//   sgd   dW = -eta g
//   adam  m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2                (Kingma & Ba 2015)
//         dW = -eta m_hat / (sqrt(v_hat) + epsilon),  m_hat = m / (1 - beta1^n), v_hat = v / (1 - beta2^n)
// n counts the updates; eta = the parameter's learning rate x the schedule's factor of the epoch
// (learn/lr_schedule.hpp). Weight decay (decoupled, Loshchilov & Hutter 2019): each weight matrix's change
// also gets -eta lambda W (AdamW; with SGD the same as an L2 term lambda W in g); biases are not decayed.
// The moments and n are in the run record (optimizer/...), for an exact resume.
//
// Parameters
//   name           unit  default            meaning
//   kind           -     sgd (EP), adam (e-prop, BPTT)   train.optimizer
//   learning_rate  -     per rule           eta: one number, a list (one per matrix) or a table {matrix = eta}
//                                           (train.learning_rate; a bias follows its layer's matrix)
//   beta1, beta2   -     0.9, 0.999         moment decay rates
//   epsilon        -     1e-8               keeps the step finite where v_hat = 0
//   weight_decay   -     0                  lambda, train.weight_decay
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/config_reader.hpp"
#include "core/named_tensors.hpp"

namespace plasticore {

struct OptimizerConfig {
  std::string kind = "adam";  // sgd | adam
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
  double weight_decay = 0;  // lambda (decoupled)
};

struct OptimizerSlot {
  std::string name;  // the parameter's name in the run record
  Eigen::Index rows = 0, cols = 0;
  double learning_rate = 0;
};

class Optimizer {
 public:
  Optimizer(OptimizerConfig config, std::vector<OptimizerSlot> slots);

  // For a schedule: eta of every parameter is its learning rate times `factor` from now on.
  void set_schedule_factor(double factor) { factor_ = factor; }
  // Starts update n + 1; then delta(p, g) for every parameter p.
  void begin_update() { ++updates_; }
  // The change of parameter p for its gradient g (same shape), written into change.
  void delta(size_t p, const Matrix& gradient, Matrix& change);
  // SGD's change is step * g with step = -eta of parameter p; 0 for Adam (its change is not a multiple of g).
  Scalar sgd_step(size_t p) const {
    return config_.kind == "adam" ? Scalar{0} : -eta(p);
  }
  double weight_decay() const { return config_.weight_decay; }
  // change += -eta lambda w: the decay of weight matrix p (w: its weights now, the master copy in the loop).
  void add_weight_decay(size_t p, const Matrix& w, Matrix& change) const;
  // Adds the change to a host tensor (biases): for sgd in one pass, host += -eta g.
  void update_host(size_t p, const Matrix& gradient, Eigen::Map<Matrix> host, Matrix& scratch);

  void save(NamedTensors& out) const;
  void restore(const NamedTensors& in);  // RuntimeError naming the tensor if a shape does not match

 private:
  OptimizerConfig config_;
  Scalar eta(size_t p) const { return static_cast<Scalar>(slots_[p].learning_rate * factor_); }  // now
  std::vector<OptimizerSlot> slots_;
  double factor_ = 1;
  int64_t updates_ = 0;
  std::vector<Matrix> first_moment_, second_moment_;  // m, v per parameter (adam only)
};

// train.optimizer (default `default_kind`).
OptimizerConfig read_optimizer_config(ConfigReader& reader, const std::string& default_kind);

}  // namespace plasticore
