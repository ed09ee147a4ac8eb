// Gradient-descent optimisers for a fixed list of weight matrices: given dLoss/dW of a mini-batch
// (the mean over its sequences), the change dW to request from each substrate.
//   sgd   dW = -eta g
//   adam  m = beta1 m + (1 - beta1) g,  v = beta2 v + (1 - beta2) g^2                (Kingma & Ba 2015)
//         dW = -eta m_hat / (sqrt(v_hat) + epsilon),  m_hat = m / (1 - beta1^n), v_hat = v / (1 - beta2^n)
// n counts the updates. The moments are part of the state a checkpoint must keep for an exact resume.
//
// Parameters
//   name           unit  default  meaning
//   kind           -     adam     sgd | adam
//   learning_rate  -     1e-3     eta
//   beta1, beta2   -     0.9, 0.999  moment decay rates
//   epsilon        -     1e-8     keeps the step finite where v_hat = 0
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace plasticore {

struct OptimizerConfig {
  std::string kind = "adam";
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
};

struct OptimizerState {
  int64_t updates = 0;                               // n
  std::vector<Matrix> first_moment, second_moment;   // m, v per matrix (adam only)
};

class Optimizer {
 public:
  // One entry of shapes (rows, cols) per weight matrix.
  Optimizer(OptimizerConfig config, const std::vector<std::pair<int, int>>& shapes);

  // Starts update n + 1; then delta(p, g) for every matrix p.
  void begin_update() { ++state_.updates; }
  // The change of matrix p for its gradient g (same shape), written into change.
  void delta(size_t p, const Matrix& gradient, Matrix& change);

  // For a schedule: eta from now on (the moments are kept).
  void set_learning_rate(double learning_rate) { config_.learning_rate = learning_rate; }

  const OptimizerState& state() const { return state_; }
  void restore(OptimizerState state);  // RuntimeError if the shapes do not match

 private:
  OptimizerConfig config_;
  OptimizerState state_;
};

}  // namespace plasticore
