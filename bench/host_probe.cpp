// What this host gives two threads, measured on plasticore's own access pattern without any plasticore code:
// a sweep over a W1-sized matrix (500 x 784 fp32, 1.57 MB, plus a gradient of the same size) that reads it
// and then adds the gradient into it, as rate EP's input drive and update do once per batch.
//
//   one_thread    the whole sweep on one thread
//   own_halves    two threads, each reads and updates its own half; the hand-over is a spinning atomic (no
//                 system call): the best two threads can do, ideally half of one_thread
//   shared_read   two threads, each reads the whole matrix, then updates its half: every line a thread wrote
//                 moves to the other core's cache in the next round (rate EP's column split does this)
//   omp_barrier   own_halves, but synchronised by `#pragma omp barrier` (libgomp wakes the team with a futex
//                 system call at every barrier, whether or not anyone sleeps)
//   syscall       one_thread with one trivial system call (getppid) per round
//
// On the 2-vCPU VMs of 2026-12 what the host gives the two vCPUs changes from one benchmark to the next, and
// with it shared_read / one_thread (1.1x at one time, 2.8-3.6x at another): that ratio says how much moving a
// cache line between the cores costs at the time of a threads measurement (bench/threads.sh records it).
// Usage: host_probe [--rounds N] [--repeats R] [--json FILE]. Not part of the test suite: it measures time.
#include <omp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <immintrin.h>
#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"

namespace {

constexpr int kElements = 500 * 784;  // W1 of configs/ep_mnist.toml; its halves meet on a line boundary

// Per thread, on lines of their own: nothing but the matrix and the barrier is written by both threads.
struct alignas(64) PerThread {
  volatile float sink = 0;  // keeps the read sweep from being optimised away
  int generation = 0;       // SpinBarrier's round count
};

float read_sum(const float* a, int begin, int end) {
  float s = 0;
#pragma omp simd reduction(+ : s)
  for (int i = begin; i < end; ++i) s += a[i];
  return s;
}

void add_gradient(float* a, const float* g, int begin, int end) {
  for (int i = begin; i < end; ++i) a[i] += 1e-6f * g[i];
}

// A two-thread barrier that spins on one atomic (with pause): no system call on either side.
class SpinBarrier {
 public:
  void wait(int& generation) {
    ++generation;
    if (arrived_.fetch_add(1) == 1) {
      arrived_.store(0);
      generation_.store(generation, std::memory_order_release);
    } else {
      while (generation_.load(std::memory_order_acquire) != generation) _mm_pause();
    }
  }

