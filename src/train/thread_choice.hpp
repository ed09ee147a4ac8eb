// The team size of a run with `threads = 0`: measured on the run's own batches, not assumed. The numbers
// do not depend on the thread count (docs/performance.md, Threads), so the choice moves only the speed, and
// more threads are not always faster: on a busy machine libgomp's spinning waits collapse (a 2-thread run
// beside two 1-thread runs on 2 cores: 53 samples/s against ~11,000), and on the 2-vCPU VMs we measure on
// two threads in lockstep lose on the MNIST configs whenever the host makes cache lines that change cores
// expensive (docs/performance.md, "What the host gives two threads").
//
// Candidates: 1, 2, 4, ... and `most` (omp_get_max_threads() at the start: all cores, or OMP_NUM_THREADS).
// A probe times every candidate over kRounds slots, round-robin (1, 2, 1, 2, ...), a slot being whole batches
// until kSlotSeconds of wall time; a candidate slower than twice the best after the first round is dropped
// (a collapsed team costs one slot, not three). The winner is the candidate of the lowest median wall
// seconds per sample, a larger team only if at least kMargin faster than the smaller one chosen so far
// (fewer threads leave cores to others); a probe with one candidate left after its first round ends there.
// The winner then runs for a hold of kFirstHoldSeconds of training (at least kHoldPerProbe times the probe's
// own time, for batches of seconds) before the next probe, doubled after every probe that confirms the choice
// (up to kLongestHoldSeconds), as the host can change (the 2-vCPU VMs here swing within minutes). The first
// slot runs one thread and is not counted (first touch of the run's memory; one thread, as a collapsed team
// would make it long). The OpenMP team size of the caller is restored when the object goes.
//
// With MPI each rank chooses for itself from its own batch times (which include waiting for the others in
// the collectives); the ranks may then run different team sizes, with the same numbers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace plasticore {

class ThreadChoice {
 public:
  static constexpr double kSlotSeconds = 0.05;
  static constexpr int kRounds = 3;
  static constexpr double kMargin = 0.05;
  static constexpr double kFirstHoldSeconds = 10;
  static constexpr double kLongestHoldSeconds = 320;
  static constexpr double kHoldPerProbe = 20;

  // measure = false: always `most` threads (threads = N > 0 in the config).
  ThreadChoice(int most, bool measure);
  ~ThreadChoice();
  ThreadChoice(const ThreadChoice&) = delete;
  ThreadChoice& operator=(const ThreadChoice&) = delete;

  // The team size for the next batch, set with omp_set_num_threads when it changes.
  int next();
  // The wall time of the batch that next() prepared and the samples it trained.
  void done(double wall_seconds, int64_t samples);
  // The chosen team for work between batches (the evaluation): not a probe's candidate.
  void settle();

  int most() const { return candidates_.back(); }
  // Training wall seconds spent with each team size (metrics.json, train_seconds_by_threads).
  const std::map<int, double>& seconds_by_threads() const { return seconds_by_threads_; }
  // Probes finished and the choice in force (for tests).
  int probes() const { return probes_; }
  int chosen() const { return chosen_; }

 private:
  enum class Stage { warm_up, probe, hold };
  struct Slot {
    double seconds = 0;
    int64_t samples = 0;
  };
  void start_probe();
  void finish_probe();
  int current() const;      // the team size of the batch under way
  void apply(int threads);  // omp_set_num_threads when measuring and the team changes

  std::vector<int> candidates_;                  // increasing; the last is `most`
  bool measure_;
  Stage stage_;
  std::vector<std::vector<double>> per_sample_;  // this probe's slot figures (wall seconds per sample) per candidate
  std::vector<bool> dropped_;
  std::size_t candidate_ = 0;                         // the probe's candidate under way
  int round_ = 0;
  Slot slot_;
  int chosen_;
  int probes_ = 0;
  int applied_ = 0;                              // the last omp_set_num_threads argument (0: none yet)
  int caller_threads_;                           // omp_get_max_threads() at construction, restored at the end
  double hold_seconds_ = kFirstHoldSeconds, hold_left_ = 0;
  double probe_seconds_ = 0;                     // wall time of the probe under way
  std::map<int, double> seconds_by_threads_;
};

}  // namespace plasticore
