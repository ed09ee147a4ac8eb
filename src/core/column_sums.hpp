// The event-driven sum at the heart of spiking networks: out = out0 + sum over a list of columns, each
// element's additions in list order (and, with a factor per column, a product whose input is mostly zeros). Rows go
// in register tiles (160, 96, 64, 16, 8 and 4), then a scalar tail (with AVX-512, sums without factors take their
// largest tiles, then the rows left in one pass whose last vector is masked): each tile
// is summed over the whole list before it is stored, so `out` is loaded and stored once per tile, not once
// per column, and no per-column call has to work out alignment or length at run time (Eigen's dynamic
// segments did, and for a 10-row layer that set-up cost more than the sum).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <Eigen/Core>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "core/sgd_sweep.hpp"
#include "core/tensor.hpp"

namespace plasticore {

// How each listed column enters the sum: as it is, times a sign (+-1, so the product is exact), or times
// its own factor (a dense product's column computed from the non-zero entries of its input only).
enum class ColumnScale { one, sign, factor };

// The row count to store columns of `rows` floats with, so that every column starts on a 64-byte line and columns
// are an odd number of lines apart: a 500-row column is 2,000 bytes, so 3 in 4 columns start inside a line and each
// of their vector loads spans two lines (sum_changes_over_steps on MNIST's lists: 1.25x from 528 rows, a scratch
// program), and a stride of an even number of lines (512 rows) maps the columns' rows to fewer cache sets (slower
// than 500). Below 64 rows a column is a few vectors: kept as it is.
inline Eigen::Index aligned_column_rows(Eigen::Index rows) {
  constexpr Eigen::Index kLine = 16;  // floats per 64-byte line
  if (rows < 64) return rows;
  Eigen::Index lines = (rows + kLine - 1) / kLine;
  if (lines % 2 == 0) ++lines;
  return lines * kLine;
}

// Row tiles, largest first; every size a multiple of 4 so that the scalar tail is always the last rows % 4 rows.
template <Eigen::Index... kRows>
struct RowTiles {};

// tiles.template operator()<kRows>(r0) for each tile of Tiles in order, each taking as many whole tiles from r0
// on as fit.
template <typename Tiles, typename TileLoop>
void for_row_tiles(TileLoop&& tiles, Eigen::Index& r0) {
  [&]<Eigen::Index... kRows>(RowTiles<kRows...>) {
    static_assert(((kRows % 4 == 0) && ...), "row tiles are multiples of 4");
    (tiles.template operator()<kRows>(r0), ...);
  }(Tiles{});
}

template <Eigen::Index kFirst, Eigen::Index... kRest>
constexpr Eigen::Index first_row_tile(RowTiles<kFirst, kRest...>) {
  return kFirst;
}

#ifdef __AVX512F__
// The lanes of vector v of a one-pass tail of kVectors vectors over rows r0 .. rows - 1 (more than 16 (kVectors - 1),
// at most 16 kVectors): all 16 but in the last vector, which holds the rows left.
template <int kVectors>
struct TailLanes {
  __mmask16 last;
  TailLanes(Eigen::Index r0, Eigen::Index rows)
      : last(static_cast<__mmask16>((1u << (rows - r0 - 16 * (kVectors - 1))) - 1)) {}
  __mmask16 operator()(int v) const { return v == kVectors - 1 ? last : static_cast<__mmask16>(0xFFFF); }
};

// tail.template operator()<k>() for k, the vectors that rows r0 .. rows - 1 take (1 to kMost; no call for none): the
// one-pass tails below are compiled for each vector count, so that their sums stay in registers.
template <int kMost, typename Tail>
void with_tail_vectors(Eigen::Index r0, Eigen::Index rows, Tail&& tail) {
  const auto vectors = static_cast<int>((rows - r0 + 15) / 16);
  [&]<int... kMinus1>(std::integer_sequence<int, kMinus1...>) {
    ((vectors == kMinus1 + 1 && (tail.template operator()<kMinus1 + 1>(), true)) || ...);
  }(std::make_integer_sequence<int, kMost>{});
}

// Rows r0 .. rows - 1 (as TailLanes) of a sum without factors (sum_scaled_columns) in one pass over the list:
// kVectors vectors, the last masked to the rows left. Masked-off lanes are neither read nor written.
template <int kVectors, bool kFromZero, bool kSigned, typename ColumnOf>
void sum_columns_tail(Scalar* out, Eigen::Index r0, Eigen::Index rows, size_t count, Scalar sign, ColumnOf& column) {
  const TailLanes<kVectors> lanes(r0, rows);
  const __m512 s = _mm512_set1_ps(sign);  // sign * value is exact (+-1)
  __m512 sum[kVectors];
  for (int v = 0; v < kVectors; ++v) sum[v] = kFromZero ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(lanes(v), out + r0 + 16 * v);
  for (size_t n = 0; n < count; ++n) {
    const Scalar* c = column(n) + r0;
    for (int v = 0; v < kVectors; ++v) {
      const __m512 x = _mm512_maskz_loadu_ps(lanes(v), c + 16 * v);
      sum[v] = _mm512_add_ps(sum[v], kSigned ? _mm512_mul_ps(s, x) : x);
    }
  }
  for (int v = 0; v < kVectors; ++v) _mm512_mask_storeu_ps(out + r0 + 16 * v, lanes(v), sum[v]);
}
#endif

// out[i] = (kFromZero ? 0 : out[i]) + sum over n < count of scale(n) * column(n)[i], for i < rows, where
// scale(n) is 1, sign or factor(n) as kScale says. column(n) returns a const Scalar* to a column's first
// row; factor(n) its Scalar factor (ignored unless kScale is factor). Tiles: the row tiles (bench/kernels_bench
// compares others; every choice gives the same numbers).
template <bool kFromZero, ColumnScale kScale, typename Tiles = RowTiles<160, 96, 64, 16, 8, 4>, typename ColumnOf,
          typename FactorOf>
void sum_scaled_columns(Scalar* out, Eigen::Index rows, size_t count, Scalar sign, ColumnOf&& column, FactorOf&& factor) {
  const auto term = [&](auto&& values, size_t n) {
    if constexpr (kScale == ColumnScale::one) return values;
    else if constexpr (kScale == ColumnScale::sign) return sign * values;
    else return factor(n) * values;
  };
  const auto tiles = [&]<Eigen::Index kRows>(Eigen::Index& r0) {
    using Tile = Eigen::Array<Scalar, kRows, 1>;
    for (; r0 + kRows <= rows; r0 += kRows) {
      Tile sum = kFromZero ? Tile::Zero() : Tile(Eigen::Map<const Tile>(out + r0));
      for (size_t n = 0; n < count; ++n) sum += term(Eigen::Map<const Tile>(column(n) + r0), n);
      Eigen::Map<Tile>(out + r0) = sum;
    }
  };
  Eigen::Index r0 = 0;
#ifdef __AVX512F__
  // Sums without factors: the first (largest) tiles, then the rows left in one pass of up to that many vectors, the
  // last masked (sum_columns_tail): a 500-row layer in 4 passes over the list (3 x 160 rows, then 20), a 100-row one
  // in 1, where 16-row tiles and a masked 16-lane tail took 5 and 2 (each pass walks the list again). The 8- and
  // 4-row tiles and the scalar rows before that were each a chain of dependent additions as long as the list. Not
  // with factors: a masked tile of fused multiply-adds did not reproduce the last rows' bits there (a trial on 500
  // rows; on 480 it did). The same numbers, except where two NaNs meet: which one's payload and sign survive follows
  // operand order, and the tail picks as the full tiles do. Masked-off lanes are neither read nor written (no fault
  // past the matrix's end).
  if constexpr (kScale != ColumnScale::factor) {
    constexpr Eigen::Index kFirst = first_row_tile(Tiles{});
    static_assert(kFirst % 16 == 0, "the first row tile is whole vectors");
    tiles.template operator()<kFirst>(r0);
    with_tail_vectors<static_cast<int>(kFirst / 16)>(r0, rows, [&]<int kVectors>() {
      sum_columns_tail<kVectors, kFromZero, kScale == ColumnScale::sign>(out, r0, rows, count, sign, column);
    });
    return;
  }
#endif
  // 160 rows (10 vector registers) first by default, then 96: a 500-row layer in 5 passes over the list and a
  // 100-row one in 2, instead of 11 and 4 with 64-row tiles first (BM_EventSumRowTiles: 1.15-1.22x); 8 and 4 rows
  // last: a 500-row layer's last 4 rows as a scalar tail were ~10 % of its sum.
  for_row_tiles<Tiles>(tiles, r0);
  for (Eigen::Index i = r0; i < rows; ++i) {
    Scalar sum = kFromZero ? Scalar{0} : out[i];
    for (size_t n = 0; n < count; ++n) sum += term(column(n)[i], n);
    out[i] = sum;
  }
}

// The spiking case: out[i] = (kFromZero ? 0 : out[i]) + sum over n < count of column(n)[i] (times sign if
// kSigned).
template <bool kFromZero, bool kSigned, typename ColumnOf>
void sum_columns(Scalar* out, Eigen::Index rows, size_t count, Scalar sign, ColumnOf&& column) {
  sum_scaled_columns<kFromZero, kSigned ? ColumnScale::sign : ColumnScale::one>(out, rows, count, sign, column,
                                                                               [](size_t) { return Scalar{1}; });
}

// One step's changes of a spiking input (Substrate::forward_event_changes over a phase): the columns of the inputs
// that started spiking, of those that stopped, and where the step's sum goes.
struct StepChanges {
  std::span<const int32_t> on, off;
  size_t active = 0;     // the inputs spiking in the step (what the sum is counted as)
  Scalar* out = nullptr;  // rows elements
};

#ifdef __AVX512F__
// sum_changes_over_steps' last rows, r0 .. rows - 1 (as TailLanes), in one pass over the steps' lists: kVectors vectors, the last masked to the rows left. Masked-off lanes are neither read nor
// written.
template <int kVectors, typename ColumnOf>
void sum_changes_tail(Scalar* out, Eigen::Index r0, Eigen::Index rows, std::span<const StepChanges> steps,
                      ColumnOf&& column) {
  const TailLanes<kVectors> lanes(r0, rows);
  const __m512 negative = _mm512_set1_ps(-1);
  __m512 sum[kVectors];
  for (int v = 0; v < kVectors; ++v) sum[v] = _mm512_maskz_loadu_ps(lanes(v), out + r0 + 16 * v);
  for (const StepChanges& s : steps) {
    for (const int32_t j : s.on)
      for (int v = 0; v < kVectors; ++v)
        sum[v] = _mm512_add_ps(sum[v], _mm512_maskz_loadu_ps(lanes(v), column(j) + r0 + 16 * v));
    for (const int32_t j : s.off)
      for (int v = 0; v < kVectors; ++v)
        sum[v] = _mm512_add_ps(sum[v], _mm512_mul_ps(negative, _mm512_maskz_loadu_ps(lanes(v), column(j) + r0 + 16 * v)));
    for (int v = 0; v < kVectors; ++v) _mm512_mask_storeu_ps(s.out + r0 + 16 * v, lanes(v), sum[v]);
  }
  for (int v = 0; v < kVectors; ++v) _mm512_mask_storeu_ps(out + r0 + 16 * v, lanes(v), sum[v]);
}
#endif

// For each step t in order: out = out + the columns of steps[t].on - those of steps[t].off, copied to
// steps[t].out; column(j) returns input j's column. Each element gets the additions of two sum_columns calls per
// step, the `on` list's then the `off` list's times -1, in their order (the same bits, but where two NaNs meet:
// which payload survives follows the operand order the compiler picks, as in sum_scaled_columns' masked tail).
// Row tiles go through all steps before the next tile: a tile's slices of the few columns a clamped input keeps
// changing stay in L1 across the steps, where step by step each step's whole columns came from L2 (a scratch
// program on MNIST's sigma-delta lists, 45 changes per step: 1.15-1.2x with 96-row tiles; with 160-row tiles a
// sample's ~150 changing columns take ~96 KB per tile, three times L1, and gained less). With AVX-512 the rows
// after the first (largest) tiles go in one pass (sum_changes_tail), as each pass walks every list of the phase: a
// 500-row layer in 6 passes, where a 16-row tile and a masked 4-row tail made it 7.
template <typename Tiles = RowTiles<96, 64, 16, 8, 4>, typename ColumnOf>
void sum_changes_over_steps(Scalar* out, Eigen::Index rows, std::span<const StepChanges> steps, ColumnOf&& column) {
  const Scalar minus = -1;
  const auto tiles = [&]<Eigen::Index kRows>(Eigen::Index& r0) {
    using Tile = Eigen::Array<Scalar, kRows, 1>;
    for (; r0 + kRows <= rows; r0 += kRows) {
      Tile sum(Eigen::Map<const Tile>(out + r0));
      for (const StepChanges& s : steps) {
        for (const int32_t j : s.on) sum += Eigen::Map<const Tile>(column(j) + r0);
        for (const int32_t j : s.off) sum += minus * Eigen::Map<const Tile>(column(j) + r0);
        Eigen::Map<Tile>(s.out + r0) = sum;
      }
      Eigen::Map<Tile>(out + r0) = sum;
    }
  };
  Eigen::Index r0 = 0;
#ifdef __AVX512F__
  constexpr Eigen::Index kFirst = first_row_tile(Tiles{});
  static_assert(kFirst % 16 == 0, "the first row tile is whole vectors");
  tiles.template operator()<kFirst>(r0);  // then the rest, fewer than kFirst rows, in one pass
  with_tail_vectors<static_cast<int>(kFirst / 16)>(
      r0, rows, [&]<int kVectors>() { sum_changes_tail<kVectors>(out, r0, rows, steps, column); });
#else
  for_row_tiles<Tiles>(tiles, r0);
  for (Eigen::Index i = r0; i < rows; ++i) {
    Scalar sum = out[i];
    for (const StepChanges& s : steps) {
      for (const int32_t j : s.on) sum += column(j)[i];
      for (const int32_t j : s.off) sum += minus * column(j)[i];
      s.out[i] = sum;
    }
    out[i] = sum;
  }
#endif
}

// One step's spikes of a clamped input (Substrate::forward_event_steps over a phase): the columns of the inputs that
// spiked, and where their sum goes (rows elements).
struct StepEvents {
  std::span<const int32_t> events;
  Scalar* out = nullptr;
};

#ifdef __AVX512F__
// sum_events_over_steps' last rows, r0 .. rows - 1 (as TailLanes), in one pass over the steps' lists: kVectors
// vectors, the last masked to the rows left. Masked-off lanes are neither read nor written.
template <int kVectors, typename ColumnOf>
void sum_events_tail(Eigen::Index r0, Eigen::Index rows, std::span<const StepEvents> steps, ColumnOf&& column) {
  const TailLanes<kVectors> lanes(r0, rows);
  for (const StepEvents& s : steps) {
    __m512 sum[kVectors];
    for (int v = 0; v < kVectors; ++v) sum[v] = _mm512_setzero_ps();
    for (const int32_t j : s.events)
      for (int v = 0; v < kVectors; ++v)
        sum[v] = _mm512_add_ps(sum[v], _mm512_maskz_loadu_ps(lanes(v), column(j) + r0 + 16 * v));
    for (int v = 0; v < kVectors; ++v) _mm512_mask_storeu_ps(s.out + r0 + 16 * v, lanes(v), sum[v]);
  }
}
#endif

// For each step: steps[t].out = the sum of the columns in steps[t].events, from zero, each element's additions in
// list order: the numbers of a sum_columns<true, false> call per step (but where two NaNs meet, as there). Row tiles
// go through all steps before the next tile, so a tile's slices of the ~150 columns a clamped image keeps spiking
// from are read from L1 across the steps, where step by step each step's whole columns came from L2. With AVX-512
// the rows after the first (largest) tiles go in one pass (sum_events_tail).
template <typename Tiles = RowTiles<48, 16, 8, 4>, typename ColumnOf>
void sum_events_over_steps(Eigen::Index rows, std::span<const StepEvents> steps, ColumnOf&& column) {
  const auto tiles = [&]<Eigen::Index kRows>(Eigen::Index& r0) {
    using Tile = Eigen::Array<Scalar, kRows, 1>;
    for (; r0 + kRows <= rows; r0 += kRows)
      for (const StepEvents& s : steps) {
        Tile sum = Tile::Zero();
        for (const int32_t j : s.events) sum += Eigen::Map<const Tile>(column(j) + r0);
        Eigen::Map<Tile>(s.out + r0) = sum;
      }
  };
  Eigen::Index r0 = 0;
#ifdef __AVX512F__
  constexpr Eigen::Index kFirst = first_row_tile(Tiles{});
  static_assert(kFirst % 16 == 0, "the first row tile is whole vectors");
  tiles.template operator()<kFirst>(r0);  // then the rest, fewer than kFirst rows, in one pass
  with_tail_vectors<static_cast<int>(kFirst / 16)>(r0, rows,
                                                   [&]<int kVectors>() { sum_events_tail<kVectors>(r0, rows, steps, column); });
#else
  for_row_tiles<Tiles>(tiles, r0);
  for (Eigen::Index i = r0; i < rows; ++i)
    for (const StepEvents& s : steps) {
      Scalar sum = 0;
      for (const int32_t j : s.events) sum += column(j)[i];
      s.out[i] = sum;
    }
#endif
}

// The samples b with pre(j, b) != 0, in order, and their factors sign * pre(j, b) (exact: sign is +-1), into samples
// and factors (room for pre.cols() each); returns their number. Branch-free: whether a pixel is inked is random
// across a batch, and the mispredicted branch this replaced cost more than the sums it selects (~10 % of a rate-EP
// run against the sums' 15 %).
inline size_t inked_samples(const Matrix& pre, Eigen::Index j, Scalar sign, int32_t* samples, Scalar* factors) {
  size_t m = 0;
  for (Eigen::Index b = 0; b < pre.cols(); ++b) {
    const Scalar v = pre(j, b);
    samples[m] = static_cast<int32_t>(b);
    factors[m] = sign * v;
    m += static_cast<size_t>(v != 0);
  }
  return m;
}

// dw(:, j) += sign * sum over b of delta(:, b) pre(j, b), for the columns j in [c0, c0 + n): the first
// layer's EP update of a rate network, whose input (a clamped image) is mostly zeros, from its non-zero
// entries only (per column, in sample order; on MNIST batches about twice as fast as the dense product).
inline void add_outer_nonzero(Matrix& dw, Eigen::Index c0, Eigen::Index n, Scalar sign, const Matrix& delta,
                              const Matrix& pre) {
  std::vector<int32_t> samples(static_cast<size_t>(pre.cols()));  // per call (a batch's column chunk), not per synapse
  std::vector<Scalar> factors(static_cast<size_t>(pre.cols()));
  for (Eigen::Index j = c0; j < c0 + n; ++j) {
    const size_t m = inked_samples(pre, j, sign, samples.data(), factors.data());
    sum_scaled_columns<false, ColumnScale::factor>(
        dw.col(j).data(), dw.rows(), m, Scalar{1}, [&](size_t k) { return delta.col(samples[k]).data(); },
        [&](size_t k) { return factors[k]; });
  }
}

// The same sums applied as plain SGD straight into the weights: w(:, j) += step * (scale * g_j) for the columns j in
// [c0, c0 + n) with a non-zero pre(j, .), g_j being the column add_outer_nonzero adds into a zero sum. Each column's
// sum goes to a scratch column in L1 and from there through sgd_sweep, so the weights get the bits that
// add_outer_nonzero into a zeroed gradient and the update's sweep (substrate/ideal.cpp) give, without the gradient
// matrix (1.57 MB for MNIST's first layer, written, read and zeroed every batch). The other columns keep their
// weights, as the sweep over the marked columns leaves them.
inline void sgd_outer_nonzero(Matrix& w, Eigen::Index c0, Eigen::Index n, Scalar sign, const Matrix& delta,
                              const Matrix& pre, Scalar scale, Scalar step) {
  std::vector<int32_t> samples(static_cast<size_t>(pre.cols()));
  std::vector<Scalar> factors(static_cast<size_t>(pre.cols()));
  std::vector<Scalar> g(static_cast<size_t>(w.rows()), Scalar{0});  // zero between columns: sgd_sweep zeroes it
  for (Eigen::Index j = c0; j < c0 + n; ++j) {
    const size_t m = inked_samples(pre, j, sign, samples.data(), factors.data());
    if (m == 0) continue;
    sum_scaled_columns<false, ColumnScale::factor>(
        g.data(), w.rows(), m, Scalar{1}, [&](size_t k) { return delta.col(samples[k]).data(); },
        [&](size_t k) { return factors[k]; });
    sgd_sweep(w.col(j).data(), g.data(), w.rows(), scale, step);
  }
}

}  // namespace plasticore
