// Column chunks of a dense matrix product for several threads. Eigen computes a product's columns in
// register blocks of nr columns (4 for float on AVX2 and AVX-512); when every chunk boundary is a multiple
// of nr, each column of a chunk's product is computed with exactly the arithmetic it gets in the whole
// product (tests/core/test_product_chunks.cpp checks it), so splitting a product over threads does not
// change its numbers. Products whose columns are computed alone (core/column_product.hpp) split anywhere:
// equal_column_chunks.
#pragma once
#include <algorithm>
#include <vector>

#include <Eigen/Core>
#include <omp.h>

#include "core/team.hpp"
#include "core/tensor.hpp"

namespace plasticore {

struct ColumnChunk {
  Eigen::Index begin = 0, cols = 0;
};

// At most `parts` chunks covering [0, cols), as equal as nr-aligned boundaries allow; fewer if cols is small.
template <typename Scalar>
std::vector<ColumnChunk> product_column_chunks(Eigen::Index cols, int parts) {
  constexpr Eigen::Index nr = Eigen::internal::gebp_traits<Scalar, Scalar>::nr;
  const Eigen::Index blocks = (cols + nr - 1) / nr;
  const Eigen::Index n = std::max<Eigen::Index>(1, std::min<Eigen::Index>(parts, blocks));
  std::vector<ColumnChunk> chunks;
  for (Eigen::Index t = 0; t < n; ++t) {
    const Eigen::Index begin = std::min(t * blocks / n * nr, cols), end = std::min((t + 1) * blocks / n * nr, cols);
    chunks.push_back({begin, end - begin});
  }
  return chunks;
}

// At most `parts` chunks of [0, cols) as equal as can be (for products whose columns are computed alone).
inline std::vector<ColumnChunk> equal_column_chunks(Eigen::Index cols, int parts) {
  const Eigen::Index n = std::max<Eigen::Index>(1, std::min<Eigen::Index>(parts, cols));
  std::vector<ColumnChunk> chunks;
  for (Eigen::Index t = 0; t < n; ++t) chunks.push_back({t * cols / n, (t + 1) * cols / n - t * cols / n});
  return chunks;
}

// Runs f(begin, cols) over the product_column_chunks of a large matrix on the team's threads (one chunk per
// thread, core/team.hpp; inline below ~64k elements, where waking a thread costs more than the work): for element-wise
// passes over a weight matrix, and for products split by their result's columns, which keep their numbers.
template <typename F>
void for_column_chunks(Eigen::Index rows, Eigen::Index cols, F&& f) {
  const int threads = rows * cols >= (Eigen::Index{1} << 16) && team_of_several() ? omp_get_max_threads() : 1;
  if (threads < 2) {
    f(Eigen::Index{0}, cols);
    return;
  }
  const auto chunks = product_column_chunks<Scalar>(cols, threads);
  run_team(static_cast<int>(chunks.size()),
           [&](int c, int) { f(chunks[static_cast<size_t>(c)].begin, chunks[static_cast<size_t>(c)].cols); });
}

}  // namespace plasticore
