#include "learn/two_factor_rule.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include "core/column_sums.hpp"
#include "core/shares.hpp"
#include "core/team.hpp"

namespace plasticore {

// The events are first sorted by column (lists stay in their order within a column), so each column of dW,
// which lives in L3, is loaded once and its rows summed over all its lists in registers: every element sees the
// same additions in the same order as list after list. With threads, each counts the events of every column and
// takes a contiguous range of columns holding its share of the work (inked pixels cluster, so equal numbers of
// columns were unbalanced), sorts only those and sums them: no cache line of dW is written by two threads except
// at the ranges' two ends, and no thread waits for a serial sort. The result depends on neither the thread count
// nor the ranges.
void add_post_times_pre_events(Matrix& dW, const Matrix& post, std::span<const PreEvents> lists, Eigen::Index begin,
                               Eigen::Index end, EventsByColumn& by_column, GradientColumns* written) {
  const Eigen::Index rows = dW.rows(), cols = dW.cols();
  if (rows < 64) {
    // A small layer (the 10 outputs) stays in L1: each event's column is added where it stands, list after list,
    // so each element sees the same additions in the same order as on the sorted path (sorting cost ~3x the adds).
    // The factors are +-1, so each term is a signed column: the signed sum, whose rows (at most 16) go in a few
    // vector pieces with AVX-512 (the factor path's 8-row tile, loop and scalar rows were 4.4 % of a spikes-mode run).
    for (const PreEvents& l : lists) {
      const Scalar* post_column = post.col(l.post).data();
#if defined(__AVX512F__)
      // The list's signed column once, then one add per event: the same bits as a fused multiply-add per event
      // because the factor is an exact multiplier (the rule's +-1; a power of two could overflow where the fused
      // form would not).
      if (rows <= 16) {
        const auto lanes = static_cast<__mmask16>((1U << rows) - 1);
        alignas(64) Scalar term[16];
        _mm512_store_ps(term, _mm512_mul_ps(_mm512_set1_ps(l.factor), _mm512_maskz_loadu_ps(lanes, post_column)));
        // The column in unmasked pieces of 16, or 8, 4, 2 and 1 rows: a masked store does not forward to a later
        // masked load of the same column (the next sample's event there), which then waited for the store to reach L1.
        // The 2-row piece as 64-bit integer moves (_mm_loadl_epi64 and _mm_storel_epi64 may alias the floats).
        const bool whole = rows == 16;
        const Eigen::Index eight = rows & 8, four = rows & 4, two = rows & 2, single = rows & 1;  // 0 for 16
        const __m256 t8 = _mm256_load_ps(term);
        const __m128 t4 = _mm_load_ps(term + eight),
                     t2 = _mm_castsi128_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(term + eight + four)));
        const Scalar t1 = term[eight + four + two];
        for (const int32_t j : *l.events)
          if (j >= begin && j < end) {
            Scalar* column = dW.col(j).data();
            if (whole) _mm512_storeu_ps(column, _mm512_add_ps(_mm512_loadu_ps(column), _mm512_load_ps(term)));
            if (eight != 0) _mm256_storeu_ps(column, _mm256_add_ps(_mm256_loadu_ps(column), t8));
            if (four != 0) _mm_storeu_ps(column + eight, _mm_add_ps(_mm_loadu_ps(column + eight), t4));
            if (two != 0) {
              auto* at = reinterpret_cast<__m128i*>(column + eight + four);
              _mm_storel_epi64(at, _mm_castps_si128(_mm_add_ps(_mm_castsi128_ps(_mm_loadl_epi64(at)), t2)));
            }
            if (single != 0) column[eight + four + two] += t1;
            if (written != nullptr) written->mark(j);
          }
        continue;
      }
#endif
      for (const int32_t j : *l.events)
        if (j >= begin && j < end) {
          sum_columns<false, true>(dW.col(j).data(), rows, 1, l.factor, [&](size_t) { return post_column; });
          if (written != nullptr) written->mark(j);
        }
    }
    return;
  }
  const auto part = [&](int t, int nt) {
    EventsByColumn::Part& p = by_column.parts[static_cast<size_t>(t)];
    // Events per column, then this thread's columns [c0, c1) (core/shares.hpp): a column costs its events and
    // one more for its load and store (empty columns are skipped).
    p.start.assign(static_cast<size_t>(cols) + 1, 0);
    for (const PreEvents& l : lists)
      for (const int32_t j : *l.events) ++p.start[static_cast<size_t>(j) + 1];
    p.work.resize(static_cast<size_t>(end - begin));
    for (Eigen::Index j = begin; j < end; ++j) {
      const size_t n = p.start[static_cast<size_t>(j) + 1];
      p.work[static_cast<size_t>(j - begin)] = static_cast<double>(n + (n > 0));
    }
    if (written != nullptr && t == 0)  // every thread counted every column: one of them marks
      for (Eigen::Index j = begin; j < end; ++j) written->mark_if(j, p.start[static_cast<size_t>(j) + 1] != 0);
    const std::vector<int> shares = work_shares(p.work, nt);
    const Eigen::Index c0 = begin + shares[static_cast<size_t>(t)], c1 = begin + shares[static_cast<size_t>(t) + 1];
    if (c0 >= c1) return;
    // Counting sort of this range's (list, column) events by column.
    p.start[static_cast<size_t>(c0)] = 0;
    for (Eigen::Index j = c0; j < c1; ++j) p.start[static_cast<size_t>(j) + 1] += p.start[static_cast<size_t>(j)];
    p.lists.resize(p.start[static_cast<size_t>(c1)]);
    p.fill.assign(p.start.begin() + c0, p.start.begin() + c1);
    for (size_t n = 0; n < lists.size(); ++n)
      for (const int32_t j : *lists[n].events)
        if (j >= c0 && j < c1) p.lists[p.fill[static_cast<size_t>(j - c0)]++] = static_cast<int32_t>(n);
    for (Eigen::Index j = c0; j < c1; ++j) {
      const size_t first = p.start[static_cast<size_t>(j)], last = p.start[static_cast<size_t>(j) + 1];
      if (first == last) continue;
      const auto list = [&](size_t n) -> const PreEvents& { return lists[static_cast<size_t>(p.lists[first + n])]; };
      sum_scaled_columns<false, ColumnScale::factor>(
          dW.col(j).data(), rows, last - first, Scalar{1}, [&](size_t n) { return post.col(list(n).post).data(); },
          [&](size_t n) { return list(n).factor; });
    }
  };
  const int threads = team_of_several() ? omp_get_max_threads() : 1;
  if (by_column.parts.size() < static_cast<size_t>(threads)) by_column.parts.resize(static_cast<size_t>(threads));
  if (threads > 1) run_team(threads, part);  // as on one thread, an exception (an allocation) reaches the caller
  else part(0, 1);
}

