// Adaptive (Kolen-Pollack) feedback of e-prop (learn/adaptive_feedback.hpp) in the trainer: the
// documented update holds on a tiny network (B - W_out^T shrinks by exactly (1 - lambda) per update,
// whatever the gradients), and B's alignment with W_out^T grows during training.
#include <gtest/gtest.h>

#include <cmath>

#include "learn/adaptive_feedback.hpp"
#include "../support/runs.hpp"

namespace plasticore {
namespace {

// A tiny evidence-accumulation run: 4 sequences per epoch in batches of 2 = 2 updates per epoch.
// Returns its W_out and B.
struct Readout {
  Matrix w_out, feedback;
};

Readout train(int epochs, double decay) {
  const NamedTensors t = train_tensors(
      "algorithm = \"eprop\"\nseed = 3\nthreads = 1\n"
      "[task]\nsteps = 1200\n"
      "[data]\ndataset = \"evidence_accumulation\"\ntrain_limit = 4\ntest_limit = 2\n"
      "[network]\nrecurrent = 12\nadaptive = 6\n"
      "[train]\nepochs = " + std::to_string(epochs) + "\nbatch_size = 2\nlearning_rate = 0.02\n"
      "feedback = \"adaptive\"\nfeedback_decay = " + std::to_string(decay) + "\n");
  return {t.matrix("w_out", 2, 12), t.matrix("feedback", 12, 2)};  // B is in the run record
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
  const Readout one = train(1, decay), three = train(3, decay);
  const Matrix mismatch_one = one.feedback - one.w_out.transpose();
  const Matrix mismatch_three = three.feedback - three.w_out.transpose();
  ASSERT_GT(mismatch_one.norm(), 0.1) << "B still differs from W_out^T after 2 updates";
  EXPECT_GT((three.w_out - one.w_out).norm(), 0) << "W_out learnt";
  // 4 updates from epoch 1 to epoch 3, each multiplying B - W_out^T by (1 - decay), regardless of the gradients.
  const Matrix predicted = std::pow(1 - decay, 4) * mismatch_one;
  EXPECT_LT((mismatch_three - predicted).norm(), 1e-5 * three.feedback.norm());
  // Alignment: after 24 updates the shared accumulated changes dominate the decayed random start.
  const Readout twelve = train(12, decay);
  const double c1 = cosine(one.feedback, one.w_out.transpose());
  const double c3 = cosine(three.feedback, three.w_out.transpose());
  const double c12 = cosine(twelve.feedback, twelve.w_out.transpose());
  EXPECT_GT(c3, c1) << "alignment cos(B, W_out^T) grows";
  EXPECT_GT(c12, c3 + 0.3);
  EXPECT_GT(c12, 0.8) << c1 << " -> " << c3 << " -> " << c12;
}

}  // namespace
}  // namespace plasticore
