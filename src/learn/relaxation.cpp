#include "learn/relaxation.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <stdexcept>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/nonzero_indices.hpp"
#include "core/product_chunks.hpp"
#include "core/rng_lanes.hpp"
#include "core/shares.hpp"
#include "core/team.hpp"
#include "neuron/sigma_delta_layer.hpp"
#include "learn/phase_observer.hpp"
#include "substrate/read_key.hpp"

namespace plasticore {

namespace {

// sum over b < B of spikes(b), the samples on the threads if there are several (core/shares.hpp: contiguous
// shares of equal expected work, the same in every phase of a batch, so a sample's state stays in one core's
// caches and neighbouring samples' columns, which share a cache line at their boundary, meet on one thread),
// else in a plain loop. Each sample is computed alone, so any split gives the same numbers. spikes(b, part): part
// is the thread's index in the team (0 on one thread), for scratch of its own.
template <typename F>
int64_t sum_over_samples(int B, const std::vector<double>& work, ShareQueues& queues, F&& spikes) {
  // The work is start()'s, per sample of the batch it started: a state from another start would be split wrongly.
  if (work.size() != static_cast<size_t>(B))
    throw std::logic_error("Relaxation::run: the state's batch is not the one start() was last called with");
  int64_t sum = 0;
  if (!team_of_several()) {
    for (int b = 0; b < B; ++b) sum += spikes(b, 0);
    return sum;
  }
  const int threads = omp_get_max_threads();
  queues.reset(work_shares(work, threads));
  std::vector<int64_t> sums(static_cast<size_t>(threads), 0);  // per batch and phase, not per sample
  run_team(threads, [&](int part, int) {
    int64_t n = 0;
    queues.run(part, [&](int b) { n += spikes(b, part); });
    sums[static_cast<size_t>(part)] = n;
  });
  for (const int64_t n : sums) sum += n;
  return sum;
}

}  // namespace

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
  // Rate mode on several threads: each thread zeroes the columns of its chunk of samples, which it then relaxes
  // (zeroed here, a column's lines would move to that thread's core in the first step), and copies their input
  // (on the main thread these copies waited for lines the other core held: ~4 % of a 2-thread batch).
  const bool rate = params_.coding == SpikeCoding::rate;
  if (rate) prepare_rate_chunks(static_cast<int>(B));
  const bool zero_by_chunks = rate && !rate_chunks_.empty() && !params_.uses_trace();
  if (zero_by_chunks) {
    st.state[0].resize(input.rows(), B);
    st.previous[0].resize(input.rows(), B);
  } else {
    st.state[0] = input;
    st.previous[0] = input;
  }
  for (size_t l = 0; l < layers; ++l) {
    const int n = net_.sizes()[l];
    if (zero_by_chunks) {
      if (l > 0) st.state[l].resize(n, B);
      st.delta[l].resize(n, B);
    } else {
      if (l > 0) st.state[l].setZero(n, B);
      st.delta[l].setZero(n, B);
    }
    // Rate mode has no spikes (S = s) and no accumulators: none kept, zeroed or copied with the state (they were
    // 2 of the 5 matrices EP's saved free state copied, ~2 % of a rate-EP run).
    if (rate) {
      st.spikes[l].resize(0, 0);
      st.accumulator[l].resize(0, 0);
    } else {
      st.spikes[l].setZero(n, B);
      st.accumulator[l].resize(n, B);
    }
    if (params_.uses_trace()) st.trace[l] = st.state[l];
    st.events[l].resize(static_cast<size_t>(B));
    for (auto& e : st.events[l]) e.reserve(static_cast<size_t>(n));
  }
  if (zero_by_chunks)
    run_team(static_cast<int>(rate_chunks_.size()), [&](int t, int) {
      const RateChunk& c = rate_chunks_[static_cast<size_t>(t)];
      st.state[0].middleCols(c.begin, c.cols) = input.middleCols(c.begin, c.cols);
      st.previous[0].middleCols(c.begin, c.cols) = input.middleCols(c.begin, c.cols);
      for (size_t l = 0; l < layers; ++l) {
        if (l > 0) st.state[l].middleCols(c.begin, c.cols).setZero();
        st.delta[l].middleCols(c.begin, c.cols).setZero();
      }
    });
  if (params_.input_changes && params_.coding != SpikeCoding::rate) {
    st.input_drive.setZero(net_.sizes()[1], B);  // the sum over no spikes: S_0(-1) = 0
    for (auto* list : {&st.input_on, &st.input_off}) {
      list->resize(static_cast<size_t>(B));
      for (auto& e : *list) e.reserve(static_cast<size_t>(net_.sizes()[0]));
    }
  }
  st.rng.clear();
  st.read_sample.resize(static_cast<size_t>(B));
  for (Eigen::Index b = 0; b < B; ++b)
    st.read_sample[static_cast<size_t>(b)] = sample_read_key(hash_purpose(purpose), epoch, sample_ids[static_cast<size_t>(b)]);
  phases_ = 0;
  // Rate mode uses neither spikes nor their accumulators (drawing them cost 3 % of a rate-EP run).
  if (params_.coding != SpikeCoding::rate) {
    // A sample's work per step: its input spikes (sigma-delta: the pixel sum) and ~30 events' worth of neuron updates.
    sample_work_.resize(static_cast<size_t>(B));
    for (Eigen::Index b = 0; b < B; ++b) sample_work_[static_cast<size_t>(b)] = 30.0 + static_cast<double>(input.col(b).sum());
    const Rng::Key key(seed, purpose);
    for (Eigen::Index b = 0; b < B; ++b) st.rng.emplace_back(key, epoch, static_cast<uint64_t>(sample_ids[static_cast<size_t>(b)]));
    // Random initial phase of every spike accumulator, so neurons with equal states do not fire in lockstep: each
    // sample from its own stream, so on the team's threads in run()'s shares of the samples (their columns then
    // start in the caches of the threads that relax them).
    // Samples [b0, b1), each from its own stream in the same order; eight streams side by side (core/rng_lanes.hpp),
    // as one stream's draws wait on each other: a sample at a time, this was ~2 % of an EqSpike run.
    const auto draw = [&](Eigen::Index b0, Eigen::Index b1) {
      for (Eigen::Index b = b0; b < b1; b += RngLanes::kLanes) {
        const auto count = static_cast<int>(std::min<Eigen::Index>(RngLanes::kLanes, b1 - b));
        RngLanes lanes(st.rng.data() + b, count);
        float u[RngLanes::kLanes];
        for (size_t l = 0; l < layers; ++l) {
          Matrix& a = st.accumulator[l];
          for (Eigen::Index i = 0; i < a.rows(); ++i) {
            lanes.uniform(u);
            for (int k = 0; k < count; ++k) a(i, b + k) = u[k];
          }
        }
        lanes.store(st.rng.data() + b);
      }
    };
    if (team_of_several() && B > 1) {
      const std::vector<int> shares = work_shares(sample_work_, omp_get_max_threads());
      run_team(omp_get_max_threads(),
               [&](int part, int) { draw(shares[static_cast<size_t>(part)], shares[static_cast<size_t>(part) + 1]); });
    } else {
      draw(0, B);
    }
  }
  mark_quiet_input(st);
  if (params_.coding != SpikeCoding::rate) return;
  // The input drive W_1 x: clamped, so once per batch, from the image's non-zero pixels; on several threads
  // split by W_1's columns where the substrate does that itself, else in the threads' chunks of samples.
  if (rate_chunks_.empty() || net_.weight(0).forward_nonzero_on_team()) {
    net_.weight(0).forward_nonzero(input, input_drive_);
    return;
  }
  input_drive_.resize(net_.sizes()[1], B);
  run_team(static_cast<int>(rate_chunks_.size()), [&](int t, int) {
    RateChunk& c = rate_chunks_[static_cast<size_t>(t)];
    c.input = input.middleCols(c.begin, c.cols);
    net_.weight(0).forward_nonzero(c.input, c.input_drive);
    input_drive_.middleCols(c.begin, c.cols) = c.input_drive;
  });
}

