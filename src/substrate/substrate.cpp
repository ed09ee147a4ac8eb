#include "substrate/substrate.hpp"

#include "core/error.hpp"

namespace plasticore {

void save_matrix(NamedTensors& out, const std::string& name, const Substrate& substrate) {
  out.put_matrix(name, substrate.weights());
  substrate.save_state(out, "substrate/" + name + "/");
}

Matrix saved_weights(const NamedTensors& in, const std::string& name, int rows, int cols) {
  Matrix w = in.matrix(name, rows, cols);
  if (!w.allFinite()) throw RuntimeError(in.source() + ": " + name + " has a NaN or infinite weight");
  return w;
}

void restore_matrix(const NamedTensors& in, const std::string& name, Substrate& substrate) {
  const Matrix w = saved_weights(in, name, substrate.rows(), substrate.cols());  // checked even when the state is used
  if (substrate.restore_state(in, "substrate/" + name + "/")) return;
  substrate.set_weights(w);
}

}  // namespace plasticore
