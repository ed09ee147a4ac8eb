#include <gtest/gtest.h>

#include <omp.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/shares.hpp"

namespace plasticore {
namespace {

TEST(WorkShares, ContiguousSharesOfEqualWork) {
  // Equal work: equal counts.
  EXPECT_EQ(work_shares(std::vector<double>(20, 1.0), 2), (std::vector<int>{0, 10, 20}));
  EXPECT_EQ(work_shares(std::vector<double>(20, 1.0), 4), (std::vector<int>{0, 5, 10, 15, 20}));
  // The heavy items at the front: the first share holds fewer items.
  EXPECT_EQ(work_shares(std::vector<double>{5, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 2), (std::vector<int>{0, 2, 12}));
  // More shares than items, and no work at all: every item in some share, in order.
  EXPECT_EQ(work_shares(std::vector<double>{1, 1}, 4), (std::vector<int>{0, 0, 1, 1, 2}));
  EXPECT_EQ(work_shares(std::vector<double>{0, 0, 0}, 3), (std::vector<int>{0, 3, 3, 3}));
  EXPECT_EQ(work_shares(std::vector<double>{}, 2), (std::vector<int>{0, 0, 0}));
}

// Every item runs exactly once, whatever the threads' speeds; a thread runs its own share front to back, and
// takes others' items only from their back.
TEST(ShareQueues, EveryItemOnceAndOwnSharesFirst) {
  constexpr int kItems = 64, kThreads = 4;
  const std::vector<int> first = work_shares(std::vector<double>(kItems, 1.0), kThreads);
  for (int slow = 0; slow < kThreads; ++slow) {  // one thread much slower than the others
    ShareQueues queues;
    queues.reset(first);
    std::vector<std::atomic<int>> runs(kItems);
    std::vector<std::vector<int>> order(kThreads);
    std::vector<std::thread> team;
    for (int t = 0; t < kThreads; ++t)
      team.emplace_back([&, t] {
        queues.run(t, [&](int i) {
          ++runs[static_cast<size_t>(i)];
          order[static_cast<size_t>(t)].push_back(i);
          if (t == slow) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        });
      });
    for (auto& th : team) th.join();
    for (int i = 0; i < kItems; ++i) EXPECT_EQ(runs[static_cast<size_t>(i)].load(), 1) << "item " << i;
    for (int t = 0; t < kThreads; ++t) {
      const auto& mine = order[static_cast<size_t>(t)];
      // Its own share's items come first and in order, from the share's first item.
      size_t k = 0;
      for (; k < mine.size() && mine[k] >= first[static_cast<size_t>(t)] && mine[k] < first[static_cast<size_t>(t) + 1]; ++k)
        EXPECT_EQ(mine[k], first[static_cast<size_t>(t)] + static_cast<int>(k));
      // The slow thread leaves items to the others, who take them.
      if (t == slow) EXPECT_LT(mine.size(), static_cast<size_t>(kItems / kThreads));
    }
  }
}

}  // namespace
}  // namespace plasticore
