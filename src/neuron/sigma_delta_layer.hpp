// One sigma-delta step of a whole layer of one sample (neuron/ep_neuron.hpp: a += s; S = [a >= 1]; a -= S), in
// one pass that also lists the neurons that spiked and, for the input sent as changes, those that started and
// stopped spiking since the last step. Five passes over the layer did this before (the spikes, their
// compaction, the change S(t) - S(t-1) formed in a scratch matrix and split by sign): with the input as
// changes they were 18 % of an EqSpike run. The same spikes, accumulators and lists as sigma_delta_spike and
// the separate passes, bit for bit.
#pragma once
#include <cstdint>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/nonzero_indices.hpp"  // append_indices
#include "core/tensor.hpp"
#include "neuron/ep_neuron.hpp"

namespace plasticore {

struct LayerSpikeCounts {
  Eigen::Index spikes = 0, started = 0, stopped = 0;
};

// For i < n: a[i] += s[i]; S[i] = [a[i] >= 1] (0 or 1); a[i] -= S[i]. The indices of the spikes go to `events`;
// if `started` is not null, the indices where S was 0 before and is 1 now go to `started` and those where it
// was 1 and is 0 now to `stopped` (S must then hold the last step's spikes, 0 or 1). Each list has room for n
// entries and comes out increasing. If `quiet` is not null, quiet[v] != 0 says that neurons 16 v .. 16 v + 15
// have s = 0, a in [+0, 1) and S = +0, so that the step leaves them as they are: they are skipped (a clamped
// input's blank pixels).
inline LayerSpikeCounts sigma_delta_layer(const Scalar* s, Scalar* a, Scalar* S, Eigen::Index n, int32_t* events,
                                          int32_t* started, int32_t* stopped, const uint8_t* quiet = nullptr) {
  LayerSpikeCounts c;
#if defined(__AVX512F__)
  const __m512 one = _mm512_set1_ps(1.0f);
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i sixteen = _mm512_set1_epi32(16);
  for (Eigen::Index i = 0; i < n; i += 16, index = _mm512_add_epi32(index, sixteen)) {
    if (quiet != nullptr && quiet[i / 16] != 0) continue;
    const bool whole = n - i >= 16;
    const auto lanes = static_cast<__mmask16>(whole ? 0xFFFFU : (1U << (n - i)) - 1);
    __m512 acc = _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, a + i), _mm512_maskz_loadu_ps(lanes, s + i));
    const __mmask16 spike = _mm512_mask_cmp_ps_mask(lanes, acc, one, _CMP_GE_OQ);
    const __mmask16 before = started != nullptr ? _mm512_mask_cmp_ps_mask(lanes, _mm512_maskz_loadu_ps(lanes, S + i), _mm512_setzero_ps(), _CMP_NEQ_UQ) : 0;
    acc = _mm512_mask_sub_ps(acc, spike, acc, one);
    _mm512_mask_storeu_ps(a + i, lanes, acc);
    _mm512_mask_storeu_ps(S + i, lanes, _mm512_maskz_mov_ps(spike, one));
    append_indices(events, c.spikes, spike, index, whole);
    if (started != nullptr) {
      append_indices(started, c.started, static_cast<__mmask16>(spike & ~before), index, whole);
      append_indices(stopped, c.stopped, static_cast<__mmask16>(before & ~spike), index, whole);
    }
  }
#else
  for (Eigen::Index i = 0; i < n; ++i) {  // branch-free but for the quiet vectors: spikes are unpredictable
    if (quiet != nullptr && quiet[i / 16] != 0) continue;
    const bool before = S[i] != 0;
    S[i] = sigma_delta_spike(s[i], a[i]);
    const bool now = S[i] != 0;
    events[c.spikes] = static_cast<int32_t>(i);
    c.spikes += now;
    if (started != nullptr) {
      started[c.started] = static_cast<int32_t>(i);
      c.started += now && !before;
      stopped[c.stopped] = static_cast<int32_t>(i);
      c.stopped += before && !now;
    }
  }
#endif
  return c;
}

