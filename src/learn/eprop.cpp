#include "learn/eprop.hpp"

#include <omp.h>

#include <algorithm>
#include <optional>

#include "core/error.hpp"
#include "core/team.hpp"
#include "learn/eprop_eligibility.hpp"

namespace plasticore {

SequenceGradients eprop_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss) {
  net.check_sequence(inputs, &targets);
  return eprop_gradients(net, MatrixSequence(inputs, targets), loss);
}

SequenceGradients eprop_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                                  const RateRegularization& regularization, const StepObserver& observe,
                                  const Matrix* feedback) {
  SequenceGradients result;
  eprop_gradients(net, sequence, loss, regularization, observe, feedback, result);
  return result;
}

namespace {

// This thread's synapse state, kept between sequences (EpropEligibility::restart): one per thread, as
// learners run sequences in parallel.
EpropEligibility& thread_synapses(Eigen::Index n_pre, Eigen::Index n_alif, Eigen::Index n_lif,
                                  EpropEligibility::Decays decays, bool regularize) {
  static thread_local std::optional<EpropEligibility> synapses;
  if (synapses && synapses->fits(n_pre, n_alif, n_lif, regularize)) synapses->restart(decays);
  else synapses.emplace(n_pre, n_alif, n_lif, decays, regularize);
  return *synapses;
}

}  // namespace

void eprop_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                     const RateRegularization& regularization, const StepObserver& observe, const Matrix* feedback,
                     SequenceGradients& result) {
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
  EpropEligibility& synapses = thread_synapses(n_pre, n_alif, n_lif, {rho, beta, kappa}, regularize);
  Vector filtered_spikes = Vector::Zero(n_rec);  // zbar
  Vector spike_count = Vector::Zero(n_rec);
  Vector target(n_out);
  Matrix error(n_out, 1), learning_signal(n_rec, 1);
  result.loss = result.regularization_loss = 0;
  Matrix readout_gradient = Matrix::Zero(n_rec, n_out);  // transposed: each err_k zbar^T is one contiguous column

  const ThreadPhase learning(Phase::update);  // all but the network's own steps
  const auto run = [&] {  // on this thread (shared: as part 0 of the team)
    RecurrentSNNState s;
    net.start(s);
    for (Eigen::Index t = 0; t < steps; ++t) {
      previous_trace.swap(presynaptic_trace);  // eps^v[t-1]; the new trace is written in full below
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

      synapses.record(presynaptic_trace, s.pseudo_derivative, learning_signal.data());
      filtered_spikes = kappa * filtered_spikes + s.spikes.col(0);
      spike_count += s.spikes.col(0);
      for (Eigen::Index k = 0; k < n_out; ++k)
        if (error(k, 0) != 0) readout_gradient.col(k) += error(k, 0) * filtered_spikes;  // adding 0 changes nothing
    }
    synapses.flush();
  };
  // A sequence on its own (batch 1), big enough to share: part 0 of the team runs the steps, and the synapse rows
  // are split among the parts (learn/eprop_eligibility.hpp, "Shared").
  if (team_of_several() && synapses.worth_sharing()) {
    // At least 8 rows per part (2 parts below 16 rows): fewer would pay a hand-over per block for a few rows' work.
    synapses.run_shared(std::max(2, std::min<int>(omp_get_max_threads(), static_cast<int>(n_rec / 8))), run);
  } else {
    run();
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
    result.input.noalias() = synapses.gradient(0, n_in) + signal.asDiagonal() * synapses.trace_sum(0, n_in);
    result.recurrent.noalias() = synapses.gradient(n_in, n_rec) + signal.asDiagonal() * synapses.trace_sum(n_in, n_rec);
  } else {
    result.input = synapses.gradient(0, n_in);
    result.recurrent = synapses.gradient(n_in, n_rec);
  }
  result.readout = readout_gradient.transpose();
  result.recurrent.diagonal().setZero();  // no autapses
}

}  // namespace plasticore
