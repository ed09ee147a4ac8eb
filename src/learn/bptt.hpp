// Backpropagation through time for a RecurrentSNN: the exact gradient of the sequence loss
// (learn/sequence_loss.hpp) through every path of the forward pass (recurrent spikes, ALIF adaptation,
// the leaks), with dz/dv := psi, dz/da := -adapt_beta psi and the reset term held constant. It stores
// z[t], psi[t], err[t] for all T steps: the reference e-prop (learn/eprop.hpp) is compared with.
// Adjoints, backwards from t = T-1 with everything at t = T equal to 0:
//   g[t]       = dLoss/dy[t] = err[t] + kappa g[t+1]
//   dLoss/dz[t] = W_out^T g[t] + W_rec^T delta_v[t+1] + delta_a[t+1]   (delta_a on ALIF neurons only)
//   delta_v[t] = dLoss/dv[t] = psi[t] dLoss/dz[t] + alpha delta_v[t+1]
//   delta_a[t] = dLoss/da[t] = -adapt_beta psi[t] dLoss/dz[t] + rho delta_a[t+1]
// and the gradients
//   dLoss/dW_in = sum_t delta_v[t] x[t]^T,  dLoss/dW_rec = sum_t delta_v[t] z[t-1]^T (zero diagonal),
//   dLoss/dW_out = sum_t g[t] z[t]^T.
// Firing-rate regularisation (learn/sequence_loss.hpp) adds dE_reg/dz_j[t] to dLoss/dz[t]. A streamed
// sequence's inputs are stored too (n_in x T): BPTT's memory grows with T, e-prop's does not.
// Op counts (net.counters()): the forward steps in the forward phase; the backward products through
// W_out^T and W_rec^T and the three gradient products in the update phase.
#pragma once
#include "learn/sequence_loss.hpp"

namespace plasticore {

// inputs T x n_in, targets T x n_out; UsageError on bad shapes or non-finite values.
SequenceGradients bptt_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss);

// The streaming entry point (UsageError if the sequence is empty); observe sees every forward step.
SequenceGradients bptt_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                                 const RateRegularization& regularization = {}, const StepObserver& observe = {});

// The same into result, whose matrices are reused when their shapes match (learn/eprop.hpp).
void bptt_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                    const RateRegularization& regularization, const StepObserver& observe, SequenceGradients& result);

}  // namespace plasticore
