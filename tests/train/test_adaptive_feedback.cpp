// Adaptive (Kolen-Pollack) feedback of e-prop (learn/adaptive_feedback.hpp) in the sequence trainer: the
// documented update holds on a tiny network (B - W_out^T shrinks by exactly (1 - lambda) per update,
// whatever the gradients), and B's alignment with W_out^T grows during training.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "learn/adaptive_feedback.hpp"
#include "train/sequence_checkpoint.hpp"
#include "train/sequence_trainer.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

// A tiny evidence-accumulation run: 4 sequences per epoch in batches of 2 = 2 updates per epoch.
SequenceRunConfig tiny_config(int epochs, double decay) {
  ConfigReader r = ConfigReader::from_string(
      "algorithm = \"eprop\"\nseed = 3\nthreads = 1\n"
      "[task]\nname = \"evidence_accumulation\"\nsteps = 1200\n"
      "[data]\ntrain_limit = 4\ntest_limit = 2\n"
      "[network]\nrecurrent = 12\nadaptive = 6\n"
      "[train]\nepochs = " + std::to_string(epochs) + "\nbatch_size = 2\nlearning_rate = 0.02\n"
      "feedback = \"adaptive\"\nfeedback_decay = " + std::to_string(decay) + "\n",
      "tiny adaptive e-prop");
  return read_sequence_config(r);
}

SequenceCheckpoint train(const SequenceRunConfig& c) {
  const fs::path dir = fs::temp_directory_path() /
                       ("plasticore-test-kp-" + std::to_string(::getpid()) + "-" + std::to_string(c.train.epochs));
  fs::create_directories(dir);
  train_sequence_model(c, dir.string(), std::nullopt, false);
  SequenceCheckpoint ck = read_sequence_checkpoint((dir / "checkpoint.bin").string());
  fs::remove_all(dir);
  return ck;
}

double cosine(const Matrix& a, const Matrix& b) {
  return static_cast<double>((a.array() * b.array()).sum()) / static_cast<double>(a.norm() * b.norm());
}

TEST(AdaptiveFeedback, UpdateFormula) {
  Matrix w_out(2, 3), change(2, 3), b(3, 2), decayed;
  w_out << 1, -2, 3, 0.5, 0, -1;
  change << 0.1, 0.2, -0.3, 0, 0.4, 0.05;
  b << 0.3, -0.1, 0.2, 0.7, -0.5, 0.9;
  const Matrix b0 = b;
  kolen_pollack_update(w_out, change, 0.25, b, decayed);
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j) {
      EXPECT_FLOAT_EQ(decayed(k, j), change(k, j) - 0.25f * w_out(k, j));
      EXPECT_FLOAT_EQ(b(j, k), 0.75f * b0(j, k) + change(k, j));
    }
}

TEST(AdaptiveFeedback, MismatchShrinksByOneMinusDecayPerUpdateAndBAligns) {
  const double decay = 0.2;
  const SequenceCheckpoint one = train(tiny_config(1, decay)), three = train(tiny_config(3, decay));
  ASSERT_EQ(one.weights.size(), 4u) << "B is checkpointed";
  ASSERT_EQ(three.weights.size(), 4u);
  const Matrix mismatch_one = one.weights[3] - one.weights[2].transpose();
  const Matrix mismatch_three = three.weights[3] - three.weights[2].transpose();
  ASSERT_GT(mismatch_one.norm(), 0.1) << "B still differs from W_out^T after 2 updates";
  EXPECT_GT((three.weights[2] - one.weights[2]).norm(), 0) << "W_out learnt";
  // 4 updates from epoch 1 to epoch 3, each multiplying B - W_out^T by (1 - decay), regardless of the gradients.
  const Matrix predicted = std::pow(1 - decay, 4) * mismatch_one;
  EXPECT_LT((mismatch_three - predicted).norm(), 1e-5 * three.weights[3].norm());
  // Alignment: after 24 updates the shared accumulated changes dominate the decayed random start.
  const SequenceCheckpoint twelve = train(tiny_config(12, decay));
  const double c1 = cosine(one.weights[3], one.weights[2].transpose());
  const double c3 = cosine(three.weights[3], three.weights[2].transpose());
  const double c12 = cosine(twelve.weights[3], twelve.weights[2].transpose());
  EXPECT_GT(c3, c1) << "alignment cos(B, W_out^T) grows";
  EXPECT_GT(c12, c3 + 0.3);
  EXPECT_GT(c12, 0.8) << c1 << " -> " << c3 << " -> " << c12;
}

}  // namespace
}  // namespace plasticore
