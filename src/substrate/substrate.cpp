#include "substrate/substrate.hpp"

namespace plasticore {

void save_matrix(NamedTensors& out, const std::string& name, const Substrate& substrate) {
  out.put_matrix(name, substrate.weights());
  substrate.save_state(out, "substrate/" + name + "/");
}

void restore_matrix(const NamedTensors& in, const std::string& name, Substrate& substrate) {
  if (substrate.restore_state(in, "substrate/" + name + "/")) return;
  substrate.set_weights(in.matrix(name, substrate.rows(), substrate.cols()));
}

}  // namespace plasticore
