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
  // The compressed indices of `mask` to out + count: all 16 lanes where there is room (count <= i, as in
  // nonzero_indices), only the found ones in the last partial vector.
  const auto compress = [&](int32_t* out, Eigen::Index& count, __mmask16 mask, bool whole) {
    const __m512i packed = _mm512_maskz_compress_epi32(mask, index);
    const int found = __builtin_popcount(static_cast<unsigned>(mask));
    if (whole) _mm512_storeu_si512(out + count, packed);
    else _mm512_mask_storeu_epi32(out + count, static_cast<__mmask16>((1U << found) - 1), packed);
    count += found;
  };
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
    compress(events, c.spikes, spike, whole);
    if (started != nullptr) {
      compress(started, c.started, static_cast<__mmask16>(spike & ~before), whole);
      compress(stopped, c.stopped, static_cast<__mmask16>(before & ~spike), whole);
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

}  // namespace plasticore
