// NumPy arrays in and out of the module. In: every array argument is checked before anything uses it, so
// bad input is a Python exception, never a crash or a silent NaN:
//   None, not an ndarray, wrong dtype           TypeError
//   wrong ndim or shape, empty, not C-contiguous ValueError
//   NaN or infinity, labels out of range        ValueError
// Out: copies flagged read-only, so an in-place edit (w[0, 0] = 5) raises instead of being silently lost;
// changes go through the explicit setters.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace plasticore_python {

namespace py = pybind11;

// A checked array argument: an ndarray, of ndim in `ndims`, C-contiguous, not empty, of a float dtype
// (float32 / float64; or, if `integer`, of an integer dtype), all finite.
py::array checked_array(const py::handle& value, const std::string& name, std::vector<int> ndims, bool integer = false);

// Rows x cols of a checked 2-d float array as a Matrix (ValueError if the shape differs; rows < 0: any).
plasticore::Matrix matrix_of(const py::handle& value, const std::string& name, Eigen::Index rows, Eigen::Index cols);
// The rows [begin, end) x all columns of a checked C-contiguous float array viewed as (n, cols).
plasticore::Matrix rows_of(const py::array& a, Eigen::Index begin, Eigen::Index end, Eigen::Index cols);
// Integer labels of a checked 1-d integer array, each in [0, classes) (ValueError naming the first bad one).
std::vector<int32_t> labels_of(const py::handle& value, const std::string& name, int classes);
// An integer argument in [min, max]: TypeError unless an int (bool is not), ValueError out of range.
int64_t size_argument(const py::handle& value, const std::string& name, int64_t min, int64_t max);

// A read-only float32 copy of m, shape (rows, cols) in C order (or (rows,) if `as_vector`).
py::array_t<float> read_only(const plasticore::Matrix& m, bool as_vector = false);
py::array_t<float> read_only(const std::vector<float>& v);

}  // namespace plasticore_python

// Eigen (column-major float) matrices to NumPy arrays in C order (writable: results the caller owns).
template <typename T>
pybind11::array_t<T> to_array(const plasticore::Matrix& m) {
  pybind11::array_t<T> a({m.rows(), m.cols()});
  auto v = a.template mutable_unchecked<2>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) v(i, j) = static_cast<T>(m(i, j));
  return a;
}
