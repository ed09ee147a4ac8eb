// RngJump against drawing: after a jump of m strides an Rng draws exactly the numbers it would have drawn after
// m x stride draws, for strides of 1, 7 and 500 numbers and jumps of 0 to 1,000 strides, several in a row.
#include <gtest/gtest.h>

#include "core/rng_jump.hpp"

namespace plasticore {
namespace {

TEST(RngJump, EqualsDrawingTheSkippedNumbers) {
  for (const uint64_t stride : {uint64_t{1}, uint64_t{7}, uint64_t{500}}) {
    RngJump jump(stride);
    Rng jumped(42, "test_rng_jump", stride), drawn(42, "test_rng_jump", stride);
    for (const uint64_t strides : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{5}, uint64_t{37}, uint64_t{1000}}) {
      jump.advance(jumped, strides);
      for (uint64_t i = 0; i < strides * stride; ++i) drawn.next();
      for (int i = 0; i < 3; ++i) ASSERT_EQ(jumped.next(), drawn.next()) << "stride " << stride << ", " << strides << " strides";
      for (int i = 0; i < 3; ++i) drawn.next(), jumped.next();  // not at a multiple of the stride: still exact
    }
  }
}

}  // namespace
}  // namespace plasticore