// Every member of RelaxationState, by the copy below: a new member must be copied there too.
static_assert(sizeof(RelaxationState) == 12 * sizeof(std::vector<int>) + sizeof(Matrix), "copy_state copies every member");

void Relaxation::copy_state(RelaxationState& to, const RelaxationState& from, bool states_only) const {
  const int B = from.batch();
  const bool rate = params_.coding == SpikeCoding::rate;
  // The samples of each part: rate mode's column chunks, or run()'s first shares of the samples.
  std::vector<int> first;
  if (team_of_several() && B > 1) {
    if (rate && !rate_chunks_.empty() && rate_chunks_.back().begin + rate_chunks_.back().cols == B) {  // chunks of B
      for (const RateChunk& c : rate_chunks_) first.push_back(static_cast<int>(c.begin));
      first.push_back(B);
    } else if (!rate && sample_work_.size() == static_cast<size_t>(B)) {
      first = work_shares(sample_work_, omp_get_max_threads());
    }
  }
  if (first.size() < 3) {  // fewer than two parts: one thread
    if (states_only) to.state = from.state;
    else to = from;
    return;
  }
  // Per batch, and the shapes, here; per sample, on the team.
  std::vector<std::pair<Matrix*, const Matrix*>> matrices;
  std::vector<std::pair<std::vector<SpikeEvents>*, const std::vector<SpikeEvents>*>> lists;
  for (auto member : {&RelaxationState::state, &RelaxationState::accumulator, &RelaxationState::spikes,
                      &RelaxationState::trace, &RelaxationState::delta, &RelaxationState::previous}) {
    if (states_only && member != &RelaxationState::state) continue;
    (to.*member).resize((from.*member).size());
    for (size_t l = 0; l < (from.*member).size(); ++l) matrices.emplace_back(&(to.*member)[l], &(from.*member)[l]);
  }
  if (!states_only) {
    to.rng = from.rng;
    to.read_sample = from.read_sample;
    to.quiet_input = from.quiet_input;
    matrices.emplace_back(&to.input_drive, &from.input_drive);
    to.events.resize(from.events.size());
    for (size_t l = 0; l < from.events.size(); ++l) lists.emplace_back(&to.events[l], &from.events[l]);
    lists.emplace_back(&to.input_on, &from.input_on);
    lists.emplace_back(&to.input_off, &from.input_off);
  }
  for (auto& [t, f] : matrices) {
    if (f->cols() == B) t->resize(f->rows(), B);
    else *t = *f;  // not per sample (an unused, empty member)
  }
  for (auto& [t, f] : lists) {
    if (f->size() == static_cast<size_t>(B)) t->resize(static_cast<size_t>(B));
    else *t = *f;
  }
  run_team(static_cast<int>(first.size()) - 1, [&](int part, int) {
    const int b0 = first[static_cast<size_t>(part)], n = first[static_cast<size_t>(part) + 1] - b0;
    for (auto& [t, f] : matrices)
      if (f->cols() == B) t->middleCols(b0, n) = f->middleCols(b0, n);
    for (auto& [t, f] : lists)
      if (f->size() == static_cast<size_t>(B))
        for (int b = b0; b < b0 + n; ++b) (*t)[static_cast<size_t>(b)] = (*f)[static_cast<size_t>(b)];
  });
}

