// The learning-rate schedule (learn/lr_schedule.hpp): the cosine factors, and that the one trainer
// applies them (a cosine schedule ending at factor 0 leaves the weights unchanged in the last epoch).
#include <gtest/gtest.h>

#include "learn/lr_schedule.hpp"
#include "../support/runs.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

TEST(LrSchedule, CosineFactors) {
  EXPECT_EQ(lr_scale_at("constant", 0.1, 3, 5), 1.0);
  EXPECT_DOUBLE_EQ(lr_scale_at("cosine", 0.1, 0, 5), 1.0);
  EXPECT_DOUBLE_EQ(lr_scale_at("cosine", 0.1, 2, 5), 0.55);
  EXPECT_DOUBLE_EQ(lr_scale_at("cosine", 0.1, 4, 5), 0.1);
  EXPECT_EQ(lr_scale_at("cosine", 0.1, 0, 1), 1.0);
}

std::vector<Matrix> train_weights(int epochs, const std::string& schedule) {
  const NamedTensors t = train_tensors(
      "algorithm = \"eprop\"\nseed = 2\nthreads = 1\n[task]\nsteps = 100\n"
      "[network]\nrecurrent = 10\n[train]\nepochs = " + std::to_string(epochs) + "\nlr_schedule = \"" + schedule +
      "\"\nlr_final_factor = 0.0\n");
  return {t.matrix("w_in", 10, 100), t.matrix("w_rec", 10, 10), t.matrix("w_out", 1, 10)};
}

TEST(LrSchedule, TheTrainerAppliesIt) {
  const auto one = train_weights(1, "constant");
  // A 2-epoch cosine run ending at factor 0 has factors (1, 0): its second epoch changes nothing.
  const auto cosine_two = train_weights(2, "cosine"), constant_two = train_weights(2, "constant");
  for (size_t p = 0; p < 3; ++p) {
    EXPECT_EQ(cosine_two[p], one[p]) << p;
    EXPECT_NE(constant_two[p], one[p]) << p << ": without the schedule the second epoch learns";
  }
}

}  // namespace
}  // namespace plasticore
