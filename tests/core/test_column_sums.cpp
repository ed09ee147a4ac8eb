#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <utility>
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
  for (const Eigen::Index rows : {1, 4, 10, 12, 16, 29, 52, 64, 95, 96, 100, 160, 500})
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

// sum_changes_over_steps (a phase's input drives, row tiles through all steps) against what it replaced, the
// per-step calls of Substrate::exact_forward_event_changes: sum_columns over each step's `on` columns with sign +1,
// then over its `off` columns with sign -1. Bit for bit at every step and at the end, for the row counts above (the
// 96-, 64- and 16-row tiles, the masked or scalar tail), with a NaN and an infinite entry (never two NaNs meeting,
// where the surviving payload follows the compiler's operand order), steps without changes and repeated columns.
TEST(SumChangesOverSteps, EqualsStepAfterStepBitForBit) {
  Rng rng(9, "test_column_sums_steps");
  for (const Eigen::Index rows : {1, 4, 10, 12, 16, 29, 52, 64, 95, 96, 100, 160, 500}) {
    Matrix columns(rows, 11);
    for (Eigen::Index i = 0; i < columns.size(); ++i) columns.data()[i] = rng.uniform() - 0.5f;
    columns(rows / 2, 7) = std::nanf("");
    columns(rows - 1, 9) = -INFINITY;
    const std::vector<std::vector<int32_t>> on = {{0, 3, 5}, {}, {7, 1}, {2, 2, 10}, {}}, off = {{}, {3}, {0, 5}, {}, {9, 4, 6}};
    Vector start(rows);
    for (Eigen::Index i = 0; i < rows; ++i) start[i] = rng.uniform();
    Vector want = start, got = start;
    Matrix want_steps(rows, 5), got_steps = Matrix::Constant(rows, 5, 7.0f);
    for (size_t t = 0; t < on.size(); ++t) {
      sum_columns<false, true>(want.data(), rows, on[t].size(), Scalar{1}, [&](size_t n) { return columns.col(on[t][n]).data(); });
      sum_columns<false, true>(want.data(), rows, off[t].size(), Scalar{-1}, [&](size_t n) { return columns.col(off[t][n]).data(); });
      want_steps.col(static_cast<Eigen::Index>(t)) = want;
    }
    std::vector<StepChanges> steps;
    for (size_t t = 0; t < on.size(); ++t) steps.push_back({on[t], off[t], 0, got_steps.col(static_cast<Eigen::Index>(t)).data()});
    sum_changes_over_steps(got.data(), rows, steps, [&](int32_t j) { return columns.col(j).data(); });
    EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof(Scalar) * static_cast<size_t>(rows)), 0) << rows << " rows";
    EXPECT_EQ(std::memcmp(got_steps.data(), want_steps.data(), sizeof(Scalar) * static_cast<size_t>(got_steps.size())), 0)
        << rows << " rows";
  }
}

