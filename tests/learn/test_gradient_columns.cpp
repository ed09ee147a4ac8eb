// The record of a gradient sum's written columns: a tracked record lists each marked column once, in increasing
// order; mark_all() or no tracking means every column; clear() (the sum was zeroed) forgets the marks but keeps
// tracking, so the next batch starts from none.
#include <gtest/gtest.h>

#include <vector>

#include "learn/gradient_columns.hpp"

namespace plasticore {
namespace {

TEST(GradientColumns, ListsMarkedColumnsOnceInOrderUntilCleared) {
  GradientColumns c;
  EXPECT_EQ(c.columns(), nullptr);  // untracked: all columns
  c.track(10);
  ASSERT_NE(c.columns(), nullptr);
  EXPECT_TRUE(c.columns()->empty());
  for (const int32_t j : {7, 2, 7, 9, 2, 0}) c.mark(j);
  EXPECT_EQ(*c.columns(), (std::vector<int32_t>{0, 2, 7, 9}));
  c.mark(5);  // after a call to columns(): still sorted
  EXPECT_EQ(*c.columns(), (std::vector<int32_t>{0, 2, 5, 7, 9}));
  c.clear();
  ASSERT_NE(c.columns(), nullptr);
  EXPECT_TRUE(c.columns()->empty());
  c.mark(7);  // cleared marks can be set again
  EXPECT_EQ(*c.columns(), (std::vector<int32_t>{7}));
  c.mark_all();
  EXPECT_EQ(c.columns(), nullptr);
  c.clear();
  ASSERT_NE(c.columns(), nullptr);
  EXPECT_TRUE(c.columns()->empty());
}

}  // namespace
}  // namespace plasticore
