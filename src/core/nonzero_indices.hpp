// The indices of the non-zero entries of x[0..n) (spikes to events), in increasing order, written to out
// (room for n entries); returns their number. With AVX-512, 16 entries per compare-and-compress (the
// scalar branch-free loop took ~1.4 cycles per neuron: 11 % of an EqSpike run); the same indices either way.
#pragma once
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/tensor.hpp"

namespace plasticore {

// An allocator whose value-initialisation leaves ints as they are: an event list is resized to its layer's
// size before each compaction, and zero-filling 784 entries to keep ~100 of them was ~2 % of an EqSpike run.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-, not value-initialised
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

// The indices of the neurons of one layer and sample that spiked in a step, increasing.
using SpikeEvents = std::vector<int32_t, UninitializedAllocator<int32_t>>;

#if defined(__AVX512F__)
// The lanes of `index` that `mask` selects, appended to out + count in lane order: compressed in a register (a
// compressing store to memory is slow on AMD Zen 4), then all 16 lanes stored where there is room (whole: count <=
// the vector's first index, so the lanes past the count are overwritten later or ignored), only the found ones
// otherwise.
inline void append_indices(int32_t* out, Eigen::Index& count, __mmask16 mask, __m512i index, bool whole) {
  const __m512i packed = _mm512_maskz_compress_epi32(mask, index);
  const int found = __builtin_popcount(static_cast<unsigned>(mask));
  if (whole) _mm512_storeu_si512(out + count, packed);
  else _mm512_mask_storeu_epi32(out + count, static_cast<__mmask16>((1U << found) - 1), packed);
  count += found;
}
#endif

inline Eigen::Index nonzero_indices(const Scalar* x, Eigen::Index n, int32_t* out) {
  Eigen::Index count = 0, i = 0;
#if defined(__AVX512F__)
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i sixteen = _mm512_set1_epi32(16);
  for (; i + 16 <= n; i += 16) {
    const __mmask16 nonzero = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + i), _mm512_setzero_ps(), _CMP_NEQ_UQ);
    append_indices(out, count, nonzero, index, true);  // out has room: count <= i
    index = _mm512_add_epi32(index, sixteen);
  }
#endif
  for (; i < n; ++i) {
    out[count] = static_cast<int32_t>(i);  // branch-free: spikes are unpredictable
    count += x[i] != 0;
  }
  return count;
}

// The indices of the 1-entries of x[0..n) (a spike or input vector to events), increasing, written to out (room
// for n entries); their number, or -1 if some entry is neither 0 nor 1 (an analog vector, read densely).
// With AVX-512 one pass shares each load between the check and the compaction and reads the last partial
// vector with a mask: the check as a pass of its own and the scalar tail were 5 % of an evidence run.
inline Eigen::Index binary_indices(const Scalar* x, Eigen::Index n, int32_t* out) {
#if defined(__AVX512F__)
  Eigen::Index count = 0;
  __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i sixteen = _mm512_set1_epi32(16);
  for (Eigen::Index i = 0; i < n; i += 16) {
    const bool whole = n - i >= 16;
    const auto lanes = static_cast<__mmask16>(whole ? 0xFFFFU : (1U << (n - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(lanes, x + i);  // lanes past n read as 0: no event, no error
    const __mmask16 nonzero = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
    const __mmask16 one = _mm512_cmp_ps_mask(v, _mm512_set1_ps(1.0f), _CMP_EQ_OQ);
    if (nonzero != one) return -1;
    append_indices(out, count, one, index, whole);
    index = _mm512_add_epi32(index, sixteen);
  }
  return count;
#else
  int not_binary = 0;  // a vectorised pass, then the compaction
  for (Eigen::Index i = 0; i < n; ++i) not_binary |= static_cast<int>(x[i] != 0) & static_cast<int>(x[i] != 1);
  return not_binary != 0 ? -1 : nonzero_indices(x, n, out);
#endif
}

}  // namespace plasticore