// The sums' last rows in one pass (sum_columns_tail, sum_changes_tail: every vector count from 1 to the first tile's)
// for each first tile the code is instantiated with, every row count up to past 240: bit for bit against adding
// column after column, and nothing written past the last row (16 sentinels after the output and each step's).
template <typename Tiles>
void expect_sums_in_tiles(Rng& rng) {
  for (Eigen::Index rows = 1; rows <= 260; ++rows) {
    Matrix columns(rows, 6);
    for (Eigen::Index i = 0; i < columns.size(); ++i) columns.data()[i] = rng.uniform() - 0.5f;
    const std::vector<int> order = {3, 0, 5, 3, 1};
    const auto column = [&](size_t n) { return columns.col(order[n]).data(); };
    for (const Scalar sign : {Scalar{1}, Scalar{-1}}) {
      Vector got = Vector::Constant(rows + 16, 7.0f), want = got;
      for (Eigen::Index i = 0; i < rows; ++i) got[i] = want[i] = rng.uniform();
      for (size_t n = 0; n < order.size(); ++n) want.head(rows) += sign * columns.col(order[n]);
      sum_scaled_columns<false, ColumnScale::sign, Tiles>(got.data(), rows, order.size(), sign, column,
                                                          [](size_t) { return Scalar{1}; });
      EXPECT_TRUE(got == want) << rows << " rows, sign " << sign;
    }
    const std::vector<std::vector<int32_t>> on = {{0, 3}, {}, {5, 1}}, off = {{}, {3}, {0, 4}};
    Vector got = Vector::Constant(rows + 16, 7.0f), want = got;
    for (Eigen::Index i = 0; i < rows; ++i) got[i] = want[i] = rng.uniform();
    Matrix got_steps = Matrix::Constant(rows + 16, 3, 7.0f), want_steps = got_steps;
    std::vector<StepChanges> steps;
    for (size_t t = 0; t < on.size(); ++t) {
      for (const int32_t j : on[t]) want.head(rows) += columns.col(j);
      for (const int32_t j : off[t]) want.head(rows) += Scalar{-1} * columns.col(j);
      want_steps.col(static_cast<Eigen::Index>(t)).head(rows) = want.head(rows);
      steps.push_back({on[t], off[t], 0, got_steps.col(static_cast<Eigen::Index>(t)).data()});
    }
    sum_changes_over_steps<Tiles>(got.data(), rows, steps, [&](int32_t j) { return columns.col(j).data(); });
    EXPECT_TRUE(got == want) << rows << " rows, changes over steps";
    EXPECT_TRUE(got_steps == want_steps) << rows << " rows, changes over steps, each step";
  }
}

TEST(SumColumnsTail, EveryRowCountAndFirstTile) {
  Rng rng(8, "test_column_sums_tail");
  expect_sums_in_tiles<RowTiles<64, 16, 8, 4>>(rng);
  expect_sums_in_tiles<RowTiles<96, 64, 16, 8, 4>>(rng);
  expect_sums_in_tiles<RowTiles<160, 96, 64, 16, 8, 4>>(rng);
  expect_sums_in_tiles<RowTiles<240, 96, 64, 16, 8, 4>>(rng);
}

// sum_events_over_steps (a phase's input drives from its spikes, row tiles through all steps) against what it
// replaced, a sum_columns<true, false> call per step (Substrate::exact_forward_events), bit for bit at every step,
// for every row count up to past 240 and several first tiles (the masked tail takes 1 to all of the first tile's
// vectors), with a NaN, an infinite and a -0 entry, a step without spikes and a repeated column; nothing written past
// the last row (16 sentinels after each step's output).
template <typename Tiles>
void expect_event_steps(Rng& rng) {
  const std::vector<std::vector<int32_t>> events = {{0, 3, 5}, {}, {7, 1, 7}, {2, 9, 10, 4}, {6}};
  for (Eigen::Index rows = 1; rows <= 260; ++rows) {
    Matrix columns(rows, 11);
    for (Eigen::Index i = 0; i < columns.size(); ++i) columns.data()[i] = rng.uniform() - 0.5f;
    columns(rows / 2, 7) = std::nanf("");
    columns(rows - 1, 9) = -INFINITY;
    columns(0, 6) = -0.0f;
    Matrix want = Matrix::Constant(rows + 16, 5, 7.0f), got = want;
    std::vector<StepEvents> steps;
    for (size_t t = 0; t < events.size(); ++t) {
      const auto& e = events[t];
      sum_columns<true, false>(want.col(static_cast<Eigen::Index>(t)).data(), rows, e.size(), Scalar{1},
                               [&](size_t n) { return columns.col(e[n]).data(); });
      steps.push_back({e, got.col(static_cast<Eigen::Index>(t)).data()});
    }
    sum_events_over_steps<Tiles>(rows, steps, [&](int32_t j) { return columns.col(j).data(); });
    EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof(Scalar) * static_cast<size_t>(got.size())), 0) << rows << " rows";
  }
}

TEST(SumEventsOverSteps, EqualsAColumnSumPerStepBitForBit) {
  Rng rng(10, "test_column_sums_event_steps");
  expect_event_steps<RowTiles<48, 16, 8, 4>>(rng);  // the default
  expect_event_steps<RowTiles<64, 16, 8, 4>>(rng);
  expect_event_steps<RowTiles<160, 96, 64, 16, 8, 4>>(rng);
}

