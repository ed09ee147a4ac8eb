// Eigen (column-major float) matrices to NumPy arrays in C order, for the module's files.
#pragma once
#include <pybind11/numpy.h>

#include "core/tensor.hpp"

template <typename T>
pybind11::array_t<T> to_array(const plasticore::Matrix& m) {
  pybind11::array_t<T> a({m.rows(), m.cols()});
  auto v = a.template mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) v(i, j) = static_cast<T>(m(i, j));
  return a;
}