namespace {

// Dense spikes (AVX-512): dW(:, j) += sign * pre(j, b) on the rows of sample b's spike mask, column by column, one
// masked vector add per 16 rows. Sample b's mask is masks[b * stride, (b + 1) * stride), stride a multiple of 4, its
// vectors past the column's and rows beyond dW's never set. Each column's vectors stay in registers, up to 16 at a
// time, while every sample adds to them (a masked load, add and store per vector and sample had each sample's add
// wait for the last one's masked store, which this core does not forward: 37 % of a 784-500-500-10 run); each
// weight still takes its terms in sample order.
#if defined(__AVX512F__)
// The vectors [v0, v0 + kHeld) of each column in [begin, end), in registers over all samples.
template <int kHeld>
void add_masked_column_vectors(Matrix& dW, const Matrix& pre, const uint16_t* masks, Eigen::Index stride, Eigen::Index samples,
                               Eigen::Index v0, Scalar sign, Eigen::Index begin, Eigen::Index end) {
  const Eigen::Index rows = dW.rows();
  __mmask16 lanes[kHeld];      // each held vector's lanes inside the column (none past its end: never read or written)
  Eigen::Index offset[kHeld];  // and where it starts (a vector past the column's end points at its start instead)
  for (int v = 0; v < kHeld; ++v) {
    const Eigen::Index left = std::clamp<Eigen::Index>(rows - 16 * (v0 + v), 0, 16);
    lanes[v] = static_cast<__mmask16>((1U << left) - 1);
    offset[v] = left > 0 ? 16 * v : 0;
  }
  for (Eigen::Index j = begin; j < end; ++j) {
    Scalar* column = dW.col(j).data() + 16 * v0;
    __m512 sum[kHeld];
    for (int v = 0; v < kHeld; ++v) sum[v] = _mm512_maskz_loadu_ps(lanes[v], column + offset[v]);
    for (Eigen::Index b = 0; b < samples; ++b) {
      const uint16_t* mask = masks + b * stride + v0;
      const __m512 term = _mm512_set1_ps(sign * pre(j, b));
      // term + sum, in this order: of two NaNs the add keeps its first operand's, as the per-sample adds did.
      for (int v = 0; v < kHeld; ++v) sum[v] = _mm512_mask_add_ps(sum[v], static_cast<__mmask16>(mask[v]), term, sum[v]);
    }
    for (int v = 0; v < kHeld; ++v) _mm512_mask_storeu_ps(column + offset[v], lanes[v], sum[v]);
  }
}

void add_masked_columns(Matrix& dW, const Matrix& pre, std::span<const uint16_t> masks, Eigen::Index samples,
                        Eigen::Index stride, Scalar sign, Eigen::Index begin, Eigen::Index end) {
  for (Eigen::Index v0 = 0; v0 < stride; v0 += 16) {
    const auto run = [&]<int kHeld>() {
      add_masked_column_vectors<kHeld>(dW, pre, masks.data(), stride, samples, v0, sign, begin, end);
    };
    switch (std::min<Eigen::Index>(16, stride - v0)) {  // stride is a multiple of 4
      case 4: run.template operator()<4>(); break;
      case 8: run.template operator()<8>(); break;
      case 12: run.template operator()<12>(); break;
      default: run.template operator()<16>(); break;
    }
  }
}
#endif

}  // namespace

