// Sequence tasks (data/registry.hpp entries): deterministic per seed, streamed steps equal on every call,
// the evidence-accumulation timeline and answer, its spikes against the stream recipe drawn step by step (the task
// draws blocks of steps side by side), and bad task settings as UsageErrors.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/evidence_accumulation.hpp"
#include "../support/datasets.hpp"
#include "../support/materialise_sequence.hpp"

namespace plasticore {
namespace {

std::unique_ptr<Dataset> task_of(const char* name, int64_t steps, uint64_t seed) {
  return dataset_from(name, "[task]\nsteps = " + std::to_string(steps) + "\ninput_rate_hz = 40.0\n", true, seed);
}

TEST(SequenceTasks, DeterministicPerSeed) {
  for (const char* name : {"pattern_generation", "evidence_accumulation"}) {
    const auto a = task_of(name, 1300, 7), b = task_of(name, 1300, 7);
    const auto other = task_of(name, 1300, 8);
    Matrix xa, ya, xb, yb, xo, yo;
    materialise(*a->sequence(Split::train, 3), a->inputs(), a->outputs(), xa, ya);
    materialise(*b->sequence(Split::train, 3), b->inputs(), b->outputs(), xb, yb);
    materialise(*other->sequence(Split::train, 3), a->inputs(), a->outputs(), xo, yo);
    EXPECT_EQ(xa, xb) << name;
    EXPECT_EQ(ya, yb) << name;
    EXPECT_NE(xa, xo) << name << ": another seed gives other spikes";
    EXPECT_GT(xa.sum(), 0) << name;
    // Random access: step 700 asked alone equals row 700.
    Matrix column(a->inputs(), 1);
    a->sequence(Split::train, 3)->input(700, column);
    EXPECT_EQ(Matrix(column.transpose()), Matrix(xa.row(700))) << name;
  }
}

TEST(SequenceTasks, PatternGenerationIsFrozen) {
  const auto task = task_of("pattern_generation", 500, 1);
  Matrix x1, y1, x2, y2;
  materialise(*task->sequence(Split::train, 0), 100, 1, x1, y1);
  materialise(*task->sequence(Split::test, 5), 100, 1, x2, y2);
  EXPECT_EQ(x1, x2);
  EXPECT_EQ(y1, y2);
  EXPECT_GT(y1.array().square().mean(), 0.1);
}

TEST(SequenceTasks, EvidenceAccumulationAnswersTheMajority) {
  SequenceTaskParams c;
  c.steps = 1500;
  c.seed = 3;
  c.input_rate_hz = 40;
  const EvidenceAccumulation task(c);
  for (int64_t index = 0; index < 20; ++index) {
    Matrix x, y;
    materialise(*task.sequence(Split::train, index), 40, 2, x, y);
    int right = 0;
    for (const int side : task.cue_sides(Split::train, index)) right += side;
    const int answer = right >= 4 ? 1 : 0;
    EXPECT_EQ(y.topRows(1350).sum(), 0) << "no target before the recall window";
    EXPECT_EQ(y.col(answer).bottomRows(150).sum(), 150);
    EXPECT_EQ(y.col(1 - answer).sum(), 0);
    EXPECT_EQ(x.block(1050, 0, 300, 30).sum(), 0) << "only noise during the delay";
    EXPECT_GT(x.block(1350, 20, 150, 10).sum(), 0) << "recall channels fire in the recall window";
  }
  Matrix train_x, train_y, test_x, test_y;
  materialise(*task.sequence(Split::train, 0), 40, 2, train_x, train_y);
  materialise(*task.sequence(Split::test, 0), 40, 2, test_x, test_y);
  EXPECT_NE(train_x, test_x) << "test sequences are not training sequences";
}

TEST(SequenceTasks, EvidenceAccumulationSpikesAreEachStepsOwnStream) {
  // 40 Hz as configured, and 500 Hz, where half the cue channels spike, so that a step's spikes in another step's
  // place would show.
  for (const double rate_hz : {40.0, 500.0}) {
  SequenceTaskParams c;
  c.steps = 1300;
  c.seed = 5;
  c.input_rate_hz = rate_hz;
  const EvidenceAccumulation task(c);
  constexpr int group = EvidenceAccumulation::kGroup;
  for (const int64_t index : {int64_t{0}, int64_t{9}}) {
    const auto sides = task.cue_sides(Split::train, index);
    const auto sequence = task.sequence(Split::train, index);
    Matrix x(4 * group, 1);
    // Steps out of order and across the blocks' edges, each twice: every one as its own stream gives it.
    for (const Eigen::Index t : {Eigen::Index{0}, Eigen::Index{1299}, Eigen::Index{7}, Eigen::Index{8}, Eigen::Index{0},
                                 Eigen::Index{150}, Eigen::Index{99}, Eigen::Index{100}, Eigen::Index{1150}, Eigen::Index{1151},
                                 Eigen::Index{7}, Eigen::Index{1299}}) {
      Rng rng(c.seed, "evidence_train", static_cast<uint64_t>(index), static_cast<uint64_t>(t) + 1);
      Matrix expected = Matrix::Zero(4 * group, 1);
      for (int i = 0; i < group; ++i) expected(3 * group + i, 0) = rng.uniform_double() < 10 * 1e-3 ? 1.0f : 0.0f;
      const auto cue = static_cast<int>(t / 150);
      int active = cue < EvidenceAccumulation::kCues && t - 150 * cue < 100 ? sides[static_cast<size_t>(cue)] : -1;
      if (t >= 1300 - 150) active = 2;
      if (active >= 0)
        for (int i = 0; i < group; ++i) expected(active * group + i, 0) = rng.uniform_double() < rate_hz * 1e-3 ? 1.0f : 0.0f;
      sequence->input(t, x);
      EXPECT_EQ(x, expected) << rate_hz << " Hz, sequence " << index << ", step " << t;
    }
  }
  }
}

TEST(SequenceTasks, BadSettingsAreUsageErrors) {
  EXPECT_THROW(task_of("evidence_accumulation", 1000, 1), UsageError);  // shorter than 1200 ms
  EXPECT_THROW(task_of("copy_task", 100, 1), UsageError);
  EXPECT_THROW(task_of("pattern_generation", 0, 1), UsageError);
}

}  // namespace
}  // namespace plasticore
