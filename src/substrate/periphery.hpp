// The periphery of a crossbar tile, one piece of a device substrate (docs/hardware.md, "Crossbar tile";
// aihwkit's IOParameters): the input DAC, the output ADC with its range (bound management), additive
// output noise, whether devices add read noise, and the tile size. crossbar.hpp implements the reads.
//   key (substrate.*)  default  meaning
//   read_noise         true     device read noise summed over each output line
//   tile_size          256      crossbar core size (tile_size x tile_size); tiles along a row sum digitally
//   dac_bits           7        input DAC bits, sign included; 0 = exact inputs
//   adc_bits           9        output ADC bits; 0 = exact outputs
//   output_bound       12       ADC range in units of range x input scale (aihwkit b_out)
//   output_noise       0.06     additive output noise, same units (aihwkit out_noise)
#pragma once
#include <string>

#include "core/tensor.hpp"

namespace plasticore {

class ConfigReader;

struct PeripheryParams {
  int tile_size = 256;
  int dac_bits = 7;  // 0 = exact
  int adc_bits = 9;  // 0 = exact
  Scalar output_bound = 12;
  Scalar output_noise = 0.06f;
  bool read_noise = true;
};

// The keys above under `prefix` ("substrate." or "substrate.matrices.<name>.").
void read_periphery(ConfigReader& reader, const std::string& prefix, PeripheryParams& params);

}  // namespace plasticore
