#include "learn/bptt.hpp"

#include "core/error.hpp"
#include "core/nonzero_indices.hpp"

#include <algorithm>
#include <vector>

namespace plasticore {

namespace {

// The per-sequence buffers, kept between sequences: allocating ~1 MB per sequence cost a page fault per
// 4 KB, a quarter of a pattern-generation run. One set per thread (learners run sequences in parallel).
struct BpttBuffers {
  Matrix inputs, spikes, pseudo_derivatives, errors;  // one column per step
  Matrix readout_adjoint, membrane_adjoint;           // g[t], delta_v[t]
  SpikeEvents input_events, spike_events;             // the 1-entries of inputs and spikes, step after step
  std::vector<size_t> input_begin, spike_begin;       // step t's entries start at [t]; T + 1 entries
};

// Appends the indices of x's 1-entries to events; false (events unchanged) if x is not all 0 or 1.
bool append_events(const Scalar* x, Eigen::Index n, SpikeEvents& events) {
  const size_t before = events.size();
  events.resize(before + static_cast<size_t>(n));  // room for every entry; not zero-filled (SpikeEvents)
  const Eigen::Index found = binary_indices(x, n, events.data() + before);
  events.resize(before + static_cast<size_t>(std::max<Eigen::Index>(found, 0)));
  return found >= 0;
}

// gradient += sum_t adjoint[:, t] x[t]^T for 0/1 inputs x given as events (step t's active inputs are
// events[begin[t] .. begin[t + 1])), steps first..last: one column add per event.
void add_event_outer_products(const Matrix& adjoint, const SpikeEvents& events, const std::vector<size_t>& begin,
                              Eigen::Index first, Eigen::Index last, Eigen::Index shift, Matrix& gradient) {
  for (Eigen::Index t = first; t <= last; ++t)
    for (size_t n = begin[static_cast<size_t>(t)]; n < begin[static_cast<size_t>(t) + 1]; ++n)
      gradient.col(events[n]) += adjoint.col(t + shift);
}

}  // namespace

SequenceGradients bptt_gradients(const RecurrentSNN& net, const Matrix& inputs, const Matrix& targets, Loss loss) {
  net.check_sequence(inputs, &targets);
  return bptt_gradients(net, MatrixSequence(inputs, targets), loss);
}

SequenceGradients bptt_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                                 const RateRegularization& regularization, const StepObserver& observe) {
  SequenceGradients result;
  bptt_gradients(net, sequence, loss, regularization, observe, result);
  return result;
}

void bptt_gradients(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss,
                    const RateRegularization& regularization, const StepObserver& observe, SequenceGradients& result) {
  const Eigen::Index steps = sequence.steps();
  if (steps < 1) throw UsageError("BPTT: the sequence is empty (T = 0)");
  const Eigen::Index n_in = net.sizes().inputs, n_rec = net.sizes().recurrent, n_out = net.sizes().outputs;
  const Eigen::Index n_alif = net.sizes().adaptive;
  const Scalar alpha = net.membrane_decay(), rho = net.adaptation_decay(), kappa = net.readout_decay();
  const Scalar beta = net.params().alif.adapt_beta;
  result.loss = result.regularization_loss = 0;

  // Forward, storing what the backward pass needs (one column per step).
  static thread_local BpttBuffers buffers;
  Matrix& inputs = buffers.inputs;
  Matrix& spikes = buffers.spikes;
  Matrix& pseudo_derivatives = buffers.pseudo_derivatives;
  Matrix& errors = buffers.errors;
  inputs.resize(n_in, steps), spikes.resize(n_rec, steps), pseudo_derivatives.resize(n_rec, steps), errors.resize(n_out, steps);
  // Event lists while every input (spike) is 0 or 1: the gradients' outer products are then column adds.
  bool input_events = true, spike_events = true;
  buffers.input_events.clear(), buffers.spike_events.clear(), buffers.input_begin.clear(), buffers.spike_begin.clear();
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
    buffers.input_begin.push_back(buffers.input_events.size());
    buffers.spike_begin.push_back(buffers.spike_events.size());
    input_events = input_events && append_events(s.input.data(), n_in, buffers.input_events);
    spike_events = spike_events && append_events(s.spikes.data(), n_rec, buffers.spike_events);
  }
  buffers.input_begin.push_back(buffers.input_events.size());
  buffers.spike_begin.push_back(buffers.spike_events.size());

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
  Matrix& readout_adjoint = buffers.readout_adjoint;    // g[t] for all t
  Matrix& membrane_adjoint = buffers.membrane_adjoint;  // delta_v[t] for all t
  readout_adjoint.resize(n_out, steps), membrane_adjoint.resize(n_rec, steps);
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

  // dW_in = sum_t delta_v[t] x[t]^T, dW_rec = sum_t delta_v[t] z[t-1]^T, dW_out = sum_t g[t] z[t]^T.
  if (input_events) {
    result.input.setZero(n_rec, n_in);
    add_event_outer_products(membrane_adjoint, buffers.input_events, buffers.input_begin, 0, steps - 1, 0, result.input);
  } else {
    result.input.noalias() = membrane_adjoint * inputs.transpose();
  }
  if (spike_events) {
    result.recurrent.setZero(n_rec, n_rec);
    add_event_outer_products(membrane_adjoint, buffers.spike_events, buffers.spike_begin, 0, steps - 2, 1, result.recurrent);
    result.readout.setZero(n_out, n_rec);
    add_event_outer_products(readout_adjoint, buffers.spike_events, buffers.spike_begin, 0, steps - 1, 0, result.readout);
  } else {
    result.recurrent.noalias() = membrane_adjoint.rightCols(steps - 1) * spikes.leftCols(steps - 1).transpose();
    result.readout.noalias() = readout_adjoint * spikes.transpose();
  }
  result.recurrent.diagonal().setZero();  // no autapses
  if (OpCounters* counters = net.counters()) {  // the outer products (the backward reads count themselves)
    const int64_t dense_in = n_rec * n_in * steps, dense_spikes = n_out * n_rec * steps + n_rec * n_rec * (steps - 1);
    const auto spikes_before_last = static_cast<int64_t>(buffers.spike_begin[static_cast<size_t>(steps) - 1]);
    const int64_t done_in = input_events ? static_cast<int64_t>(buffers.input_events.size()) * n_rec : dense_in;
    const int64_t done_spikes = spike_events ? static_cast<int64_t>(buffers.spike_events.size()) * n_out + spikes_before_last * n_rec
                                             : dense_spikes;
    counters->add(Op::dense_macs, done_in + done_spikes);  // with events: one add per entry of a column added
    counters->add(Op::dense_equivalent_macs, dense_in + dense_spikes);
  }
}

}  // namespace plasticore
