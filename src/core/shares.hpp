// Work items split between the threads of a team in contiguous shares of equal expected work, each thread
// taking its own share front to back and then, when it is done, the other shares' last items. A share is the
// same in every call with the same work, so an item's data stays in its thread's caches from one call to the
// next; taking from the back leaves the owner its next items. The two vCPUs we measure on often run at unequal
// speeds (docs/performance.md, "Threads"), so a fixed split alone leaves the faster thread waiting. Items must be
// independent: which thread runs an item must not change any number.
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace plasticore {

// The first item of each of `parts` shares of [0, work.size()) and the end (parts + 1 entries): item i
// belongs to the share that holds the middle of its work.
inline std::vector<int> work_shares(std::span<const double> work, int parts) {
  const auto n = static_cast<int>(work.size());
  double total = 0;
  for (const double w : work) total += w;
  if (!std::isfinite(total)) total = 0;  // no usable estimate: every item in the first share (still all run)
  std::vector<int> first(static_cast<size_t>(parts) + 1, n);
  first[0] = 0;
  double before = 0;
  int share = 0;
  for (int i = 0; i < n; ++i) {
    const double w = work[static_cast<size_t>(i)];
    const int owner = total > 0 ? std::min(parts - 1, static_cast<int>((before + 0.5 * w) / total * parts)) : 0;
    before += w;
    while (share < owner) first[static_cast<size_t>(++share)] = i;
  }
  return first;
}

// Every item of the shares, once each, on a team whose thread t owns share t: reset() before the parallel region,
// then run() by every thread in it. run() returns when nothing is left to take (others may still be running
// their last item).
class ShareQueues {
 public:
  // Before the region: one queue per share.
  void reset(const std::vector<int>& first) {
    const size_t parts = first.size() - 1;
    if (queues_.size() < parts) queues_ = std::vector<Queue>(parts);
    parts_ = parts;
    for (size_t s = 0; s < parts; ++s)
      queues_[s].range.store(pack(first[s], first[s + 1]), std::memory_order_relaxed);
  }

  // Inside the region, by thread t: its own share from the front, then the others' from the back.
  template <typename F>
  void run(int t, F&& item) {
    Queue& own = queues_[static_cast<size_t>(t)];
    for (int i; (i = take(own, true)) >= 0;) item(i);
    for (size_t k = 1; k < parts_; ++k)
      for (int i; (i = take(queues_[(static_cast<size_t>(t) + k) % parts_], false)) >= 0;) item(i);
  }

 private:
  struct alignas(64) Queue {  // a cache line each: the owner's takes do not disturb the other queues
    std::atomic<uint64_t> range{0};  // [front, back) of the items not yet taken
  };
  static uint64_t pack(int front, int back) { return static_cast<uint64_t>(static_cast<uint32_t>(front)) | static_cast<uint64_t>(back) << 32; }
  static int take(Queue& q, bool front) {
    uint64_t r = q.range.load(std::memory_order_relaxed);
    for (;;) {
      const auto f = static_cast<int>(static_cast<uint32_t>(r)), b = static_cast<int>(r >> 32);
      if (f >= b) return -1;
      const uint64_t taken = front ? pack(f + 1, b) : pack(f, b - 1);
      if (q.range.compare_exchange_weak(r, taken, std::memory_order_relaxed)) return front ? f : b - 1;
    }
  }
  std::vector<Queue> queues_;
  size_t parts_ = 0;
};

}  // namespace plasticore
