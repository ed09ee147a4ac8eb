#include "learn/relaxation.hpp"

#include <omp.h>

#include "core/nonzero_indices.hpp"
#include "learn/phase_observer.hpp"

namespace plasticore {

void Relaxation::start(RelaxationState& st, const Matrix& input, uint64_t seed, const char* purpose, uint64_t epoch,
                       const std::vector<int64_t>& sample_ids) const {
  const int L = net_.weight_layers();
  const auto B = input.cols();
  const auto layers = static_cast<size_t>(L + 1);
  st.state.resize(layers);
  st.accumulator.resize(layers);
  st.spikes.resize(layers);
  st.delta.resize(layers);
  st.trace.resize(layers);
  st.events.resize(layers);
  st.previous.resize(layers);
  st.state[0] = input;
  st.previous[0] = input;
  for (size_t l = 0; l < layers; ++l) {
    const int n = net_.sizes()[l];
    if (l > 0) st.state[l].setZero(n, B);
    st.accumulator[l].resize(n, B);
    st.spikes[l].setZero(n, B);
    st.delta[l].setZero(n, B);
    if (params_.uses_trace()) st.trace[l] = st.state[l];
    st.events[l].resize(static_cast<size_t>(B));
    for (auto& e : st.events[l]) e.reserve(static_cast<size_t>(n));
  }
  st.rng.clear();
  // Rate mode uses neither spikes nor their accumulators (drawing them cost 3 % of a rate-EP run).
  if (params_.coding != SpikeCoding::rate) {
    for (Eigen::Index b = 0; b < B; ++b) {
      // Random initial phase of every spike accumulator, so neurons with equal states do not fire in lockstep.
      Rng rng(seed, purpose, epoch, static_cast<uint64_t>(sample_ids[static_cast<size_t>(b)]));
      for (size_t l = 0; l < layers; ++l)
        for (Eigen::Index i = 0; i < st.accumulator[l].rows(); ++i) st.accumulator[l](i, b) = rng.uniform();
      st.rng.push_back(rng);
    }
  }
  if (params_.coding == SpikeCoding::rate) net_.weight(0).forward(input, input_drive_);  // clamped: once per batch
}

int64_t Relaxation::emit_spikes(RelaxationState& st, int b) const {
  int64_t emitted = 0;
  for (size_t l = 0; l < st.state.size(); ++l) {
    auto& events = st.events[l][static_cast<size_t>(b)];
    const auto n = st.state[l].rows();
    events.resize(static_cast<size_t>(n));  // capacity reserved in start(): no allocation
    const Scalar* s = st.state[l].col(b).data();
    Scalar* S = st.spikes[l].col(b).data();
    Scalar* a = st.accumulator[l].col(b).data();
    int32_t* out = events.data();
    if (params_.coding == SpikeCoding::sigma_delta) {
      for (Eigen::Index i = 0; i < n; ++i) S[i] = sigma_delta_spike(s[i], a[i]);  // vectorises
    } else {
      Rng& rng = st.rng[static_cast<size_t>(b)];
      for (Eigen::Index i = 0; i < n; ++i) S[i] = bernoulli_spike(s[i], rng);
    }
    const auto count = static_cast<size_t>(nonzero_indices(S, n, out));
    events.resize(count);
    emitted += static_cast<int64_t>(count);
  }
  return emitted;
}

// The new state of layer l of sample b from its drive u = W_l S_{l-1} + W_{l+1}^T S_{l+1}:
// s = clip((1 - leak) s_old + leak (u + bias + nudge)), and the change of the learning variable (u is not changed).
void Relaxation::integrate(RelaxationState& st, int l, Eigen::Index b, Scalar* u, const Matrix* targets,
                           Scalar beta) const {
  const auto k = static_cast<size_t>(l);
  const Scalar leak = params_.leak, trace_rate = params_.trace_rate;
  const Eigen::Index n = st.state[k].rows();
  const Scalar* bias = net_.bias(l - 1).data();
  Scalar* s = st.state[k].col(b).data();
  Scalar* ds = st.delta[k].col(b).data();
  const Scalar* s_old = st.previous[k].col(b).data();
  for (Eigen::Index i = 0; i < n; ++i) u[i] += bias[i];
  if (targets != nullptr && l == net_.weight_layers()) {
    const Scalar* y = targets->col(b).data();
    for (Eigen::Index i = 0; i < n; ++i) u[i] += beta * (y[i] - s_old[i]);
  }
  for (Eigen::Index i = 0; i < n; ++i) s[i] = std::min(std::max((1 - leak) * s_old[i] + leak * u[i], Scalar{0}), Scalar{1});
  if (params_.uses_trace()) {
    Scalar* trace = st.trace[k].col(b).data();
    // The trace follows the new state, or the spikes this step emitted (rate mode: its "spikes" s(t)).
    const Scalar* follows = !params_.trace_of_spikes ? s : params_.coding == SpikeCoding::rate ? s_old : st.spikes[k].col(b).data();
    for (Eigen::Index i = 0; i < n; ++i) {
      ds[i] = trace_rate * (follows[i] - trace[i]);
      trace[i] += ds[i];
    }
  } else {
    for (Eigen::Index i = 0; i < n; ++i) ds[i] = s[i] - s_old[i];
  }
}

// One spiking step of sample b: emit spikes, sum the weight columns of the neurons that spiked, integrate.
// Touches only column b, so samples run in parallel.
int64_t Relaxation::step_sample(RelaxationState& st, int b, const Matrix* targets, Scalar beta) const {
  const int L = net_.weight_layers();
  for (int l = 1; l <= L; ++l) st.previous[static_cast<size_t>(l)].col(b) = st.state[static_cast<size_t>(l)].col(b);
  const int64_t spikes = emit_spikes(st, b);
  for (int l = 1; l <= L; ++l) {
    const auto k = static_cast<size_t>(l);
    Scalar* u = scratch_drive_[k].col(b).data();
    const auto& pre = st.events[k - 1][static_cast<size_t>(b)];
    net_.weight(l - 1).forward_events(pre, u);
    if (l < L) {
      const auto& post = st.events[k + 1][static_cast<size_t>(b)];
      Scalar* fb = scratch_feedback_.col(b).data();
      net_.weight(l).backward_events(post, fb);
      Eigen::Map<Vector>(u, net_.sizes()[k]) += Eigen::Map<Vector>(fb, net_.sizes()[k]);
    }
  }
  for (int l = 1; l <= L; ++l) integrate(st, l, b, scratch_drive_[static_cast<size_t>(l)].col(b).data(), targets, beta);
  return spikes;
}

void Relaxation::prepare_scratch(int B) const {
  const int L = net_.weight_layers();
  scratch_drive_.resize(static_cast<size_t>(L + 1));
  for (int l = 1; l <= L; ++l) scratch_drive_[static_cast<size_t>(l)].resize(net_.sizes()[static_cast<size_t>(l)], B);
  scratch_feedback_.resize(*std::max_element(net_.sizes().begin(), net_.sizes().end()), B);
}

void Relaxation::step_rate(RelaxationState& st, const Matrix* targets, Scalar beta) const {
  const int L = net_.weight_layers();
  const int B = st.batch();
  for (int l = 1; l <= L; ++l) st.previous[static_cast<size_t>(l)] = st.state[static_cast<size_t>(l)];  // [0]: clamped input
  std::vector<Matrix>& drive = scratch_drive_;
  for (int l = 1; l <= L; ++l) {
    auto& u = drive[static_cast<size_t>(l)];
    if (l == 1) u = input_drive_;
    else net_.weight(l - 1).forward(st.previous[static_cast<size_t>(l - 1)], u);
    if (l < L) {
      net_.weight(l).backward(st.previous[static_cast<size_t>(l + 1)], scratch_feedback_);
      u += scratch_feedback_;
    }
  }
  // One thread: a step's element-wise work (~10,000 neurons x samples, a few microseconds) is smaller
  // than waking a second thread (measured: 2 threads ran rate EP at 0.36-0.95x of one).
  for (int b = 0; b < B; ++b)
    for (int l = 1; l <= L; ++l) integrate(st, l, b, drive[static_cast<size_t>(l)].col(b).data(), targets, beta);
}

void Relaxation::run(RelaxationState& st, int steps, const Matrix* targets, Scalar beta, Scalar sign,
                     std::span<PhaseObserver* const> observers) const {
  const int B = st.batch();
  for (int l = 1; l <= net_.weight_layers(); ++l) st.previous[static_cast<size_t>(l)].resize(net_.sizes()[static_cast<size_t>(l)], B);
  prepare_scratch(B);
  int64_t neurons = 0;
  for (int l = 1; l <= net_.weight_layers(); ++l) neurons += net_.sizes()[static_cast<size_t>(l)];
  count_into(counters_, Op::neuron_updates, neurons * steps * B);
  count_into(counters_, Op::time_steps, int64_t{steps} * B);
  for (PhaseObserver* o : observers) o->begin_phase(targets != nullptr ? Phase::nudged : Phase::free, sign);
  int64_t spikes = 0;
  if (params_.coding == SpikeCoding::rate) {
    for (int t = 0; t < steps; ++t) {
      step_rate(st, targets, beta);
      for (PhaseObserver* o : observers) o->after_step(t, st);
    }
  } else if (observers.empty()) {
    // Samples are independent until an observer looks at a step: one parallel region for the whole phase.
    // Dynamic: samples differ in their number of spikes (ink); each is computed alone, so any order gives
    // the same numbers.
#pragma omp parallel for schedule(dynamic) reduction(+ : spikes)
    for (int b = 0; b < B; ++b)
      for (int t = 0; t < steps; ++t) spikes += step_sample(st, b, targets, beta);
  } else {
    for (int t = 0; t < steps; ++t) {
#pragma omp parallel for schedule(dynamic) reduction(+ : spikes)
      for (int b = 0; b < B; ++b) spikes += step_sample(st, b, targets, beta);
      for (PhaseObserver* o : observers) o->after_step(t, st);
    }
  }
  count_into(counters_, Op::spikes, spikes);
  for (PhaseObserver* o : observers) o->end_phase();
}

}  // namespace plasticore
