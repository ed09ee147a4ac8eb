#include "learn/bptt.hpp"

#include "core/error.hpp"

namespace plasticore {

SequenceGradients bptt_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss) {
  net.check_sequence(inputs, &targets);
  return bptt_gradients(net, MatrixSequence(inputs, targets), loss);
}

SequenceGradients bptt_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                                 const RateRegularization& regularization, const StepObserver& observe) {
  const Eigen::Index steps = sequence.steps();
  if (steps < 1) throw UsageError("BPTT: the sequence is empty (T = 0)");
  const Eigen::Index n_in = net.sizes().inputs, n_rec = net.sizes().recurrent, n_out = net.sizes().outputs;
  const Eigen::Index n_alif = net.sizes().adaptive;
  const Scalar alpha = net.membrane_decay(), rho = net.adaptation_decay(), kappa = net.readout_decay();
  const Scalar beta = net.params().alif.adapt_beta;
  SequenceGradients result;

  // Forward, storing what the backward pass needs (one column per step).
  Matrix inputs(n_in, steps), spikes(n_rec, steps), pseudo_derivatives(n_rec, steps), errors(n_out, steps);
  Matrix error(n_out, 1);
  Vector target(n_out);
  const ThreadPhase learning(Phase::update);  // all but the forward steps
  RecurrentSNNState s;
  net.start(s);
  for (Eigen::Index t = 0; t < steps; ++t) {
    sequence.input(t, s.input);
    {
      const ThreadPhase forward(Phase::forward);
      net.step(s);
    }
    sequence.target(t, target);
    result.loss += step_loss(loss, s.readout, target, error);
    if (observe) observe(t, s);
    inputs.col(t) = s.input.col(0);
    errors.col(t) = error.col(0);
    spikes.col(t) = s.spikes.col(0);
    pseudo_derivatives.col(t) = s.pseudo_derivative;
  }

  // dE_reg/dz_j[t], the same at every step (zero without regularisation).
  Vector rate_signal = Vector::Zero(n_rec);
  if (regularization.strength > 0) {
    const double duration_ms = static_cast<double>(steps) * net.params().dt_ms;
    const Vector rate_error = (spikes.rowwise().sum().array() / static_cast<Scalar>(duration_ms) -
                               static_cast<Scalar>(regularization.target_rate_per_ms)).matrix();
    result.regularization_loss =
        0.5 * regularization.strength * static_cast<double>(steps) * static_cast<double>(rate_error.squaredNorm());
    rate_signal = rate_error * static_cast<Scalar>(regularization.strength / net.params().dt_ms);
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
    if (regularization.strength > 0) spike_adjoint.col(0) += rate_signal;
    const auto psi = pseudo_derivatives.col(t).array();
    const auto dz = spike_adjoint.col(0).array();
    delta_a = (-beta * psi.head(n_alif) * dz.head(n_alif) + rho * delta_a.array()).matrix();
    delta_v.col(0) = (psi * dz + alpha * delta_v.col(0).array()).matrix();
    membrane_adjoint.col(t) = delta_v.col(0);
  }

  result.input.noalias() = membrane_adjoint * inputs.transpose();
  result.recurrent.noalias() = membrane_adjoint.rightCols(steps - 1) * spikes.leftCols(steps - 1).transpose();
  result.recurrent.diagonal().setZero();  // no autapses
  result.readout.noalias() = readout_adjoint * spikes.transpose();
  if (OpCounters* counters = net.counters()) {
    const int64_t macs = (n_rec * n_in + n_out * n_rec) * steps + n_rec * n_rec * (steps - 1);
    counters->add(Op::dense_macs, macs);
    counters->add(Op::dense_equivalent_macs, macs);
  }
  return result;
}

}  // namespace plasticore
