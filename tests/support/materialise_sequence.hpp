// Test helper: a whole streamed sequence as T x n matrices (tests only: the trainers stream step by step).
#pragma once
#include "core/tensor.hpp"
#include "data/dataset.hpp"

namespace plasticore {

inline void materialise(const SequenceStream& s, int n_in, int n_out, Matrix& x, Matrix& y) {
  x.resize(s.steps(), n_in);
  y.resize(s.steps(), n_out);
  Matrix column(n_in, 1);
  Vector target(n_out);
  for (Eigen::Index t = 0; t < s.steps(); ++t) {
    s.input(t, column);
    s.target(t, target);
    x.row(t) = column.col(0).transpose();
    y.row(t) = target.transpose();
  }
}

}  // namespace plasticore
