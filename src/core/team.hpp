// The threads of a batch's parallel stages. run_team(parts, f) runs f(part, parts) for every part < parts: part 0
// on the calling thread, the others on persistent helper threads, and returns when all are done.
//
// Why not an OpenMP region: libgomp ends every barrier, and so every region (two barriers), with a futex
// system call whether or not a thread sleeps, and on the VMs we measure on a system call costs its caller
// 13-32 us (PTI without PCID: the TLB is flushed on every entry; `build/bin/host_probe`). A training batch opens
// 4-8 regions, so two threads paid 50-250 us per batch of 400-1,200 us. Here a thread that waits spins for
// up to kSpin and only then sleeps on a futex (std::atomic::wait), and a notify makes a system call only when a
// thread sleeps. The bounded spin keeps oversubscription from collapsing (a thread whose partner is descheduled
// burns at most kSpin, then sleeps), where libgomp spins for milliseconds.
//
// Parts run on whatever threads: results must not depend on which thread runs a part (each part is a fixed
// share of the work). Nested calls, calls from inside a part and calls while another thread's call is running
// run their parts one after another on the calling thread. The OpenMP team size (omp_get_max_threads(),
// `threads` in a config) stays the setting: callers ask for that many parts.
#pragma once
#include <omp.h>

#include <atomic>
#include <cstdint>

#include "core/parallel_errors.hpp"

namespace plasticore {

namespace team_detail {
using PartCall = void (*)(void* context, int part, int parts);  // must not throw
void run_parts(int parts, PartCall call, void* context);
bool inside_part();
bool parts_together();
}  // namespace team_detail

// Whether work split here would run on more than one thread: a setting of several threads, and not already
// inside a part or an OpenMP region (code that would split work per step asks first, and on one thread runs
// its loop directly).
inline bool team_of_several() {
  return omp_get_level() == 0 && omp_get_max_threads() > 1 && !team_detail::inside_part();
}

// While in scope the calling thread splits no work (team_of_several() is false, run_team runs its parts here,
// one after another): for a batch too small to share, whose stages would only move lines between the cores.
class OneThread {
 public:
  explicit OneThread(bool active = true);  // active = false: a scope that changes nothing
  ~OneThread();
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  bool was_inside_;
};

// Inside a part: whether this call's other parts run at the same time, on other threads, so that a part may wait
// for progress that a later part makes. False where the parts run one after another on this thread (above).
inline bool parts_run_together() { return team_detail::parts_together(); }

// Returns once a >= at_least: for a part that waits for another part's progress (a counter that part advances
// and then notifies with a.notify_all()). Spins, then sleeps, as the team's threads do.
void wait_for_count(const std::atomic<uint32_t>& a, uint32_t at_least);

// f(part, parts) for part = 0 .. parts - 1, as above; rethrows the first exception a part threw.
template <typename F>
void run_team(int parts, F&& f) {
  ParallelErrors errors;
  auto body = [&](int part, int n) { errors.run([&] { f(part, n); }); };
  team_detail::run_parts(
      parts, [](void* context, int part, int n) { (*static_cast<decltype(body)*>(context))(part, n); }, &body);
  errors.rethrow();
}

}  // namespace plasticore
