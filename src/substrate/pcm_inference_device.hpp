// PCM for inference, after aihwkit's PCMLikeNoiseModel (Joshi et al., Nat. Commun. 11:2473, 2020;
// docs/hardware.md, "Models and equations"). Weights are programmed once; conductances in microsiemens,
// g_hat = g / g_max, g_max = 25 uS.
//   programming: g_p = max(g_T + N(0, sigma_prog), 0), sigma_prog = max(-1.1731 g^2 + 1.9650 g + 0.2635, 0)
//                (g = g_hat of the target)
//   drift:       nu = |N(mu_nu, sigma_nu)|, mu_nu = clip(-0.0155 ln g_hat + 0.0244, 0.049, 0.1),
//                sigma_nu = clip(-0.0125 ln g_hat - 0.0059, 0.008, 0.045);
//                g(t) = g_p ((t + t0) / t0)^(-nu), t0 = 20 s, t = seconds since programming
//   read (1/f):  drawn once per inference time t (not on every read): g(t) <- max(g(t) + |g(t)| sigma xi, 0),
//                sigma = Q_s sqrt(ln((t + t0 + t_r) / (2 t_r))), Q_s = min(0.0088 / max(g_p / g_max, 1e-3)^0.65, 0.2)
//                with g_p the programmed conductance and t_r = 250 ns (aihwkit's
//                apply_drift_noise_to_conductance: the time factor includes t0, so there is noise at t = 0)
#pragma once
#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "substrate/device_params.hpp"

namespace plasticore {

struct PcmInferenceDevice {
  explicit PcmInferenceDevice(const DeviceParams&) {}
  static constexpr bool bidirectional = false;
  static constexpr bool trainable = false;  // programmed once: updates are an error
  static constexpr bool frozen_read_noise = true;  // 1/f noise: one draw per inference time
  static constexpr const char* state_name = "pcm_inference";  // tag of its run-record state
  float history_max() const { return 1; }  // unused by this model
  static constexpr float g_min_uS = 0.0f, g_max_uS = 25.0f;
  static constexpr float pulse_step_uS = 0.75f;
  static constexpr double drift_t0_seconds = 20.0, read_time_seconds = 250e-9;

  static float programming_sigma_uS(float g_target) {
    const float g = g_target / g_max_uS;
    return std::max(-1.1731f * g * g + 1.9650f * g + 0.2635f, 0.0f);
  }
  static float drift_mean(float g_target) {
    return std::clamp(-0.0155f * std::log(g_target / g_max_uS) + 0.0244f, 0.049f, 0.1f);
  }
  static float drift_sigma(float g_target) {
    return std::clamp(-0.0125f * std::log(g_target / g_max_uS) - 0.0059f, 0.008f, 0.045f);
  }

  float potentiate(float g, float&, Rng&) const { return g; }
  float depress(float g, float&, Rng&) const { return g; }
  float reset(float&, Rng&) const { return 0; }
  float program(float target_uS, float&, Rng& rng, int64_t& pulses) const {
    ++pulses;  // one program-and-verify write, counted as one pulse
    return std::clamp(target_uS + programming_sigma_uS(target_uS) * static_cast<float>(rng.normal()), g_min_uS, g_max_uS);
  }
  // Drawn from the target conductance: the exponent depends on the programmed state (log of 0 clips).
  float drift_exponent(float g_target, Rng& rng) const {
    return std::abs(drift_mean(g_target) + drift_sigma(g_target) * static_cast<float>(rng.normal()));
  }
  float drift_factor(double seconds_since_write, float nu) const {
    return static_cast<float>(std::pow((seconds_since_write + drift_t0_seconds) / drift_t0_seconds, -nu));
  }
  // The relative 1/f noise accumulated by `seconds_since_write` (multiplies |g(t)| and one normal draw).
  float read_noise_relative(float g_programmed_uS, double seconds_since_write) const {
    const float q = std::min(0.0088f / std::pow(std::max(g_programmed_uS / g_max_uS, 1e-3f), 0.65f), 0.2f);
    const double t = seconds_since_write + drift_t0_seconds;
    return q * static_cast<float>(std::sqrt(std::log((t + read_time_seconds) / (2 * read_time_seconds))));
  }
  float read_sigma_uS(float, double) const { return 0; }  // no per-read device noise (see frozen_read_noise)
};

}  // namespace plasticore
