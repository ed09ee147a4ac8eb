#include "arrays.hpp"

#include <cmath>
#include <cstring>

namespace plasticore_python {

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

template <typename T>
bool all_finite(const py::array& a) {
  const T* p = static_cast<const T*>(a.data());
  for (py::ssize_t i = 0; i < a.size(); ++i)
    if (!std::isfinite(p[i])) return false;
  return true;
}

template <typename T>
void copy_rows(const py::array& a, Eigen::Index begin, Eigen::Index end, Eigen::Index cols, plasticore::Matrix& m) {
  const T* p = static_cast<const T*>(a.data());
  for (Eigen::Index i = begin; i < end; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i - begin, j) = static_cast<float>(p[i * cols + j]);
}

}  // namespace

py::array checked_array(const py::handle& value, const std::string& name, std::vector<int> ndims, bool integer) {
  if (value.is_none()) throw py::type_error(name + ": expected a NumPy array, got None");
  if (!py::isinstance<py::array>(value))
    throw py::type_error(name + ": expected a NumPy array, got " + std::string(py::str(py::type::of(value).attr("__name__"))));
  py::array a = py::reinterpret_borrow<py::array>(value);
  const char kind = a.dtype().kind();
  const bool is_float = kind == 'f' && (a.itemsize() == 4 || a.itemsize() == 8);
  const bool is_integer = (kind == 'i' || kind == 'u') && a.itemsize() <= 8;
  if (integer ? !is_integer : !is_float)
    throw py::type_error(name + ": dtype " + std::string(py::str(a.dtype())) + "; expected " +
                         (integer ? "an integer dtype (class labels)" : "float32 or float64 (scale images to [0, 1])"));
  bool ndim_ok = false;
  std::string expected;
  for (const int d : ndims) {
    ndim_ok = ndim_ok || a.ndim() == d;
    expected += (expected.empty() ? "" : " or ") + std::to_string(d);
  }
  if (!ndim_ok)
    throw py::value_error(name + ": " + std::to_string(a.ndim()) + "-d array of shape " + shape_text(a) + "; expected " +
                          expected + "-d");
  if (a.size() == 0) throw py::value_error(name + ": empty array of shape " + shape_text(a));
  if (!(a.flags() & py::array::c_style))
    throw py::value_error(name + ": array is not C-contiguous (pass np.ascontiguousarray(" + name + "))");
  if (!integer && !(a.itemsize() == 4 ? all_finite<float>(a) : all_finite<double>(a)))
    throw py::value_error(name + ": contains NaN or infinity");
  return a;
}

plasticore::Matrix rows_of(const py::array& a, Eigen::Index begin, Eigen::Index end, Eigen::Index cols) {
  plasticore::Matrix m(end - begin, cols);
  if (a.itemsize() == 4) copy_rows<float>(a, begin, end, cols, m);
  else copy_rows<double>(a, begin, end, cols, m);
  return m;
}

plasticore::Matrix matrix_of(const py::handle& value, const std::string& name, Eigen::Index rows, Eigen::Index cols) {
  const py::array a = checked_array(value, name, {2});
  if ((rows >= 0 && a.shape(0) != rows) || a.shape(1) != cols)
    throw py::value_error(name + ": shape " + shape_text(a) + "; expected (" +
                          (rows >= 0 ? std::to_string(rows) : std::string("T")) + ", " + std::to_string(cols) + ")");
  return rows_of(a, 0, a.shape(0), cols);
}

std::vector<int32_t> labels_of(const py::handle& value, const std::string& name, int classes) {
  const py::array a = checked_array(value, name, {1}, /*integer=*/true);
  const py::array_t<int64_t> wide = a.attr("astype")("int64");
  const auto v = wide.unchecked<1>();
  std::vector<int32_t> labels(static_cast<size_t>(a.shape(0)));
  for (py::ssize_t i = 0; i < a.shape(0); ++i) {
    if (v(i) < 0 || v(i) >= classes)
      throw py::value_error(name + "[" + std::to_string(i) + "] = " + std::to_string(v(i)) + ": a class label must be in [0, " +
                            std::to_string(classes) + ")");
    labels[static_cast<size_t>(i)] = static_cast<int32_t>(v(i));
  }
  return labels;
}

int64_t size_argument(const py::handle& value, const std::string& name, int64_t min, int64_t max) {
  // An int or anything with __index__ (NumPy integers), but not a bool.
  if (value.is_none() || py::isinstance<py::bool_>(value) || !PyIndex_Check(value.ptr()))
    throw py::type_error(name + ": expected an int, got " + std::string(py::str(py::type::of(value).attr("__name__"))));
  const py::int_ big = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
  if (!big) throw py::error_already_set();
  if (big < py::int_(min) || big > py::int_(max))
    throw py::value_error(name + " = " + std::string(py::str(value)) + ": out of range [" + std::to_string(min) + ", " +
                          std::to_string(max) + "]");
  return big.cast<int64_t>();
}

py::array_t<float> read_only(const plasticore::Matrix& m, bool as_vector) {
  py::array_t<float> a = as_vector ? py::array_t<float>(m.size()) : to_array<float>(m);
  if (as_vector) std::memcpy(a.mutable_data(), m.data(), sizeof(float) * static_cast<size_t>(m.size()));
  a.attr("flags").attr("writeable") = false;
  return a;
}

py::array_t<float> read_only(const std::vector<float>& v) {
  py::array_t<float> a(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::memcpy(a.mutable_data(), v.data(), sizeof(float) * v.size());
  a.attr("flags").attr("writeable") = false;
  return a;
}

}  // namespace plasticore_python
