#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/team.hpp"

namespace plasticore {
namespace {

// Every part runs once, with its index and the part count, and the call returns only after all of them.
TEST(Team, RunsEveryPartOnceAndWaitsForAll) {
  for (const int parts : {1, 2, 3, 5, 2}) {
    std::vector<std::atomic<int>> runs(static_cast<size_t>(parts));
    std::atomic<int> wrong_count{0};
    run_team(parts, [&](int part, int n) {
      if (n != parts) ++wrong_count;
      std::this_thread::sleep_for(std::chrono::milliseconds(part == parts - 1 ? 20 : 0));  // the last part is slow
      ++runs[static_cast<size_t>(part)];
    });
    for (int p = 0; p < parts; ++p) EXPECT_EQ(runs[static_cast<size_t>(p)].load(), 1) << parts << " parts, part " << p;
    EXPECT_EQ(wrong_count.load(), 0);
  }
}

// Called from the top level, the parts run at the same time on different threads: part 0 waits until part 1 has
// run (it would wait forever if the parts ran one after another; a second's timeout fails instead).
TEST(Team, PartsRunConcurrentlyOnDifferentThreads) {
  std::atomic<bool> second_ran{false};
  std::thread::id ids[2];
  bool part0_saw_part1 = false;
  run_team(2, [&](int part, int) {
    ids[part] = std::this_thread::get_id();
    if (part == 1) {
      second_ran = true;
      return;
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!second_ran && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    part0_saw_part1 = second_ran;
  });
  EXPECT_TRUE(part0_saw_part1);
  EXPECT_EQ(ids[0], std::this_thread::get_id());
  EXPECT_NE(ids[0], ids[1]);
}

// A part's exception reaches the caller after every part has finished, and the team works afterwards.
TEST(Team, RethrowsAPartsExceptionAndStaysUsable) {
  std::atomic<int> finished{0};
  EXPECT_THROW(run_team(3,
                        [&](int part, int) {
                          if (part == 1) throw std::runtime_error("part 1 failed");
                          std::this_thread::sleep_for(std::chrono::milliseconds(10));
                          ++finished;
                        }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 2);
  std::atomic<int> sum{0};
  run_team(3, [&](int part, int) { sum += part + 1; });
  EXPECT_EQ(sum.load(), 6);
}

// Inside a part no work is split again: team_of_several() says so, and a nested call runs its parts one after
// another on that part's thread.
TEST(Team, NestedCallsRunOnTheCallingPartsThread) {
  std::atomic<int> nested_elsewhere{0}, several_inside{0}, nested_runs{0};
  run_team(2, [&](int, int) {
    if (team_of_several()) ++several_inside;
    const auto me = std::this_thread::get_id();
    run_team(3, [&](int, int) {
      ++nested_runs;
      if (std::this_thread::get_id() != me) ++nested_elsewhere;
    });
  });
  EXPECT_EQ(several_inside.load(), 0);
  EXPECT_EQ(nested_runs.load(), 6);
  EXPECT_EQ(nested_elsewhere.load(), 0);
}

// Inside a OneThread scope nothing is split: team_of_several() is false and every part runs on this thread;
// after it the team is back.
TEST(Team, OneThreadScopeRunsPartsHere) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(2);
  std::atomic<int> elsewhere{0}, runs{0};
  bool several_inside = true;
  {
    const OneThread one;
    several_inside = team_of_several();
    const auto me = std::this_thread::get_id();
    run_team(3, [&](int, int) {
      ++runs;
      if (std::this_thread::get_id() != me) ++elsewhere;
    });
  }
  const bool several_after = team_of_several();
  omp_set_num_threads(before);
  EXPECT_FALSE(several_inside);
  EXPECT_TRUE(several_after);
  EXPECT_EQ(runs.load(), 3);
  EXPECT_EQ(elsewhere.load(), 0);
}

// Two threads calling at once (a program training two models) both get every part run; one of them runs its
// parts itself while the other has the team.
TEST(Team, ConcurrentCallersEachGetEveryPart) {
  std::atomic<int64_t> sums[2] = {0, 0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 2; ++c)
    callers.emplace_back([&, c] {
      for (int i = 0; i < 2000; ++i) run_team(2, [&](int part, int) { sums[c] += part + 1; });
    });
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(sums[0].load(), 2000 * 3);
  EXPECT_EQ(sums[1].load(), 2000 * 3);
}

// A forked child has none of the parent's helper threads; its own team still runs every part.
TEST(Team, WorksInAForkedChild) {
  run_team(2, [](int, int) {});  // the parent has a helper now
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::atomic<int> runs{0};
    run_team(2, [&](int, int) { ++runs; });
    _exit(runs.load() == 2 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace plasticore