// A row of the column-major dW is strided (a cache line per weight once dW has 16 rows or more). Where more than
// 1 in 16 rows spiked (a hidden layer's spikes sent back), the spikes of each sample become a mask over the rows
// and each column takes one masked vector add per 16 rows and sample; else (the output layer's few spikes) the
// columns go in blocks whose part of dW (about 16 KB) stays in L1. Either way each weight takes its terms in
// sample order, each rounded as before (sign is +-1: sign * pre is exact, fused or not): bit-identical to adding
// a row at a time.
void add_post_events_times_pre(Matrix& dW, const Matrix& pre, const std::vector<SpikeEvents>& events,
                               Scalar sign, Eigen::Index begin, Eigen::Index end) {
  const Eigen::Index rows = dW.rows();
#if defined(__AVX512F__)
  size_t spikes = 0;
  for (const SpikeEvents& e : events) spikes += e.size();
  if (rows >= 16 && 16 * spikes > static_cast<size_t>(rows) * events.size()) {
    const Eigen::Index stride = (rows + 63) / 64 * 4;  // the column's vectors, rounded up to a multiple of 4
    thread_local std::vector<uint16_t> masks;  // kept between calls: no allocation per step
    masks.assign(static_cast<size_t>(stride) * events.size(), 0);
    for (size_t b = 0; b < events.size(); ++b)
      for (const int32_t i : events[b]) masks[b * static_cast<size_t>(stride) + static_cast<size_t>(i / 16)] |= static_cast<uint16_t>(1U << (i % 16));
    add_masked_columns(dW, pre, masks, static_cast<Eigen::Index>(events.size()), stride, sign, begin, end);
    return;
  }
#endif
  const Eigen::Index block = std::max<Eigen::Index>(1, 4096 / rows);
  for (Eigen::Index j0 = begin; j0 < end; j0 += block) {
    const Eigen::Index j1 = std::min(end, j0 + block);
    for (size_t b = 0; b < events.size(); ++b) {
      const Scalar* p = pre.col(static_cast<Eigen::Index>(b)).data();
      for (const int32_t i : events[b]) {
        Scalar* row = dW.data() + i;
        for (Eigen::Index j = j0; j < j1; ++j) row[j * rows] += sign * p[j];
      }
    }
  }
}

TwoFactorRule::TwoFactorRule(const LayeredEPNetwork& net, const RelaxationParams& relax, EPRuleSums sums,
                             double self_correction)
    : net_(net), relax_(relax), sums_(std::move(sums)), self_correction_(self_correction) {
  // Spiking without the correction, the first layer's sum is written only in the columns of the input neurons
  // that spiked (end_phase marks them); rate mode's products and the correction write every column.
  if (relax_.coding != SpikeCoding::rate && self_correction_ == 0 && !sums_.columns.empty())
    sums_.columns[0]->track(sums_.weights[0]->cols());
}

