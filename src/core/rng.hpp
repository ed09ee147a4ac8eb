// Reproducible random streams. Every stream is derived from (seed, purpose, a, b) by hashing, so the
// numbers a sample sees depend only on the seed and its position (epoch, sample index), never on the
// thread that runs it or on what ran before: runs are reproducible and resumable without RNG state.
#pragma once
#include <cmath>
#include <cstdint>
#include <string_view>

namespace plasticore {

constexpr uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr uint64_t hash_purpose(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
 public:
  Rng(uint64_t seed, std::string_view purpose, uint64_t a = 0, uint64_t b = 0) : Rng(Key{seed, purpose}, a, b) {}

  // (seed, purpose) hashed once, for code that opens many streams differing only in a and b.
  struct Key {
    uint64_t hash;
    Key(uint64_t seed, std::string_view purpose) : hash(seed ^ hash_purpose(purpose)) {}
  };
  Rng(Key key, uint64_t a, uint64_t b) {
    uint64_t x = key.hash;
    x = splitmix64(x) ^ (a * 0xd1342543de82ef95ULL);
    x = splitmix64(x) ^ (b * 0xaf251af3b0f025b5ULL);
    for (auto& s : state_) s = splitmix64(x);
  }
  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 24 random bits (exact in float).
  float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
  double uniform_double() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64); }
  double normal() {  // Box-Muller; one draw per call keeps streams simple
    const double u1 = 1.0 - uniform_double(), u2 = uniform_double();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  friend class RngJump;   // core/rng_jump.hpp: advances the state without drawing
  friend class RngLanes;  // core/rng_lanes.hpp: eight streams drawn side by side
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4] = {};
};

}  // namespace plasticore
