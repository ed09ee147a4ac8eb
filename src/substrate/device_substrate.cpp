#include "substrate/device_substrate.hpp"

namespace plasticore {

const std::vector<std::string>& device_update_schemes() {
  static const std::vector<std::string> schemes = {"mixed_precision", "stochastic", "sign", "multi_device"};
  return schemes;
}

// The keys every device kind shares: mapping, update scheme, and the crossbar periphery.
void read_device_update_scheme(ConfigReader& r, SubstrateConfig& c) {
  c.update = r.get_choice("substrate.update", "mixed_precision", device_update_schemes(),
                          "how a requested change becomes pulses (docs/hardware.md, update schemes)");
  c.devices_per_sign = static_cast<int>(r.get_int("substrate.devices_per_sign", c.update == "multi_device" ? 4 : 1, 1, 64,
                                                  "devices per sign of a synapse (multi_device: at least 2)"));
  if (c.update == "multi_device" && c.devices_per_sign < 2)
    r.fail("substrate.devices_per_sign", "update = multi_device needs at least 2 devices per sign");
  if (c.update == "sign")
    c.sign_threshold = r.get_double("substrate.sign_threshold", 0.5, 0.0, 1e6,
                                    "sign scheme: one pulse where |dW| >= threshold x one pulse's change");
  c.seconds_per_update = r.get_double("substrate.seconds_per_update", 38.6, 0.0, 1e9,
                                      "simulated seconds between weight updates (drift, read-noise clock)");
}

void read_crossbar_periphery(ConfigReader& r, SubstrateConfig& c) {
  c.read_noise = r.get_bool("substrate.read_noise", true, "device read noise (off for ablations)");
  c.tile_size = static_cast<int>(r.get_int("substrate.tile_size", 256, 1, 1 << 16, "crossbar core size (tile_size x tile_size)"));
  c.dac_bits = static_cast<int>(r.get_int("substrate.dac_bits", 7, 0, 24, "input DAC bits; 0 = exact"));
  c.adc_bits = static_cast<int>(r.get_int("substrate.adc_bits", 9, 0, 24, "output ADC bits; 0 = exact"));
  if (c.dac_bits == 1) r.fail("substrate.dac_bits", "needs 0 (exact) or at least 2 bits (sign + magnitude)");
  if (c.adc_bits == 1) r.fail("substrate.adc_bits", "needs 0 (exact) or at least 2 bits (sign + magnitude)");
  c.output_bound = r.get_double("substrate.output_bound", 12.0, 0.0, 1e9, "ADC range in units of range x input scale (aihwkit b_out)", true);
  c.output_noise = r.get_double("substrate.output_noise", 0.06, 0.0, 1e6, "additive output noise, same units (aihwkit out_noise)");
}

}  // namespace plasticore
