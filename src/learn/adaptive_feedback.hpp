// Adaptive feedback for e-prop's learning signal L[t] = B err[t] (learn/eprop.hpp), Kolen-Pollack style
// (Kolen & Pollack 1994; Akrout et al. 2019, NeurIPS): B (n_rec x n_out) starts random, like random
// e-prop's, and receives the same change as W_out^T, both with the same weight decay lambda per update:
//   W_out <- W_out + dW_out - lambda W_out,    B <- B + dW_out^T - lambda B
// where dW_out is the optimizer's change for the readout gradient (the decay is decoupled from Adam's
// moments, as in AdamW). Then B - W_out^T shrinks by (1 - lambda)
// per update whatever the gradients, so B aligns with W_out^T without copying W_out into the feedback
// path: the change of B_jk needs only err_k and zbar_j, which both ends of the feedback synapse see.
//
// Parameters
//   name            unit         default  meaning
//   feedback_decay  per update   0.01     lambda (train.feedback_decay)
#pragma once
#include "core/tensor.hpp"

namespace plasticore {

// Given W_out and the optimizer's change dW_out: writes the change to request for W_out
// (dW_out - lambda W_out) and updates B in place.
inline void kolen_pollack_update(const Matrix& readout_weights, const Matrix& readout_change, double decay,
                                 Matrix& feedback, Matrix& decayed_readout_change) {
  const auto lambda = static_cast<Scalar>(decay);
  decayed_readout_change = readout_change - lambda * readout_weights;
  feedback = (1 - lambda) * feedback + readout_change.transpose();
}

}  // namespace plasticore