// Rate mode on several threads: the batch's columns in one chunk per thread, so that a product's columns see the
// same arithmetic as in the whole batch: the numbers do not depend on the thread count, and no step needs a barrier
// because samples are independent. Equal chunks where every layer's products are computed column by column
// (Substrate::products_by_column), else chunks on Eigen's register blocks (core/product_chunks.hpp: 12 + 8 of 20).
void Relaxation::prepare_rate_chunks(int B) const {
  const auto layers = static_cast<size_t>(net_.weight_layers() + 1);
  whole_batch_.begin = 0;
  whole_batch_.cols = B;
  whole_batch_.drive.resize(layers);
  whole_batch_.feedback.resize(layers);
  bool by_column = net_.weight(0).forward_nonzero_on_team();  // else the chunks' input drives are products too
  for (int l = 1; l < net_.weight_layers(); ++l) by_column = by_column && net_.weight(l).products_by_column();
  const auto chunks = by_column ? equal_column_chunks(B, omp_get_max_threads()) : product_column_chunks<Scalar>(B, omp_get_max_threads());
  rate_chunks_.resize(chunks.size() < 2 ? 0 : chunks.size());
  for (size_t t = 0; t < rate_chunks_.size(); ++t) {
    RateChunk& c = rate_chunks_[t];
    c.begin = chunks[t].begin;
    c.cols = chunks[t].cols;
    c.drive.resize(layers);
    c.feedback.resize(layers);
  }
}

// A blank pixel's neuron keeps a in [+0, 1) and never spikes (a += 0): on MNIST 42 % of the input's 16-neuron
// vectors are all blank, and emit_spikes skips them (sigma_delta_layer's `quiet`). Other codings mark none.
void Relaxation::mark_quiet_input(RelaxationState& st) const {
  st.quiet_input.clear();
  if (params_.coding != SpikeCoding::sigma_delta) return;
  const Matrix& s = st.state[0];
  const Matrix& a = st.accumulator[0];
  const Matrix& S = st.spikes[0];
  const Eigen::Index n = s.rows(), vectors = (n + 15) / 16;
  st.quiet_input.assign(static_cast<size_t>(vectors * s.cols()), 0);
  for (Eigen::Index b = 0; b < s.cols(); ++b) {
    const Scalar* sb = s.col(b).data();
    const Scalar* ab = a.col(b).data();
    const Scalar* Sb = S.col(b).data();
    for (Eigen::Index v = 0; v < vectors; ++v) {
      // No early exit, so that the loop vectorises. Busy: ink, a not in [+0, 1) (NaN and -0 included, which a
      // step would change), or S not +0 (a step would write +0).
      uint32_t busy = 0;
      for (Eigen::Index i = 16 * v; i < std::min(n, 16 * v + 16); ++i)
        busy |= static_cast<uint32_t>(sb[i] != 0) | static_cast<uint32_t>(!(ab[i] < 1)) |
                (std::bit_cast<uint32_t>(ab[i]) >> 31) | std::bit_cast<uint32_t>(Sb[i]);
      st.quiet_input[static_cast<size_t>(b * vectors + v)] = busy == 0 ? 1 : 0;
    }
  }
}

