// The automatic weight mapping's range against a plain double-precision reference (headroom x max|w| or
// clip_sigmas x rms(w), capped at max|w|, over the finite weights; 1 for an all-zero matrix), and the fast
// estimate hardware in the loop decides re-mappings with (mapped_range_estimate): within 1e-9 of the reference
// where the headroom is a float (1.25), and within its stated 1e-6 of the exact range where it is not (1.1).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/rng.hpp"
#include "substrate/weight_mapping.hpp"

namespace plasticore {
namespace {

double reference_range(const WeightMappingParams& p, const Matrix& w) {
  double largest = 0, squares = 0;
  int64_t finite = 0;
  for (Eigen::Index s = 0; s < w.size(); ++s)
    if (std::isfinite(w.data()[s])) {
      largest = std::max(largest, std::abs(static_cast<double>(w.data()[s])));
      squares += static_cast<double>(w.data()[s]) * w.data()[s];
      ++finite;
    }
  if (largest == 0) return 1;
  return p.clip_sigmas > 0 ? std::min(p.clip_sigmas * std::sqrt(squares / static_cast<double>(finite)), largest)
                           : p.headroom * largest;
}

TEST(WeightMapping, RangeAndItsEstimateFollowTheReference) {
  Rng rng(4, "test_weight_mapping");
  for (const double clip : {0.0, 3.0, 0.5})
    for (const Eigen::Index cols : {1, 7, 123}) {
      WeightMappingParams p;
      p.headroom = 1.25;
      p.clip_sigmas = clip;
      Matrix w(13, cols);
      for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = static_cast<Scalar>(rng.normal());
      w(0, 0) = std::numeric_limits<Scalar>::quiet_NaN();
      if (cols > 1) w(1, 1) = -std::numeric_limits<Scalar>::infinity();
      const double reference = reference_range(p, w);
      const auto exact = static_cast<double>(mapped_range(p, w));
      EXPECT_NEAR(exact, reference, 1e-6 * reference) << "clip " << clip << ", " << cols << " columns";
      EXPECT_NEAR(mapped_range_estimate(p, w), reference, 1e-9 * reference) << "clip " << clip;
      p.headroom = 1.1;
      EXPECT_NEAR(mapped_range_estimate(p, w), static_cast<double>(mapped_range(p, w)), 1e-6 * reference);
    }
  WeightMappingParams p;
  p.clip_sigmas = 3;
  EXPECT_EQ(mapped_range(p, Matrix::Zero(4, 5)), 1);
  EXPECT_EQ(mapped_range_estimate(p, Matrix::Zero(4, 5)), 1);
}

}  // namespace
}  // namespace plasticore
