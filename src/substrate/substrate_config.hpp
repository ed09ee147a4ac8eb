// The parameters of a substrate, composed of its pieces' parameter structs (each in the piece's own
// file), as read from a [substrate] section (or one [substrate.matrices.<name>] table) by the kind's
// reader (substrate/registry.hpp); each kind reads only the keys of the pieces it has. Keys, defaults
// and sources: docs/configuration.md (generated from the readers) and docs/hardware.md.
#pragma once
#include <cstdint>
#include <string>

#include "substrate/device_params.hpp"
#include "substrate/drift_compensation.hpp"
#include "substrate/hardware_in_the_loop.hpp"
#include "substrate/periphery.hpp"
#include "substrate/update_scheme.hpp"
#include "substrate/weight_mapping.hpp"

namespace plasticore {

// The quantized substrate's (quantized.hpp).
struct QuantizedParams {
  int bits = 8;
  std::string rounding = "stochastic";  // deterministic | stochastic
};

struct SubstrateConfig {
  std::string kind = "ideal";  // a name in substrate_registry()
  uint64_t seed = 1;           // device randomness (the run's seed)
  WeightMappingParams mapping;
  QuantizedParams quantized;
  DeviceParams device;
  UpdateSchemeParams update;
  PeripheryParams periphery;
  DriftCompensationParams drift_compensation;
  HardwareInTheLoopParams hardware_in_the_loop;
};

}  // namespace plasticore
