#include "train/conductance_file.hpp"

#include "core/atomic_file.hpp"
#include "io/npz.hpp"

namespace plasticore {

void write_conductances(const std::string& path, const Substrate& substrate) {
  const std::vector<float> g = substrate.conductances_uS();
  if (g.empty()) return;
  NamedTensors t;
  t.put_vector("g", g);
  write_file_atomic(path, npy_bytes(t.at("g")));
}

}  // namespace plasticore
