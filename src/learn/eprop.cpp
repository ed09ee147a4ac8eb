#include "learn/eprop.hpp"

namespace plasticore {

SequenceGradients eprop_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss) {
  net.check_sequence(inputs, &targets);
  const Eigen::Index n_in = net.sizes().inputs, n_rec = net.sizes().recurrent, n_out = net.sizes().outputs;
  const Eigen::Index n_alif = net.sizes().adaptive, n_lif = n_rec - n_alif, n_pre = n_in + n_rec;
  const Scalar alpha = net.membrane_decay(), rho = net.adaptation_decay(), kappa = net.readout_decay();
  const Scalar beta = net.params().alif.adapt_beta;

  // Columns 0..n_in-1 are the input synapses, n_in.. the recurrent ones: one pass serves both matrices.
  Vector presynaptic_trace = Vector::Zero(n_pre);  // eps^v[t]
  Vector previous_trace(n_pre);                    // eps^v[t-1]
  Vector previous_psi(n_alif);                     // psi[t-1] of the ALIF neurons
  Matrix threshold_eligibility = Matrix::Zero(n_alif, n_pre);  // eps^a, ALIF rows only
  Matrix filtered_trace = Matrix::Zero(n_rec, n_pre);         // ebar
  Matrix gradient = Matrix::Zero(n_rec, n_pre);
  Vector filtered_spikes = Vector::Zero(n_rec);  // zbar
  Matrix error(n_out, 1), learning_signal(n_rec, 1);
  SequenceGradients result;
  result.readout.setZero(n_out, n_rec);

  RecurrentSNNState s;
  net.start(s);
  for (Eigen::Index t = 0; t < inputs.rows(); ++t) {
    previous_trace.swap(presynaptic_trace);  // eps^v[t-1]; the new trace is written in full below
    previous_psi = s.pseudo_derivative.head(n_alif);
    presynaptic_trace.head(n_in) = alpha * previous_trace.head(n_in) + inputs.row(t).transpose();
    presynaptic_trace.tail(n_rec) = alpha * previous_trace.tail(n_rec) + s.spikes.col(0);  // z[t-1]
    net.step(s, inputs, t);
    result.loss += step_loss(loss, s.readout, targets, t, error);
    net.readout_weights().backward(error, learning_signal);  // L[t] = W_out^T err[t]

    const auto psi_alif = s.pseudo_derivative.head(n_alif).array();
    const auto psi_lif = s.pseudo_derivative.tail(n_lif).array();
    const auto psi_alif_before = previous_psi.array();
    const auto signal = learning_signal.col(0).array();
    for (Eigen::Index i = 0; i < n_pre; ++i) {
      auto eps_a = threshold_eligibility.col(i).array();
      eps_a = psi_alif_before * previous_trace(i) + (rho - beta * psi_alif_before) * eps_a;
      auto ebar = filtered_trace.col(i).array();
      ebar.head(n_alif) = kappa * ebar.head(n_alif) + psi_alif * (presynaptic_trace(i) - beta * eps_a);
      ebar.tail(n_lif) = kappa * ebar.tail(n_lif) + psi_lif * presynaptic_trace(i);
      gradient.col(i).array() += signal * ebar;
    }
    filtered_spikes = kappa * filtered_spikes + s.spikes.col(0);
    result.readout.noalias() += error * filtered_spikes.transpose();
  }
  result.input = gradient.leftCols(n_in);
  result.recurrent = gradient.rightCols(n_rec);
  result.recurrent.diagonal().setZero();  // no autapses
  return result;
}

}  // namespace plasticore
