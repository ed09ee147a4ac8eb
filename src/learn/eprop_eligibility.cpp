#include "learn/eprop_eligibility.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <utility>

namespace plasticore {

namespace {

Eigen::Index round_up(Eigen::Index n, Eigen::Index multiple) { return (n + multiple - 1) / multiple * multiple; }

// Each tile walks its row's active steps once, so a row in fewer tiles takes fewer of the walk's unpredictable
// branches: evidence accumulation's 9 vectors per row go in 5 + 4 (ALIF) and 9 (LIF) instead of 3 + 3 + 3 and
// 4 + 5, ~1.1x its training loop (docs/performance.md). One ALIF tile of 9 would need 36 state registers of 32.
constexpr int kLifVectors = 9;       // a LIF row's tile: 3 x 9 state registers
constexpr int kAdaptiveVectors = 5;  // an ALIF row's tile: 4 x 5 (eps^a as well)

// How many row chunks a sequence on its own hands to the threads: one per LIF tile of a row's columns (as many
// tasks as when they were column shares, which is what was measured), and at least one per thread as far as a
// row's column vectors go.
Eigen::Index chunks(Eigen::Index cols) {
  return std::max((cols / EpropEligibility::kLanes + kLifVectors - 1) / kLifVectors,
                  std::min<Eigen::Index>(cols / EpropEligibility::kLanes, omp_get_max_threads()));
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
  n_chunks_ = chunks(cols_);  // the team may have changed since (threads = 0 chooses it batch by batch)
  for (Block& b : blocks_) {
    b.trace.setZero(cols_, kBlockSteps + 1);
    b.psi.setZero(n_rec_, kBlockSteps + 1);
    b.signal.setZero(n_rec_, kBlockSteps);
    b.decay.setZero(n_alif_, kBlockSteps);
    b.active.assign(static_cast<size_t>(n_rec_), 0U);
    b.steps = 0;
    b.any_signal = false;
  }
  pipelined_ = false;
  filling_ = 0;
  active_row_steps_ = 0;
  threshold_eligibility_.setZero(cols_, n_alif_);
  filtered_trace_.setZero(cols_, n_rec_);
  gradient_.setZero(cols_, n_rec_);
  trace_sum_.setZero(regularize_ ? cols_ : 0, regularize_ ? n_rec_ : 0);
}

void EpropEligibility::record(const Vector& trace, const Vector& psi, const Scalar* signal) {
  eigen_assert(psi.size() == n_rec_);  // the loops below read it raw
  Block& b = blocks_[filling_];
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
  if (blocks_[filling_].steps > 0) advance_block(blocks_[filling_]);
  if (pipelined_) {
#pragma omp taskwait
  }
}

void EpropEligibility::advance_block(Block& block) {
  for (const uint32_t steps : block.active) active_row_steps_ += std::popcount(steps);
  if (pipelined_) {
    // The tasks of the block before read the other buffer, which the step loop fills next: wait for them.
#pragma omp taskwait
    Block& next = blocks_[filling_ ^ 1];
    next.trace.col(0) = block.trace.col(block.steps);  // the step before the next block's
    next.psi.col(0) = block.psi.col(block.steps);
    next.steps = 0;
    next.any_signal = false;
    std::fill(next.active.begin(), next.active.end(), 0U);
    for (Eigen::Index chunk = 0; chunk < n_chunks_; ++chunk) {
#pragma omp task firstprivate(chunk) shared(block)
      advance_chunk(block, chunk);
    }
    filling_ ^= 1;
    return;
  }
  // Outside a pipeline this thread takes all columns at once: inside a parallel batch each thread has a
  // sequence of its own, and a sequence on its own too small to share runs on one thread.
  advance_rows(block, 0, n_rec_);
  block.trace.col(0) = block.trace.col(block.steps);
  block.psi.col(0) = block.psi.col(block.steps);
  block.steps = 0;
  block.any_signal = false;
  std::fill(block.active.begin(), block.active.end(), 0U);
}

// A chunk is an even share of the postsynaptic rows, every presynaptic column: a row's synapse state is
// contiguous (one column of each state matrix), so a chunk's state is whole cache lines that no other chunk
// touches. (Shares of the column vectors of every row, as before, interleaved the threads' state at 0.5 KB and
// the prefetchers pulled in the other core's lines.)
void EpropEligibility::advance_chunk(const Block& block, Eigen::Index chunk) {
  advance_rows(block, chunk * n_rec_ / n_chunks_, (chunk + 1) * n_rec_ / n_chunks_);
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
