// The parameters of every substrate kind, as read from the [substrate] section by the kind's reader
// (substrate/registry.hpp); each kind reads only its own keys. Keys, defaults and sources:
// docs/configuration.md (generated from the readers) and docs/hardware.md.
#pragma once
#include <cstdint>
#include <string>

namespace plasticore {

struct SubstrateConfig {
  std::string kind = "ideal";  // a name in substrate_registry()
  uint64_t seed = 1;           // device randomness (the run's seed)
  double range = 1.0;          // |weight| that maps to the full conductance (gain factor), or the quantized range
  // quantized
  int bits = 8;
  std::string rounding = "stochastic";  // deterministic | stochastic
  // device substrates (pcm, memristor)
  std::string mode = "statistical";  // pcm: statistical (Nandakumar 2018, trainable) | inference (aihwkit)
  std::string update = "mixed_precision";  // mixed_precision | stochastic | sign | multi_device
  int devices_per_sign = 1;
  double sign_threshold = 0.5;  // sign: one pulse where |requested change| >= threshold x one pulse's change
  bool refresh = true;          // RESET a saturated pair and re-program its difference
  double refresh_fraction = 0.75;  // a device above this fraction of g_max triggers refresh
  double seconds_per_update = 0;   // simulated time between writes (device kinds: 38.6 s, Demirag et al. 2021)
  bool drift = true;
  bool read_noise = true;
  bool drift_compensation = false;  // inference: global drift compensation of the outputs
  double inference_seconds = 0.0;   // inference: time between programming (set_weights) and the reads
  int levels = 64;                  // memristor: conductance levels
  double nonlinearity = 3.0;        // memristor: curvature of G(level); 0 = linear
  double switching_probability = 0.9;  // memristor: chance that one pulse moves one level
  // crossbar periphery
  int tile_size = 256;
  int dac_bits = 7;  // 0 = exact inputs
  int adc_bits = 9;  // 0 = exact outputs
  double output_bound = 12.0;  // ADC range, in units of `range` x (input scale); aihwkit b_out
  double output_noise = 0.06;  // additive output noise, same units (aihwkit out_noise)
};

}  // namespace plasticore
