// Moves an Rng forward by multiples of a fixed number of draws without drawing them. xoshiro256**'s state
// transition (core/rng.hpp) is linear over GF(2): one draw multiplies the 256-bit state by a 256 x 256 bit
// matrix M, so k draws are M^k. RngJump keeps M^(stride 2^b) for b = 0, 1, ..., and jumping m strides applies
// one of them per set bit of m: ~128 four-word XORs each, where drawing a stride of 500 numbers costs ~0.5 us.
// The stochastic rounding of a quantized substrate uses it to skip the weights whose change is zero while
// every other weight still gets the number of its place in the stream (substrate/quantized.cpp).
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "core/rng.hpp"

namespace plasticore {

class RngJump {
 public:
  explicit RngJump(uint64_t stride) {
    // Column c of M: the state after one draw from the state that is bit c alone.
    Matrix m;
    for (int c = 0; c < 256; ++c) {
      Rng r(0, "");
      for (uint64_t& w : r.state_) w = 0;
      r.state_[c / 64] = uint64_t{1} << (c % 64);
      r.next();
      for (int k = 0; k < 4; ++k) m[static_cast<size_t>(c)][static_cast<size_t>(k)] = r.state_[k];
    }
    // M^stride by squaring and multiplying.
    Matrix power = identity(), base = m;
    for (uint64_t e = stride; e != 0; e >>= 1) {
      if ((e & 1) != 0) power = product(base, power);
      base = product(base, base);
    }
    powers_.push_back(power);
  }

  // rng as if it had drawn strides x stride numbers.
  void advance(Rng& rng, uint64_t strides) {
    State s;
    for (int k = 0; k < 4; ++k) s[static_cast<size_t>(k)] = rng.state_[k];
    for (size_t b = 0; strides >> b != 0; ++b) {
      while (powers_.size() <= b) powers_.push_back(product(powers_.back(), powers_.back()));
      if (((strides >> b) & 1) != 0) s = apply(powers_[b], s);
    }
    for (int k = 0; k < 4; ++k) rng.state_[k] = s[static_cast<size_t>(k)];
  }

 private:
  using State = std::array<uint64_t, 4>;
  using Matrix = std::array<State, 256>;  // column c: the image of state bit c

  static Matrix identity() {
    Matrix m{};
    for (int c = 0; c < 256; ++c) m[static_cast<size_t>(c)][static_cast<size_t>(c / 64)] = uint64_t{1} << (c % 64);
    return m;
  }
  // m s: the XOR of the columns of the set bits of s.
  static State apply(const Matrix& m, const State& s) {
    State out{};
    for (int k = 0; k < 4; ++k)
      for (uint64_t bits = s[static_cast<size_t>(k)]; bits != 0; bits &= bits - 1) {
        const State& column = m[static_cast<size_t>(64 * k + __builtin_ctzll(bits))];
        for (size_t w = 0; w < 4; ++w) out[w] ^= column[w];
      }
    return out;
  }
  static Matrix product(const Matrix& a, const Matrix& b) {  // a b: column c is a (b's column c)
    Matrix out;
    for (size_t c = 0; c < 256; ++c) out[c] = apply(a, b[c]);
    return out;
  }

  std::vector<Matrix> powers_;  // [b]: M^(stride 2^b)
};

}  // namespace plasticore
