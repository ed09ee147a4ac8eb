// How a device substrate turns a requested weight change into programming pulses, one piece of a device
// substrate (docs/hardware.md, "Update schemes"). eps = the weight change of one nominal pulse on one
// device, cap = the most pulses one write may ask for. Each scheme is a type with one static function,
// so DeviceSubstrate's per-synapse loop is instantiated per scheme (no branch or virtual call per synapse).
//   mixed_precision  chi += dW; n = trunc(chi / eps); chi -= n eps   (digital accumulator; Nandakumar 2020)
//   stochastic       n = floor(|dW| / eps) + Bernoulli(frac), signed (unbiased)
//   sign             one pulse of sign(dW) where |dW| >= sign_threshold eps (Demirag et al. 2021)
//   multi_device     n = trunc(dW / eps)   (Demirag's multi-mem: with N devices eps is 1/N of a weight step)
//   key (substrate.*)   default                     meaning
//   update              mixed_precision             the scheme above
//   devices_per_sign    1 (multi_device: 4)         N devices per sign of a synapse; pulses go round-robin
//   sign_threshold      0.5                         sign: the fraction of eps a request must reach
//   refresh             true (pcm)                  RESET a saturated pair and program its difference back
//   refresh_fraction    0.75                        a device above this fraction of g_max triggers refresh
//   seconds_per_update  38.6                        simulated seconds between two writes (drift clock)
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "core/tensor.hpp"

namespace plasticore {

class ConfigReader;

enum class UpdateScheme { mixed_precision, stochastic, sign, multi_device };

struct UpdateSchemeParams {
  UpdateScheme scheme = UpdateScheme::mixed_precision;
  int devices_per_sign = 1;
  double sign_threshold = 0.5;
  bool refresh = true;
  double refresh_fraction = 0.75;
  double seconds_per_update = 0;
};

const std::vector<std::string>& update_scheme_names();  // in the order of the enum
const std::string& update_scheme_name(UpdateScheme scheme);
UpdateScheme update_scheme_from_name(const std::string& name);  // RuntimeError for an unknown name
// substrate.update and the keys it needs, under `prefix`.
void read_update_scheme(ConfigReader& reader, const std::string& prefix, UpdateSchemeParams& params);

// The pulse rules: signed pulses for a requested change d; chi is the synapse's accumulator.
struct MixedPrecisionPulses {
  static int pulses(Scalar d, Scalar& chi, Scalar eps, Scalar cap, Scalar, Rng&) {
    chi = std::clamp(chi + d, -cap * eps, cap * eps);  // a finite digital accumulator saturates
    const int n = static_cast<int>(chi / eps);          // toward zero: the remainder keeps its sign
    chi -= static_cast<Scalar>(n) * eps;
    return n;
  }
};
struct StochasticPulses {
  static int pulses(Scalar d, Scalar&, Scalar eps, Scalar cap, Scalar, Rng& rng) {
    const Scalar q = std::min(std::abs(d) / eps, cap), whole = std::floor(q);
    const int n = static_cast<int>(whole) + (rng.uniform() < q - whole ? 1 : 0);
    return d < 0 ? -n : n;
  }
};
struct SignPulses {
  static int pulses(Scalar d, Scalar&, Scalar eps, Scalar, Scalar threshold, Rng&) {
    if (d == 0 || std::abs(d) < threshold * eps) return 0;
    return d > 0 ? 1 : -1;
  }
};
struct MultiDevicePulses {
  static int pulses(Scalar d, Scalar&, Scalar eps, Scalar cap, Scalar, Rng&) {
    return static_cast<int>(std::clamp(d / eps, -cap, cap));
  }
};

}  // namespace plasticore
