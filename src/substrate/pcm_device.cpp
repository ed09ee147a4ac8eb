// The PCM substrate kind (`substrate.kind = "pcm"`): its keys, its builder (the statistical device for
// training, the inference device with mode = inference) and the DeviceSubstrate instantiations.
#include "substrate/device_substrate_impl.hpp"
#include "substrate/pcm_device.hpp"
#include "substrate/pcm_inference_device.hpp"

namespace plasticore {

template class DeviceSubstrate<PcmDevice>;
template class DeviceSubstrate<PcmInferenceDevice>;

namespace {

void read_pcm(ConfigReader& r, const std::string& p, SubstrateConfig& c) {
  c.device.mode = r.get_choice(p + "mode", "statistical", {"statistical", "inference"},
                               "statistical: trainable (Nandakumar 2018); inference: programmed once, drifting (aihwkit)");
  const bool trainable = c.device.mode == "statistical";
  // In-memory training starts with room for the weights to grow; inference maps max|w| to g_max (aihwkit).
  read_device_pieces(r, p, c, trainable, trainable ? 2.0 : 1.0);
  if (trainable && !c.hardware_in_the_loop.enabled) {
    c.update.refresh = r.get_bool(p + "refresh", true, "RESET a saturated pair and program its difference back");
    if (c.update.refresh)
      c.update.refresh_fraction = r.get_double(p + "refresh_fraction", 0.75, 0.0, 1.0, "a device above this fraction of g_max triggers a refresh", true);
  }
  if (trainable) {
    c.device.verify_tolerance_steps = r.get_double(p + "verify_tolerance", 0.5, 0.0, 10.0,
                                                   "program-and-verify accepts |G - target| up to this x the nominal SET step", true);
    c.device.program_attempts = static_cast<int>(r.get_int(p + "program_attempts", 5, 1, 1000,
                                                           "program-and-verify: RESET-and-retry rounds; the last one stands"));
    c.device.programming_error = r.get_bool(p + "programming_error", true,
                                            "program-and-verify error (false, for ablations: every write lands exactly on "
                                            "its target, counted as one pulse; no real device does)");
  }
  if (!trainable)
    c.device.inference_seconds = r.get_double(p + "inference_seconds", 0.0, 0.0, 1e12, "inference: seconds between programming and the reads");
  c.device.drift = r.get_bool(p + "drift", true, "conductance drift (off for ablations)");
  c.drift_compensation.enabled = r.get_bool(p + "drift_compensation", false, "global drift compensation of the outputs");
  // Its reference is read once, when the matrix is programmed as a whole: during training every later
  // update would change the reading and be scaled away (measured: e-prop sine, in the loop, 36x the NMSE).
  if (c.drift_compensation.enabled && trainable)
    r.fail(p + "drift_compensation", "is for mode = \"inference\" (weights programmed once); during training its "
                                     "reference read would scale away every later update");
}

}  // namespace

SubstrateEntry pcm_substrate_entry() {
  return {"phase-change memory crossbar", read_pcm,
          [](const SubstrateConfig& c, int rows, int cols) -> std::unique_ptr<Substrate> {
            if (c.device.mode == "inference") return std::make_unique<DeviceSubstrate<PcmInferenceDevice>>(rows, cols, c, "pcm");
            return with_training_mode(std::make_unique<DeviceSubstrate<PcmDevice>>(rows, cols, c, "pcm"), c);
          }};
}

}  // namespace plasticore
