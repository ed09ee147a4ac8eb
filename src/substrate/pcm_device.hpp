// Statistical PCM device of Nandakumar et al., J. Appl. Phys. 124, 152135 (2018), as coded in
// Demirag et al.'s srnn-pcm (docs/hardware.md, "Models and equations"). Conductances in microsiemens.
//   SET pulse:  P <- P exp(-1/2.6);  dG ~ N(mu, sigma),  mu = -0.084 G + 0.880 + 1.40 P,
//               sigma = 0.091 G + 0.260 + 2.15 P;  G <- clip(G + dG, g_min, g_max)
//               (P = 1 after a RESET: the first pulses after a RESET are larger and noisier)
//   RESET:      G ~ N(0.1, 0.01), P = 1
//   drift:      G(t) = G_p ((t - t_p) / T0)^(-nu), nu = 0.04, T0 = 38.6 s, t_p = the device's last write
//               (no change during the first T0 after a write)
//   read noise: N(0, 0.03 G + 0.13) per read
// | parameter | value | unit |  g_min 0.1, g_max 12 (Demirag's clamp), nominal SET step 0.75 uS (eps_G).
//   program-and-verify: tolerance substrate.verify_tolerance x eps_G (0.5), substrate.program_attempts (5);
//   substrate.programming_error = false (an ablation) lands every write exactly on its target.
#pragma once
#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "substrate/device_params.hpp"

namespace plasticore {

struct PcmDevice {
  explicit PcmDevice(const DeviceParams& c)
      : verify_tolerance_uS(static_cast<float>(c.verify_tolerance_steps) * pulse_step_uS),
        program_attempts(c.program_attempts),
        programming_error(c.programming_error) {}
  static constexpr bool bidirectional = false;  // SET only; conductance goes down only by RESET
  static constexpr bool trainable = true;
  static constexpr bool frozen_read_noise = false;  // fresh read noise on every read
  static constexpr const char* state_name = "pcm_statistical";  // tag of its run-record state
  float history_max() const { return 1; }  // P, 1 after a RESET
  static constexpr float g_min_uS = 0.1f, g_max_uS = 12.0f;
  static constexpr float pulse_step_uS = 0.75f;
  static constexpr double drift_t0_seconds = 38.6;
  static constexpr float drift_nu = 0.04f;
  static constexpr int max_program_pulses = 30;  // SET pulses per attempt
  float verify_tolerance_uS;  // substrate.verify_tolerance x eps_G
  int program_attempts;       // substrate.program_attempts
  bool programming_error;    // substrate.programming_error (false: ablation, every write exact)

  static float set_mean_uS(float g, float history) { return -0.084f * g + 0.880f + 1.40f * history; }
  static float set_sigma_uS(float g, float history) { return 0.091f * g + 0.260f + 2.15f * history; }

  float potentiate(float g, float& history, Rng& rng) const {
    history *= 0.68045064f;  // exp(-1 / 2.6)
    const float dg = set_mean_uS(g, history) + set_sigma_uS(g, history) * static_cast<float>(rng.normal());
    return std::clamp(g + dg, g_min_uS, g_max_uS);
  }
  float depress(float g, float&, Rng&) const { return g; }  // not a PCM operation (see bidirectional)
  float reset(float& history, Rng& rng) const {
    history = 1;
    return std::clamp(0.1f + 0.01f * static_cast<float>(rng.normal()), g_min_uS, g_max_uS);
  }
  // Program-and-verify: from a RESET, SET pulses until G reaches the target within the tolerance (half a
  // nominal step by default); an overshoot beyond it RESETs and tries again (program_attempts times at
  // most; the last attempt stands, however far off).
  float program(float target_uS, float& history, Rng& rng, int64_t& pulses) const {
    if (!programming_error) {  // the ablation: exact, one pulse, the pulse history as after a RESET
      history = 1;
      ++pulses;
      return target_uS;
    }
    float g = 0;
    for (int attempt = 0; attempt < program_attempts; ++attempt) {
      g = reset(history, rng);
      ++pulses;
      for (int n = 0; n < max_program_pulses && g < target_uS - verify_tolerance_uS; ++n, ++pulses) g = potentiate(g, history, rng);
      if (g <= target_uS + verify_tolerance_uS) break;
    }
    return g;
  }
  float drift_exponent(float, Rng&) const { return drift_nu; }
  float drift_factor(double seconds_since_write, float nu) const {
    if (seconds_since_write <= drift_t0_seconds) return 1;
    return std::exp(-nu * std::log(static_cast<float>(seconds_since_write / drift_t0_seconds)));  // float: hot loop
  }
  float read_sigma_uS(float g, double) const { return 0.03f * g + 0.13f; }
};

struct SubstrateEntry;
SubstrateEntry pcm_substrate_entry();  // pcm_device.cpp

}  // namespace plasticore
