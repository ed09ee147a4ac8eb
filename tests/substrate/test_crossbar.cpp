// Crossbar reads (substrate/crossbar.hpp): the optimised tiled product against the plain reference
// tile, bit for bit without noise (DAC/ADC on, ragged tiles, bound management triggered, dense and
// event-driven inputs); with noise, the two agree in distribution and match the model's variance
// sum_j V_ij x_j^2 + output_noise^2 (Monte Carlo, different seeds).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "substrate/crossbar.hpp"
#include "substrate/crossbar_reference.hpp"

namespace plasticore {
namespace {

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, float scale, Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = scale * (2 * rng.uniform() - 1);
  return m;
}

TEST(Crossbar, OptimisedTileIsBitIdenticalToReferenceWithoutNoise) {
  Rng rng(3, "crossbar_test");
  const Matrix w = random_matrix(300, 520, 0.3f, rng);  // 3 x 5 tiles of 128, the last ones ragged
  const Matrix no_variance;
  for (const float input_scale : {0.05f, 3.0f}) {  // 3.0 saturates the ADC: bound management halves inputs
    PeripheryParams p{128, 7, 9, 4.0f, 0.0f};
    std::vector<Scalar> x(520), fast(300), ref(300);
    for (int j = 0; j < 520; ++j) x[static_cast<size_t>(j)] = j % 7 == 0 ? 0 : input_scale * (2 * rng.uniform() - 1);
    Rng a(1, "r"), b(1, "r");
    crossbar_matvec(w, no_variance, x.data(), fast.data(), p, a);
    reference_crossbar_matvec(w, no_variance, x.data(), ref.data(), p, b);
    for (int i = 0; i < 300; ++i) ASSERT_EQ(fast[static_cast<size_t>(i)], ref[static_cast<size_t>(i)]) << "line " << i;
  }
}

TEST(Crossbar, EventReadsAreBitIdenticalToReferenceOnBinaryInputs) {
  Rng rng(4, "crossbar_test");
  const Matrix w = random_matrix(200, 300, 0.5f, rng);
  const Matrix no_variance;
  for (const float bound : {100.0f, 1.0f}) {  // 1.0 saturates with many active inputs
    PeripheryParams p{64, 5, 6, bound, 0.0f};
    std::vector<int32_t> active;
    std::vector<Scalar> x(300, 0), fast(200), ref(200);
    for (int j = 0; j < 300; ++j)
      if (rng.uniform() < 0.2f) {
        active.push_back(j);
        x[static_cast<size_t>(j)] = 1;
      }
    Rng a(1, "r"), b(1, "r");
    crossbar_matvec_events(w, no_variance, active, fast.data(), p, a);
    reference_crossbar_matvec(w, no_variance, x.data(), ref.data(), p, b);
    for (int i = 0; i < 200; ++i) ASSERT_EQ(fast[static_cast<size_t>(i)], ref[static_cast<size_t>(i)]) << "line " << i;
  }
}

TEST(Crossbar, QuantisersHaveTheConfiguredLevels) {
  // 3 bits: 3 steps per sign over [-1, 1] -> {-1, -2/3, -1/3, 0, 1/3, 2/3, 1}
  EXPECT_FLOAT_EQ(quantize_symmetric(0.2f, 1, 3), 1.0f / 3);
  EXPECT_FLOAT_EQ(quantize_symmetric(-0.9f, 1, 3), -1.0f);
  EXPECT_FLOAT_EQ(quantize_symmetric(0.1f, 1, 3), 0.0f);
  EXPECT_FLOAT_EQ(quantize_symmetric(7.0f, 2, 3), 2.0f);  // clipped to the bound
  EXPECT_FLOAT_EQ(quantize_symmetric(0.123f, 1, 0), 0.123f);
}

TEST(Crossbar, NoisyReadsMatchReferenceAndModelVariance) {
  Rng rng(5, "crossbar_test");
  const Matrix w = random_matrix(8, 300, 0.2f, rng);
  Matrix variance = random_matrix(8, 300, 1e-3f, rng).cwiseAbs();
  PeripheryParams p{128, 0, 0, 1000.0f, 0.05f};  // exact converters, wide bound: only the noise differs
  std::vector<Scalar> x(300), y(8);
  for (auto& v : x) v = 2 * rng.uniform() - 1;
  Scalar alpha = 0;
  for (auto v : x) alpha = std::max(alpha, std::abs(v));
  // Model: mean W x; variance per tile block (alpha^2 (sum_j V_ij (x_j/alpha)^2 + noise^2)), summed over 3 blocks.
  std::vector<double> mean(8, 0), var(8, 0);
  for (int i = 0; i < 8; ++i)
    for (int c0 = 0; c0 < 300; c0 += 128) {
      double block_alpha = 0;
      for (int j = c0; j < std::min(c0 + 128, 300); ++j) block_alpha = std::max<double>(block_alpha, std::abs(x[static_cast<size_t>(j)]));
      double v = 0.05 * 0.05;
      for (int j = c0; j < std::min(c0 + 128, 300); ++j) {
        mean[static_cast<size_t>(i)] += w(i, j) * x[static_cast<size_t>(j)];
        const double xn = x[static_cast<size_t>(j)] / block_alpha;
        v += variance(i, j) * xn * xn;
      }
      var[static_cast<size_t>(i)] += block_alpha * block_alpha * v;
    }
  const int n = 20000;
  for (const bool reference : {false, true}) {
    std::vector<double> s(8, 0), s2(8, 0);
    for (int k = 0; k < n; ++k) {
      Rng r(reference ? 11 : 12, "noise", static_cast<uint64_t>(k));
      if (reference) reference_crossbar_matvec(w, variance, x.data(), y.data(), p, r);
      else crossbar_matvec(w, variance, x.data(), y.data(), p, r);
      for (int i = 0; i < 8; ++i) {
        s[static_cast<size_t>(i)] += y[static_cast<size_t>(i)];
        s2[static_cast<size_t>(i)] += y[static_cast<size_t>(i)] * y[static_cast<size_t>(i)];
      }
    }
    for (int i = 0; i < 8; ++i) {
      const double m = s[static_cast<size_t>(i)] / n, v = s2[static_cast<size_t>(i)] / n - m * m;
      const double want_v = var[static_cast<size_t>(i)];
      EXPECT_NEAR(m, mean[static_cast<size_t>(i)], 5 * std::sqrt(want_v / n)) << (reference ? "reference" : "fast");
      EXPECT_NEAR(v, want_v, 5 * want_v * std::sqrt(2.0 / n)) << (reference ? "reference" : "fast");
    }
  }
}

}  // namespace
}  // namespace plasticore
