// work_shares and ShareQueues (core/shares.hpp): contiguous shares of equal work; every item runs exactly once;
// a thread runs its own share front to back before anything else, and takes other shares' items only from
// their back. Deterministic: the thread that is "slow" starts only after the others have finished.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
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
  // More shares than items, no work, no usable estimate, no items: every item in some share, in order.
  EXPECT_EQ(work_shares(std::vector<double>{1, 1}, 4), (std::vector<int>{0, 0, 1, 1, 2}));
  EXPECT_EQ(work_shares(std::vector<double>{0, 0, 0}, 3), (std::vector<int>{0, 3, 3, 3}));
  EXPECT_EQ(work_shares(std::vector<double>{1, std::numeric_limits<double>::infinity(), 1}, 2), (std::vector<int>{0, 3, 3}));
  EXPECT_EQ(work_shares(std::vector<double>{}, 2), (std::vector<int>{0, 0, 0}));
}

TEST(ShareQueues, EveryItemOnceOwnShareFirstOthersFromTheBack) {
  constexpr int kItems = 64, kThreads = 4;
  const std::vector<int> first = work_shares(std::vector<double>(kItems, 1.0), kThreads);
  for (int late = 0; late < kThreads; ++late) {  // this thread starts only when the others are done
    SCOPED_TRACE("late thread " + std::to_string(late));
    ShareQueues queues;
    queues.reset(first);
    std::vector<std::atomic<int>> runs(kItems);
    std::vector<std::vector<int>> order(kThreads);
    std::atomic<int> done{0};
    std::vector<std::thread> team;
    for (int t = 0; t < kThreads; ++t)
      team.emplace_back([&, t] {
        if (t == late)
          while (done.load() < kThreads - 1) std::this_thread::yield();
        queues.run(t, [&](int i) {
          ++runs[static_cast<size_t>(i)];
          order[static_cast<size_t>(t)].push_back(i);
        });
        ++done;
      });
    for (auto& th : team) th.join();
    for (int i = 0; i < kItems; ++i) EXPECT_EQ(runs[static_cast<size_t>(i)].load(), 1) << "item " << i;
    // The others took the late thread's whole share.
    EXPECT_TRUE(order[static_cast<size_t>(late)].empty());
    const auto share_of = [&](int i) {
      int s = 0;
      while (i >= first[static_cast<size_t>(s) + 1]) ++s;
      return s;
    };
    for (int t = 0; t < kThreads; ++t) {
      const auto& mine = order[static_cast<size_t>(t)];
      // Its own share's items first, from the front, in order (others may have taken its last ones).
      size_t k = 0;
      for (; k < mine.size() && share_of(mine[k]) == t; ++k) EXPECT_EQ(mine[k], first[static_cast<size_t>(t)] + static_cast<int>(k));
      // Then only others' items: from each share, from the back (decreasing).
      std::vector<int> last_taken(kThreads, kItems);
      for (; k < mine.size(); ++k) {
        const int s = share_of(mine[k]);
        EXPECT_NE(s, t) << "thread " << t << " ran its own item " << mine[k] << " after another's";
        EXPECT_LT(mine[k], last_taken[static_cast<size_t>(s)]) << "thread " << t << " took share " << s << " from the front";
        last_taken[static_cast<size_t>(s)] = mine[k];
      }
    }
  }
}

}  // namespace
}  // namespace plasticore
