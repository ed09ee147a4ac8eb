// Eight Rng streams drawn side by side in the lanes of AVX-512 registers: each lane's numbers are exactly its
// stream's (core/rng.hpp, xoshiro256**), so code that draws from many streams in turn (a batch's samples) gets the
// same numbers eight at a time. One stream's draws wait on each other (its state is one chain of operations); eight
// in lanes run together. Without AVX-512 (DQ for the 64-bit conversions and the seeding's 64-bit multiplies) the
// lanes are drawn one after the other.
#pragma once
#include <array>
#include <cstdint>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

#include "core/rng.hpp"

// GCC 12 warns that the unmasked 64-bit shifts and rotates read an uninitialised register (their intrinsics pass
// _mm512_undefined_epi32() as the unused merge source; GCC bug 105593): not so, the masks are all ones.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

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
  // Eight new streams, lane k as Rng(key, a, b[k]) (Rng's seeding, in lanes): a block of a sequence's steps, each
  // step's numbers from its own stream.
  RngLanes(Rng::Key key, uint64_t a, const uint64_t* b) : count_(kLanes) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    uint64_t x = key.hash;
    x = splitmix64(x) ^ (a * 0xd1342543de82ef95ULL);
    const uint64_t common = splitmix64(x);  // the same in every lane; then x ^ b * ... per lane
    const __m512i golden = _mm512_set1_epi64(static_cast<long long>(0x9e3779b97f4a7c15ULL));
    const auto mix = [](__m512i z) {  // splitmix64's output function
      z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64(static_cast<long long>(0xbf58476d1ce4e5b9ULL)));
      z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64(static_cast<long long>(0x94d049bb133111ebULL)));
      return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
    };
    __m512i lane = _mm512_xor_si512(_mm512_set1_epi64(static_cast<long long>(common)),
                                    _mm512_mullo_epi64(_mm512_loadu_si512(b), _mm512_set1_epi64(static_cast<long long>(0xaf251af3b0f025b5ULL))));
    for (__m512i& w : s_) {
      lane = _mm512_add_epi64(lane, golden);
      w = mix(lane);
    }
#else
    for (int k = 0; k < kLanes; ++k) lanes_[static_cast<size_t>(k)] = Rng(key, a, b[k]);
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

  // Each stream's next Rng::uniform(), lane k to out[k] (out has room for 8; with AVX-512 every lane is written).
  void uniform(float* out) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    // Rng::uniform: the top 24 bits as a float (exact), times 2^-24 (exact).
    const __m256 bits = _mm512_cvtepi64_ps(_mm512_srli_epi64(next(), 40));
    _mm256_storeu_ps(out, _mm256_mul_ps(bits, _mm256_set1_ps(1.0f / 16777216.0f)));
#else
    for (int k = 0; k < count_; ++k) out[k] = lanes_[static_cast<size_t>(k)].uniform();
#endif
  }
  // Each stream's next Rng::uniform_double(), lane k to out[k] (out has room for 8).
  void uniform_double(double* out) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    // The top 53 bits as a double (exact), times 2^-53 (exact).
    const __m512d bits = _mm512_cvtepu64_pd(_mm512_srli_epi64(next(), 11));
    _mm512_storeu_pd(out, _mm512_mul_pd(bits, _mm512_set1_pd(1.0 / 9007199254740992.0)));
#else
    for (int k = 0; k < count_; ++k) out[k] = lanes_[static_cast<size_t>(k)].uniform_double();
#endif
  }

 private:
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  // Rng::next in every lane: rotl(s1 * 5, 7) * 9, the products as shifts and adds (exact modulo 2^64, as the multiply).
  __m512i next() {
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
    return result;
  }
#endif
  int count_;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  __m512i s_[4];
#else
  std::array<Rng, kLanes> lanes_{Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, ""), Rng(0, "")};
#endif
};

}  // namespace plasticore

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
