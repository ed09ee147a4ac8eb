#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <utility>

#include "core/column_product.hpp"
#include "core/product_chunks.hpp"
#include "core/rng.hpp"

namespace plasticore {
namespace {

struct Shape {
  Eigen::Index m, k, n;
};

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, uint64_t stream) {
  Rng rng(11, "column_product", stream, 0);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform() - 0.5f;
  return m;
}

// A product's operands w (m x k) and x (k x n), from their own streams.
std::pair<Matrix, Matrix> operands(const Shape& s, uint64_t stream) {
  return {random_matrix(s.m, s.k, 2 * stream), random_matrix(s.k, s.n, 2 * stream + 1)};
}

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<size_t>(a.size())) == 0;
}

// Rate EP's per-step products (10 x 500 and 500 x 10 at batches of 20 and 100), tails of every kind (rows not a
// multiple of 16, columns not a multiple of 8 or 4), a depth of one.
constexpr Shape kShapes[] = {{10, 500, 20}, {500, 10, 20}, {10, 500, 100}, {500, 10, 7}, {17, 33, 13},
                             {16, 5, 8},    {1, 1, 1},     {3, 1, 12},    {33, 64, 4},  {10, 16, 21}};

// The definition, element by element in scalar form: y(i, b) = w(i, 0) x(0, b), then one fused
// multiply-add per further depth index in order. Bit for bit, on every build (AVX-512 or not).
TEST(ColumnProduct, IsOneFusedChainPerElementInDepthOrder) {
  uint64_t stream = 0;
  for (const Shape s : kShapes) {
    const auto [w, x] = operands(s, ++stream);
    Matrix y;
    column_product(w, x, y);
    ASSERT_EQ(y.rows(), s.m);
    ASSERT_EQ(y.cols(), s.n);
    Matrix expected(s.m, s.n);
    for (Eigen::Index b = 0; b < s.n; ++b)
      for (Eigen::Index i = 0; i < s.m; ++i) {
        Scalar acc = w(i, 0) * x(0, b);
        for (Eigen::Index k = 1; k < s.k; ++k) acc = std::fma(w(i, k), x(k, b), acc);
        expected(i, b) = acc;
      }
    EXPECT_TRUE(same_bits(y, expected)) << s.m << "x" << s.k << " by " << s.k << "x" << s.n;
    // And a product, not something else with the same shape: within float rounding of the double product.
    const Eigen::MatrixXd exact = w.cast<double>() * x.cast<double>();
    EXPECT_LT((y.cast<double>() - exact).cwiseAbs().maxCoeff(), 1e-5 * static_cast<double>(s.k));
  }
}

// What the threads and MPI ranks rely on: the columns of any split, each computed as a product of its own, are the
// whole product's (Eigen's product is not: a 10-column slice of a 20-column product rounds differently).
TEST(ColumnProduct, AnySplitOfTheColumnsGivesTheWholeProductsBits) {
  uint64_t stream = 100;
  for (const Shape s : kShapes) {
    const auto [w, x] = operands(s, ++stream);
    Matrix whole;
    column_product(w, x, whole);
    for (Eigen::Index cut = 1; cut < s.n; ++cut) {
      Matrix left, right;
      column_product(w, x.leftCols(cut), left);
      column_product(w, x.rightCols(s.n - cut), right);
      Matrix joined(s.m, s.n);
      joined << left, right;
      ASSERT_TRUE(same_bits(whole, joined)) << s.m << "x" << s.k << " by " << s.k << "x" << s.n << " cut at " << cut;
    }
  }
}

TEST(EqualColumnChunks, CoverTheColumnsOnceInChunksThatDifferByAtMostOne) {
  for (Eigen::Index cols : {1, 2, 7, 20, 21, 100})
    for (int parts : {1, 2, 3, 8, 64}) {
      const auto chunks = equal_column_chunks(cols, parts);
      ASSERT_EQ(static_cast<Eigen::Index>(chunks.size()), std::min<Eigen::Index>(parts, cols));
      Eigen::Index next = 0, smallest = cols, largest = 0;
      for (const auto& c : chunks) {
        EXPECT_EQ(c.begin, next);
        smallest = std::min(smallest, c.cols);
        largest = std::max(largest, c.cols);
        next = c.begin + c.cols;
      }
      EXPECT_EQ(next, cols);
      EXPECT_GE(smallest, 1);
      EXPECT_LE(largest - smallest, 1) << cols << " columns in " << parts;
    }
}

}  // namespace
}  // namespace plasticore
