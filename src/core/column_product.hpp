// A dense product whose every column is computed alone: y(:, b) = w x(:, b) as one chain of fused multiply-adds
// over the depth in order, y = w(:, 0) x(0, b), then y = fma(w(:, k), x(k, b), y) for k = 1, 2, ... Each column's
// bits depend on w and that column of x only, so a product split by columns over threads or MPI ranks gives the
// numbers of the whole one (Eigen's blocking depends on the product's width: a 10-column slice of a 20-column
// product rounds differently). For the small per-step products of a rate network's relaxation (10 x 500 and
// 500 x 10 at a batch of 20 on MNIST), where it is also faster than Eigen's general product, which packs both
// operands at every call (53 against 33 G MAC/s: `OMP_NUM_THREADS=1 build/bin/kernels_bench
// --benchmark_filter=RateSmall`, BM_RateSmallProducts against BM_RateSmallProductsEigen, 2026-12-07).
// Rows go in 16-lane tiles, and columns in equal groups of at most 12 (20 as 10 + 10), each group's chains in
// registers: a row tile's chain is as long as the depth (500 multiply-adds for W2 h), so a group of 1-4 columns
// waits on the multiply-add's latency, and groups of 8 then 1 left a thread's 10 of a 20-sample batch costing
// what all 20 did (a group of 8, then two chains of one, one after the other).
#pragma once
#include <algorithm>
#include <cmath>
#include <utility>

#include <Eigen/Core>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "core/tensor.hpp"

namespace plasticore {

namespace column_product_detail {

// Columns [0, kCols) of y = w x, rows [r, r + lanes) (lanes <= 16); w is rows x depth, x depth x kCols (column
// stride ldx), y column stride ldy. Raw pointers and unrolled column loops keep the chains in registers (with
// Eigen's accessors GCC kept them on the stack).
template <int kCols>
inline void tile(const Scalar* w, Eigen::Index rows, Eigen::Index depth, const Scalar* x, Eigen::Index ldx, Scalar* y,
                 Eigen::Index ldy, Eigen::Index r, int lanes) {
#ifdef __AVX512F__
  const auto m = static_cast<__mmask16>(lanes >= 16 ? 0xFFFF : (1U << lanes) - 1);
  __m512 acc[kCols];
  const __m512 w0 = _mm512_maskz_loadu_ps(m, w + r);
#pragma GCC unroll 16
  for (int c = 0; c < kCols; ++c) acc[c] = _mm512_mul_ps(w0, _mm512_set1_ps(x[c * ldx]));
  for (Eigen::Index k = 1; k < depth; ++k) {
    const __m512 wk = _mm512_maskz_loadu_ps(m, w + k * rows + r);
#pragma GCC unroll 16
    for (int c = 0; c < kCols; ++c) acc[c] = _mm512_fmadd_ps(wk, _mm512_set1_ps(x[c * ldx + k]), acc[c]);
  }
#pragma GCC unroll 16
  for (int c = 0; c < kCols; ++c) _mm512_mask_storeu_ps(y + c * ldy + r, m, acc[c]);
#else
  // The same arithmetic lane by lane (std::fma rounds once, as the vector instruction does).
  Scalar acc[kCols][16];
  for (int c = 0; c < kCols; ++c)
    for (int i = 0; i < lanes; ++i) acc[c][i] = w[r + i] * x[c * ldx];
  for (Eigen::Index k = 1; k < depth; ++k) {
    const Scalar* wk = w + k * rows + r;
    for (int c = 0; c < kCols; ++c) {
      const Scalar xk = x[c * ldx + k];
      for (int i = 0; i < lanes; ++i) acc[c][i] = std::fma(wk[i], xk, acc[c][i]);
    }
  }
  for (int c = 0; c < kCols; ++c)
    for (int i = 0; i < lanes; ++i) y[c * ldy + r + i] = acc[c][i];
#endif
}

}  // namespace column_product_detail

// y = w x (resized to w.rows() x x.cols()), each column as above. w needs at least one column.
inline void column_product(const Matrix& w, const Matrix& x, Matrix& y) {
  y.resize(w.rows(), x.cols());
  const Eigen::Index rows = w.rows(), depth = w.cols(), cols = x.cols();
  constexpr Eigen::Index kMaxCols = 12;  // 12 chains + W's vector in registers, 2 multiply-adds per cycle
  const Eigen::Index groups = (cols + kMaxCols - 1) / kMaxCols;
  const Scalar* wd = w.data();
  for (Eigen::Index r = 0; r < rows; r += 16) {
    const int lanes = static_cast<int>(std::min<Eigen::Index>(16, rows - r));
    for (Eigen::Index g = 0, b = 0; g < groups; ++g) {
      const Eigen::Index width = (cols - b) / (groups - g);  // equal groups, the wider ones last
      const auto tile = [&]<int kCols>() {
        column_product_detail::tile<kCols>(wd, rows, depth, x.col(b).data(), x.rows(), y.col(b).data(), y.rows(), r, lanes);
      };
      // The run-time width to its compile-time tile (the chains must be registers): tile<1> .. tile<kMaxCols>.
      [&]<int... kWidths>(std::integer_sequence<int, kWidths...>) {
        ((width == kWidths + 1 ? tile.template operator()<kWidths + 1>() : void()), ...);
      }(std::make_integer_sequence<int, kMaxCols>{});
      b += width;
    }
  }
}

}  // namespace plasticore
