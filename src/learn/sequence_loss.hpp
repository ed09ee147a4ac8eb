// Loss of a RecurrentSNN's readout over a sequence, summed over all T steps, and its gradient with
// respect to the readout of each step (the error err[t] = dLoss/dy[t] that e-prop and BPTT propagate):
//   mse  l[t] = 1/2 sum_k (y_k[t] - y*_k[t])^2,          err[t] = y[t] - y*[t]
//   ce   l[t] = -sum_k y*_k[t] log softmax(y[t])_k,      err[t] = softmax(y[t]) sum_k y*_k[t] - y*[t]
// The ce error is the exact derivative; it is softmax(y) - y* when a step's targets sum to 1, and 0 on
// steps whose targets are all 0 (so a decision window is marked by where the targets are non-zero).
#pragma once
#include <cmath>
#include <functional>

#include "data/dataset.hpp"
#include "network/recurrent_snn.hpp"

namespace plasticore {

// Called after every step t with the network's state (readout y[t], spikes z[t]): metrics without
// storing the readout. An empty observer is skipped.
using StepObserver = std::function<void(Eigen::Index t, const RecurrentSNNState& state)>;

// dLoss/dW of one sequence for the three matrices of a RecurrentSNN (same shapes as the weights).
struct SequenceGradients {
  double loss = 0;                 // sum_t l[t], without E_reg
  double regularization_loss = 0;  // E_reg (RateRegularization)
  Matrix input;      // n_rec x n_in
  Matrix recurrent;  // n_rec x n_rec, zero diagonal
  Matrix readout;    // n_out x n_rec
};

// l[t] for readout y = y[t] and target y*[t] (n_out); writes err[t] into error (n_out x 1, already sized).
inline double step_loss(Loss loss, const Vector& y, const Vector& target, Matrix& error) {
  auto err = error.col(0);
  if (loss == Loss::mse) {
    err = y - target;
    return 0.5 * static_cast<double>(err.squaredNorm());
  }
  if (target.isZero(0)) {  // a step outside the decision window: no loss, no error (what the formulas give)
    err.setZero();
    return 0;
  }
  const Scalar max_y = y.maxCoeff();
  const Scalar log_sum_exp = max_y + std::log((y.array() - max_y).exp().sum());
  const Scalar target_sum = target.sum();
  err = (y.array() - log_sum_exp).exp() * target_sum - target.array();
  return static_cast<double>(target_sum) * log_sum_exp - static_cast<double>(target.dot(y));
}

// Firing-rate regularisation (Bellec et al. 2020, Methods), added to the loss by e-prop and BPTT:
//   E_reg = (strength / 2) T sum_j (f_j - target_rate)^2,  f_j = sum_t z_j[t] / (T dt)  (spikes per ms)
// so dE_reg/dz_j[t] = strength (f_j - target_rate) / dt for every t. The factor T keeps the ratio of the
// reference code, whose task loss is a mean over steps where ours is a sum; strength = 0 turns it off.
struct RateRegularization {
  double strength = 0;                 // c_reg, 1 / (spikes/ms)^2 in units of the loss
  double target_rate_per_ms = 0.01;    // f_target, spikes per ms (0.01 = 10 Hz)
};

}  // namespace plasticore