// sum_scaled_columns with a factor per column (forward_nonzero, the rate network's first-layer update)
// against a double reference: a few ulps of the sum of |terms|, for the same row counts.
TEST(SumScaledColumns, EqualsTheWeightedSumOfTheColumns) {
  Rng rng(6, "test_column_sums_scaled");
  for (const Eigen::Index rows : {1, 4, 10, 12, 16, 29, 52, 64, 95, 96, 100, 160, 500})
    for (const size_t count : {size_t{0}, size_t{1}, size_t{7}}) {
      Matrix columns(rows, 9);
      for (Eigen::Index i = 0; i < columns.size(); ++i) columns.data()[i] = rng.uniform() - 0.5f;
      const std::vector<int> order = {3, 0, 8, 3, 5, 1, 2};
      const std::vector<Scalar> factor = {0.5f, -2.25f, 0.1f, 1.0f, 3.0f, -0.7f, 0.01f};
      Vector start(rows);
      for (Eigen::Index i = 0; i < rows; ++i) start[i] = rng.uniform();
      for (const bool from_zero : {false, true}) {
        Vector got = start;
        const auto column = [&](size_t n) { return columns.col(order[n]).data(); };
        const auto factor_of = [&](size_t n) { return factor[n]; };
        if (from_zero) sum_scaled_columns<true, ColumnScale::factor>(got.data(), rows, count, Scalar{1}, column, factor_of);
        else sum_scaled_columns<false, ColumnScale::factor>(got.data(), rows, count, Scalar{1}, column, factor_of);
        for (Eigen::Index i = 0; i < rows; ++i) {
          double want = from_zero ? 0.0 : start[i], abs_sum = std::abs(want);
          for (size_t n = 0; n < count; ++n) {
            want += static_cast<double>(factor[n]) * columns(i, order[n]);
            abs_sum += std::abs(static_cast<double>(factor[n]) * columns(i, order[n]));
          }
          EXPECT_NEAR(got[i], want, 1e-6 * abs_sum + 1e-12) << rows << " rows, " << count << " columns, row " << i;
        }
      }
    }
}

// Any list of row tiles gives the same bits as the default one (bench/kernels_bench compares their speed):
// every element gets the same additions in the same order whichever tile holds it.
TEST(SumScaledColumns, RowTilesDoNotChangeTheNumbers) {
  Rng rng(8, "test_column_sums_tiles");
  for (const Eigen::Index rows : {3, 10, 100, 163, 500}) {
    Matrix columns(rows, 9);
    for (Eigen::Index i = 0; i < columns.size(); ++i) columns.data()[i] = rng.uniform() - 0.5f;
    Vector start(rows);
    for (Eigen::Index i = 0; i < rows; ++i) start[i] = rng.uniform();
    const Scalar factors[] = {0.3f, -1.7f, 2.1f, 0.9f, -0.4f, 1.3f, -2.2f, 0.6f, 1.1f};
    const auto column = [&](size_t n) { return columns.col(static_cast<Eigen::Index>(n)).data(); };
    const auto factor = [&](size_t n) { return factors[n]; };
    Vector by_default = start, by_64 = start, by_240 = start;
    sum_scaled_columns<false, ColumnScale::factor>(by_default.data(), rows, 9, Scalar{1}, column, factor);
    sum_scaled_columns<false, ColumnScale::factor, RowTiles<64, 16, 8, 4>>(by_64.data(), rows, 9, Scalar{1}, column, factor);
    sum_scaled_columns<false, ColumnScale::factor, RowTiles<240, 96, 64, 16, 8, 4>>(by_240.data(), rows, 9, Scalar{1},
                                                                                    column, factor);
    EXPECT_EQ(std::memcmp(by_default.data(), by_64.data(), sizeof(Scalar) * static_cast<size_t>(rows)), 0) << rows << " rows";
    EXPECT_EQ(std::memcmp(by_default.data(), by_240.data(), sizeof(Scalar) * static_cast<size_t>(rows)), 0) << rows << " rows";
  }
}

