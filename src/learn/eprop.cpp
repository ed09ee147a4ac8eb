#include "learn/eprop.hpp"

#include "core/error.hpp"

namespace plasticore {

SequenceGradients eprop_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss) {
  net.check_sequence(inputs, &targets);
  return eprop_gradients(net, MatrixSequence(inputs, targets), loss);
}

SequenceGradients eprop_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                                  const RateRegularization& regularization, const StepObserver& observe,
                                  const Matrix* feedback) {
  const Eigen::Index steps = sequence.steps();
  if (steps < 1) throw UsageError("e-prop: the sequence is empty (T = 0)");
  if (feedback != nullptr && (feedback->rows() != net.sizes().recurrent || feedback->cols() != net.sizes().outputs))
    throw UsageError("e-prop: feedback matrix must be n_rec x n_out");
  const Eigen::Index n_in = net.sizes().inputs, n_rec = net.sizes().recurrent, n_out = net.sizes().outputs;
  const Eigen::Index n_alif = net.sizes().adaptive, n_lif = n_rec - n_alif, n_pre = n_in + n_rec;
  const Scalar alpha = net.membrane_decay(), rho = net.adaptation_decay(), kappa = net.readout_decay();
  const Scalar beta = net.params().alif.adapt_beta;
  const bool regularize = regularization.strength > 0;

  // Columns 0..n_in-1 are the input synapses, n_in.. the recurrent ones: one pass serves both matrices.
  Vector presynaptic_trace = Vector::Zero(n_pre);  // eps^v[t]
  Vector previous_trace(n_pre);                    // eps^v[t-1]
  Vector previous_psi(n_alif);                     // psi[t-1] of the ALIF neurons
  Matrix threshold_eligibility = Matrix::Zero(n_alif, n_pre);  // eps^a, ALIF rows only
  Matrix filtered_trace = Matrix::Zero(n_rec, n_pre);         // ebar
  Matrix gradient = Matrix::Zero(n_rec, n_pre);
  Matrix trace_sum = Matrix::Zero(regularize ? n_rec : 0, regularize ? n_pre : 0);  // sum_t e
  Vector eligibility(n_rec);                                                        // e_ji[t] of one i
  Vector filtered_spikes = Vector::Zero(n_rec);  // zbar
  Vector spike_count = Vector::Zero(n_rec);
  Vector target(n_out);
  Matrix error(n_out, 1), learning_signal(n_rec, 1);
  SequenceGradients result;
  result.readout.setZero(n_out, n_rec);

  const ThreadPhase learning(Phase::update);  // all but the network's own steps
  RecurrentSNNState s;
  net.start(s);
  for (Eigen::Index t = 0; t < steps; ++t) {
    previous_trace.swap(presynaptic_trace);  // eps^v[t-1]; the new trace is written in full below
    previous_psi = s.pseudo_derivative.head(n_alif);
    sequence.input(t, s.input);
    presynaptic_trace.head(n_in) = alpha * previous_trace.head(n_in) + s.input.col(0);
    presynaptic_trace.tail(n_rec) = alpha * previous_trace.tail(n_rec) + s.spikes.col(0);  // z[t-1]
    {
      const ThreadPhase forward(Phase::forward);
      net.step(s);
    }
    sequence.target(t, target);
    result.loss += step_loss(loss, s.readout, target, error);
    if (feedback != nullptr) learning_signal.noalias() = *feedback * error;  // L[t] = B err[t]
    else net.readout_weights().backward(error, learning_signal);             // L[t] = W_out^T err[t]
    if (observe) observe(t, s);

    const auto psi_alif = s.pseudo_derivative.head(n_alif).array();
    const auto psi_lif = s.pseudo_derivative.tail(n_lif).array();
    const auto psi_alif_before = previous_psi.array();
    const auto signal = learning_signal.col(0).array();
    for (Eigen::Index i = 0; i < n_pre; ++i) {
      auto eps_a = threshold_eligibility.col(i).array();
      eps_a = psi_alif_before * previous_trace(i) + (rho - beta * psi_alif_before) * eps_a;
      eligibility.head(n_alif).array() = psi_alif * (presynaptic_trace(i) - beta * eps_a);
      eligibility.tail(n_lif).array() = psi_lif * presynaptic_trace(i);
      auto ebar = filtered_trace.col(i).array();
      ebar = kappa * ebar + eligibility.array();
      gradient.col(i).array() += signal * ebar;
      if (regularize) trace_sum.col(i) += eligibility;
    }
    filtered_spikes = kappa * filtered_spikes + s.spikes.col(0);
    spike_count += s.spikes.col(0);
    result.readout.noalias() += error * filtered_spikes.transpose();
  }
  if (OpCounters* counters = net.counters()) {
    const int64_t trace_macs = (3 * n_rec + n_alif + (regularize ? n_rec : 0)) * n_pre + n_out * n_rec +
                               (feedback != nullptr ? n_rec * n_out : 0);  // B err is not a substrate product
    const int64_t macs = trace_macs * steps + (regularize ? n_rec * n_pre : 0);
    counters->add(Op::dense_macs, macs);
    counters->add(Op::dense_equivalent_macs, macs);
  }
  if (regularize) {
    const double duration_ms = static_cast<double>(steps) * net.params().dt_ms;
    const Vector rate_error = (spike_count.array() / static_cast<Scalar>(duration_ms) -
                               static_cast<Scalar>(regularization.target_rate_per_ms)).matrix();
    result.regularization_loss =
        0.5 * regularization.strength * static_cast<double>(steps) * static_cast<double>(rate_error.squaredNorm());
    const Vector signal = rate_error * static_cast<Scalar>(regularization.strength / net.params().dt_ms);
    gradient.noalias() += signal.asDiagonal() * trace_sum;
  }
  result.input = gradient.leftCols(n_in);
  result.recurrent = gradient.rightCols(n_rec);
  result.recurrent.diagonal().setZero();  // no autapses
  return result;
}

}  // namespace plasticore
