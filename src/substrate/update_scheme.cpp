#include "substrate/update_scheme.hpp"

#include "core/config_reader.hpp"
#include "core/error.hpp"

namespace plasticore {

const std::vector<std::string>& update_scheme_names() {
  static const std::vector<std::string> names = {"mixed_precision", "stochastic", "sign", "multi_device"};
  return names;
}

const std::string& update_scheme_name(UpdateScheme scheme) { return update_scheme_names()[static_cast<size_t>(scheme)]; }

UpdateScheme update_scheme_from_name(const std::string& name) {
  const auto& names = update_scheme_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) throw RuntimeError("unknown substrate update scheme " + name);
  return static_cast<UpdateScheme>(it - names.begin());
}

void read_update_scheme(ConfigReader& r, const std::string& prefix, UpdateSchemeParams& p) {
  const std::string name = r.get_choice(prefix + "update", "mixed_precision", update_scheme_names(),
                                        "how a requested change becomes pulses (docs/hardware.md, update schemes)");
  p.scheme = update_scheme_from_name(name);
  const bool multi = p.scheme == UpdateScheme::multi_device;
  p.devices_per_sign = static_cast<int>(r.get_int(prefix + "devices_per_sign", multi ? 4 : 1, 1, 64,
                                                  "devices per sign of a synapse (multi_device: at least 2)"));
  if (multi && p.devices_per_sign < 2)
    r.fail(prefix + "devices_per_sign", "update = multi_device needs at least 2 devices per sign");
  if (p.scheme == UpdateScheme::sign)
    p.sign_threshold = r.get_double(prefix + "sign_threshold", 0.5, 0.0, 1e6,
                                    "sign scheme: one pulse where |dW| >= threshold x one pulse's change");
  p.seconds_per_update = r.get_double(prefix + "seconds_per_update", 38.6, 0.0, 1e9,
                                      "simulated seconds between weight updates (drift, read-noise clock)");
}

}  // namespace plasticore
