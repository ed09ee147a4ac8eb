#include "core/team.hpp"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

namespace plasticore {

namespace {

// How long a waiting thread spins before it sleeps: longer than the usual wait between a batch's stages
// (tens of us), short enough that a thread whose partner was descheduled wastes little.
constexpr auto kSpin = std::chrono::microseconds(200);

thread_local bool t_inside_part = false;
thread_local bool t_together = false;  // inside a part whose call's parts run at the same time

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Returns once done(a) holds: spins for up to kSpin, then sleeps until a changes.
template <typename Done>
void await(const std::atomic<uint32_t>& a, Done&& done) {
  uint32_t v = a.load(std::memory_order_acquire);
  if (done(v)) return;
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (uint32_t i = 1;; ++i) {
    cpu_relax();
    v = a.load(std::memory_order_acquire);
    if (done(v)) return;
    if (i % 64 == 0 && std::chrono::steady_clock::now() > until) break;
  }
  while (!done(v)) {
    a.wait(v, std::memory_order_acquire);
    v = a.load(std::memory_order_acquire);
  }
}

struct alignas(64) Helper {  // whole cache lines: the caller writes one helper's job while another runs
  std::atomic<uint32_t> ticket{0};  // bumped once per job (and once to stop)
  team_detail::PartCall call = nullptr;
  void* context = nullptr;
  int part = 0, parts = 0;
  std::thread thread;
};

class Team {
 public:
  Team() { pthread_atfork(nullptr, nullptr, [] { instance().forget_after_fork(); }); }
  ~Team() {
    stop_.store(true, std::memory_order_release);
    for (Helper* h : helpers_) {
      h->ticket.fetch_add(1, std::memory_order_release);
      h->ticket.notify_one();
    }
    for (Helper* h : helpers_) {
      h->thread.join();
      delete h;
    }
  }
  Team(const Team&) = delete;
  Team& operator=(const Team&) = delete;

  static Team& instance() {
    static Team team;
    return team;
  }

  void run(int parts, team_detail::PartCall call, void* context) {
    std::unique_lock<std::mutex> lock(busy_, std::try_to_lock);
    if (parts <= 1 || t_inside_part || !lock.owns_lock()) {  // on this thread, part after part
      const bool was_inside = t_inside_part, was_together = t_together;
      t_inside_part = true;
      t_together = false;
      for (int p = 0; p < parts; ++p) call(context, p, parts);
      t_inside_part = was_inside;
      t_together = was_together;
      return;
    }
    while (static_cast<int>(helpers_.size()) < parts - 1) {
      auto* h = new Helper;
      h->thread = std::thread([this, h] { serve(*h); });
      helpers_.push_back(h);
    }
    remaining_.store(static_cast<uint32_t>(parts - 1), std::memory_order_relaxed);
    for (int p = 1; p < parts; ++p) {
      Helper& h = *helpers_[static_cast<size_t>(p - 1)];
      h.call = call;
      h.context = context;
      h.part = p;
      h.parts = parts;
      h.ticket.fetch_add(1, std::memory_order_release);  // publishes the job
      h.ticket.notify_one();                             // a system call only if the helper sleeps
    }
    t_inside_part = t_together = true;
    call(context, 0, parts);
    t_inside_part = t_together = false;
    await(remaining_, [](uint32_t left) { return left == 0; });
  }

 private:
  void serve(Helper& h) {
    t_inside_part = true;  // for good: whatever a part calls runs on this thread
    t_together = true;     // and the helpers' parts run beside part 0
    uint32_t seen = 0;
    for (;;) {
      await(h.ticket, [seen](uint32_t ticket) { return ticket != seen; });
      seen = h.ticket.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_acquire)) return;
      h.call(h.context, h.part, h.parts);
      if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) remaining_.notify_all();
    }
  }

  // A forked child has none of the helper threads: it starts a team of its own, leaking the parent's records
  // (joining or destroying a thread that does not exist in this process is undefined).
  void forget_after_fork() {
    std::vector<Helper*>().swap(helpers_);
    new (&busy_) std::mutex;
    remaining_.store(0, std::memory_order_relaxed);
  }

  std::vector<Helper*> helpers_;  // owned (deleted after the join)
  std::mutex busy_;  // one caller at a time; another runs its parts itself
  alignas(64) std::atomic<uint32_t> remaining_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace

OneThread::OneThread(bool active) : was_inside_(t_inside_part) { t_inside_part = t_inside_part || active; }

OneThread::~OneThread() { t_inside_part = was_inside_; }

void wait_for_count(const std::atomic<uint32_t>& a, uint32_t at_least) {
  await(a, [at_least](uint32_t v) { return v >= at_least; });
}

namespace team_detail {

void run_parts(int parts, PartCall call, void* context) { Team::instance().run(parts, call, context); }

bool inside_part() { return t_inside_part; }

bool parts_together() { return t_together; }

}  // namespace team_detail

}  // namespace plasticore
