#include <gtest/gtest.h>

#include <vector>

#include "core/column_sums.hpp"
#include "core/rng.hpp"

namespace plasticore {
namespace {

// sum_columns against a plain loop that adds column after column, for row counts that exercise the 64-row
// tiles, the 16-, 8- and 4-row tiles and the scalar tail (and none of them), with and without a starting value and sign:
// bit for bit, since every element gets its additions in the same order.
TEST(SumColumns, EqualsColumnAfterColumnBitForBit) {
  Rng rng(5, "test_column_sums");
  for (const Eigen::Index rows : {1, 4, 10, 12, 16, 29, 52, 64, 95, 100, 500})
    for (const size_t count : {size_t{0}, size_t{1}, size_t{7}}) {
      Matrix columns(rows, 9);
      for (Eigen::Index i = 0; i < columns.size(); ++i) columns.data()[i] = rng.uniform() - 0.5f;
      const std::vector<int> order = {3, 0, 8, 3, 5, 1, 2};
      const auto column = [&](size_t n) { return columns.col(order[n]).data(); };
      Vector start(rows);
      for (Eigen::Index i = 0; i < rows; ++i) start[i] = rng.uniform();
      for (const Scalar sign : {Scalar{1}, Scalar{-1}}) {
        Vector want = start, got = start;
        for (size_t n = 0; n < count; ++n) want += sign * columns.col(order[n]);
        sum_columns<false, true>(got.data(), rows, count, sign, column);
        EXPECT_TRUE(got == want) << rows << " rows, " << count << " columns, sign " << sign;
      }
      Vector want = Vector::Zero(rows), got = start;  // from zero: the start is overwritten
      for (size_t n = 0; n < count; ++n) want += columns.col(order[n]);
      sum_columns<true, false>(got.data(), rows, count, Scalar{1}, column);
      EXPECT_TRUE(got == want) << rows << " rows, " << count << " columns, from zero";
    }
}

}  // namespace
}  // namespace plasticore
