#include "learn/eprop_eligibility.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <utility>

namespace plasticore {

namespace {

Eigen::Index round_up(Eigen::Index n, Eigen::Index multiple) { return (n + multiple - 1) / multiple * multiple; }

// Each tile walks its row's active steps once, so a row in fewer tiles takes fewer of the walk's unpredictable
// branches: evidence accumulation's 9 vectors per row go in 5 + 4 (ALIF) and 9 (LIF) instead of 3 + 3 + 3 and
// 4 + 5, ~1.1x its training loop (docs/performance.md). One ALIF tile of 9 would need 36 state registers of 32.
constexpr int kLifVectors = 9;       // a LIF row's tile: 3 x 9 state registers
constexpr int kAdaptiveVectors = 5;  // an ALIF row's tile: 4 x 5 (eps^a as well)

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Waits until a >= at_least; adds the time it waited, if it had to, to waited_s.
void timed_wait(const std::atomic<uint32_t>& a, uint32_t at_least, double& waited_s) {
  if (a.load(std::memory_order_acquire) >= at_least) return;
  const auto t0 = std::chrono::steady_clock::now();
  wait_for_count(a, at_least);
  waited_s += seconds_since(t0);
}

}  // namespace

EpropEligibility::EpropEligibility(Eigen::Index n_pre, Eigen::Index n_alif, Eigen::Index n_lif, Decays decays,
                                   bool regularize)
    : n_pre_(n_pre),
      n_alif_(n_alif),
      n_rec_(n_alif + n_lif),
      cols_(round_up(n_pre, kLanes)),
      regularize_(regularize) {
  restart(decays);
}

bool EpropEligibility::fits(Eigen::Index n_pre, Eigen::Index n_alif, Eigen::Index n_lif, bool regularize) const {
  return n_pre == n_pre_ && n_alif == n_alif_ && n_alif + n_lif == n_rec_ && regularize == regularize_;
}

void EpropEligibility::restart(Decays decays) {
  decays_ = decays;
  size_block(recording_);
  parts_ = 1;
  active_row_steps_ = 0;
  threshold_eligibility_.setZero(cols_, n_alif_);
  filtered_trace_.setZero(cols_, n_rec_);
  gradient_.setZero(cols_, n_rec_);
  trace_sum_.setZero(regularize_ ? cols_ : 0, regularize_ ? n_rec_ : 0);
}

void EpropEligibility::size_block(Block& b) const {
  b.trace.setZero(cols_, kBlockSteps + 1);
  b.psi.setZero(n_rec_, kBlockSteps + 1);
  b.signal.setZero(n_rec_, kBlockSteps);
  b.decay.setZero(n_alif_, kBlockSteps);
  b.active.assign(static_cast<size_t>(n_rec_), 0U);
  b.steps = 0;
  b.any_signal = false;
}

void EpropEligibility::record(const Vector& trace, const Vector& psi, const Scalar* signal) {
  eigen_assert(psi.size() == n_rec_);  // the loops below read it raw
  Block& b = recording_;
  const Eigen::Index k = b.steps;
  b.trace.col(k + 1).head(n_pre_) = trace;
  b.decay.col(k) = (decays_.rho - decays_.beta * b.psi.col(k).head(n_alif_).array()).matrix();
  // One pass per row kind copies psi[t] and marks the active steps; one copies L[t] and checks it for zeros
  // (vectorised: Eigen's any() is a scalar loop with an early exit).
  const Scalar* psi_now = psi.data();
  const Scalar* p_before = b.psi.col(k).data();
  Scalar* p = b.psi.col(k + 1).data();
  uint32_t* active = b.active.data();
#pragma GCC ivdep  // distinct arrays: vectorise without run-time alias checks
  for (Eigen::Index j = 0; j < n_alif_; ++j) {
    p[j] = psi_now[j];
    active[j] |= static_cast<uint32_t>((psi_now[j] != 0) | (p_before[j] != 0)) << k;
  }
#pragma GCC ivdep
  for (Eigen::Index j = n_alif_; j < n_rec_; ++j) {
    p[j] = psi_now[j];
    active[j] |= static_cast<uint32_t>(psi_now[j] != 0) << k;
  }
  Scalar* l = b.signal.col(k).data();
  int nonzero = 0;
#pragma GCC ivdep
  for (Eigen::Index j = 0; j < n_rec_; ++j) {
    l[j] = signal[j];
    nonzero |= static_cast<int>(signal[j] != 0);
  }
  b.any_signal = b.any_signal || nonzero != 0;
  if (++b.steps == kBlockSteps) advance_block(b);
}

void EpropEligibility::flush() {
  if (recording_.steps > 0) advance_block(recording_);
  if (parts_ > 1) await_helpers(published_blocks_);
}

void EpropEligibility::advance_block(Block& block) {
  for (const uint32_t steps : block.active) active_row_steps_ += std::popcount(steps);
  if (parts_ > 1) {
    // Block n goes to the helpers as a copy in published_[n % 2], once every helper is through with block n - 2
    // there. The step loop records into lines of its own: writing into lines the other core has read stalled
    // it at every step, where one copy per block moves the same lines at once.
    const uint32_t n = published_blocks_++;
    await_helpers(n < 2 ? 0 : n - 1);
    Block& shared = published_[n % 2];
    shared.trace.leftCols(block.steps + 1) = block.trace.leftCols(block.steps + 1);
    shared.psi.leftCols(block.steps + 1) = block.psi.leftCols(block.steps + 1);
    shared.signal.leftCols(block.steps) = block.signal.leftCols(block.steps);
    shared.decay.leftCols(block.steps) = block.decay.leftCols(block.steps);
    shared.active = block.active;
    shared.steps = block.steps;
    shared.any_signal = block.any_signal;
    part_state_[0].blocks.store(n + 1, std::memory_order_release);
    part_state_[0].blocks.notify_all();
    advance_rows(block, 0, first_row(1, parts_));
  } else {
    // Otherwise this thread takes every row: inside a parallel batch each thread has a sequence of its own, and
    // a sequence on its own too small to share runs on one thread.
    advance_rows(block, 0, n_rec_);
  }
  block.trace.col(0) = block.trace.col(block.steps);
  block.psi.col(0) = block.psi.col(block.steps);
  block.steps = 0;
  block.any_signal = false;
  std::fill(block.active.begin(), block.active.end(), 0U);
}

void EpropEligibility::share(int parts) {
  if (parts > sharing_parts_) {
    part_state_.reset(new PartState[static_cast<size_t>(parts)]);
    sharing_parts_ = parts;
  }
  for (int p = 0; p < parts; ++p) {
    part_state_[p].blocks.store(0, std::memory_order_relaxed);
    part_state_[p].waited_s = part_state_[p].busy_s = 0;
  }
  // A first guess for part 0, which also runs the network: half a helper's share.
  if (part0_rows_ < 0) part0_rows_ = 0.5 * static_cast<double>(n_rec_) / (parts - 0.5);
  if (published_[0].psi.rows() != n_rec_ || published_[0].trace.rows() != cols_)
    for (Block& b : published_) size_block(b);
  parts_ = parts;
  published_blocks_ = 0;
}

void EpropEligibility::lead(bool together) {
  if (!together) parts_ = 1;  // the helpers run after this part (run_team on one thread): it takes every row
}

void EpropEligibility::help(int part) {
  if (parts_ < 2) return;  // part 0 ran first, on this thread, and took every row (lead)
  const Eigen::Index r0 = first_row(part, parts_), r1 = first_row(part + 1, parts_);
  PartState& me = part_state_[part];
  for (uint32_t n = 0;; ++n) {
    timed_wait(part_state_[0].blocks, n + 1, me.waited_s);
    if (part_state_[0].blocks.load(std::memory_order_acquire) == kStopped) return;
    const auto t0 = std::chrono::steady_clock::now();
    advance_rows(published_[n % 2], r0, r1);
    me.busy_s += seconds_since(t0);
    me.blocks.store(n + 1, std::memory_order_release);
    me.blocks.notify_all();
  }
}

void EpropEligibility::stop_helpers() {
  if (sharing_parts_ == 0) return;
  part_state_[0].blocks.store(kStopped, std::memory_order_release);
  part_state_[0].blocks.notify_all();
}

void EpropEligibility::await_helpers(uint32_t blocks) {
  for (int p = 1; p < parts_; ++p) timed_wait(part_state_[p].blocks, blocks, part_state_[0].waited_s);
}

// Contiguous rows: a row's synapse state is one column of each state matrix, so a part's state is whole cache
// lines that no other part touches. (Shares of the column vectors of every row interleaved the threads' state at
// 0.5 KB, and the prefetchers pulled in the other core's lines.)
Eigen::Index EpropEligibility::first_row(int part, int parts) const {
  const auto rows0 = static_cast<Eigen::Index>(std::lround(part0_rows_));
  if (part == 0) return 0;
  return rows0 + (part - 1) * (n_rec_ - rows0) / (parts - 1);
}

// Moves rows towards the side that waited: a row moved from the helpers to part 0 shifts its time (a helper's busy
// time per row) from one side to the other, so (part 0's waits - a helper's) / (2 x that time) rows even them out
// (with several helpers a row moved to part 0 is shared among them); half of that per sequence and at most an
// eighth of the rows, so that a sequence slowed by the host does not swing the split.
void EpropEligibility::end_sharing() {
  const int parts = parts_;
  parts_ = 1;
  if (parts < 2) return;
  double helper_wait = 0, helper_busy = 0;
  for (int p = 1; p < parts; ++p) {
    helper_wait += part_state_[p].waited_s / (parts - 1);
    helper_busy += part_state_[p].busy_s;
  }
  const auto helper_rows = static_cast<double>(n_rec_ - first_row(1, parts));
  if (helper_rows <= 0 || helper_busy <= 0) return;
  const double row_s = helper_busy / helper_rows;  // one row's time in a sequence
  const double most = 0.125 * static_cast<double>(n_rec_);
  const double move =
      std::clamp(0.5 * (part_state_[0].waited_s - helper_wait) / (row_s * (1 + 1.0 / (parts - 1))), -most, most);
  part0_rows_ = std::clamp(part0_rows_ + move, 0.0, static_cast<double>(std::max<Eigen::Index>(n_rec_ - (parts - 1), 0)));
}

void EpropEligibility::advance_rows(const Block& block, Eigen::Index r0, Eigen::Index r1) {
  if (regularize_) {
    if (block.any_signal) advance_rows<true, true>(block, r0, r1);
    else advance_rows<true, false>(block, r0, r1);
  } else {
    if (block.any_signal) advance_rows<false, true>(block, r0, r1);
    else advance_rows<false, false>(block, r0, r1);
  }
}

// Rows r0 .. r1 - 1, each in tiles of an even split of the vectors: at most kAdaptiveVectors for ALIF rows,
// which hold twice the state, and kLifVectors for LIF rows.
template <bool kRegularize, bool kSignal>
void EpropEligibility::advance_rows(const Block& block, Eigen::Index r0, Eigen::Index r1) {
  const Eigen::Index vectors = cols_ / kLanes;
  const auto tiles = [&](Eigen::Index j, Eigen::Index most, auto advance_tile) {
    const Eigen::Index n = (vectors + most - 1) / most;
    for (Eigen::Index t = 0; t < n; ++t) {
      const Eigen::Index a = t * vectors / n, b = (t + 1) * vectors / n;
      advance_tile(j, a, b - a);
    }
  };
  for (Eigen::Index j = r0; j < std::min(r1, n_alif_); ++j)
    tiles(j, kAdaptiveVectors, [&](Eigen::Index row, Eigen::Index a, Eigen::Index n) {
      advance_any<true, kRegularize, kSignal>(block, row, a, n);
    });
  for (Eigen::Index j = std::max(r0, n_alif_); j < r1; ++j)
    tiles(j, kLifVectors, [&](Eigen::Index row, Eigen::Index a, Eigen::Index n) {
      advance_any<false, kRegularize, kSignal>(block, row, a, n);
    });
}

// advance<..., kVectors> for kVectors = vectors (1 .. the row kind's tile width).
template <bool kAdaptive, bool kRegularize, bool kSignal>
void EpropEligibility::advance_any(const Block& block, Eigen::Index row, Eigen::Index v0, Eigen::Index vectors) {
  constexpr int kMost = kAdaptive ? kAdaptiveVectors : kLifVectors;
  [&]<int... kMinus1>(std::integer_sequence<int, kMinus1...>) {
    ((vectors == kMinus1 + 1 && (advance<kAdaptive, kRegularize, kSignal, kMinus1 + 1>(block, row, v0), true)) || ...);
  }(std::make_integer_sequence<int, kMost>{});
}

// The synapses of one row, columns v0 * kLanes .. (v0 + kVectors) * kLanes - 1, through the block's steps
// (learn/eprop.hpp). An active step k:
//   eps^a = psi[k-1] eps^v[k-1] + (rho - beta psi[k-1]) eps^a    (ALIF rows)
//   e = psi[k] (eps^v[k] - beta eps^a)   or   psi[k] eps^v[k]      (LIF rows)
//   ebar = kappa ebar + e,   gradient += L[k] ebar (kSignal: some L of the block is non-zero),   sum_e += e
// A quiet step (e = 0, psi[k-1] = 0): eps^a = rho eps^a, ebar = kappa ebar, gradient += L[k] ebar; the
// same roundings as the active step's formulas give with those zeros.
template <bool kAdaptive, bool kRegularize, bool kSignal, int kVectors>
void EpropEligibility::advance(const Block& block, Eigen::Index row, Eigen::Index v0) {
  using Lanes = Eigen::Array<Scalar, kLanes, 1>;
  using LanesView = Eigen::Map<const Lanes>;
  const Eigen::Index c0 = v0 * kLanes;
  const Scalar beta = decays_.beta, kappa = decays_.kappa, rho = decays_.rho;
  Scalar* eps_a_state = kAdaptive ? threshold_eligibility_.col(row).data() + c0 : nullptr;
  Scalar* ebar_state = filtered_trace_.col(row).data() + c0;
  Scalar* grad_state = gradient_.col(row).data() + c0;
  Scalar* sum_state = kRegularize ? trace_sum_.col(row).data() + c0 : nullptr;
  Lanes eps_a[kVectors], ebar[kVectors], grad[kVectors], sum_e[kVectors];
  // Unrolled before GCC's loop distribution, which otherwise turns 9 vectors' loads and stores into memcpy
  // calls through the stack (3 % of an evidence-accumulation run).
#pragma GCC unroll 16
  for (int v = 0; v < kVectors; ++v) {
    if constexpr (kAdaptive) eps_a[v] = LanesView(eps_a_state + v * kLanes);
    ebar[v] = LanesView(ebar_state + v * kLanes);
    if constexpr (kSignal) grad[v] = LanesView(grad_state + v * kLanes);  // else the block adds nothing to it
    if constexpr (kRegularize) sum_e[v] = LanesView(sum_state + v * kLanes);
  }
  const auto quiet_until = [&](Eigen::Index from, Eigen::Index to) {  // steps from .. to - 1
    for (Eigen::Index k = from; k < to; ++k) {
      const Scalar signal = kSignal ? block.signal(row, k) : Scalar{0};
      for (int v = 0; v < kVectors; ++v) {
        if constexpr (kAdaptive) eps_a[v] = rho * eps_a[v];
        ebar[v] = kappa * ebar[v];
        if constexpr (kSignal) grad[v] += signal * ebar[v];
      }
    }
  };
  Eigen::Index next = 0;  // the first step not yet applied
  for (uint32_t steps = block.active[static_cast<size_t>(row)]; steps != 0; steps &= steps - 1) {
    const int k = std::countr_zero(steps);
    quiet_until(next, k);
    next = k + 1;
    const Scalar psi = block.psi(row, k + 1);
    const Scalar signal = kSignal ? block.signal(row, k) : Scalar{0};
    const Scalar* trace = block.trace.col(k + 1).data() + c0;
    for (int v = 0; v < kVectors; ++v) {
      Lanes e;
      if constexpr (kAdaptive) {
        eps_a[v] = block.psi(row, k) * LanesView(block.trace.col(k).data() + c0 + v * kLanes) +
                   block.decay(row, k) * eps_a[v];
        e = psi * (LanesView(trace + v * kLanes) - beta * eps_a[v]);
      } else {
        e = psi * LanesView(trace + v * kLanes);
      }
      ebar[v] = kappa * ebar[v] + e;
      if constexpr (kSignal) grad[v] += signal * ebar[v];
      if constexpr (kRegularize) sum_e[v] += e;
    }
  }
  quiet_until(next, block.steps);
#pragma GCC unroll 16
  for (int v = 0; v < kVectors; ++v) {
    if constexpr (kAdaptive) Eigen::Map<Lanes>(eps_a_state + v * kLanes) = eps_a[v];
    Eigen::Map<Lanes>(ebar_state + v * kLanes) = ebar[v];
    if constexpr (kSignal) Eigen::Map<Lanes>(grad_state + v * kLanes) = grad[v];
    if constexpr (kRegularize) Eigen::Map<Lanes>(sum_state + v * kLanes) = sum_e[v];
  }
}

}  // namespace plasticore
