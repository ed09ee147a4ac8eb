// The memristor substrate kind (`substrate.kind = "memristor"`): its keys, its builder and the
// DeviceSubstrate instantiation.
#include "substrate/device_substrate_impl.hpp"
#include "substrate/memristor_device.hpp"

namespace plasticore {

template class DeviceSubstrate<MemristorDevice>;

namespace {

void read_memristor(ConfigReader& r, const std::string& p, SubstrateConfig& c) {
  read_device_pieces(r, p, c, /*trainable=*/true, /*default_headroom=*/2.0);
  c.device.drift = false;  // no drift in this model
  c.device.levels = static_cast<int>(r.get_int(p + "levels", 64, 2, 1 << 16, "conductance levels"));
  c.device.nonlinearity = r.get_double(p + "nonlinearity", 3.0, 0.0, 50.0, "curvature of G(level); 0 = linear");
  c.device.switching_probability =
      r.get_double(p + "switching_probability", 0.9, 0.0, 1.0, "chance that one pulse moves one level", true);
}

}  // namespace

SubstrateEntry memristor_substrate_entry() {
  return {"bounded nonlinear memristor crossbar", read_memristor,
          [](const SubstrateConfig& c, int rows, int cols) -> std::unique_ptr<Substrate> {
            return with_training_mode(std::make_unique<DeviceSubstrate<MemristorDevice>>(rows, cols, c, "memristor"), c);
          }};
}

}  // namespace plasticore
