#include "substrate/periphery.hpp"

#include "core/config_reader.hpp"

namespace plasticore {

void read_periphery(ConfigReader& r, const std::string& prefix, PeripheryParams& p) {
  p.read_noise = r.get_bool(prefix + "read_noise", true, "device read noise (off for ablations)");
  p.tile_size = static_cast<int>(r.get_int(prefix + "tile_size", 256, 1, 1 << 16, "crossbar core size (tile_size x tile_size)"));
  p.dac_bits = static_cast<int>(r.get_int(prefix + "dac_bits", 7, 0, 24, "input DAC bits; 0 = exact"));
  p.adc_bits = static_cast<int>(r.get_int(prefix + "adc_bits", 9, 0, 24, "output ADC bits; 0 = exact"));
  if (p.dac_bits == 1) r.fail(prefix + "dac_bits", "needs 0 (exact) or at least 2 bits (sign + magnitude)");
  if (p.adc_bits == 1) r.fail(prefix + "adc_bits", "needs 0 (exact) or at least 2 bits (sign + magnitude)");
  p.output_bound = static_cast<Scalar>(r.get_double(prefix + "output_bound", 12.0, 0.0, 1e9,
                                                    "ADC range in units of range x input scale (aihwkit b_out)", true));
  p.output_noise = static_cast<Scalar>(
      r.get_double(prefix + "output_noise", 0.06, 0.0, 1e6, "additive output noise, same units (aihwkit out_noise)"));
}

}  // namespace plasticore
