// ThreadChoice (train/thread_choice.hpp), the team size of a run with threads = 0, driven by made-up batch
// times: it picks the faster team, a larger one only when clearly faster, gives a collapsed team one slot
// per probe, holds its choice for a doubling time, and follows a host that changes.
#include <gtest/gtest.h>
#include <omp.h>

#include <functional>

#include "train/thread_choice.hpp"

namespace plasticore {
namespace {

constexpr int64_t kBatch = 20;

// Restores OpenMP's team size (ThreadChoice sets it) after each test.
class ThreadChoiceTest : public ::testing::Test {
 protected:
  void TearDown() override { omp_set_num_threads(saved_); }
  // Runs batches whose wall seconds per sample come from seconds_per_sample(team size) until `stop`.
  static void run(ThreadChoice& team, const std::function<double(int)>& seconds_per_sample,
                  const std::function<bool()>& stop) {
    for (int guard = 0; guard < 1000000 && !stop(); ++guard) {
      const int n = team.next();
      EXPECT_EQ(omp_get_max_threads(), n);
      team.done(seconds_per_sample(n) * kBatch, kBatch);
    }
    ASSERT_TRUE(stop()) << "no decision";
  }
  int saved_ = omp_get_max_threads();
};

TEST_F(ThreadChoiceTest, FixedTeamIsNeverChanged) {
  omp_set_num_threads(3);
  ThreadChoice team(3, /*measure=*/false);
  for (int b = 0; b < 100; ++b) {
    EXPECT_EQ(team.next(), 3);
    team.done(0.01, kBatch);
  }
  EXPECT_EQ(omp_get_max_threads(), 3);
  EXPECT_EQ(team.probes(), 0);
  EXPECT_DOUBLE_EQ(team.seconds_by_threads().at(3), 1.0);
  EXPECT_EQ(team.seconds_by_threads().size(), 1U);
}

TEST_F(ThreadChoiceTest, PicksTheFasterTeamAndHoldsItLongerWhenConfirmed) {
  ThreadChoice team(2, true);
  const auto two_faster = [](int n) { return n == 2 ? 0.5e-3 : 1e-3; };
  run(team, two_faster, [&] { return team.probes() == 1; });
  EXPECT_EQ(team.chosen(), 2);
  // The hold: kFirstHoldSeconds of training with 2 threads before the next probe, then twice as long.
  const double at_two = team.seconds_by_threads().at(2);
  run(team, two_faster, [&] { return team.probes() == 2; });
  EXPECT_EQ(team.chosen(), 2);
  const double first_hold = team.seconds_by_threads().at(2) - at_two;
  EXPECT_GE(first_hold, ThreadChoice::kFirstHoldSeconds);
  EXPECT_LT(first_hold, ThreadChoice::kFirstHoldSeconds + 1);
  const double at_two_again = team.seconds_by_threads().at(2);
  run(team, two_faster, [&] { return team.probes() == 3; });
  EXPECT_GE(team.seconds_by_threads().at(2) - at_two_again, 2 * ThreadChoice::kFirstHoldSeconds);
}

TEST_F(ThreadChoiceTest, ACollapsedTeamGetsOneSlotPerProbe) {
  ThreadChoice team(2, true);
  const auto two_collapsed = [](int n) { return n == 2 ? 100e-3 : 1e-3; };  // 2 s per batch of 20
  run(team, two_collapsed, [&] { return team.probes() == 1; });
  EXPECT_EQ(team.chosen(), 1);
  EXPECT_DOUBLE_EQ(team.seconds_by_threads().at(2), 2.0);  // one batch: a slot is whole batches
}

TEST_F(ThreadChoiceTest, ALargerTeamMustBeClearlyFaster) {
  ThreadChoice team(2, true);
  run(team, [](int n) { return n == 2 ? 0.97e-3 : 1e-3; }, [&] { return team.probes() == 1; });
  EXPECT_EQ(team.chosen(), 1);
  ThreadChoice other(2, true);
  run(other, [](int n) { return n == 2 ? 0.9e-3 : 1e-3; }, [&] { return other.probes() == 1; });
  EXPECT_EQ(other.chosen(), 2);
}

TEST_F(ThreadChoiceTest, FollowsAHostThatChanges) {
  ThreadChoice team(2, true);
  run(team, [](int n) { return n == 2 ? 0.5e-3 : 1e-3; }, [&] { return team.probes() == 1; });
  ASSERT_EQ(team.chosen(), 2);
  run(team, [](int n) { return n == 2 ? 3e-3 : 1e-3; }, [&] { return team.probes() == 2; });
  EXPECT_EQ(team.chosen(), 1);
}

TEST_F(ThreadChoiceTest, LongBatchesGetAHoldOfManyProbes) {
  // Batches of 1 s (2 threads: 0.5 s): a probe is 4.5 s of training, so the hold is 20 x 4.5 s, not 10 s.
  ThreadChoice team(2, true);
  const auto two_faster = [](int n) { return n == 2 ? 0.025 : 0.05; };
  run(team, two_faster, [&] { return team.probes() == 1; });
  const double at_two = team.seconds_by_threads().at(2);
  run(team, two_faster, [&] { return team.probes() == 2; });
  EXPECT_GE(team.seconds_by_threads().at(2) - at_two, ThreadChoice::kHoldPerProbe * 4.5);  // the hold (and a probe's 1.5 s)
  EXPECT_LT(team.seconds_by_threads().at(2) - at_two, ThreadChoice::kHoldPerProbe * 4.5 + 3);
}

TEST_F(ThreadChoiceTest, EvaluationRunsOnTheChosenTeamAndTheCallersTeamComesBack) {
  omp_set_num_threads(3);
  {
    ThreadChoice team(2, true);
    run(team, [](int n) { return n == 2 ? 0.5e-3 : 1e-3; }, [&] { return team.probes() == 1; });
    ASSERT_EQ(team.chosen(), 2);
    run(team, [](int n) { return n == 2 ? 0.5e-3 : 1e-3; }, [&] { return team.next() == 1; });  // a probe's slot
    team.settle();
    EXPECT_EQ(omp_get_max_threads(), 2);
    EXPECT_EQ(team.next(), 1);  // the probe goes on
    EXPECT_EQ(omp_get_max_threads(), 1);
  }
  EXPECT_EQ(omp_get_max_threads(), 3);
}

TEST_F(ThreadChoiceTest, CandidatesArePowersOfTwoAndAllCores) {
  // With 6 cores and 4 threads the fastest, the choice is 4: the candidates are 1, 2, 4 and 6.
  ThreadChoice team(6, true);
  EXPECT_EQ(team.most(), 6);
  run(team, [](int n) { return n == 4 ? 0.2e-3 : n == 6 ? 0.3e-3 : 1e-3 / n; }, [&] { return team.probes() == 1; });
  EXPECT_EQ(team.chosen(), 4);
  for (const int size : {1, 2, 4, 6}) EXPECT_GT(team.seconds_by_threads().count(size), 0U) << size;
  EXPECT_EQ(team.seconds_by_threads().size(), 4U);
}

}  // namespace
}  // namespace plasticore
