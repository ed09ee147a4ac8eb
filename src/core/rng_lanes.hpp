// Eight Rng streams drawn side by side in the lanes of AVX-512 registers: each lane's numbers are exactly its
// stream's (core/rng.hpp, xoshiro256**), so code that draws from many streams in turn (a batch's samples) gets the
// same numbers eight at a time. One stream's draws wait on each other (its state is one chain of operations); eight
// in lanes run together. Without AVX-512 (DQ for the 64-bit conversion) the lanes are drawn one after the other.
#pragma once
#include <array>
#include <cstdint>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

#include "core/rng.hpp"

namespace plasticore {

class RngLanes {
 public:
  static constexpr int kLanes = 8;

  // The states of the streams rng[0 .. count - 1] (count <= 8; the lanes past them draw numbers no one reads);
  // store() writes the advanced states back.
  explicit RngLanes(const Rng* rng, int count = kLanes) : count_(count) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    alignas(64) uint64_t words[4][kLanes] = {};
    for (int k = 0; k < count; ++k)
      for (int w = 0; w < 4; ++w) words[w][k] = rng[k].state_[w];
    for (int w = 0; w < 4; ++w) s_[w] = _mm512_load_si512(words[w]);
#else
    for (int k = 0; k < count; ++k) lanes_[static_cast<size_t>(k)] = rng[k];
#endif
  }
  void store(Rng* rng) const {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    alignas(64) uint64_t words[4][kLanes];
    for (int w = 0; w < 4; ++w) _mm512_store_si512(words[w], s_[w]);
    for (int k = 0; k < count_; ++k)
      for (int w = 0; w < 4; ++w) rng[k].state_[w] = words[w][k];
#else
    for (int k = 0; k < count_; ++k) rng[k] = lanes_[static_cast<size_t>(k)];
#endif
  }

  // Each stream's next Rng::uniform(), lane k to out[k] (all eight lanes: out has room for 8).
  void uniform(float* out) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    // Rng::next: rotl(s1 * 5, 7) * 9, with the products as shifts and adds (exact modulo 2^64, as the multiply).
    const __m512i s1 = s_[1];
    const __m512i r = _mm512_rol_epi64(_mm512_add_epi64(_mm512_slli_epi64(s1, 2), s1), 7);
    const __m512i result = _mm512_add_epi64(_mm512_slli_epi64(r, 3), r);
    const __m512i t = _mm512_slli_epi64(s1, 17);
    s_[2] = _mm512_xor_si512(s_[2], s_[0]);
    s_[3] = _mm512_xor_si512(s_[3], s_[1]);
    s_[1] = _mm512_xor_si512(s_[1], s_[2]);
    s_[0] = _mm512_xor_si512(s_[0], s_[3]);
    s_[2] = _mm512_xor_si512(s_[2], t);
    s_[3] = _mm512_rol_epi64(s_[3], 45);
    // Rng::uniform: the top 24 bits as a float (exact), times 2^-24 (exact).
    const __m256 bits = _mm512_cvtepi64_ps(_mm512_srli_epi64(result, 40));
    _mm256_storeu_ps(out, _mm256_mul_ps(bits, _mm256_set1_ps(1.0f / 16777216.0f)));
#else
    for (int k = 0; k < count_; ++k) out[k] = lanes_[static_cast<size_t>(k)].uniform();
#endif
  }

 private:
  int count_;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  __m512i s_[4];
#else
  std::array<Rng, kLanes> lanes_{Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, "")};
#endif
};

}  // namespace plasticore
