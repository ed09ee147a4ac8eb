#include <gtest/gtest.h>

#include <cstring>

#include <Eigen/Core>

#include "core/product_chunks.hpp"
#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace plasticore {
namespace {

// Products on one thread each, as in the program (train/run.cpp: set_threads): Eigen's own threading splits
// a product in its own way.
class ProductColumnChunks : public ::testing::Test {
 protected:
  void SetUp() override {
    threads_ = Eigen::nbThreads();
    Eigen::setNbThreads(1);
  }
  void TearDown() override { Eigen::setNbThreads(threads_); }
  int threads_ = 1;
};

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, uint64_t stream) {
  Rng rng(7, "product_chunks", stream, 0);
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform() - 0.5f;
  return m;
}

TEST_F(ProductColumnChunks, CoverTheColumnsOnceWithAlignedBoundaries) {
  constexpr Eigen::Index nr = Eigen::internal::gebp_traits<Scalar, Scalar>::nr;
  for (Eigen::Index cols : {1, 3, 4, 20, 21, 100, 784})
    for (int parts : {1, 2, 3, 8, 64}) {
      const auto chunks = product_column_chunks<Scalar>(cols, parts);
      ASSERT_FALSE(chunks.empty());
      EXPECT_LE(static_cast<int>(chunks.size()), parts);
      Eigen::Index next = 0;
      for (const auto& c : chunks) {
        EXPECT_EQ(c.begin, next);
        EXPECT_GT(c.cols, 0) << cols << " columns in " << parts;
        EXPECT_EQ(c.begin % nr, 0);
        next = c.begin + c.cols;
      }
      EXPECT_EQ(next, cols);
    }
}

// The property the threaded rate-EP products rely on: a product computed chunk by chunk equals the whole
// product bit for bit, for the shapes of rate EP (784-500-10, batches of 20 and 100) and the update's
// outer product.
TEST_F(ProductColumnChunks, ChunkedProductsEqualTheWholeProductBitForBit) {
  struct Shape {
    Eigen::Index m, k, n;
  };
  uint64_t stream = 0;
  for (const Shape s : {Shape{500, 784, 20}, Shape{10, 500, 20}, Shape{500, 10, 20}, Shape{500, 784, 100},
                        Shape{500, 20, 784}, Shape{64, 784, 20}, Shape{10, 64, 21}}) {
    const Matrix a = random_matrix(s.m, s.k, ++stream), b = random_matrix(s.k, s.n, ++stream);
    Matrix whole(s.m, s.n);
    whole.noalias() = a * b;
    for (int parts : {2, 3}) {
      Matrix chunked(s.m, s.n);
      for (const auto& c : product_column_chunks<Scalar>(s.n, parts)) {
        Matrix part(s.m, c.cols);
        part.noalias() = a * b.middleCols(c.begin, c.cols);
        chunked.middleCols(c.begin, c.cols) = part;
      }
      EXPECT_EQ(std::memcmp(whole.data(), chunked.data(), sizeof(Scalar) * static_cast<size_t>(whole.size())), 0)
          << s.m << "x" << s.k << " by " << s.k << "x" << s.n << " in " << parts << " chunks";
    }
  }
}

// The EP update's form: dW += sign * (h^beta - h^0) x^T, split by columns of dW (rows of x).
TEST_F(ProductColumnChunks, ChunkedScaledOuterProductsAccumulateBitForBit) {
  const Matrix delta = random_matrix(500, 20, 1), x = random_matrix(784, 20, 2), start = random_matrix(500, 784, 3);
  const Scalar sign = -1;
  Matrix whole = start;
  whole.noalias() += sign * delta * x.transpose();
  Matrix chunked = start;
  for (const auto& c : product_column_chunks<Scalar>(784, 2))
    chunked.middleCols(c.begin, c.cols).noalias() += sign * delta * x.middleRows(c.begin, c.cols).transpose();
  EXPECT_EQ(std::memcmp(whole.data(), chunked.data(), sizeof(Scalar) * static_cast<size_t>(whole.size())), 0);
}

}  // namespace
}  // namespace plasticore
