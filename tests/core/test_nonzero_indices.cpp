// nonzero_indices (core/nonzero_indices.hpp), the vectorised spike-to-event compaction, against a plain
// loop: random 0/1 and analog entries, every length from 0 to 70 (partial and whole 16-lane blocks),
// all zero, all one, NaN counted as non-zero (as x != 0 is); binary_indices, which also rejects a vector that
// is not all 0 and 1.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/nonzero_indices.hpp"
#include "core/rng.hpp"

namespace plasticore {
namespace {

std::vector<int32_t> reference(const std::vector<Scalar>& x) {
  std::vector<int32_t> out;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i] != 0) out.push_back(static_cast<int32_t>(i));
  return out;
}

std::vector<int32_t> fast(const std::vector<Scalar>& x) {
  std::vector<int32_t> out(x.size());
  out.resize(static_cast<size_t>(nonzero_indices(x.data(), static_cast<Eigen::Index>(x.size()), out.data())));
  return out;
}

TEST(NonzeroIndices, MatchesAPlainLoop) {
  Rng rng(2, "test_nonzero_indices");
  for (int n = 0; n <= 70; ++n) {
    for (const float density : {0.0f, 0.1f, 0.5f, 1.0f}) {
      std::vector<Scalar> x(static_cast<size_t>(n));
      for (auto& v : x) v = rng.uniform() < density ? (rng.uniform() < 0.5f ? 1.0f : rng.uniform() + 0.1f) : 0.0f;
      EXPECT_EQ(fast(x), reference(x)) << "n = " << n << ", density " << density;
    }
  }
  std::vector<Scalar> with_nan(40, 0.0f);
  with_nan[3] = std::numeric_limits<Scalar>::quiet_NaN();
  with_nan[33] = -0.0f;  // negative zero is zero
  with_nan[34] = -1.0f;
  EXPECT_EQ(fast(with_nan), (std::vector<int32_t>{3, 34}));
}

// binary_indices: the 1-entries of a 0/1 vector, or -1 if any entry (a tail lane too) is something else; it
// never writes past the n entries it was given room for.
TEST(BinaryIndices, MatchesAPlainLoopAndRejectsAnalogEntries) {
  Rng rng(4, "test_binary_indices");
  constexpr int32_t kUntouched = -7;
  for (int n = 0; n <= 70; ++n) {
    for (const float density : {0.0f, 0.1f, 0.5f, 1.0f}) {
      std::vector<Scalar> x(static_cast<size_t>(n));
      for (auto& v : x) v = rng.uniform() < density ? 1.0f : 0.0f;
      std::vector<int32_t> out(x.size() + 16, kUntouched);
      const Eigen::Index count = binary_indices(x.data(), n, out.data());
      ASSERT_GE(count, 0) << "n = " << n;
      EXPECT_EQ(std::vector<int32_t>(out.begin(), out.begin() + count), reference(x)) << "n = " << n;
      for (size_t i = x.size(); i < out.size(); ++i) EXPECT_EQ(out[i], kUntouched) << "n = " << n << ", past the end";
      for (int at = 0; at < n; ++at)
        for (const Scalar analog : {0.5f, -1.0f, 2.0f, std::numeric_limits<Scalar>::quiet_NaN()}) {
          std::vector<Scalar> y = x;
          y[static_cast<size_t>(at)] = analog;
          EXPECT_EQ(binary_indices(y.data(), n, out.data()), -1) << "n = " << n << ", entry " << at << " = " << analog;
        }
    }
  }
  const std::vector<Scalar> negative_zero{0.0f, -0.0f, 1.0f};
  std::vector<int32_t> out(3);
  EXPECT_EQ(binary_indices(negative_zero.data(), 3, out.data()), 1);
  EXPECT_EQ(out[0], 2);
}

}  // namespace
}  // namespace plasticore