void TwoFactorRule::begin_batch() {
  holding_ = false;
  const int L = net_.weight_layers();
  pre_spike_weight_.resize(static_cast<size_t>(L));
  post_spike_weight_.resize(static_cast<size_t>(L));
  for (int w = 0; w < L; ++w) {
    const auto k = static_cast<size_t>(w);
    pre_spike_weight_[k].setZero(net_.sizes()[k]);
    post_spike_weight_[k].setZero(net_.sizes()[k + 1]);
  }
}

// Update-phase work of sample b's step: per weight layer one pre x post product, and its feedback-direction
// twin between non-input layers.
void TwoFactorRule::count_sample_step(const RelaxationState& st, size_t b) const {
  if (counters_ == nullptr) return;
  const ThreadPhase update(Phase::update);
  for (int l = 1; l <= net_.weight_layers(); ++l) {
    const auto k = static_cast<size_t>(l);
    const int64_t rows = net_.sizes()[k], cols = net_.sizes()[k - 1];
    const int products = l >= 2 ? 2 : 1;
    counters_->add(Op::dense_equivalent_macs, products * rows * cols);
    if (relax_.coding == SpikeCoding::rate) {
      counters_->add(Op::dense_macs, products * rows * cols);
    } else {
      counters_->add(Op::accumulator_updates, static_cast<int64_t>(st.events[k - 1][b].size()) * rows);
      if (l >= 2) counters_->add(Op::accumulator_updates, static_cast<int64_t>(st.events[k][b].size()) * cols);
    }
  }
}

TwoFactorRule::ColumnBlock TwoFactorRule::columns_of(size_t w) const {
  return w < columns_.size() ? columns_[w] : ColumnBlock{0, sums_.weights[w]->cols()};
}

void TwoFactorRule::after_step(int step, const RelaxationState& st) {
  const int L = net_.weight_layers();
  const bool spiking = relax_.coding != SpikeCoding::rate;
  const Scalar sign = sign_;
  for (size_t b = 0; b < static_cast<size_t>(st.batch()); ++b) count_sample_step(st, b);
  if (spiking) {
    keep_input_step(step, st);
    add_upper_layer_events(st.delta, st.events, upper_scratch_[0]);
  }
  for (int l = 1; l <= L; ++l) {
    const auto k = static_cast<size_t>(l), w = static_cast<size_t>(l - 1);
    Matrix& pre_post = *sums_.weights[w];
    // In rate mode the "spikes" of step t are the states s(t).
    const Matrix& pre_spikes = spiking ? st.spikes[k - 1] : st.previous[k - 1];
    const Matrix& post_spikes = spiking ? st.spikes[k] : st.previous[k];
    if (!spiking) {
      // Presynaptic spike x postsynaptic state change, and the feedback direction: spikes of layer l change
      // layer l-1 through W_l^T (not the clamped input).
      pre_post.noalias() += sign * st.delta[k] * pre_spikes.transpose();
      if (l >= 2) pre_post.noalias() += sign * post_spikes * st.delta[k - 1].transpose();
    }
    if (self_correction_ != 0 && l >= 2)
      post_spike_weight_[w] += sign * (post_spikes.array() * (post_spikes - st.previous[k]).array()).matrix().rowwise().sum();
    // Spike self-correlation: E[S (S - s)] is the part of S_j ds_i that S_j's own effect on s_i adds.
    if (self_correction_ != 0)
      pre_spike_weight_[w] +=
          sign * (pre_spikes.array() * (pre_spikes - st.previous[k - 1]).array()).matrix().rowwise().sum();
  }
  add_biases(st.delta);
}

namespace {

// Share `part` of `parts` of the columns [begin, end) of a column-major matrix of `rows` rows: contiguous and
// nearly equal, the inner boundaries at columns that start a 64-byte line (16 floats; with AVX-512 Eigen starts a
// matrix on one), so that no line is written by two threads (but at a block's own ends, under MPI).
TwoFactorRule::ColumnBlock column_share(TwoFactorRule::ColumnBlock block, Eigen::Index rows, int part, int parts) {
  const Eigen::Index step = 16 / std::gcd<Eigen::Index>(rows, 16);  // columns that fill whole lines
  const auto boundary = [&](int p) {
    if (p == 0) return block.begin;
    if (p == parts) return block.end;
    return std::clamp((block.begin + (block.end - block.begin) * p / parts) / step * step, block.begin, block.end);
  };
  return {boundary(part), boundary(part + 1)};
}

}  // namespace