// add_outer_nonzero against the dense outer product it replaces (a double reference), on a mostly-zero
// input with a row that is all zeros, for the whole matrix and a column range; columns outside the range
// are left alone.
TEST(AddOuterNonzero, EqualsTheDenseOuterProduct) {
  Rng rng(7, "test_add_outer_nonzero");
  const Eigen::Index rows = 37, cols = 23, batch = 6;
  Matrix delta(rows, batch), pre(cols, batch), start(rows, cols);
  for (Eigen::Index i = 0; i < delta.size(); ++i) delta.data()[i] = rng.uniform() - 0.5f;
  for (Eigen::Index i = 0; i < start.size(); ++i) start.data()[i] = rng.uniform() - 0.5f;
  for (Eigen::Index i = 0; i < pre.size(); ++i) pre.data()[i] = rng.uniform() < 0.75f ? 0.0f : rng.uniform();
  pre.row(4).setZero();
  for (const Scalar sign : {Scalar{1}, Scalar{-1}})
    for (const auto& [c0, n] : {std::pair<Eigen::Index, Eigen::Index>{0, cols}, {5, 9}}) {
      Matrix got = start;
      add_outer_nonzero(got, c0, n, sign, delta, pre);
      for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i) {
          if (j < c0 || j >= c0 + n) {
            EXPECT_EQ(got(i, j), start(i, j));
            continue;
          }
          double want = start(i, j), abs_sum = std::abs(want);
          for (Eigen::Index b = 0; b < batch; ++b) {
            want += static_cast<double>(sign) * delta(i, b) * pre(j, b);
            abs_sum += std::abs(static_cast<double>(delta(i, b)) * pre(j, b));
          }
          EXPECT_NEAR(got(i, j), want, 1e-6 * abs_sum + 1e-12) << "row " << i << ", column " << j;
        }
    }
}

// sgd_outer_nonzero against its two passes: add_outer_nonzero into a zero gradient, then the update's sweep over the
// columns with an inked sample (as the rule marks them) -- the same bits, a weight of -0 and columns left alone
// included, for a 500-row layer (full tiles, then the tail) and a 37-row one, the whole matrix and a chunk.
TEST(SgdOuterNonzero, EqualsTheSumThenTheSweep) {
  Rng rng(11, "test_sgd_outer_nonzero");
  for (const Eigen::Index rows : {Eigen::Index{500}, Eigen::Index{37}}) {
    const Eigen::Index cols = 29, batch = 7;
    Matrix delta(rows, batch), pre(cols, batch), start(rows, cols);
    for (Eigen::Index i = 0; i < delta.size(); ++i) delta.data()[i] = rng.uniform() - 0.5f;
    for (Eigen::Index i = 0; i < start.size(); ++i) start.data()[i] = rng.uniform() - 0.5f;
    for (Eigen::Index i = 0; i < pre.size(); ++i) pre.data()[i] = rng.uniform() < 0.7f ? 0.0f : rng.uniform();
    pre.row(3).setZero();
    pre(6, 2) = -0.0f;  // not inked
    start(1, 3) = start(1, 8) = -0.0f;
    const Scalar scale = -1.0f / 7.0f, step = -0.1f;
    for (const Scalar sign : {Scalar{1}, Scalar{-1}})
      for (const auto& [c0, n] : {std::pair<Eigen::Index, Eigen::Index>{0, cols}, {5, 9}}) {
        Matrix got = start, want = start, gradient = Matrix::Zero(rows, cols);
        sgd_outer_nonzero(got, c0, n, sign, delta, pre, scale, step);
        add_outer_nonzero(gradient, c0, n, sign, delta, pre);
        for (Eigen::Index j = c0; j < c0 + n; ++j)
          if ((pre.row(j).array() != 0).any()) sgd_sweep(want.col(j).data(), gradient.col(j).data(), rows, scale, step);
        EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof(Scalar) * static_cast<size_t>(got.size())), 0)
            << rows << " rows, sign " << sign << ", columns " << c0 << " + " << n;
        EXPECT_TRUE(gradient.isZero(0));  // the sweep zeroed what the sum wrote
        EXPECT_NE(got, start);
      }
  }
}

}  // namespace
}  // namespace plasticore
