// The per-synapse part of e-prop (learn/eprop.hpp), advanced K time steps at a time and driven by the
// postsynaptic events. The step loop records what the synapses of step t need (eps^v[t] per presynaptic
// column, psi[t] and L[t] per postsynaptic row; step t-1's are the buffer's previous column) in a buffer
// of K steps; once it is full, each row's synapses run through the buffered steps with their state
// (eps^a, ebar, the gradient and sum_t e) in registers, 16 presynaptic columns to a vector.
//
// Event-driven in the postsynaptic neuron: a step in which psi[t] = 0 (and, for ALIF rows, psi[t-1] = 0)
// adds nothing to a synapse's traces, it only decays them (e = 0, eps^a = rho eps^a, ebar = kappa ebar, and
// gradient += L[t] ebar if the signal is on). 75 % of the ALIF and 49 % of the LIF row-steps of a trained
// evidence-accumulation network are such quiet steps (its neurons sit below rest or refractory much of the
// time): each costs one or two multiplies instead of the full update of 3-7 vector operations. The
// record of a step marks each row's active steps (a bit mask per row); the kernel walks the set bits. The
// arithmetic of every step is the per-step update's, in the same order, so the results are bit-identical
// to it (tests/learn/test_eprop_eligibility.cpp holds a plain per-synapse, per-step reference in double
// precision). One multiply per quiet run (kappa^g) would be cheaper still, but rounds differently and so
// moves every e-prop figure.
//
// Shared (a sequence on its own, with a team of several threads; learn/eprop.cpp): part 0 of the team runs the
// steps and records them; a full block is copied to the helpers (two published buffers, so that they may still
// be on the block before), which advance their rows of it while part 0 advances its own rows and records the
// next. Each part keeps the same rows all sequence long, so a row's state stays in one core's caches; part 0,
// which also runs the network, takes fewer rows, as many as its waits and the helpers' waits of the sequence
// before say (rows are independent: the numbers do not depend on the split, only the speed does).
//
// Steps whose learning signal is zero for every neuron (outside a decision window, where err[t] = 0)
// add nothing to the gradient: a block of them skips those multiply-adds (exact, as L ebar = 0).
//
// The presynaptic columns are padded to whole vectors of 16 with eps^v = 0, so their state stays zero.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/team.hpp"
#include "core/tensor.hpp"

namespace plasticore {

class EpropEligibility {
 public:
  static constexpr Eigen::Index kLanes = 16;        // presynaptic columns per vector: one AVX-512 register
  static constexpr Eigen::Index kBlockSteps = 32;   // K

  struct Decays {
    Scalar rho;    // adaptation decay
    Scalar beta;   // adapt_beta
    Scalar kappa;  // readout (trace filter) decay
  };

  // regularize: also keep sum_t e_ji[t] (firing-rate regularisation).
  EpropEligibility(Eigen::Index n_pre, Eigen::Index n_alif, Eigen::Index n_lif, Decays decays, bool regularize);

  // Whether restart() can serve a sequence of these sizes.
  bool fits(Eigen::Index n_pre, Eigen::Index n_alif, Eigen::Index n_lif, bool regularize) const;
  // As newly constructed, keeping the storage: a fresh object per sequence gave glibc's heap top back to
  // the system and faulted it in again (~20 faults per sequence of sequential MNIST, 2.8x its run time).
  void restart(Decays decays);

  // Step t: eps^v[t] (n_pre), psi[t] and the learning signal L[t] (n_alif + n_lif). eps^v[t-1] and
  // psi[t-1] are the previous call's (zero before the first). Advances the synapses when the buffer is full.
  void record(const Vector& trace, const Vector& psi, const Scalar* signal);

  // Advances the synapses through the steps still buffered; then gradient() and trace_sum() are current.
  void flush();

  // Runs steps(), which records a sequence's steps and flushes, as part 0 of a team of `parts` threads with the
  // synapse rows shared among the parts (above). Where the team runs its parts one after another on this thread
  // (core/team.hpp), part 0 takes every row.
  template <typename Steps>
  void run_shared(int parts, Steps&& steps) {
    if (parts < 2) return steps();
    share(parts);
    const AtExit<&EpropEligibility::end_sharing> end{*this};  // also when the steps throw: record() must not
                                                               // wait for helpers gone home
    run_team(parts, [&](int part, int) {
      if (part > 0) return help(part);
      const AtExit<&EpropEligibility::stop_helpers> stop{*this};  // however the steps end
      lead(parts_run_together());
      steps();
    });
  }