// Spiking mode, the layers above the first (the first's sum is added at the end of the phase): presynaptic
// spike x postsynaptic state change, and the feedback direction, spikes of layer l changing layer l-1 through
// W_l^T. delta and events are one step's, as in RelaxationState.
void TwoFactorRule::add_upper_layer_events(const std::vector<Matrix>& delta, const std::vector<std::vector<SpikeEvents>>& events,
                                           UpperLayerScratch& scratch, int part, int parts) {
  for (int l = 2; l <= net_.weight_layers(); ++l) {
    const auto k = static_cast<size_t>(l), w = static_cast<size_t>(l - 1);
    Matrix& pre_post = *sums_.weights[w];
    const ColumnBlock columns = column_share(columns_of(w), pre_post.rows(), part, parts);
    if (columns.begin >= columns.end) continue;
    scratch.lists.clear();
    for (size_t b = 0; b < events[k - 1].size(); ++b) scratch.lists.push_back({&events[k - 1][b], static_cast<Eigen::Index>(b), sign_});
    add_post_times_pre_events(pre_post, delta[k], scratch.lists, columns.begin, columns.end, scratch.by_column);
    add_post_events_times_pre(pre_post, delta[k - 1], events[k], sign_, columns.begin, columns.end);
  }
}

// The upper layers' and the biases' sums of the steps kept sample by sample, in step order, as after_step adds
// them. On a team each part takes a share of every upper layer's columns through all the steps, so that each
// weight takes its terms in the same order as on one thread (this was serial: the other thread waited); part 0
// also takes the biases.
void TwoFactorRule::add_kept_steps() {
  int64_t work = 0;  // upper-layer weights x steps
  for (int w = 1; w < net_.weight_layers(); ++w) work += sums_.weights[static_cast<size_t>(w)]->size();
  work *= sample_steps_;
  const int parts = work >= (int64_t{1} << 14) && team_of_several() ? omp_get_max_threads() : 1;  // MNIST: 50,000
  if (upper_scratch_.size() < static_cast<size_t>(parts)) upper_scratch_.resize(static_cast<size_t>(parts));
  const auto steps = [&](int part, int n) {
    for (int t = 0; t < sample_steps_; ++t) {
      add_upper_layer_events(kept_delta_[static_cast<size_t>(t)], kept_events_[static_cast<size_t>(t)],
                             upper_scratch_[static_cast<size_t>(part)], part, n);
      if (part == 0) add_biases(kept_delta_[static_cast<size_t>(t)]);
    }
  };
  if (parts > 1) run_team(parts, steps);
  else steps(0, 1);
}

void TwoFactorRule::add_biases(const std::vector<Matrix>& delta) {
  for (int l = 1; l <= net_.weight_layers(); ++l) *sums_.biases[static_cast<size_t>(l - 1)] += sign_ * delta[static_cast<size_t>(l)].rowwise().sum();
}

// Keeps what the first layer's sum needs of step `step` (see the header); with the input as changes, H(t) =
// H(t-1) + ds(t), from H(-1) = 0.
void TwoFactorRule::keep_input_step(int step, const RelaxationState& st) {
  size_input_phase(step + 1, st.batch());
  for (int b = 0; b < st.batch(); ++b) keep_input_sample(step, b, st);
  if (relax_.input_changes && !holding_) last_input_events_ = st.events[0];
}

// The first layer's buffers for a phase of at least `steps` steps (they never shrink: lists keep their capacity).
void TwoFactorRule::size_input_phase(int steps, int batch) {
  // The held phase's columns pair with this phase's one for one (pair_phases: the same input, step for step).
  if (holding_ && (steps > held_steps_ || batch != phase_batch_))
    throw std::logic_error("TwoFactorRule: paired phases of different lengths or batch sizes");
  phase_steps_ = steps;
  phase_batch_ = batch;
  input_columns_ = columns_of(0);
  const Eigen::Index rows = net_.sizes()[1], cols = Eigen::Index{steps} * batch;
  // Its columns are stored aligned (the accumulation reads each many times); the rows below `rows` are never read.
  const Eigen::Index stored = aligned_column_rows(rows);
  if (phase_post_.rows() != stored || phase_post_.cols() < cols) phase_post_.conservativeResize(stored, cols);
  const auto lists = static_cast<size_t>(relax_.input_changes ? 2 * cols : cols);
  if (phase_events_.size() < lists) phase_events_.resize(lists);
}