void Relaxation::emit_input_steps(RelaxationState& st, int b, int steps, InputDrive input, InputSteps& in) const {
  const Eigen::Index n = st.state[0].rows();
  const Scalar* s = st.state[0].col(b).data();
  Scalar* S = st.spikes[0].col(b).data();
  Scalar* a = st.accumulator[0].col(b).data();
  const uint8_t* quiet = st.quiet_input.empty() ? nullptr : st.quiet_input.data() + b * ((n + 15) / 16);
  const bool changes = params_.input_changes;
  for (auto* lists : {&in.events, &in.on, &in.off})
    if (lists->size() < static_cast<size_t>(steps)) lists->resize(static_cast<size_t>(steps));
  const auto T = static_cast<size_t>(steps);
  in.events_at.resize(T);
  in.on_at.resize(T);
  in.off_at.resize(T);
  in.counts.resize(T);
  for (size_t t = 0; t < T; ++t) {
    in.events[t].resize(static_cast<size_t>(n));  // the capacity stays (and nothing is written: not initialised)
    in.events_at[t] = in.events[t].data();
    if (changes) {
      in.on[t].resize(static_cast<size_t>(n));
      in.off[t].resize(static_cast<size_t>(n));
      in.on_at[t] = in.on[t].data();
      in.off_at[t] = in.off[t].data();
    }
  }
  sigma_delta_layer_steps(s, a, S, n, steps, in.events_at.data(), changes ? in.on_at.data() : nullptr,
                          changes ? in.off_at.data() : nullptr, in.counts.data(), quiet);
  for (size_t t = 0; t < T; ++t) {
    in.events[t].resize(static_cast<size_t>(in.counts[t].spikes));
    if (changes) {
      in.on[t].resize(static_cast<size_t>(in.counts[t].started));
      in.off[t].resize(static_cast<size_t>(in.counts[t].stopped));
    }
  }
  in.summed = false;
  if (input == InputDrive::replay) return;  // the recorded drives (input_drive)
  // Only grows (phases of 20 and 10 steps would otherwise reallocate it for every sample).
  const int n1 = net_.sizes()[1];
  if (input == InputDrive::compute && (in.drive.rows() != n1 || in.drive.cols() < steps)) in.drive.resize(n1, steps);
  if (!changes) {
    in.spikes.resize(static_cast<size_t>(steps));
    for (size_t t = 0; t < in.spikes.size(); ++t) in.spikes[t] = {in.events[t], ahead_drive(in, st, b, static_cast<int>(t), input)};
    in.summed = net_.weight(0).forward_event_steps(in.spikes);
    return;
  }
  in.changes.resize(static_cast<size_t>(steps));
  for (size_t t = 0; t < in.changes.size(); ++t)
    in.changes[t] = {in.on[t], in.off[t], in.events[t].size(), ahead_drive(in, st, b, static_cast<int>(t), input)};
  in.summed = net_.weight(0).forward_event_change_steps(in.changes, st.input_drive.col(b).data());
}

Scalar* Relaxation::ahead_drive(InputSteps& in, const RelaxationState& st, int b, int t, InputDrive input) const {
  if (input == InputDrive::record) return recorded_input_drive_.col(Eigen::Index{t} * st.batch() + b).data();
  return in.drive.col(t).data();
}

int64_t Relaxation::emit_spikes(RelaxationState& st, int b, int t, InputSteps* ahead) const {
  int64_t emitted = 0;
  for (size_t l = 0; l < st.state.size(); ++l) {
    auto& events = st.events[l][static_cast<size_t>(b)];
    if (l == 0 && ahead != nullptr) {  // step t's lists, emitted before the phase, swapped in (no copy)
      const auto k = static_cast<size_t>(t);
      events.swap(ahead->events[k]);
      if (params_.input_changes) {
        st.input_on[static_cast<size_t>(b)].swap(ahead->on[k]);
        st.input_off[static_cast<size_t>(b)].swap(ahead->off[k]);
      }
      emitted += static_cast<int64_t>(events.size());
      continue;
    }
    const auto n = st.state[l].rows();
    events.resize(static_cast<size_t>(n));  // the capacity stays from step to step (reserved in start())
    const Scalar* s = st.state[l].col(b).data();
    Scalar* S = st.spikes[l].col(b).data();
    Scalar* a = st.accumulator[l].col(b).data();
    // The input sent as changes also lists the input neurons that started and stopped spiking.
    SpikeEvents* on = nullptr;
    SpikeEvents* off = nullptr;
    if (l == 0 && params_.input_changes) {
      on = &st.input_on[static_cast<size_t>(b)];
      off = &st.input_off[static_cast<size_t>(b)];
      on->resize(static_cast<size_t>(n));
      off->resize(static_cast<size_t>(n));
    }
    LayerSpikeCounts c;
    if (params_.coding == SpikeCoding::sigma_delta) {
      const uint8_t* quiet = l == 0 && !st.quiet_input.empty() ? st.quiet_input.data() + b * ((n + 15) / 16) : nullptr;
      c = sigma_delta_layer(s, a, S, n, events.data(), on != nullptr ? on->data() : nullptr,
                            off != nullptr ? off->data() : nullptr, quiet);
    } else {
      Rng& rng = st.rng[static_cast<size_t>(b)];
      for (Eigen::Index i = 0; i < n; ++i) {
        const bool before = S[i] != 0;
        S[i] = bernoulli_spike(s[i], rng);
        if (on == nullptr) continue;
        (*on)[static_cast<size_t>(c.started)] = static_cast<int32_t>(i);  // branch-free, as nonzero_indices
        c.started += S[i] != 0 && !before;
        (*off)[static_cast<size_t>(c.stopped)] = static_cast<int32_t>(i);
        c.stopped += before && S[i] == 0;
      }
      c.spikes = nonzero_indices(S, n, events.data());
    }
    events.resize(static_cast<size_t>(c.spikes));
    if (on != nullptr) {
      on->resize(static_cast<size_t>(c.started));
      off->resize(static_cast<size_t>(c.stopped));
    }
    emitted += static_cast<int64_t>(c.spikes);
  }
  return emitted;
}