  // Whether a block's synapse work is worth sharing among threads: two threads gained 1.09x on pattern generation
  // with 20 neurons (0.08 M synapse-steps per block), 1.30x with 50 (0.26 M) and more above (docs/performance.md,
  // "Threads"); below this a thread that sleeps would cost a wake-up per block, for a few us of work.
  static constexpr int64_t kSharedBlockWork = int64_t{1} << 17;  // synapse-steps per block, quiet ones included
  bool worth_sharing() const { return n_rec_ * cols_ * kBlockSteps >= kSharedBlockWork; }

  // dLoss/dW and sum_t e of presynaptic columns first .. first + count - 1, n_rec x count (call flush()
  // first; trace_sum only when regularising).
  auto gradient(Eigen::Index first, Eigen::Index count) const { return gradient_.middleRows(first, count).transpose(); }
  auto trace_sum(Eigen::Index first, Eigen::Index count) const { return trace_sum_.middleRows(first, count).transpose(); }
  Matrix gradient() const { return gradient(0, n_pre_); }
  Matrix trace_sum() const { return regularize_ ? Matrix(trace_sum(0, n_pre_)) : Matrix(); }

  // Row-steps visited (active) since restart(), for tests and benchmarks.
  int64_t active_row_steps() const { return active_row_steps_; }

 private:
  // K buffered steps, one column per step.
  struct Block {
    Matrix trace;   // cols_ x (K + 1): eps^v; column 0 is the step before the block's, column k + 1 step k
    Matrix psi;     // n_rec x (K + 1): psi, as trace
    Matrix signal;  // n_rec x K
    Matrix decay;   // n_alif x K: rho - beta psi[t-1]
    std::vector<uint32_t> active;  // per row, bit k: step k is active (psi[k] != 0, or psi[k-1] != 0 for ALIF)
    Eigen::Index steps = 0;
    bool any_signal = false;  // some buffered L[t] is non-zero
  };
  static_assert(kBlockSteps <= 32, "a row's active steps are the bits of a uint32_t");

  template <void (EpropEligibility::*kCall)()>
  struct AtExit {  // calls kCall when the scope ends, also by an exception
    EpropEligibility& synapses;
    ~AtExit() { (synapses.*kCall)(); }
  };
  void share(int parts);        // before the team runs
  void lead(bool together);     // part 0, before the steps
  void help(int part);          // parts 1 .. parts - 1
  void stop_helpers();          // part 0, after the steps
  void end_sharing();           // after the team: moves rows between part 0 and the helpers by their waits
  void size_block(Block& block) const;  // zeros of the sizes above
  void advance_block(Block& block);  // every row, in this thread or (shared) with the helpers
  void await_helpers(uint32_t blocks);  // until every helper has advanced that many blocks
  Eigen::Index first_row(int part, int parts) const;  // part's rows: first_row(part) .. first_row(part + 1) - 1
  void advance_rows(const Block& block, Eigen::Index r0, Eigen::Index r1);  // rows r0 .. r1 - 1, every column
  template <bool kRegularize, bool kSignal>
  void advance_rows(const Block& block, Eigen::Index r0, Eigen::Index r1);
  template <bool kAdaptive, bool kRegularize, bool kSignal, int kVectors>
  void advance(const Block& block, Eigen::Index row, Eigen::Index v0);
  template <bool kAdaptive, bool kRegularize, bool kSignal>
  void advance_any(const Block& block, Eigen::Index row, Eigen::Index v0, Eigen::Index vectors);

  Eigen::Index n_pre_, n_alif_, n_rec_, cols_;  // cols_: padded to kLanes
  Decays decays_;
  bool regularize_;
  Block recording_;     // the block the steps fill
  Block published_[2];  // shared: blocks n and n - 1 as the helpers read them
  // Sharing: per part, a counter on a cache line of its own (part 0's: blocks published, or kStopped; a helper's:
  // blocks advanced) and the seconds it waited and (helpers) advanced its rows in this sequence.
  struct alignas(64) PartState {
    std::atomic<uint32_t> blocks{0};
    double waited_s = 0, busy_s = 0;
  };
  static constexpr uint32_t kStopped = UINT32_MAX;
  int parts_ = 1, sharing_parts_ = 0;
  std::unique_ptr<PartState[]> part_state_;
  uint32_t published_blocks_ = 0;
  double part0_rows_ = -1;  // part 0's share of the rows (fractional while it adapts); < 0: not yet set
  int64_t active_row_steps_ = 0;
  // State, one column per postsynaptic row (its synapses' values over the padded presynaptic columns).
  Matrix threshold_eligibility_;  // eps^a, cols_ x n_alif
  Matrix filtered_trace_, gradient_, trace_sum_;  // cols_ x n_rec
};

}  // namespace plasticore
