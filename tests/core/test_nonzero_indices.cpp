// nonzero_indices (core/nonzero_indices.hpp), the vectorised spike-to-event compaction, against a plain
// loop: random 0/1 and analog entries, every length from 0 to 70 (partial and whole 16-lane blocks),
// all zero, all one, NaN counted as non-zero (as x != 0 is); sign_indices, which splits a change of spikes
// into its positive and negative entries, the same way.
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

TEST(SignIndices, MatchesAPlainLoop) {
  Rng rng(3, "test_sign_indices");
  for (int n = 0; n <= 70; ++n) {
    for (const float density : {0.0f, 0.1f, 0.5f, 1.0f}) {
      std::vector<Scalar> x(static_cast<size_t>(n));
      for (auto& v : x) v = rng.uniform() < density ? (rng.uniform() < 0.5f ? 1.0f : -1.0f) : 0.0f;
      std::vector<int32_t> up_ref, down_ref, up(x.size()), down(x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        if (x[i] > 0) up_ref.push_back(static_cast<int32_t>(i));
        if (x[i] < 0) down_ref.push_back(static_cast<int32_t>(i));
      }
      const auto [n_up, n_down] = sign_indices(x.data(), static_cast<Eigen::Index>(x.size()), up.data(), down.data());
      up.resize(static_cast<size_t>(n_up));
      down.resize(static_cast<size_t>(n_down));
      EXPECT_EQ(up, up_ref) << "n = " << n << ", density " << density;
      EXPECT_EQ(down, down_ref) << "n = " << n << ", density " << density;
    }
  }
}

}  // namespace
}  // namespace plasticore
