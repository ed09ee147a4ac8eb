#include "core/named_tensors.hpp"

#include <cstring>

#include "core/error.hpp"

namespace plasticore {

namespace {

const char* dtype_name(DType d) {
  switch (d) {
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::int64: return "int64";
    case DType::text: return "text";
  }
  return "?";
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

template <typename T>
Tensor make(DType dtype, std::vector<int64_t> shape, const T* data, size_t count) {
  Tensor t{dtype, std::move(shape), std::string(sizeof(T) * count, '\0')};
  if (count > 0) std::memcpy(t.bytes.data(), data, sizeof(T) * count);
  return t;
}

}  // namespace

size_t Tensor::element_size(DType dtype) {
  switch (dtype) {
    case DType::float32: return 4;
    case DType::float64: return 8;
    case DType::int64: return 8;
    case DType::text: return 1;
  }
  return 1;
}

int64_t Tensor::elements() const {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
}

void NamedTensors::put_matrix(const std::string& name, const Matrix& m) {
  const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> c_order = m;
  put(name, make(DType::float32, {m.rows(), m.cols()}, c_order.data(), static_cast<size_t>(m.size())));
}

void NamedTensors::put_vector(const std::string& name, const std::vector<float>& v) {
  put(name, make(DType::float32, {static_cast<int64_t>(v.size())}, v.data(), v.size()));
}

void NamedTensors::put_doubles(const std::string& name, const std::vector<double>& v) {
  put(name, make(DType::float64, {static_cast<int64_t>(v.size())}, v.data(), v.size()));
}

void NamedTensors::put_int(const std::string& name, int64_t v) { put(name, make(DType::int64, {}, &v, 1)); }

void NamedTensors::put_double(const std::string& name, double v) { put(name, make(DType::float64, {}, &v, 1)); }

void NamedTensors::put_text(const std::string& name, const std::string& text) {
  put(name, make(DType::text, {static_cast<int64_t>(text.size())}, text.data(), text.size()));
}

const Tensor& NamedTensors::at(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw RuntimeError(source_ + ": has no tensor '" + name + "'");
  return it->second;
}

const Tensor& NamedTensors::expect(const std::string& name, DType dtype, const std::vector<int64_t>& shape) const {
  const Tensor& t = at(name);
  if (t.dtype != dtype || t.shape != shape)
    throw RuntimeError(source_ + ": tensor '" + name + "' is " + dtype_name(t.dtype) + " " + shape_text(t.shape) +
                       ", expected " + dtype_name(dtype) + " " + shape_text(shape) + " (a run of another network?)");
  return t;
}

Matrix NamedTensors::matrix(const std::string& name, Eigen::Index rows, Eigen::Index cols) const {
  const Tensor& t = expect(name, DType::float32, {rows, cols});
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> c_order(rows, cols);
  if (c_order.size() > 0) std::memcpy(c_order.data(), t.bytes.data(), t.bytes.size());
  return c_order;
}

std::vector<float> NamedTensors::floats(const std::string& name, int64_t count) const {
  const Tensor& t = expect(name, DType::float32, {count});
  std::vector<float> v(static_cast<size_t>(count));
  if (count > 0) std::memcpy(v.data(), t.bytes.data(), t.bytes.size());
  return v;
}

std::vector<double> NamedTensors::doubles(const std::string& name, int64_t count) const {
  const Tensor& found = at(name);
  const int64_t n = count >= 0 ? count : (found.shape.size() == 1 ? found.shape[0] : -1);
  const Tensor& t = expect(name, DType::float64, {n});
  std::vector<double> v(static_cast<size_t>(n));
  if (n > 0) std::memcpy(v.data(), t.bytes.data(), t.bytes.size());
  return v;
}

int64_t NamedTensors::integer(const std::string& name) const {
  const Tensor& t = expect(name, DType::int64, {});
  int64_t v;
  std::memcpy(&v, t.bytes.data(), sizeof v);
  return v;
}

double NamedTensors::real(const std::string& name) const {
  const Tensor& t = expect(name, DType::float64, {});
  double v;
  std::memcpy(&v, t.bytes.data(), sizeof v);
  return v;
}

std::string NamedTensors::text(const std::string& name) const {
  const Tensor& t = at(name);
  if (t.dtype != DType::text) throw RuntimeError(source_ + ": tensor '" + name + "' is not text");
  return t.bytes;
}

}  // namespace plasticore