namespace {

// s = clip((1 - leak) s_old + leak (((u + u2) + bias) + beta (y - s_old))) over one column, and ds = s - s_old
// if kDelta: one pass, the additions in the order of the separate passes this replaced (bit-identical). s_old is
// `previous`, or if kKeep s itself, written to `previous` as it is read (a spiking step: one pass fewer per step).
// kTrace: a learning trace that follows the state, in the same pass: ds = trace_rate (s - trace), trace += ds.
// The products are fused as GCC contracts the scalar loop: v + beta (y - old) and (1 - leak) old + (leak v) are
// each one fused multiply-add, so both paths give the same bits.
template <bool kFeedback, bool kNudged, bool kDelta, bool kKeep, bool kTrace>
void integrate_column(Eigen::Index n, const Scalar* u, const Scalar* u2, const Scalar* bias, const Scalar* y, Scalar beta,
                      Scalar leak, Scalar* previous, Scalar* s, Scalar* ds, Scalar* trace, Scalar trace_rate) {
#if defined(__AVX512F__)
  // The clip as max(0, x) then min(1, x), which keep std::max's and std::min's results for NaN and -0 (the
  // first operand is returned only if the comparison holds): GCC vectorises the std:: forms as compares and
  // blends through mask registers (a 500-neuron column took 309-345 ns against 254-276 ns in a scratch program).
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1), kept = _mm512_set1_ps(1 - leak),
               gain = _mm512_set1_ps(leak), nudge = _mm512_set1_ps(beta), rate = _mm512_set1_ps(trace_rate);
  // Whole vectors load and store unmasked: a masked store does not forward to a load of the same line soon after
  // (the next step's emission reads s, the rule copies ds), which then waits for the store to reach L1.
  const auto rows = [&]<bool kWhole>(Eigen::Index i, __mmask16 m) {
    const auto load = [m](const Scalar* p) { return kWhole ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p); };
    const auto store = [m](Scalar* p, __m512 v) {
      if constexpr (kWhole) _mm512_storeu_ps(p, v);
      else _mm512_mask_storeu_ps(p, m, v);
    };
    const __m512 old = load(kKeep ? s + i : previous + i);
    if constexpr (kKeep) store(previous + i, old);
    __m512 v = load(u + i);
    if constexpr (kFeedback) v = _mm512_add_ps(v, load(u2 + i));
    v = _mm512_add_ps(v, load(bias + i));
    if constexpr (kNudged) v = _mm512_fmadd_ps(nudge, _mm512_sub_ps(load(y + i), old), v);
    const __m512 x = _mm512_min_ps(one, _mm512_max_ps(zero, _mm512_fmadd_ps(old, kept, _mm512_mul_ps(gain, v))));
    store(s + i, x);
    if constexpr (kDelta) store(ds + i, _mm512_sub_ps(x, old));
    if constexpr (kTrace) {
      const __m512 t = load(trace + i);
      const __m512 d = _mm512_mul_ps(rate, _mm512_sub_ps(x, t));
      store(ds + i, d);
      // ds + trace in this operand order (add_round: GCC may swap a plain add's operands), as GCC compiled the
      // scalar loop: where both are NaN, the result is ds's NaN, bit for bit.
      store(trace + i, _mm512_add_round_ps(d, t, _MM_FROUND_CUR_DIRECTION));
    }
  };
  // The vectors start on s's 64-byte lines, the first one taking the rows before its first line: a 500-neuron
  // column is 2,000 bytes, so 3 in 4 samples' columns start inside a line, and so do their previous, ds and trace
  // (and most drives), matrices of the same rows; a vector that spans two lines costs two accesses.
  const auto head = static_cast<Eigen::Index>(((64 - (reinterpret_cast<uintptr_t>(s) & 63)) & 63) / sizeof(Scalar));
  Eigen::Index i = 0;
  if (head > 0 && head < n) {
    rows.template operator()<false>(0, static_cast<__mmask16>((1U << head) - 1));
    i = head;
  }
  for (; i + 16 <= n; i += 16) rows.template operator()<true>(i, 0xFFFF);
  if (i < n) rows.template operator()<false>(i, static_cast<__mmask16>((1U << (n - i)) - 1));
