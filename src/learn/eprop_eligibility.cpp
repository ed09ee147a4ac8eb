#include "learn/eprop_eligibility.hpp"

#include <omp.h>

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
  trace_ = Matrix::Zero(cols_, kBlockSteps);
  previous_trace_ = Matrix::Zero(cols_, kBlockSteps);
  psi_ = Matrix::Zero(rows_, kBlockSteps);
  signal_ = Matrix::Zero(rows_, kBlockSteps);
  previous_psi_ = Matrix::Zero(alif_rows_, kBlockSteps);
  decay_ = Matrix::Zero(alif_rows_, kBlockSteps);
  threshold_eligibility_ = Matrix::Zero(alif_rows_, cols_);
  filtered_trace_ = Matrix::Zero(rows_, cols_);
  gradient_ = Matrix::Zero(rows_, cols_);
  trace_sum_ = Matrix::Zero(regularize ? rows_ : 0, regularize ? cols_ : 0);
}

void EpropEligibility::record(const Vector& trace, const Vector& previous_trace, const Vector& psi,
                              const Vector& previous_psi, const Scalar* signal) {
  const Eigen::Index k = buffered_;
  trace_.col(k).head(n_pre_) = trace;
  previous_trace_.col(k).head(n_pre_) = previous_trace;
  psi_.col(k).head(n_alif_) = psi.head(n_alif_);
  psi_.col(k).segment(alif_rows_, n_lif_) = psi.tail(n_lif_);
  signal_.col(k).head(n_alif_) = Eigen::Map<const Vector>(signal, n_alif_);
  signal_.col(k).segment(alif_rows_, n_lif_) = Eigen::Map<const Vector>(signal + n_alif_, n_lif_);
  any_signal_ = any_signal_ || (signal_.col(k).array() != 0).any();
  const auto psi_before = previous_psi.head(n_alif_).array();
  previous_psi_.col(k).head(n_alif_) = psi_before.matrix();
  decay_.col(k).head(n_alif_) = (decays_.rho - decays_.beta * psi_before).matrix();
  if (++buffered_ == kBlockSteps) flush();
}

void EpropEligibility::flush() {
  if (buffered_ == 0) return;
  const auto chunks = [&]<bool kRegularize, bool kSignal>() {
    // A sequence on its own (batch 1, as pattern generation) shares its synapses among the threads: the
    // column chunks hold disjoint state, so the result does not depend on the thread count. Inside a
    // parallel batch each thread already has a sequence of its own.
    const Eigen::Index n_chunks = cols_ / kColPadding;
#pragma omp parallel for schedule(static) if (n_chunks > 1 && !omp_in_parallel() && omp_get_max_threads() > 1)
    for (Eigen::Index chunk = 0; chunk < n_chunks; ++chunk) {
      const Eigen::Index c0 = chunk * kColPadding;
      advance_rows<true, kRegularize, kSignal>(0, alif_rows_, c0, buffered_);
      advance_rows<false, kRegularize, kSignal>(alif_rows_, rows_, c0, buffered_);
    }
  };
  if (regularize_) {
    if (any_signal_) chunks.template operator()<true, true>();
    else chunks.template operator()<true, false>();
  } else {
    if (any_signal_) chunks.template operator()<false, true>();
    else chunks.template operator()<false, false>();
  }
  buffered_ = 0;
  any_signal_ = false;
}

// The columns c0 .. c0 + kColPadding - 1 of rows row_begin .. row_end - 1.
template <bool kAdaptive, bool kRegularize, bool kSignal>
void EpropEligibility::advance_rows(Eigen::Index row_begin, Eigen::Index row_end, Eigen::Index c0, Eigen::Index steps) {
  constexpr int kCols = kAdaptive ? 4 : 8;  // ALIF tiles hold eps^a too: 4 columns keep the state in registers
  static_assert(kColPadding % kCols == 0);
  for (Eigen::Index c = c0; c < c0 + kColPadding; c += kCols) {
    Eigen::Index r0 = row_begin;
    for (; r0 + kTileRows <= row_end; r0 += kTileRows) advance<kAdaptive, kRegularize, kSignal, kTileRows, kCols>(r0, c, steps);
    if (r0 < row_end) advance<kAdaptive, kRegularize, kSignal, kRowPadding, kCols>(r0, c, steps);
  }
}

// One tile of kRows x kCols synapses, through `steps` buffered steps (learn/eprop.hpp):
//   eps^a = psi[t-1] eps^v[t-1] + (rho - beta psi[t-1]) eps^a    (ALIF rows)
//   e = psi[t] (eps^v[t] - beta eps^a)   or   psi[t] eps^v[t]      (LIF rows)
//   ebar = kappa ebar + e,   gradient += L[t] ebar (kSignal: some L[t] of the block is non-zero),   sum_e += e
template <bool kAdaptive, bool kRegularize, bool kSignal, int kRows, int kCols>
void EpropEligibility::advance(Eigen::Index r0, Eigen::Index c0, Eigen::Index steps) {
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
    const TileView psi(psi_.col(k).data() + r0), signal(signal_.col(k).data() + r0);
    const Scalar* trace = trace_.col(k).data() + c0;
    for (int c = 0; c < kCols; ++c) {
      Tile e;
      if constexpr (kAdaptive) {
        const TileView psi_before(previous_psi_.col(k).data() + r0), decay(decay_.col(k).data() + r0);
        eps_a[c] = psi_before * previous_trace_(c0 + c, k) + decay * eps_a[c];
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
