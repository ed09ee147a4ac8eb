// Named tensors: the content of a run record (train/run_record.hpp) and of a .npz export (io/npz.hpp).
// A tensor is a dtype, a shape and its bytes in C (row-major) order, so NumPy reads it as it is. Names are
// paths with '/' ("w1", "optimizer/first_moment/w_in", "substrate/w_rec/conductance_uS", "history/epoch").
// Weight matrices (Eigen, column-major) go in and out through put_matrix / matrix, transposed to and from
// C order there; shapes are always (rows, cols) of the matrix.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace plasticore {

enum class DType : uint8_t { float32 = 1, float64 = 2, int64 = 3, text = 4 };  // text: UTF-8 bytes, 1-d

struct Tensor {
  DType dtype = DType::float32;
  std::vector<int64_t> shape;
  std::string bytes;
  int64_t elements() const;
  static size_t element_size(DType dtype);
};

class NamedTensors {
 public:
  void put(const std::string& name, Tensor tensor) { tensors_[name] = std::move(tensor); }
  void put_matrix(const std::string& name, const Matrix& m);
  void put_vector(const std::string& name, const std::vector<float>& v);
  void put_doubles(const std::string& name, const std::vector<double>& v);
  void put_int(const std::string& name, int64_t v);
  void put_double(const std::string& name, double v);
  void put_text(const std::string& name, const std::string& text);

  bool has(const std::string& name) const { return tensors_.count(name) != 0; }
  // The getters throw RuntimeError naming `source` and the tensor when it is missing or of another type/shape.
  const Tensor& at(const std::string& name) const;
  Matrix matrix(const std::string& name, Eigen::Index rows, Eigen::Index cols) const;
  std::vector<float> floats(const std::string& name, int64_t count) const;
  std::vector<double> doubles(const std::string& name, int64_t count) const;  // count < 0: any length
  int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;
  std::string text(const std::string& name) const;

  const std::map<std::string, Tensor>& all() const { return tensors_; }
  void set_source(std::string source) { source_ = std::move(source); }
  const std::string& source() const { return source_; }

 private:
  const Tensor& expect(const std::string& name, DType dtype, const std::vector<int64_t>& shape) const;
  std::map<std::string, Tensor> tensors_;
  std::string source_ = "run record";
};

}  // namespace plasticore
