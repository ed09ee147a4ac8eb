#include "learn/eprop_eligibility.hpp"

#include <omp.h>

#include <algorithm>

namespace plasticore {

namespace {

Eigen::Index round_up(Eigen::Index n, Eigen::Index multiple) { return (n + multiple - 1) / multiple * multiple; }


}  // namespace

EpropEligibility::EpropEligibility(Eigen::Index n_pre, Eigen::Index n_alif, Eigen::Index n_lif, Decays decays,
                                   bool regularize)
    : n_pre_(n_pre),
      n_alif_(n_alif),
      n_lif_(n_lif),
      cols_(round_up(n_pre, kColPadding)),
      alif_rows_(round_up(n_alif, kRowPadding)),
      rows_(alif_rows_ + round_up(n_lif, kRowPadding)),
      decays_(decays),
      regularize_(regularize) {
  for (Block& b : blocks_) {
    b.trace = Matrix::Zero(cols_, kBlockSteps);
    b.previous_trace = Matrix::Zero(cols_, kBlockSteps);
    b.psi = Matrix::Zero(rows_, kBlockSteps);
    b.signal = Matrix::Zero(rows_, kBlockSteps);
    b.previous_psi = Matrix::Zero(alif_rows_, kBlockSteps);
    b.decay = Matrix::Zero(alif_rows_, kBlockSteps);
  }
  threshold_eligibility_ = Matrix::Zero(alif_rows_, cols_);
  filtered_trace_ = Matrix::Zero(rows_, cols_);
  gradient_ = Matrix::Zero(rows_, cols_);
  trace_sum_ = Matrix::Zero(regularize ? rows_ : 0, regularize ? cols_ : 0);
}

void EpropEligibility::record(const Vector& trace, const Vector& previous_trace, const Vector& psi,
                              const Vector& previous_psi, const Scalar* signal) {
  Block& b = blocks_[filling_];
  const Eigen::Index k = b.steps;
  b.trace.col(k).head(n_pre_) = trace;
  b.previous_trace.col(k).head(n_pre_) = previous_trace;
  b.psi.col(k).head(n_alif_) = psi.head(n_alif_);
  b.psi.col(k).segment(alif_rows_, n_lif_) = psi.tail(n_lif_);
  b.signal.col(k).head(n_alif_) = Eigen::Map<const Vector>(signal, n_alif_);
  b.signal.col(k).segment(alif_rows_, n_lif_) = Eigen::Map<const Vector>(signal + n_alif_, n_lif_);
  b.any_signal = b.any_signal || (b.signal.col(k).array() != 0).any();
  const auto psi_before = previous_psi.head(n_alif_).array();
  b.previous_psi.col(k).head(n_alif_) = psi_before.matrix();
  b.decay.col(k).head(n_alif_) = (decays_.rho - decays_.beta * psi_before).matrix();
  if (++b.steps == kBlockSteps) advance_block(b);
}

void EpropEligibility::flush() {
  if (blocks_[filling_].steps > 0) advance_block(blocks_[filling_]);
  if (pipelined_) {
#pragma omp taskwait
  }
}

void EpropEligibility::advance_block(const Block& block) {
  const Eigen::Index n_chunks = cols_ / kColPadding;
  if (pipelined_) {
    // The tasks of the block before read the other buffer, which the step loop fills next: wait for them.
#pragma omp taskwait
    Block& next = blocks_[filling_ ^ 1];
    next.steps = 0;
    next.any_signal = false;
    // Tasks of ~3 chunks: finer ones cost more in task overhead than they gain in balance.
    constexpr Eigen::Index kChunksPerTask = 3;
    for (Eigen::Index first = 0; first < n_chunks; first += kChunksPerTask) {
#pragma omp task firstprivate(first) shared(block)
      for (Eigen::Index chunk = first; chunk < std::min(first + kChunksPerTask, n_chunks); ++chunk)
        advance_chunk(block, chunk * kColPadding);
    }
    filling_ ^= 1;
    return;
  }
  // A sequence on its own (batch 1) outside a pipeline shares its chunks among the threads; inside a
  // parallel batch each thread already has a sequence of its own.
#pragma omp parallel for schedule(static) if (n_chunks > 1 && !omp_in_parallel() && omp_get_max_threads() > 1)
  for (Eigen::Index chunk = 0; chunk < n_chunks; ++chunk) advance_chunk(block, chunk * kColPadding);
  Block& b = blocks_[filling_];
  b.steps = 0;
  b.any_signal = false;
}

void EpropEligibility::advance_chunk(const Block& block, Eigen::Index c0) {
  const auto rows = [&]<bool kRegularize, bool kSignal>() {
    advance_rows<true, kRegularize, kSignal>(block, 0, alif_rows_, c0);
    advance_rows<false, kRegularize, kSignal>(block, alif_rows_, rows_, c0);
  };
  if (regularize_) {
    if (block.any_signal) rows.template operator()<true, true>();
    else rows.template operator()<true, false>();
  } else {
    if (block.any_signal) rows.template operator()<false, true>();
    else rows.template operator()<false, false>();
  }
}

// The columns c0 .. c0 + kColPadding - 1 of rows row_begin .. row_end - 1.
template <bool kAdaptive, bool kRegularize, bool kSignal>
void EpropEligibility::advance_rows(const Block& block, Eigen::Index row_begin, Eigen::Index row_end, Eigen::Index c0) {
  constexpr int kCols = kAdaptive ? 4 : 8;  // ALIF tiles hold eps^a too: 4 columns keep the state in registers
  static_assert(kColPadding % kCols == 0);
  for (Eigen::Index c = c0; c < c0 + kColPadding; c += kCols) {
    Eigen::Index r0 = row_begin;
    for (; r0 + kTileRows <= row_end; r0 += kTileRows) advance<kAdaptive, kRegularize, kSignal, kTileRows, kCols>(block, r0, c);
    if (r0 < row_end) advance<kAdaptive, kRegularize, kSignal, kRowPadding, kCols>(block, r0, c);
  }
}

// One tile of kRows x kCols synapses, through `steps` buffered steps (learn/eprop.hpp):
//   eps^a = psi[t-1] eps^v[t-1] + (rho - beta psi[t-1]) eps^a    (ALIF rows)
//   e = psi[t] (eps^v[t] - beta eps^a)   or   psi[t] eps^v[t]      (LIF rows)
//   ebar = kappa ebar + e,   gradient += L[t] ebar (kSignal: some L[t] of the block is non-zero),   sum_e += e
template <bool kAdaptive, bool kRegularize, bool kSignal, int kRows, int kCols>
void EpropEligibility::advance(const Block& block, Eigen::Index r0, Eigen::Index c0) {
  const Eigen::Index steps = block.steps;
  using Tile = Eigen::Array<Scalar, kRows, 1>;
  using TileView = Eigen::Map<const Tile>;
  const Scalar beta = decays_.beta, kappa = decays_.kappa;
  Tile eps_a[kCols], ebar[kCols], grad[kCols], sum_e[kCols];
  for (int c = 0; c < kCols; ++c) {
    if constexpr (kAdaptive) eps_a[c] = threshold_eligibility_.col(c0 + c).template segment<kRows>(r0).array();
    ebar[c] = filtered_trace_.col(c0 + c).template segment<kRows>(r0).array();
    grad[c] = gradient_.col(c0 + c).template segment<kRows>(r0).array();
    if constexpr (kRegularize) sum_e[c] = trace_sum_.col(c0 + c).template segment<kRows>(r0).array();
  }
  for (Eigen::Index k = 0; k < steps; ++k) {
    const TileView psi(block.psi.col(k).data() + r0), signal(block.signal.col(k).data() + r0);
    const Scalar* trace = block.trace.col(k).data() + c0;
    for (int c = 0; c < kCols; ++c) {
      Tile e;
      if constexpr (kAdaptive) {
        const TileView psi_before(block.previous_psi.col(k).data() + r0), decay(block.decay.col(k).data() + r0);
        eps_a[c] = psi_before * block.previous_trace(c0 + c, k) + decay * eps_a[c];
        e = psi * (trace[c] - beta * eps_a[c]);
      } else {
        e = psi * trace[c];
      }
      ebar[c] = kappa * ebar[c] + e;
      if constexpr (kSignal) grad[c] += signal * ebar[c];
      if constexpr (kRegularize) sum_e[c] += e;
    }
  }
  for (int c = 0; c < kCols; ++c) {
    if constexpr (kAdaptive) threshold_eligibility_.col(c0 + c).template segment<kRows>(r0) = eps_a[c].matrix();
    filtered_trace_.col(c0 + c).template segment<kRows>(r0) = ebar[c].matrix();
    gradient_.col(c0 + c).template segment<kRows>(r0) = grad[c].matrix();
    if constexpr (kRegularize) trace_sum_.col(c0 + c).template segment<kRows>(r0) = sum_e[c].matrix();
  }
}

Matrix EpropEligibility::unpad(const Matrix& padded) const {
  Matrix out(n_alif_ + n_lif_, n_pre_);
  out.topRows(n_alif_) = padded.topLeftCorner(n_alif_, n_pre_);
  out.bottomRows(n_lif_) = padded.block(alif_rows_, 0, n_lif_, n_pre_);
  return out;
}

}  // namespace plasticore
