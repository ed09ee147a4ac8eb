// The PCM substrate kind (`substrate.kind = "pcm"`): its keys, its builder (the statistical device for
// training, the inference device with mode = inference) and the DeviceSubstrate instantiations.
#include "substrate/device_substrate_impl.hpp"
#include "substrate/pcm_device.hpp"
#include "substrate/pcm_inference_device.hpp"

namespace plasticore {

template class DeviceSubstrate<PcmDevice>;
template class DeviceSubstrate<PcmInferenceDevice>;

namespace {

void read_pcm(ConfigReader& r, SubstrateConfig& c) {
  c.mode = r.get_choice("substrate.mode", "statistical", {"statistical", "inference"},
                        "statistical: trainable (Nandakumar 2018); inference: programmed once, drifting (aihwkit)");
  if (c.mode == "statistical") {
    c.range = r.get_double("substrate.range", 1.0, 0.0, 1e6, "|weight| at full conductance (set it near the largest trained weight)", true);
    read_device_update_scheme(r, c);
    c.refresh = r.get_bool("substrate.refresh", true, "RESET a saturated pair and program its difference back");
    if (c.refresh)
      c.refresh_fraction = r.get_double("substrate.refresh_fraction", 0.75, 0.0, 1.0, "a device above this fraction of g_max triggers a refresh", true);
  } else {
    c.devices_per_sign = static_cast<int>(r.get_int("substrate.devices_per_sign", 1, 1, 64, "devices per sign of a synapse"));
    c.inference_seconds = r.get_double("substrate.inference_seconds", 0.0, 0.0, 1e12, "inference: seconds between programming and the reads");
  }
  c.drift = r.get_bool("substrate.drift", true, "conductance drift (off for ablations)");
  c.drift_compensation = r.get_bool("substrate.drift_compensation", false, "global drift compensation of the outputs");
  read_crossbar_periphery(r, c);
}

}  // namespace

SubstrateEntry pcm_substrate_entry() {
  return {"phase-change memory crossbar", read_pcm,
          [](const SubstrateConfig& c, int rows, int cols) -> std::unique_ptr<Substrate> {
            if (c.mode == "inference") return std::make_unique<DeviceSubstrate<PcmInferenceDevice>>(rows, cols, c, "pcm");
            return std::make_unique<DeviceSubstrate<PcmDevice>>(rows, cols, c, "pcm");
          }};
}

}  // namespace plasticore
