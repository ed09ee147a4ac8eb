// The memristor substrate kind (`substrate.kind = "memristor"`): its keys, its builder and the
// DeviceSubstrate instantiation.
#include "substrate/device_substrate_impl.hpp"
#include "substrate/memristor_device.hpp"

namespace plasticore {

template class DeviceSubstrate<MemristorDevice>;

namespace {

void read_memristor(ConfigReader& r, SubstrateConfig& c) {
  c.range = r.get_double("substrate.range", 1.0, 0.0, 1e6, "|weight| at full conductance (set it near the largest trained weight)", true);
  read_device_update_scheme(r, c);
  c.drift = false;  // no drift in this model
  c.levels = static_cast<int>(r.get_int("substrate.levels", 64, 2, 1 << 16, "conductance levels"));
  c.nonlinearity = r.get_double("substrate.nonlinearity", 3.0, 0.0, 50.0, "curvature of G(level); 0 = linear");
  c.switching_probability = r.get_double("substrate.switching_probability", 0.9, 0.0, 1.0, "chance that one pulse moves one level", true);
  read_crossbar_periphery(r, c);
}

}  // namespace

SubstrateEntry memristor_substrate_entry() {
  return {"bounded nonlinear memristor crossbar", read_memristor,
          [](const SubstrateConfig& c, int rows, int cols) -> std::unique_ptr<Substrate> {
            return std::make_unique<DeviceSubstrate<MemristorDevice>>(rows, cols, c, "memristor");
          }};
}

}  // namespace plasticore