#else
#pragma GCC ivdep  // s, ds, previous and trace are distinct columns, none of them an input
  for (Eigen::Index i = 0; i < n; ++i) {
    const Scalar old = kKeep ? s[i] : previous[i];
    if constexpr (kKeep) previous[i] = old;
    Scalar v = u[i];
    if constexpr (kFeedback) v += u2[i];
    v += bias[i];
    if constexpr (kNudged) v += beta * (y[i] - old);
    s[i] = std::min(std::max((1 - leak) * old + leak * v, Scalar{0}), Scalar{1});
    if constexpr (kDelta) ds[i] = s[i] - old;
    if constexpr (kTrace) {
      ds[i] = trace_rate * (s[i] - trace[i]);
      trace[i] += ds[i];
    }
  }
#endif
}

// trace: not null for a trace that follows the state (then delta is false).
template <bool kFeedback, bool kNudged>
void integrate_column(bool delta, bool keep, Eigen::Index n, const Scalar* u, const Scalar* u2, const Scalar* bias,
                      const Scalar* y, Scalar beta, Scalar leak, Scalar* previous, Scalar* s, Scalar* ds, Scalar* trace,
                      Scalar trace_rate) {
  const auto run = [&]<bool kDelta, bool kKeep, bool kTrace>() {
    integrate_column<kFeedback, kNudged, kDelta, kKeep, kTrace>(n, u, u2, bias, y, beta, leak, previous, s, ds, trace,
                                                                trace_rate);
  };
  if (trace != nullptr) {
    if (keep) run.template operator()<false, true, true>();
    else run.template operator()<false, false, true>();
  } else if (keep && delta) {
    run.template operator()<true, true, false>();
  } else if (keep) {
    run.template operator()<false, true, false>();
  } else if (delta) {
    run.template operator()<true, false, false>();
  } else {
    run.template operator()<false, false, false>();
  }
}

}  // namespace

// The new state of layer l of sample b from its drive u (+ u2, the feedback, if not null; neither is changed):
// s = clip((1 - leak) s_old + leak (u + u2 + bias + nudge)), and the change of the learning variable. s_old is
// previous[l] (rate steps), or with keep_previous the state itself, which goes to previous[l] as it is read.
void Relaxation::integrate(RelaxationState& st, int l, Eigen::Index b, const Scalar* u, const Scalar* u2,
                           const Matrix* targets, Scalar beta, bool keep_previous) const {
  const auto k = static_cast<size_t>(l);
  const Scalar leak = params_.leak, trace_rate = params_.trace_rate;
  const Eigen::Index n = st.state[k].rows();
  const Scalar* bias = net_.bias(l - 1).data();
  Scalar* s = st.state[k].col(b).data();
  Scalar* ds = st.delta[k].col(b).data();
  Scalar* previous = st.previous[k].col(b).data();
  const bool traced = params_.uses_trace();
  const bool delta = !traced && changes_read_;  // ds = the state's change (traced: the trace's; else none wanted)
  // A trace that follows the state is updated in integrate_column's pass; one that follows the spikes after it.
  Scalar* trace = traced ? st.trace[k].col(b).data() : nullptr;
  Scalar* fused_trace = params_.trace_of_spikes ? nullptr : trace;
  if (targets != nullptr && l == net_.weight_layers()) {
    const Scalar* y = targets->col(b).data();
    if (u2 != nullptr)
      integrate_column<true, true>(delta, keep_previous, n, u, u2, bias, y, beta, leak, previous, s, ds, fused_trace, trace_rate);
    else
      integrate_column<false, true>(delta, keep_previous, n, u, u2, bias, y, beta, leak, previous, s, ds, fused_trace, trace_rate);
  } else {
    if (u2 != nullptr)
      integrate_column<true, false>(delta, keep_previous, n, u, u2, bias, nullptr, beta, leak, previous, s, ds, fused_trace,
                                    trace_rate);
    else
      integrate_column<false, false>(delta, keep_previous, n, u, u2, bias, nullptr, beta, leak, previous, s, ds, fused_trace,
                                     trace_rate);
  }
  if (trace != nullptr && fused_trace == nullptr) {
    // The trace follows the spikes this step emitted (rate mode: its "spikes" s(t)).
    const Scalar* follows = params_.coding == SpikeCoding::rate ? previous : st.spikes[k].col(b).data();
    for (Eigen::Index i = 0; i < n; ++i) {
      ds[i] = trace_rate * (follows[i] - trace[i]);
      trace[i] += ds[i];
    }
  }
}