void TwoFactorRule::keep_input_sample(int step, int b, const RelaxationState& st) {
  const auto col = Eigen::Index{step} * st.batch() + b;
  const auto n = static_cast<size_t>(col);
  const auto sample = static_cast<size_t>(b);
  const Eigen::Index rows = st.delta[1].rows();  // phase_post_'s columns are longer (size_input_phase)
  if (!relax_.input_changes || step == 0) phase_post_.col(col).head(rows) = st.delta[1].col(b);
  else phase_post_.col(col).head(rows) = phase_post_.col(col - st.batch()).head(rows) + st.delta[1].col(b);
  if (holding_) {
    // Paired phases: the second phase's sum pairs ds1 - ds2 (H1 - H2 with the input as changes), formed here on
    // the sample's thread, over the input events the first phase kept (the same, pair_phases says; the counts
    // are checked because a wrong pairing would otherwise go unnoticed).
    first_phase_post_.col(col).head(rows) = first_phase_post_.col(col).head(rows) - phase_post_.col(col).head(rows);
    const bool same = !relax_.input_changes ? phase_events_[n].size() == st.events[0][sample].size()
                                            : phase_events_[2 * n].size() == st.input_on[sample].size() &&
                                                  phase_events_[2 * n + 1].size() == st.input_off[sample].size();
    if (!same) throw std::logic_error("TwoFactorRule: paired phases with different input spikes");
    return;
  }
  if (!relax_.input_changes) {
    phase_events_[n] = st.events[0][sample];
    return;
  }
  phase_events_[2 * n] = st.input_on[sample];
  phase_events_[2 * n + 1] = st.input_off[sample];
}

// Spiking mode without the self-correlation correction (which needs whole steps): sample b's part of a step,
// on its thread; the sums over the batch wait for end_phase.
bool TwoFactorRule::observes_samples() const { return relax_.coding != SpikeCoding::rate && self_correction_ == 0; }

void TwoFactorRule::begin_sample_steps(int steps, int batch) {
  const int L = net_.weight_layers();
  size_input_phase(steps, batch);
  if (relax_.input_changes) last_input_events_.resize(static_cast<size_t>(batch));
  sample_steps_ = steps;
  if (kept_delta_.size() < static_cast<size_t>(steps)) kept_delta_.resize(static_cast<size_t>(steps));
  if (kept_events_.size() < static_cast<size_t>(steps)) kept_events_.resize(static_cast<size_t>(steps));
  for (int t = 0; t < steps; ++t) {
    auto& delta = kept_delta_[static_cast<size_t>(t)];
    auto& events = kept_events_[static_cast<size_t>(t)];
    delta.resize(static_cast<size_t>(L + 1));
    events.resize(static_cast<size_t>(L + 1));
    for (int l = 1; l <= L; ++l) {
      delta[static_cast<size_t>(l)].resize(net_.sizes()[static_cast<size_t>(l)], batch);
      if (L >= 2) events[static_cast<size_t>(l)].resize(static_cast<size_t>(batch));
    }
  }
}

void TwoFactorRule::after_sample_step(int step, int b, const RelaxationState& st) {
  const int L = net_.weight_layers();
  const auto sample = static_cast<size_t>(b);
  count_sample_step(st, sample);
  keep_input_sample(step, b, st);
  if (relax_.input_changes && !holding_ && step + 1 == sample_steps_) last_input_events_[sample] = st.events[0][sample];
  auto& delta = kept_delta_[static_cast<size_t>(step)];
  auto& events = kept_events_[static_cast<size_t>(step)];
  for (int l = 1; l <= L; ++l) {
    const auto k = static_cast<size_t>(l);
    delta[k].col(b) = st.delta[k].col(b);
    if (L >= 2) events[k][sample] = st.events[k][sample];
  }
}

