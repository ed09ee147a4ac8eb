// The learning-rate schedule of sequence runs (learn/lr_schedule.hpp): the cosine factors, and that the
// trainer applies them (a cosine schedule ending at factor 0 leaves the weights unchanged in the last epoch).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "learn/lr_schedule.hpp"
#include "train/sequence_checkpoint.hpp"
#include "train/sequence_trainer.hpp"

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
  ConfigReader r = ConfigReader::from_string(
      "algorithm = \"eprop\"\nseed = 2\nthreads = 1\n[task]\nname = \"pattern_generation\"\nsteps = 100\n"
      "[network]\nrecurrent = 10\n[train]\nepochs = " + std::to_string(epochs) + "\nlr_schedule = \"" + schedule +
      "\"\nlr_final_factor = 0.0\n", "tiny schedule run");
  const SequenceRunConfig c = read_sequence_config(r);
  const fs::path dir = fs::temp_directory_path() / ("plasticore-test-lr-" + std::to_string(::getpid()) + "-" +
                                                    std::to_string(epochs) + schedule);
  fs::create_directories(dir);
  train_sequence_model(c, dir.string(), std::nullopt, false);
  const std::vector<Matrix> w = read_sequence_checkpoint((dir / "checkpoint.bin").string()).weights;
  fs::remove_all(dir);
  return w;
}

TEST(LrSchedule, SequenceTrainerAppliesIt) {
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
