#include "train/substrate_config_reader.hpp"

#include "core/error.hpp"

namespace plasticore {

SubstrateConfig read_substrate_config(ConfigReader& r, uint64_t seed) {
  SubstrateConfig c;
  c.seed = seed;
  c.kind = r.get_string("substrate.kind", "ideal", {"ideal", "quantized", "pcm", "memristor"});
  c.range = r.get_double("substrate.range", 1.0, 0.0, 1e6, true);
  c.bits = static_cast<int>(r.get_int("substrate.bits", 8, 1, 8));
  c.rounding = r.get_string("substrate.rounding", "stochastic", {"deterministic", "stochastic"});
  c.mode = r.get_string("substrate.mode", "statistical", {"statistical", "inference"});
  c.update = r.get_string("substrate.update", "mixed_precision", {"mixed_precision", "stochastic", "sign", "multi_device"});
  c.devices_per_sign = static_cast<int>(r.get_int("substrate.devices_per_sign", c.update == "multi_device" ? 4 : 1, 1, 64));
  if (c.update == "multi_device" && c.devices_per_sign < 2)
    throw UsageError(r.origin("substrate.devices_per_sign") + ": update = multi_device needs at least 2 devices per sign");
  c.sign_threshold = r.get_double("substrate.sign_threshold", 0.5, 0.0, 1e6);
  c.refresh = r.get_bool("substrate.refresh", true);
  c.refresh_fraction = r.get_double("substrate.refresh_fraction", 0.75, 0.0, 1.0, true);
  c.seconds_per_update = r.get_double("substrate.seconds_per_update", 38.6, 0.0, 1e9);
  c.drift = r.get_bool("substrate.drift", true);
  c.read_noise = r.get_bool("substrate.read_noise", true);
  c.drift_compensation = r.get_bool("substrate.drift_compensation", false);
  c.inference_seconds = r.get_double("substrate.inference_seconds", 0.0, 0.0, 1e12);
  c.levels = static_cast<int>(r.get_int("substrate.levels", 64, 2, 1 << 16));
  c.nonlinearity = r.get_double("substrate.nonlinearity", 3.0, 0.0, 50.0);
  c.switching_probability = r.get_double("substrate.switching_probability", 0.9, 0.0, 1.0, true);
  c.tile_size = static_cast<int>(r.get_int("substrate.tile_size", 256, 1, 1 << 16));
  c.dac_bits = static_cast<int>(r.get_int("substrate.dac_bits", 7, 0, 24));
  c.adc_bits = static_cast<int>(r.get_int("substrate.adc_bits", 9, 0, 24));
  if (c.dac_bits == 1) throw UsageError(r.origin("substrate.dac_bits") + ": needs 0 (exact) or at least 2 bits (sign + magnitude)");
  if (c.adc_bits == 1) throw UsageError(r.origin("substrate.adc_bits") + ": needs 0 (exact) or at least 2 bits (sign + magnitude)");
  c.output_bound = r.get_double("substrate.output_bound", 12.0, 0.0, 1e9, true);
  c.output_noise = r.get_double("substrate.output_noise", 0.06, 0.0, 1e6);
  if (c.kind == "memristor" && c.mode == "inference")
    throw UsageError(r.origin("substrate.mode") + ": inference mode is a PCM model; the memristor has no inference mode");
  return c;
}

toml::table substrate_toml(const SubstrateConfig& c) {
  return toml::table{{"kind", c.kind},
                     {"range", c.range},
                     {"bits", c.bits},
                     {"rounding", c.rounding},
                     {"mode", c.mode},
                     {"update", c.update},
                     {"devices_per_sign", c.devices_per_sign},
                     {"sign_threshold", c.sign_threshold},
                     {"refresh", c.refresh},
                     {"refresh_fraction", c.refresh_fraction},
                     {"seconds_per_update", c.seconds_per_update},
                     {"drift", c.drift},
                     {"read_noise", c.read_noise},
                     {"drift_compensation", c.drift_compensation},
                     {"inference_seconds", c.inference_seconds},
                     {"levels", c.levels},
                     {"nonlinearity", c.nonlinearity},
                     {"switching_probability", c.switching_probability},
                     {"tile_size", c.tile_size},
                     {"dac_bits", c.dac_bits},
                     {"adc_bits", c.adc_bits},
                     {"output_bound", c.output_bound},
                     {"output_noise", c.output_noise}};
}

}  // namespace plasticore
