// add_post_times_pre_events (learn/two_factor_rule.hpp), the two-factor rule's accumulation, against the
// plain loop it stands for: list after list, each listed presynaptic column j in [begin, end) getting factor x
// its list's postsynaptic column. Bit for bit (memcmp): small layers (added in place), layers of 64 and 500 rows
// (sorted by column, each thread summing a contiguous range of columns), on 1, 2 and 3 threads, over the whole
// matrix and over column blocks (MPI's split), with empty lists and columns no list names, the postsynaptic
// columns stored longer than dW's (as the rule stores them). And its feedback-
// direction twin add_post_events_times_pre against adding a row at a time, as it did before its column blocks.
#include <gtest/gtest.h>

#include <omp.h>

#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "core/column_sums.hpp"
#include "core/rng.hpp"
#include "learn/two_factor_rule.hpp"

namespace plasticore {
namespace {

TEST(PostTimesPreEvents, EqualsThePlainLoopOnAnyThreadsAndColumnBlock) {
  constexpr Eigen::Index kCols = 97, kLists = 40;
  Rng rng(11, "test_post_times_pre_events");
  const int outer = omp_get_max_threads();
  // 1-16: the small path's pieces of 8, 4, 2 and 1 rows (16: one vector); 17: the row tiles.
  for (const Eigen::Index rows : {1, 2, 3, 7, 8, 10, 15, 16, 17, 64, 500}) {
    // post's columns stored as the rule stores them (aligned_column_rows: 528 for 500): only its top rows are read.
    // NaN in the rows past dW's: they must not be read.
    Matrix post = Matrix::Constant(aligned_column_rows(rows), kLists, std::numeric_limits<Scalar>::quiet_NaN());
    Matrix start(rows, kCols);
    for (Eigen::Index n = 0; n < kLists; ++n)
      for (Eigen::Index i = 0; i < rows; ++i) post(i, n) = rng.uniform() - 0.5f;
    for (Eigen::Index i = 0; i < start.size(); ++i) start.data()[i] = rng.uniform() - 0.5f;
    // Increasing event lists as spikes give them, dense on the low columns (ink in the centre), some empty;
    // the factors are exact multipliers, as the rule's +-1, so any fusing of multiply and add gives the same.
    std::vector<SpikeEvents> events(static_cast<size_t>(kLists));
    std::vector<PreEvents> lists;
    const Scalar factors[] = {1.0f, -1.0f, 0.5f, -2.0f};
    for (Eigen::Index n = 0; n < kLists; ++n) {
      for (int32_t j = 0; j < kCols; ++j)
        if (n % 7 != 3 && rng.uniform() < (j < 40 ? 0.5f : 0.05f)) events[static_cast<size_t>(n)].push_back(j);
      lists.push_back({&events[static_cast<size_t>(n)], (n * 13) % kLists, factors[n % 4]});
    }
    for (const auto& [begin, end] : {std::pair<Eigen::Index, Eigen::Index>{0, kCols}, {5, 60}, {16, 17}, {90, 97}}) {
      Matrix expected = start;
      for (const PreEvents& l : lists)
        for (const int32_t j : *l.events)
          if (j >= begin && j < end)
            for (Eigen::Index i = 0; i < rows; ++i) expected(i, j) += l.factor * post(i, l.post);
      for (const int threads : {1, 2, 3}) {
        SCOPED_TRACE(std::to_string(rows) + " rows, columns [" + std::to_string(begin) + ", " + std::to_string(end) +
                     "), " + std::to_string(threads) + " thread(s)");
        omp_set_num_threads(threads);
        Matrix dw = start;
        EventsByColumn scratch;
        add_post_times_pre_events(dw, post, lists, begin, end, scratch);
        omp_set_num_threads(outer);
        EXPECT_EQ(std::memcmp(dw.data(), expected.data(), sizeof(Scalar) * static_cast<size_t>(dw.size())), 0)
            << "largest difference " << (dw - expected).cwiseAbs().maxCoeff();
      }
    }
  }
}

TEST(PostEventsTimesPre, EqualsAddingARowAtATime) {
  constexpr Eigen::Index kCols = 97, kSamples = 6;
  Rng rng(12, "test_post_events_times_pre");
  // Dense spikes (30 %) take the masked vector adds, 16 vectors of a column held at a time: 16 rows (one vector), 64,
  // 257 (a second group of one vector with one row), 300 (a partial last vector of 12 rows) and 512 (two whole
  // groups); sparse ones (3 %) and 10 rows the column blocks: one block of every column at 10 rows, blocks of 64
  // columns at 64 and of 13 at 300 rows, so that a column range ends inside one.
  for (const auto& [rows, density] : {std::pair<Eigen::Index, float>{10, 0.3f}, {16, 0.3f}, {64, 0.3f}, {257, 0.3f}, {300, 0.3f},
                                      {512, 0.3f}, {64, 0.03f}, {300, 0.03f}}) {
    Matrix pre(kCols, kSamples), start(rows, kCols);
    for (Eigen::Index i = 0; i < pre.size(); ++i) pre.data()[i] = rng.uniform() - 0.5f;
    for (Eigen::Index i = 0; i < start.size(); ++i) start.data()[i] = rng.uniform() - 0.5f;
    std::vector<SpikeEvents> events(static_cast<size_t>(kSamples));  // increasing, one sample without spikes
    for (Eigen::Index b = 0; b < kSamples; ++b)
      for (int32_t i = 0; i < rows; ++i)
        if (b != 2 && rng.uniform() < density) events[static_cast<size_t>(b)].push_back(i);
    for (const Scalar sign : {1.0f, -1.0f})
      for (const auto& [begin, end] : {std::pair<Eigen::Index, Eigen::Index>{0, kCols}, {5, 60}, {16, 17}, {90, 97}}) {
        SCOPED_TRACE(std::to_string(rows) + " rows, density " + std::to_string(density) + ", columns [" + std::to_string(begin) +
                     ", " + std::to_string(end) + ")");
        Matrix expected = start;
        for (Eigen::Index b = 0; b < kSamples; ++b)
          for (const int32_t i : events[static_cast<size_t>(b)])
            for (Eigen::Index j = begin; j < end; ++j) expected(i, j) += sign * pre(j, b);
        Matrix dw = start;
        add_post_events_times_pre(dw, pre, events, sign, begin, end);
        EXPECT_EQ(std::memcmp(dw.data(), expected.data(), sizeof(Scalar) * static_cast<size_t>(dw.size())), 0)
            << "largest difference " << (dw - expected).cwiseAbs().maxCoeff();
      }
  }
}

}  // namespace
}  // namespace plasticore