// One spiking step of sample b: emit spikes, sum the weight columns of the neurons that spiked, integrate.
// Touches only column b, so samples run in parallel.
int64_t Relaxation::step_sample(RelaxationState& st, int b, int t, const Matrix* targets, Scalar beta, InputDrive input,
                                InputSteps* ahead) const {
  const int L = net_.weight_layers();
  const ReadKeyScope key({sample_read_key(st.read_sample[static_cast<size_t>(b)], read_phase_), static_cast<uint64_t>(t)});
  const int64_t spikes = emit_spikes(st, b, t, ahead);  // from the state before the step, which integrate keeps as previous
  const bool drive_ahead = ahead != nullptr && ahead->summed;
  const auto drive = [&](int l) {
    if (l == 1 && drive_ahead) return ahead_drive(*ahead, st, b, t, input);
    if (l == 1 && params_.input_changes) return st.input_drive.col(b).data();
    if (l == 1 && input != InputDrive::compute) return recorded_input_drive_.col(static_cast<Eigen::Index>(t) * st.batch() + b).data();
    return scratch_drive_[static_cast<size_t>(l)].col(b).data();
  };
  const Scalar* input_sum = nullptr;  // layer 1's drive W_1 S_0(t)
  for (int l = 1; l <= L; ++l) {
    const auto k = static_cast<size_t>(l);
    if (l == 1) {
      input_sum = drive_ahead ? drive(1) : input_drive(st, b, t, input, drive(1), ahead == nullptr);
    } else {
      net_.weight(l - 1).forward_events(st.events[k - 1][static_cast<size_t>(b)], drive(l));
    }
    if (l < L) net_.weight(l).backward_events(st.events[k + 1][static_cast<size_t>(b)], scratch_feedback_[k].col(b).data());
  }
  for (int l = 1; l <= L; ++l)
    integrate(st, l, b, l == 1 ? input_sum : drive(l), l < L ? scratch_feedback_[static_cast<size_t>(l)].col(b).data() : nullptr,
              targets, beta, true);
  return spikes;
}

const Scalar* Relaxation::input_drive(RelaxationState& st, int b, int t, InputDrive input, Scalar* y,
                                      bool carry_each_step) const {
  const Substrate& w1 = net_.weight(0);
  const auto& active = st.events[0][static_cast<size_t>(b)];
  Scalar* recorded = input == InputDrive::compute ? nullptr : recorded_input_drive_.col(Eigen::Index{t} * st.batch() + b).data();
  const auto n = static_cast<Eigen::Index>(w1.rows());
  if (input == InputDrive::replay && w1.repeat_forward_events(active)) {
    // Read where it was recorded. A carried sum (the input as changes) takes it too, to carry on from there: at every
    // step if observers may read it, else only the last step's (copied at every step, this was 1.7 % of an EqSpike run).
    if (y != recorded && (carry_each_step || t + 1 == phase_steps_))
      Eigen::Map<Vector>(y, n) = Eigen::Map<const Vector>(recorded, n);
    return recorded;
  }
  if (!params_.input_changes ||
      !w1.forward_event_changes(st.input_on[static_cast<size_t>(b)], st.input_off[static_cast<size_t>(b)], active.size(), y))
    w1.forward_events(active, y);
  if (input == InputDrive::record && y != recorded) Eigen::Map<Vector>(recorded, n) = Eigen::Map<const Vector>(y, n);
  return y;
}

void Relaxation::prepare_scratch(int B) const {
  const int L = net_.weight_layers();
  scratch_drive_.resize(static_cast<size_t>(L + 1));
  for (int l = 1; l <= L; ++l) scratch_drive_[static_cast<size_t>(l)].resize(net_.sizes()[static_cast<size_t>(l)], B);
  scratch_feedback_.resize(static_cast<size_t>(L));  // [l]: W_{l+1}^T S_{l+1}, for the layers below the output
  for (int l = 1; l < L; ++l) scratch_feedback_[static_cast<size_t>(l)].resize(net_.sizes()[static_cast<size_t>(l)], B);
}

void Relaxation::step_rate(RelaxationState& s, RateChunk& c, int t, const Matrix* targets, Scalar beta) const {
  const int L = net_.weight_layers();
  // Dense reads of analog states: each column is keyed by its own values, the phase and the step (the chunks
  // differ with the thread count, so not by column).
  const ReadKeyScope key({sample_read_key(read_phase_), static_cast<uint64_t>(t)});
  // integrate() writes every state below, from the old one kept as previous (the products' operand).
  for (int l = 1; l <= L; ++l) s.previous[static_cast<size_t>(l)].swap(s.state[static_cast<size_t>(l)]);
  for (int l = 2; l <= L; ++l) net_.weight(l - 1).forward_by_column(s.previous[static_cast<size_t>(l - 1)], c.drive[static_cast<size_t>(l)]);
  for (int l = 1; l < L; ++l) net_.weight(l).backward_by_column(s.previous[static_cast<size_t>(l + 1)], c.feedback[static_cast<size_t>(l)]);
  for (Eigen::Index b = 0; b < c.cols; ++b)
    for (int l = 1; l <= L; ++l) {
      const auto k = static_cast<size_t>(l);
      // Layer 1's input drive W_1 x is the batch's (the input is clamped); the feedback is added first.
      const Scalar* u = l == 1 ? input_drive_.col(c.begin + b).data() : c.drive[k].col(b).data();
      integrate(s, l, b, u, l < L ? c.feedback[k].col(b).data() : nullptr, targets, beta, false);
    }
}

