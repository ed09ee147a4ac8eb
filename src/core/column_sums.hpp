// The event-driven sum at the heart of spiking networks: out = out0 + sum over a list of columns, each
// element's additions in list order. Rows go in register tiles of 64, 16, 8 and 4, then a scalar tail: each tile
// is summed over the whole list before it is stored, so `out` is loaded and stored once per tile, not once
// per column, and no per-column call has to work out alignment or length at run time (Eigen's dynamic
// segments did, and for a 10-row layer that set-up cost more than the sum).
#pragma once
#include <cstddef>

#include <Eigen/Core>

#include "core/tensor.hpp"

namespace plasticore {

// out[i] = (kFromZero ? 0 : out[i]) + sum over n < count of column(n)[i] (times sign if kSigned; sign is
// +-1, so the product is exact), for i < rows. column(n) returns a const Scalar* to a column's first row.
template <bool kFromZero, bool kSigned, typename ColumnOf>
void sum_columns(Scalar* out, Eigen::Index rows, size_t count, Scalar sign, ColumnOf&& column) {
  const auto tiles = [&]<Eigen::Index kRows>(Eigen::Index& r0) {
    using Tile = Eigen::Array<Scalar, kRows, 1>;
    for (; r0 + kRows <= rows; r0 += kRows) {
      Tile sum = kFromZero ? Tile::Zero() : Tile(Eigen::Map<const Tile>(out + r0));
      for (size_t n = 0; n < count; ++n) {
        if constexpr (kSigned) sum += sign * Eigen::Map<const Tile>(column(n) + r0);
        else sum += Eigen::Map<const Tile>(column(n) + r0);
      }
      Eigen::Map<Tile>(out + r0) = sum;
    }
  };
  Eigen::Index r0 = 0;
  tiles.template operator()<64>(r0);
  tiles.template operator()<16>(r0);
  tiles.template operator()<8>(r0);  // a 500-row layer's last 4 rows: a scalar tail was ~10 % of its sum
  tiles.template operator()<4>(r0);
  for (Eigen::Index i = r0; i < rows; ++i) {
    Scalar sum = kFromZero ? Scalar{0} : out[i];
    for (size_t n = 0; n < count; ++n) {
      if constexpr (kSigned) sum += sign * column(n)[i];
      else sum += column(n)[i];
    }
    out[i] = sum;
  }
}

}  // namespace plasticore
