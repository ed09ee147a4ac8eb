// e-prop (Bellec et al. 2020, Nat. Commun. 11:3625, eqs. 1-3 and Methods): an online estimate of
// dLoss/dW of one sequence, with memory independent of its length T. Presynaptic index i runs over the
// inputs (pre_i[t] = x_i[t]) and then the recurrent neurons (pre_i[t] = z_i[t-1]).
//   eligibility vector, voltage   eps^v_ji[t] = alpha eps^v_ji[t-1] + pre_i[t]        (the same for every j)
//   eligibility vector, threshold eps^a_ji[t] = psi_j[t-1] eps^v_ji[t-1] + (rho - adapt_beta psi_j[t-1]) eps^a_ji[t-1]
//   eligibility trace             e_ji[t] = psi_j[t] (eps^v_ji[t] - adapt_beta eps^a_ji[t])   (LIF: eps^a = 0)
//   filtered trace                ebar_ji[t] = kappa ebar_ji[t-1] + e_ji[t]
//   learning signal               L_j[t] = sum_k B_jk err_k[t],  B = W_out^T (symmetric e-prop) or a
//                                 fixed random B (random e-prop: no weight transport to the neurons)
//   gradient                      dLoss/dW_ji = sum_t L_j[t] ebar_ji[t]
//   readout                       dLoss/dW_out_kj = sum_t err_k[t] zbar_j[t],  zbar[t] = kappa zbar[t-1] + z[t]
// with err[t] = dLoss/dy[t] (learn/sequence_loss.hpp). Why the filter is kappa with no (1 - kappa): the
// readout y[t] = kappa y[t-1] + W_out z[t] makes the true learning signal the backward sum
// sum_{t'>=t} kappa^(t'-t) L_j[t'], and sum_t (that) e_ji[t] = sum_t L_j[t] ebar_ji[t] exactly. The
// eligibility vectors are the exact derivatives of neuron j's own state (v_j, a_j) with respect to
// W_ji, so with W_rec = 0 (no path through other neurons) e-prop equals BPTT (learn/bptt.hpp); with
// recurrence it drops the paths through other neurons' spikes. The w_rec diagonal gradient is zero.
//
// Firing-rate regularisation (learn/sequence_loss.hpp): dE_reg/dW_ji = strength (f_j - f_target) / dt
// sum_t e_ji[t], the e-prop form of Bellec's reference code (mean_t e_ji[t] times the rate error).
//
// Op counts (net.counters()): the network's steps in the forward phase; the learning signal and, per
// step, the per-synapse trace work (e, ebar, the gradient accumulation; eps^a on ALIF rows; sum_t e when
// regularising; the readout's err zbar^T) as dense multiply-accumulates in the update phase.
//
// Memory: O(n_rec (n_in + n_rec)) (eps^a for the ALIF rows, ebar, the gradient and, when regularising,
// sum_t e) and a buffer of 32 steps (learn/eprop_eligibility.hpp), kept by each thread between sequences
// (for the last network sizes the thread ran, until the thread ends); nothing grows with T: the streaming
// entry point reads x[t] and y*[t] one step at a time.
#pragma once
#include "learn/sequence_loss.hpp"

namespace plasticore {

// inputs T x n_in, targets T x n_out; UsageError on bad shapes or non-finite values.
SequenceGradients eprop_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss);

// The streaming entry point (UsageError if the sequence is empty); observe sees every step.
// feedback: B (n_rec x n_out) for the learning signal; nullptr = W_out^T.
SequenceGradients eprop_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                                  const RateRegularization& regularization = {}, const StepObserver& observe = {},
                                  const Matrix* feedback = nullptr);

// The same into result, whose matrices are reused when their shapes match (a learner's per-sample slots):
// nothing of the size of W is allocated per sequence.
void eprop_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                     const RateRegularization& regularization, const StepObserver& observe, const Matrix* feedback,
                     SequenceGradients& result);

}  // namespace plasticore