 private:
  std::atomic<int> arrived_{0}, generation_{0};
};

// Microseconds per round of `body(thread)` on `threads` std::threads (or the caller alone).
double time_rounds(int threads, int rounds, const std::function<void(int)>& body) {
  const auto t0 = std::chrono::steady_clock::now();
  if (threads == 1) {
    for (int r = 0; r < rounds; ++r) body(0);
  } else {
    std::thread other([&] {
      for (int r = 0; r < rounds; ++r) body(1);
    });
    for (int r = 0; r < rounds; ++r) body(0);
    other.join();
  }
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / rounds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 2000, repeats = 5;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--rounds" || arg == "--repeats" || arg == "--json") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "--json") {
        json_path = value;
        continue;
      }
      int n = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (error != std::errc() || end != value.data() + value.size() || n < 1) {
        std::fprintf(stderr, "host_probe: %s needs a positive integer, got '%s'\n", arg.c_str(), value.c_str());
        return 2;
      }
      (arg == "--rounds" ? rounds : repeats) = n;
    } else {
      std::fprintf(stderr, "host_probe: unknown or incomplete argument '%s' (usage: host_probe [--rounds N] "
                           "[--repeats R] [--json FILE])\n", arg.c_str());
      return 2;
    }
  }
  // 64-byte aligned, so the halves' boundary (element kElements / 2, byte 784,000) starts a line.
  const auto aligned = [](float fill) {
    std::unique_ptr<float[], void (*)(void*)> p(static_cast<float*>(std::aligned_alloc(64, kElements * sizeof(float))),
                                               std::free);
    std::fill(p.get(), p.get() + kElements, fill);
    return p;
  };
  const auto a = aligned(1.0f), g = aligned(0.001f);
  const int half = kElements / 2;
  const auto lo = [&](int t) { return t * half; };
  const auto hi = [&](int t) { return t == 0 ? half : kElements; };

  SpinBarrier barrier;
  PerThread per[2];
  const auto sweep = [&](int t, int begin, int end) {
    per[t].sink = read_sum(a.get(), begin, end);
    add_gradient(a.get(), g.get(), begin, end);
  };
  bool team_of_two = true;
  // one_thread and syscall run back to back in each repeat: their difference is the system call's cost.
  const std::vector<std::pair<std::string, std::function<double()>>> probes = {
      {"one_thread", [&] { return time_rounds(1, rounds, [&](int) { sweep(0, 0, kElements); }); }},
      {"syscall", [&] {
         return time_rounds(1, rounds, [&](int) {
           syscall(SYS_getppid);
           sweep(0, 0, kElements);
         });
       }},
      {"own_halves", [&] {
         return time_rounds(2, rounds, [&](int t) {
           sweep(t, lo(t), hi(t));
           barrier.wait(per[t].generation);
         });
       }},
      {"shared_read", [&] {
         return time_rounds(2, rounds, [&](int t) {
           per[t].sink = read_sum(a.get(), 0, kElements);
           barrier.wait(per[t].generation);
           add_gradient(a.get(), g.get(), lo(t), hi(t));
           barrier.wait(per[t].generation);
         });
       }},
      {"omp_barrier", [&] {
         const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(2)
         {
           const int t = omp_get_thread_num();
           if (omp_get_num_threads() != 2) team_of_two = false;  // every thread writes the same value
           for (int r = 0; team_of_two && r < rounds; ++r) {
             sweep(t, lo(t), hi(t));
#pragma omp barrier
           }
         }
         return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / rounds;
       }},
  };
  // Interleaved: every repeat runs each probe once, so a change of the host's mood hits all of them.
  std::vector<std::vector<double>> us(probes.size());
  for (int r = 0; r < repeats; ++r)
    for (size_t p = 0; p < probes.size(); ++p) us[p].push_back(probes[p].second());
  if (!team_of_two) {
    std::fprintf(stderr, "host_probe: OpenMP gave fewer than 2 threads (OMP_THREAD_LIMIT or OMP_DYNAMIC?)\n");
    return 1;
  }

  nlohmann::json out = {{"benchmark", "host_probe"}, {"elements", kElements}, {"threads", 2}, {"rounds", rounds},
                        {"repeats", repeats}};
  std::printf("W1-sized sweep (%d floats), us per round, median of %d repeats of %d rounds:\n", kElements, repeats, rounds);
  for (size_t p = 0; p < probes.size(); ++p) {
    out["us_per_round"][probes[p].first] = us[p];
    std::printf("  %-12s %8.1f\n", probes[p].first.c_str(), median(us[p]));
  }
  std::vector<double> syscall_cost;  // paired within each repeat
  for (int r = 0; r < repeats; ++r) syscall_cost.push_back(us[1][static_cast<size_t>(r)] - us[0][static_cast<size_t>(r)]);
  const double one = median(us[0]), own = median(us[2]), shared = median(us[3]), omp = median(us[4]);
  out["two_thread_speedup"] = one / own;
  out["shared_read_cost"] = shared / one;
  out["omp_barrier_cost"] = omp / own;
  out["syscall_us"] = median(syscall_cost);
  std::printf("two threads on own halves: %.2fx one thread\n", one / own);
  std::printf("both read, each writes half (lines move between cores): %.2fx the time of one thread\n", shared / one);
  std::printf("libgomp barrier instead of a spinning atomic: %.2fx the time\n", omp / own);
  std::printf("one system call per round adds %.1f us (median of the repeats' differences)\n", median(syscall_cost));
  if (!json_path.empty()) {
    try {
      plasticore::write_file_atomic(json_path, out.dump(2) + "\n");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "host_probe: cannot write %s: %s\n", json_path.c_str(), e.what());
      return 1;
    }
  }
  return 0;
}
