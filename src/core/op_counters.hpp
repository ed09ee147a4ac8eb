// Operation counters for energy accounting (docs/energy.md), kept per phase of a run. Substrates count what
// their matrix operations cost (synaptic events, multiply-accumulates, device reads, ADC/DAC
// conversions, programming pulses, accumulator updates); rules and networks count neuron updates,
// spikes and time steps; the EP learner counts what its nudging scheme needs on a chip (state stored for
// replay, the sign of beta sent to the learning circuits). Counting is once per matrix or phase
// operation, never per synapse. Event-driven substrates are called from several OpenMP threads at once:
// each thread adds into a pending block of its own (no atomic read-modify-write, which cost e-prop 8 % of
// its time: ~11 per step), and reading the counts folds the pending blocks in. Read the counts only while
// no thread is adding (between parallel regions), as every caller does.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace plasticore {

enum class Phase : int { free = 0, nudged, forward, update, count };
inline constexpr std::array<std::string_view, 4> kPhaseNames = {"free", "nudged", "forward", "update"};

enum class Op : int {
  synaptic_events = 0,  // one presynaptic spike delivered to one synapse (event-driven accumulate)
  dense_macs,           // multiply-accumulates of a dense matrix product
  neuron_updates,       // one neuron's state advanced by one time step
  spikes,               // spikes emitted
  device_reads,         // device (cell) reads in an analog matrix operation
  adc_conversions,      // analog-to-digital conversions (one per crossbar output line per read)
  dac_conversions,      // digital-to-analog conversions (one per crossbar input line per read)
  programming_pulses,   // SET/RESET pulses applied to devices
  accumulator_updates,  // writes to a digital weight-update accumulator (mixed precision)
  // Multiply-accumulates a dense (GPU) implementation of the same matrix operation does: rows x cols
  // per sample for an event-driven one too. What the GPU energy estimate is priced on.
  dense_equivalent_macs,
  // Issue 14: what the rule needs on a chip beyond its synaptic work (docs/energy.md, "What is counted").
  state_stores,     // one 32-bit word of a neuron's state copied into replay/reference memory
  state_loads,      // one 32-bit word read back from that memory (into the neuron, or by the update)
  sign_broadcasts,  // the sign of beta delivered to one non-input neuron's learning circuit, per nudged phase
  time_steps,       // one simulated time step of one sample: the chip's clock for static power, the GPU's launches
  count
};
inline constexpr std::array<std::string_view, 14> kOpNames = {
    "synaptic_events", "dense_macs",          "neuron_updates",     "spikes",
    "device_reads",    "adc_conversions",     "dac_conversions",    "programming_pulses",
    "accumulator_updates", "dense_equivalent_macs", "state_stores", "state_loads",
    "sign_broadcasts", "time_steps"};
static_assert(kOpNames.size() == static_cast<size_t>(Op::count), "kOpNames names every Op");

using OpCounts = std::array<int64_t, static_cast<size_t>(Op::count)>;

// Sets the phase for the calling thread only, while in scope: sequences trained in parallel each
// switch between their forward pass and their learning work. Overrides OpCounters::set_phase.
class ThreadPhase {
 public:
  explicit ThreadPhase(Phase p) : previous_(current_) { current_ = static_cast<int>(p); }
  ~ThreadPhase() { current_ = previous_; }
  ThreadPhase(const ThreadPhase&) = delete;
  ThreadPhase& operator=(const ThreadPhase&) = delete;
  static int current() { return current_; }  // -1: none set in this thread

 private:
  int previous_;
  static inline thread_local int current_ = -1;
};

class OpCounters {
 public:
  void set_phase(Phase p) { phase_ = p; }
  Phase phase() const { return phase_; }
  void add(Op op, int64_t n) {
    const int thread_phase = ThreadPhase::current();
    const auto p = thread_phase >= 0 ? static_cast<size_t>(thread_phase) : static_cast<size_t>(phase_);
    if (const size_t slot = thread_slot(); slot < kSlots) {
      pending_[slot].counts[p][static_cast<size_t>(op)] += n;  // only this thread writes its slot
      pending_[slot].used = true;
    } else {  // more threads than slots (threads created and ended over and over): the shared total
      std::atomic_ref<int64_t>(counts_[p][static_cast<size_t>(op)]).fetch_add(n, std::memory_order_relaxed);
    }
  }
  const OpCounts& counts(Phase p) const {
    fold();
    return counts_[static_cast<size_t>(p)];
  }
  void reset() {
    counts_ = {};
    for (Pending& s : pending_) s = Pending{};
  }
  // Every count, phase-major (for summing the ranks' counts of a data-parallel run).
  int64_t* data() {
    fold();
    return counts_[0].data();
  }
  static constexpr size_t kValues = static_cast<size_t>(Phase::count) * static_cast<size_t>(Op::count);
  // Records written before issue 14 hold phase-major counts of the first 10 ops only.
  static constexpr size_t kOpsBeforeIssue14 = 10;
  static constexpr size_t kValuesBeforeIssue14 = static_cast<size_t>(Phase::count) * kOpsBeforeIssue14;
  // Phase-major values of either length into `out` (kValues long); the ops a shorter record lacks are 0.
  // False for any other length.
  static bool widen(const int64_t* values, size_t n, int64_t* out) {
    if (n != kValues && n != kValuesBeforeIssue14) return false;
    const size_t ops = n / static_cast<size_t>(Phase::count);
    for (size_t p = 0; p < static_cast<size_t>(Phase::count); ++p)
      for (size_t o = 0; o < static_cast<size_t>(Op::count); ++o)
        out[p * static_cast<size_t>(Op::count) + o] = o < ops ? values[p * ops + o] : 0;
    return true;
  }

 private:
  using PhaseCounts = std::array<OpCounts, static_cast<size_t>(Phase::count)>;
  static constexpr size_t kSlots = 64;
  struct alignas(64) Pending {  // whole cache lines: threads never share one
    PhaseCounts counts{};
    bool used = false;
  };
  // The calling thread's slot: threads are numbered in the order they first count, process-wide.
  static size_t thread_slot() {
    static std::atomic<size_t> next{0};
    static thread_local const size_t slot = next.fetch_add(1, std::memory_order_relaxed);
    return slot;
  }
  void fold() const {
    for (Pending& s : pending_) {
      if (!s.used) continue;
      for (size_t p = 0; p < counts_.size(); ++p)
        for (size_t o = 0; o < counts_[p].size(); ++o) counts_[p][o] += s.counts[p][o];
      s = Pending{};
    }
  }

  Phase phase_ = Phase::forward;
  mutable PhaseCounts counts_{};  // the folded totals
  mutable std::array<Pending, kSlots> pending_{};
};

// Counts into `counters` if there are any (runs without accounting pass nullptr).
inline void count_into(OpCounters* counters, Op op, int64_t n) {
  if (counters != nullptr) counters->add(op, n);
}

}  // namespace plasticore