// The first layer's sum of the phase, in step order, samples in order within a step. With paired phases the
// first phase's ds (H with the input as changes) is held, and the second adds sign1 ds1 + sign2 ds2 =
// sign1 (ds1 - ds2) over the lists they share.
void TwoFactorRule::end_phase() {
  add_kept_steps();
  sample_steps_ = 0;
  if (phase_steps_ == 0) return;
  const Eigen::Index B = phase_batch_;
  Scalar sign = sign_;
  if (paired_ && !holding_) {
    first_phase_post_.swap(phase_post_);
    first_phase_sign_ = sign_;
    held_steps_ = phase_steps_;
    holding_ = true;
    phase_steps_ = 0;
    return;
  }
  if (holding_) {  // first_phase_post_ holds ds1 - ds2 or H1 - H2 (keep_input_sample)
    if (phase_steps_ != held_steps_) throw std::logic_error("TwoFactorRule: paired phases of different lengths");
    phase_post_.swap(first_phase_post_);
    sign = first_phase_sign_;
    holding_ = false;
  }
  phase_lists_.clear();
  for (Eigen::Index t = 0; t < phase_steps_; ++t)
    for (Eigen::Index b = 0; b < B; ++b) {
      const auto n = static_cast<size_t>(t * B + b);
      if (!relax_.input_changes) {
        phase_lists_.push_back({&phase_events_[n], t * B + b, sign});
      } else if (t > 0) {  // the changes into step t pair with H(t-1); those into step 0 with H(-1) = 0
        phase_lists_.push_back({&phase_events_[2 * n], (t - 1) * B + b, -sign});
        phase_lists_.push_back({&phase_events_[2 * n + 1], (t - 1) * B + b, sign});
      }
    }
  if (relax_.input_changes)
    for (Eigen::Index b = 0; b < B; ++b)
      phase_lists_.push_back({&last_input_events_[static_cast<size_t>(b)], (phase_steps_ - 1) * B + b, sign});
  GradientColumns* written = sums_.columns.empty() || !sums_.columns[0]->tracked() ? nullptr : sums_.columns[0];
  add_post_times_pre_events(*sums_.weights[0], phase_post_, phase_lists_, input_columns_.begin, input_columns_.end,
                            by_column_, written);
  phase_steps_ = 0;
}

void TwoFactorRule::finish_batch() {
  if (self_correction_ == 0) return;
  for (int w = 0; w < net_.weight_layers(); ++w) {
    const auto k = static_cast<size_t>(w);
    Matrix& dw = *sums_.weights[k];
    count_into(counters_, Op::dense_macs, dw.size());  // W . (C_pre + C_post), once per batch
    count_into(counters_, Op::dense_equivalent_macs, dw.size());
    const Matrix& W = net_.weight(w).weights();
    const Scalar c = static_cast<Scalar>(self_correction_) * relax_.leak;
    dw.array() -= c * W.array() *
                  (pre_spike_weight_[k].transpose().replicate(W.rows(), 1) + post_spike_weight_[k].replicate(1, W.cols()))
                      .array();
  }
}

EPRuleChoice two_factor_rule(double self_correction) {
  return {"two_factor", [self_correction](const LayeredEPNetwork& net, const RelaxationParams& relax,
                                          EPRuleSums sums) -> std::unique_ptr<EPRule> {
            return std::make_unique<TwoFactorRule>(net, relax, std::move(sums), self_correction);
          }};
}

EPRuleEntry two_factor_rule_entry() {
  return {"EqSpike: presynaptic spike x change of the postsynaptic learning variable, at every nudged step",
          [](ConfigReader& r, RelaxationParams& relax) {
            relax.trace_rate = static_cast<Scalar>(r.get_double(
                "ep.trace_rate", 1.0, 0.0, 1.0, "rate of the postsynaptic learning trace; 1 = the state itself", true));
            relax.trace_of_spikes =
                r.get_choice("ep.post_trace", "state", {"state", "spikes"},
                             "what the postsynaptic trace follows: the neuron's analog state, or only its spikes") == "spikes";
            return two_factor_rule(r.get_double("ep.self_correction", 1.0, 0.0, 10.0,
                                                "weight of the spike self-correlation correction (0 = off)"));
          }};
}

}  // namespace plasticore
