// The quantized substrate's SGD update over a list of columns (update_sgd) against the learner's general path
// (gradient *= scale, change = step * gradient, update(change), gradient = 0), bit for bit: deterministic and
// stochastic rounding (whose numbers for the listed columns must be the ones the whole-matrix write draws for
// them, the others jumped over), several updates in a row so the streams' numbering stays in step, lists with
// runs, single columns and both ends. A NaN in a listed column is refused (the general path handles it).
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "substrate/registry.hpp"

namespace plasticore {
namespace {

constexpr int kRows = 37, kCols = 60;

std::unique_ptr<Substrate> quantized(const std::string& rounding) {
  SubstrateConfig c;
  c.kind = "quantized";
  c.quantized.bits = 4;
  c.quantized.rounding = rounding;
  c.seed = 3;
  return make_substrate(c, kRows, kCols);
}

TEST(QuantizedSgd, ListedColumnsEqualTheWholeUpdate) {
  const std::vector<int32_t> listed = {0, 1, 2, 9, 20, 21, 40, 58, 59};
  for (const std::string rounding : {"deterministic", "stochastic"}) {
    SCOPED_TRACE(rounding);
    const auto whole = quantized(rounding), some = quantized(rounding);
    Rng rng(5, "test_quantized_sgd");
    Matrix w(kRows, kCols);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.uniform() - 0.5f;
    whole->set_weights(w);
    some->set_weights(w);
    const Matrix initial = some->weights();
    const Scalar scale = -0.37f, step = -0.9f;
    for (int update = 0; update < 4; ++update) {
      Matrix g = Matrix::Zero(kRows, kCols);
      for (const int32_t j : listed)
        for (Eigen::Index i = 0; i < kRows; ++i) g(i, j) = 0.6f * (rng.uniform() - 0.5f);  // changes up to ~1.5 steps
      Matrix general = g;
      general *= scale;
      const Matrix change = step * general;
      whole->update(change);
      ASSERT_TRUE(some->update_sgd(g, scale, step, &listed));
      EXPECT_TRUE(g.isZero(0));
      EXPECT_TRUE(some->weights() == whole->weights()) << "update " << update;
    }
    EXPECT_FALSE(some->weights() == initial);  // it did learn
    Matrix g = Matrix::Zero(kRows, kCols);
    g(3, 20) = std::numeric_limits<Scalar>::quiet_NaN();
    const Matrix before = some->weights();
    EXPECT_FALSE(some->update_sgd(g, scale, step, &listed));
    EXPECT_TRUE(some->weights() == before);
    EXPECT_FALSE(some->update_sgd(g, scale, step, nullptr));  // no list: the general path
  }
}

}  // namespace
}  // namespace plasticore
