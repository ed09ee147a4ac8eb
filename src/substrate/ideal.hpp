// Ideal fp32 substrate: exact weights, exact matrix products. The reference every device model is
// compared against.
#pragma once
#include "substrate/substrate.hpp"

namespace plasticore {

class IdealSubstrate final : public Substrate {
 public:
  IdealSubstrate(int rows, int cols) : w_(Matrix::Zero(rows, cols)) {}
  std::string kind() const override { return "ideal"; }
  int rows() const override { return static_cast<int>(w_.rows()); }
  int cols() const override { return static_cast<int>(w_.cols()); }
  void forward(const Matrix& x, Matrix& y) const override { y.noalias() = w_ * x; }
  void forward_events(std::span<const int32_t> active, Scalar* y) const override;
  void backward(const Matrix& y, Matrix& x) const override { x.noalias() = w_.transpose() * y; }
  void backward_events(std::span<const int32_t> active, Scalar* x) const override;
  UpdateStats update(const Matrix& delta) override;
  void advance(double) override {}
  const Matrix& weights() const override { return w_; }
  void set_weights(const Matrix& w) override;

 private:
  Matrix w_;
};

}  // namespace plasticore