void Relaxation::run_rate_chunk(RelaxationState& st, RateChunk& c, int steps, const Matrix* targets, Scalar beta) const {
  const auto layers = st.state.size();
  RelaxationState& own = c.own;
  own.state.resize(layers);
  own.previous.resize(layers);
  own.delta.resize(layers);
  own.trace.resize(layers);
  const bool trace = params_.uses_trace();
  for (size_t k = 1; k < layers; ++k) {
    own.state[k] = st.state[k].middleCols(c.begin, c.cols);
    own.previous[k].resize(st.state[k].rows(), c.cols);
    own.delta[k].resize(st.state[k].rows(), c.cols);
    if (trace) own.trace[k] = st.trace[k].middleCols(c.begin, c.cols);
  }
  if (targets != nullptr) c.targets = targets->middleCols(c.begin, c.cols);
  for (int t = 0; t < steps; ++t) step_rate(own, c, t, targets != nullptr ? &c.targets : nullptr, beta);
  for (size_t k = 1; k < layers; ++k) {
    st.state[k].middleCols(c.begin, c.cols) = own.state[k];
    st.previous[k].middleCols(c.begin, c.cols) = own.previous[k];  // delta not: chunks run only without observers
    if (trace) st.trace[k].middleCols(c.begin, c.cols) = own.trace[k];
  }
}

void Relaxation::run(RelaxationState& st, int steps, const Matrix* targets, Scalar beta, Scalar sign,
                     std::span<PhaseObserver* const> observers, InputDrive input) const {
  const int B = st.batch();
  if (params_.coding == SpikeCoding::rate) input = InputDrive::compute;  // rate mode computes W_1 x once anyway
  const Eigen::Index drives = Eigen::Index{steps} * B;
  read_phase_ = phases_++;
  phase_steps_ = steps;
  changes_read_ = params_.coding != SpikeCoding::rate || !observers.empty();
  if (input == InputDrive::record) recorded_input_drive_.resize(net_.sizes()[1], drives);
  if (input == InputDrive::replay && (recorded_input_drive_.rows() != net_.sizes()[1] || recorded_input_drive_.cols() != drives))
    throw std::logic_error("Relaxation::run: a replay of the input drive needs a recorded phase of the same steps and batch");
  for (int l = 1; l <= net_.weight_layers(); ++l) st.previous[static_cast<size_t>(l)].resize(net_.sizes()[static_cast<size_t>(l)], B);
  if (params_.coding == SpikeCoding::rate) prepare_rate_chunks(B);
  else prepare_scratch(B);
  int64_t neurons = 0;
  for (int l = 1; l <= net_.weight_layers(); ++l) neurons += net_.sizes()[static_cast<size_t>(l)];
  count_into(counters_, Op::neuron_updates, neurons * steps * B);
  count_into(counters_, Op::time_steps, int64_t{steps} * B);
  for (PhaseObserver* o : observers) o->begin_phase(targets != nullptr ? Phase::nudged : Phase::free, sign);
  int64_t spikes = 0;
  if (params_.coding == SpikeCoding::rate && observers.empty() && !rate_chunks_.empty()) {
    // Each thread relaxes its chunk of samples through the whole phase: no barrier per step.
    run_team(static_cast<int>(rate_chunks_.size()),
             [&](int i, int) { run_rate_chunk(st, rate_chunks_[static_cast<size_t>(i)], steps, targets, beta); });
  } else if (params_.coding == SpikeCoding::rate) {
    for (int t = 0; t < steps; ++t) {
      step_rate(st, whole_batch_, t, targets, beta);
      for (PhaseObserver* o : observers) o->after_step(t, st);
    }
  } else if (std::ranges::all_of(observers, [](const PhaseObserver* o) { return o->observes_samples(); })) {
    // Samples are independent unless an observer needs a whole step: one parallel region for the whole phase.
    for (PhaseObserver* o : observers) o->begin_sample_steps(steps, B);
    // A clamped sigma-delta input: its lists for the whole phase first, sample by sample (its state then stays in
    // L1 between the steps, and the substrate can sum the drives of all steps at once, reading the columns the
    // input keeps spiking from, or changing, from L1). Its a[0] and S[0] are then the phase's last step's while
    // the other layers step: the observers here (the two-factor rule) read only the input's lists.
    const bool ahead = params_.coding == SpikeCoding::sigma_delta;
    if (ahead) input_steps_.resize(static_cast<size_t>(omp_get_max_threads()));
    spikes += sum_over_samples(B, sample_work_, sample_queues_, [&](int b, int part) {
      int64_t n = 0;
      InputSteps* in = ahead ? &input_steps_[static_cast<size_t>(part)] : nullptr;
      if (in != nullptr) emit_input_steps(st, b, steps, input, *in);
      for (int t = 0; t < steps; ++t) {
        n += step_sample(st, b, t, targets, beta, input, in);
        for (PhaseObserver* o : observers) o->after_sample_step(t, b, st);
      }
      return n;
    });
  } else {
    for (int t = 0; t < steps; ++t) {
      spikes += sum_over_samples(B, sample_work_, sample_queues_, [&](int b, int) { return step_sample(st, b, t, targets, beta, input); });
      for (PhaseObserver* o : observers) o->after_step(t, st);
    }
  }
  count_into(counters_, Op::spikes, spikes);
  for (PhaseObserver* o : observers) o->end_phase();
}

}  // namespace plasticore