// The steps [0, steps) of a layer whose s stays the same (a clamped input): `steps` calls of sigma_delta_layer,
// one after the other, with the same spikes, accumulators and lists, bit for bit, taken vector by vector through all
// the steps instead of step by step, so that a and S stay in registers and are stored once (step by step, their
// loads and stores per vector and step were most of the emission's time). events[t] (and started[t], stopped[t]) is
// step t's list, each with room for n entries; counts[t] gets step t's counts.
inline void sigma_delta_layer_steps(const Scalar* s, Scalar* a, Scalar* S, Eigen::Index n, int steps,
                                    int32_t* const* events, int32_t* const* started, int32_t* const* stopped,
                                    LayerSpikeCounts* counts, const uint8_t* quiet = nullptr) {
  for (int t = 0; t < steps; ++t) counts[t] = {};
#if defined(__AVX512F__)
  if (steps <= 0) return;
  const __m512 one = _mm512_set1_ps(1.0f);
  // kGroup vectors at a time through the steps: their chains of adds and compares are independent (one vector's
  // steps alone wait on each step's latency). Quiet vectors are left out (a clamped MNIST image's 42 %); a group's
  // slots past the last vector have no lanes: they neither spike nor write.
  constexpr int kGroup = 4;
  Eigen::Index next = 0;  // the first vector not yet taken
  const Eigen::Index vectors = (n + 15) / 16;
  while (true) {
    Eigen::Index at[kGroup];  // the group's vectors' first neurons, increasing; n for an empty slot
    for (int g = 0; g < kGroup; ++g) {
      while (next < vectors && quiet != nullptr && quiet[next] != 0) ++next;
      at[g] = next < vectors ? 16 * next++ : n;
    }
    if (at[0] == n) break;
    __m512 x[kGroup], acc[kGroup];
    __m512i index[kGroup];
    __mmask16 lanes[kGroup], before[kGroup], spike[kGroup];
    bool whole[kGroup];
    for (int g = 0; g < kGroup; ++g) {
      const Eigen::Index i = at[g];
      whole[g] = n - i >= 16;
      lanes[g] = static_cast<__mmask16>(whole[g] ? 0xFFFFU : (1U << (n - i)) - 1);  // 0 for an empty slot
      index[g] = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int32_t>(i)), _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
      x[g] = acc[g] = _mm512_setzero_ps();
      before[g] = spike[g] = 0;
      if (i == n) continue;
      x[g] = _mm512_maskz_loadu_ps(lanes[g], s + i);
      acc[g] = _mm512_maskz_loadu_ps(lanes[g], a + i);
      if (started != nullptr)
        before[g] = _mm512_mask_cmp_ps_mask(lanes[g], _mm512_maskz_loadu_ps(lanes[g], S + i), _mm512_setzero_ps(), _CMP_NEQ_UQ);
    }
    for (int t = 0; t < steps; ++t) {
      for (int g = 0; g < kGroup; ++g) {
        acc[g] = _mm512_add_ps(acc[g], x[g]);
        spike[g] = _mm512_mask_cmp_ps_mask(lanes[g], acc[g], one, _CMP_GE_OQ);
        acc[g] = _mm512_mask_sub_ps(acc[g], spike[g], acc[g], one);
      }
      // The lists in index order, vector after vector; the counts in registers (through memory, each add waited on
      // the last one's store).
      LayerSpikeCounts c = counts[t];
      for (int g = 0; g < kGroup; ++g) {
        append_indices(events[t], c.spikes, spike[g], index[g], whole[g]);
        if (started != nullptr) {
          // Unconditionally: a pixel of intensity 1/2 starts and stops every other step (branches mispredicted).
          append_indices(started[t], c.started, static_cast<__mmask16>(spike[g] & ~before[g]), index[g], whole[g]);
          append_indices(stopped[t], c.stopped, static_cast<__mmask16>(before[g] & ~spike[g]), index[g], whole[g]);
          before[g] = spike[g];
        }
      }
      counts[t] = c;
    }
    for (int g = 0; g < kGroup; ++g) {
      const Eigen::Index i = at[g];
      if (i == n) continue;
      _mm512_mask_storeu_ps(a + i, lanes[g], acc[g]);
      _mm512_mask_storeu_ps(S + i, lanes[g], _mm512_maskz_mov_ps(spike[g], one));
    }
  }
#else
  for (int t = 0; t < steps; ++t)
    counts[t] = sigma_delta_layer(s, a, S, n, events[t], started != nullptr ? started[t] : nullptr,
                                  stopped != nullptr ? stopped[t] : nullptr, quiet);
#endif
}

}  // namespace plasticore
