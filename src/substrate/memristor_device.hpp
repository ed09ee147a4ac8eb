// Bounded, nonlinear, noisy memristor (filamentary RRAM-like) with a finite number of conductance
// levels, in the style of NeuroSim's nonlinear device (Chen et al., IEEE TCAD 37:3067, 2018):
//   G(n) = g_min + (g_max - g_min) (1 - exp(-a n / (L - 1))) / (1 - exp(-a)),  n = 0 .. L - 1
//   (a = nonlinearity; a -> 0 is linear). A potentiating (depressing) pulse moves the level up (down)
//   by one with probability p_switch (stochastic filament switching) and is clipped at the bounds;
//   RESET: n = 0. No drift. Read noise: N(0, 0.02 G) per read.
// | parameter | default | unit |  g_min 1 uS, g_max 100 uS, L = substrate.levels (64),
//   a = substrate.nonlinearity (3), p_switch = substrate.switching_probability (0.9).
// The level is kept in the device's history slot, so the conductance is always exactly on a level.
#pragma once
#include <algorithm>
#include <cmath>

#include "core/rng.hpp"
#include "substrate/device_params.hpp"

namespace plasticore {

struct MemristorDevice {
  static constexpr bool bidirectional = true;
  static constexpr bool trainable = true;
  static constexpr bool frozen_read_noise = false;  // fresh read noise on every read
  static constexpr const char* state_name = "memristor";  // tag of its run-record state
  float history_max() const { return static_cast<float>(levels - 1); }  // the level
  static constexpr float g_min_uS = 1.0f, g_max_uS = 100.0f;
  static constexpr float read_noise_fraction = 0.02f;

  explicit MemristorDevice(const DeviceParams& c)
      : levels(c.levels), nonlinearity(static_cast<float>(c.nonlinearity)),
        switching_probability(static_cast<float>(c.switching_probability)),
        pulse_step_uS((g_max_uS - g_min_uS) / static_cast<float>(c.levels - 1)) {}

  int levels;
  float nonlinearity, switching_probability;
  float pulse_step_uS;  // mean step over the whole range

  float conductance_uS(int n) const {
    const float x = static_cast<float>(n) / static_cast<float>(levels - 1);
    if (nonlinearity < 1e-6f) return g_min_uS + (g_max_uS - g_min_uS) * x;
    return g_min_uS + (g_max_uS - g_min_uS) * (1 - std::exp(-nonlinearity * x)) / (1 - std::exp(-nonlinearity));
  }
  int nearest_level(float g) const {
    int best = 0;
    for (int n = 1; n < levels; ++n)
      if (std::abs(conductance_uS(n) - g) < std::abs(conductance_uS(best) - g)) best = n;
    return best;
  }
  float step(float& level, int direction, Rng& rng) const {
    if (rng.uniform() < switching_probability)
      level = static_cast<float>(std::clamp(static_cast<int>(level) + direction, 0, levels - 1));
    return conductance_uS(static_cast<int>(level));
  }
  float potentiate(float, float& level, Rng& rng) const { return step(level, +1, rng); }
  float depress(float, float& level, Rng& rng) const { return step(level, -1, rng); }
  float reset(float& level, Rng&) const {
    level = 0;
    return g_min_uS;
  }
  // Program-and-verify to the nearest level (one pulse per level moved from a RESET).
  float program(float target_uS, float& level, Rng&, int64_t& pulses) const {
    const int n = nearest_level(target_uS);
    level = static_cast<float>(n);
    pulses += 1 + n;
    return conductance_uS(n);
  }
  float drift_exponent(float, Rng&) const { return 0; }
  float drift_factor(double, float) const { return 1; }
  float read_sigma_uS(float g, double) const { return read_noise_fraction * g; }
};

struct SubstrateEntry;
SubstrateEntry memristor_substrate_entry();  // memristor_device.cpp

}  // namespace plasticore
