// Runs of neighbouring columns in an increasing list of column indices (learn/gradient_columns.hpp makes such
// lists; the substrates' updates sweep each run in one pass).
#pragma once
#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

namespace plasticore {

// The part of an increasing column list in [c0, c0 + n).
inline std::span<const int32_t> listed_in(const std::vector<int32_t>& columns, Eigen::Index c0, Eigen::Index n) {
  const auto first = std::lower_bound(columns.begin(), columns.end(), c0);
  const auto last = std::lower_bound(first, columns.end(), c0 + n);
  return {first, last};
}

// f(c0, n) for each run of neighbouring columns c0 .. c0 + n - 1 of an increasing list (one sweep per run).
template <typename F>
void for_column_runs(std::span<const int32_t> columns, F&& f) {
  for (size_t k = 0; k < columns.size();) {
    const Eigen::Index c0 = columns[k];
    Eigen::Index n = 1;
    while (k + static_cast<size_t>(n) < columns.size() && columns[k + static_cast<size_t>(n)] == c0 + n) ++n;
    k += static_cast<size_t>(n);
    f(c0, n);
  }
}

}  // namespace plasticore
