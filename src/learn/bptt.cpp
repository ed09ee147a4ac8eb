#include "learn/bptt.hpp"

namespace plasticore {

SequenceGradients bptt_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss) {
  net.check_sequence(inputs, &targets);
  const Eigen::Index steps = inputs.rows();
  const Eigen::Index n_rec = net.sizes().recurrent, n_out = net.sizes().outputs, n_alif = net.sizes().adaptive;
  const Scalar alpha = net.membrane_decay(), rho = net.adaptation_decay(), kappa = net.readout_decay();
  const Scalar beta = net.params().alif.adapt_beta;
  SequenceGradients result;

  // Forward, storing what the backward pass needs (one column per step).
  Matrix spikes(n_rec, steps), pseudo_derivatives(n_rec, steps), errors(n_out, steps);
  Matrix error(n_out, 1);
  RecurrentSNNState s;
  net.start(s);
  for (Eigen::Index t = 0; t < steps; ++t) {
    net.step(s, inputs, t);
    result.loss += step_loss(loss, s.readout, targets, t, error);
    errors.col(t) = error.col(0);
    spikes.col(t) = s.spikes.col(0);
    pseudo_derivatives.col(t) = s.pseudo_derivative;
  }

  // Backward. g, delta_v, delta_a hold the adjoints of step t+1 on entry to step t and of t on exit.
  Matrix readout_adjoint(n_out, steps), membrane_adjoint(n_rec, steps);  // g[t], delta_v[t] for all t
  Matrix g = Matrix::Zero(n_out, 1), delta_v = Matrix::Zero(n_rec, 1);
  Vector delta_a = Vector::Zero(n_alif);
  Matrix spike_adjoint(n_rec, 1), recurrent_adjoint(n_rec, 1);  // dLoss/dz[t], W_rec^T delta_v[t+1]
  for (Eigen::Index t = steps - 1; t >= 0; --t) {
    g = errors.col(t) + kappa * g;
    readout_adjoint.col(t) = g.col(0);
    net.readout_weights().backward(g, spike_adjoint);
    net.recurrent_weights().backward(delta_v, recurrent_adjoint);
    spike_adjoint += recurrent_adjoint;
    spike_adjoint.col(0).head(n_alif) += delta_a;
    const auto psi = pseudo_derivatives.col(t).array();
    const auto dz = spike_adjoint.col(0).array();
    delta_a = (-beta * psi.head(n_alif) * dz.head(n_alif) + rho * delta_a.array()).matrix();
    delta_v.col(0) = (psi * dz + alpha * delta_v.col(0).array()).matrix();
    membrane_adjoint.col(t) = delta_v.col(0);
  }

  result.input.noalias() = membrane_adjoint * inputs;
  result.recurrent.noalias() = membrane_adjoint.rightCols(steps - 1) * spikes.leftCols(steps - 1).transpose();
  result.recurrent.diagonal().setZero();  // no autapses
  result.readout.noalias() = readout_adjoint * spikes.transpose();
  return result;
}

}  // namespace plasticore
