#include "substrate/device_substrate.hpp"

#include "substrate/hardware_in_the_loop.hpp"

namespace plasticore {

// The keys every device kind shares: mapping, training mode (update scheme or reprogramming policy),
// devices per sign, the write clock, and the crossbar periphery.
void read_device_pieces(ConfigReader& r, const std::string& p, SubstrateConfig& c, bool trainable, double default_headroom) {
  if (trainable) {
    read_hardware_in_the_loop(r, p, c.hardware_in_the_loop, ReprogramPolicy::threshold);
    if (c.hardware_in_the_loop.enabled) default_headroom = 1.25;  // re-mapped as the weights grow
  }
  // Hardware in the loop clips at 3 rms (chosen on pattern generation, docs/hardware.md): the bulk of the
  // weights gets finer steps; the master copy keeps the outliers exact.
  read_weight_mapping(r, p, c.mapping, default_headroom, c.hardware_in_the_loop.enabled ? 3.0 : 0.0);
  if (trainable && !c.hardware_in_the_loop.enabled) {
    read_update_scheme(r, p, c.update);
  } else {
    c.update.devices_per_sign = static_cast<int>(r.get_int(p + "devices_per_sign", 1, 1, 64, "devices per sign of a synapse"));
    if (trainable)
      c.update.seconds_per_update = r.get_double(p + "seconds_per_update", 38.6, 0.0, 1e9,
                                                 "simulated seconds between weight updates (drift, read-noise clock)");
  }
  read_periphery(r, p, c.periphery);
}

std::unique_ptr<Substrate> with_training_mode(std::unique_ptr<Substrate> chip, const SubstrateConfig& config) {
  if (!config.hardware_in_the_loop.enabled) return chip;
  return std::make_unique<HardwareInTheLoop>(std::move(chip), config.hardware_in_the_loop, config.mapping);
}

}  // namespace plasticore
