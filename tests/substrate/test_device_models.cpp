// Device models against their equations, by Monte Carlo: PCM SET-pulse means and spreads (Nandakumar
// 2018) and the pulse-history effect, the PCM drift law through the substrate, aihwkit inference
// drift exponents and programming noise, read-noise variance through a crossbar read, memristor
// levels and switching probability, quantized levels and unbiased stochastic rounding, pulse counts
// of the update schemes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "substrate/device_substrate.hpp"
#include "substrate/memristor_device.hpp"
#include "substrate/pcm_device.hpp"
#include "substrate/pcm_inference_device.hpp"
#include "substrate/quantized.hpp"

namespace plasticore {
namespace {

struct Moments {
  double mean = 0, sd = 0;
};
template <class F>
Moments sample(int n, F draw) {
  double s = 0, s2 = 0;
  for (int k = 0; k < n; ++k) {
    const double v = draw(k);
    s += v;
    s2 += v * v;
  }
  const double m = s / n;
  return {m, std::sqrt(s2 / n - m * m)};
}

SubstrateConfig quiet_device(const std::string& kind) {
  SubstrateConfig c;
  c.kind = kind;
  c.periphery.read_noise = false;
  c.periphery.output_noise = 0;
  c.periphery.dac_bits = c.periphery.adc_bits = 0;
  c.update.refresh = false;
  return c;
}

TEST(PcmDevice, SetPulseMeanAndSpreadFollowNandakumar) {
  const PcmDevice d{DeviceParams{}};
  Rng rng(1, "pcm_mc");
  const int n = 200000;
  for (const float g : {2.0f, 5.0f}) {
    // P = 0: a long time since RESET; the clip at g_min/g_max is > 6 sigma away.
    const Moments m = sample(n, [&](int) { float p = 0; return d.potentiate(g, p, rng) - g; });
    const double mu = -0.084 * g + 0.880, sigma = 0.091 * g + 0.260;
    EXPECT_NEAR(m.mean, mu, 5 * sigma / std::sqrt(n)) << "G = " << g;
    EXPECT_NEAR(m.sd, sigma, 5 * sigma / std::sqrt(2.0 * n)) << "G = " << g;
  }
  // Right after a RESET (P = 1 -> e^(-1/2.6) before the pulse) the step is larger and noisier.
  const float g = 6.0f;
  const Moments m = sample(n, [&](int) { float p = 1; return d.potentiate(g, p, rng) - g; });
  const double p = std::exp(-1 / 2.6), mu = -0.084 * g + 0.880 + 1.40 * p, sigma = 0.091 * g + 0.260 + 2.15 * p;
  const double z = (PcmDevice::g_max_uS - g - mu) / sigma;  // clipping at g_max: check in the unclipped limit
  ASSERT_GT(z, 1.0);
  EXPECT_NEAR(m.mean, mu, 0.15 * sigma);  // clipped tails shift the mean slightly down
  EXPECT_GT(m.sd, 0.8 * sigma);
}

TEST(PcmDevice, ResetDistribution) {
  const PcmDevice d{DeviceParams{}};
  Rng rng(2, "pcm_mc");
  const Moments m = sample(100000, [&](int) { float p = 0; return d.reset(p, rng); });
  // N(0.1, 0.01) clipped from below at g_min = 0.1: mean 0.1 + 0.01 / sqrt(2 pi), sd 0.01 sqrt(1/2 - 1/(2 pi))
  EXPECT_NEAR(m.mean, 0.1 + 0.01 / std::sqrt(2 * M_PI), 1e-4);
  EXPECT_NEAR(m.sd, 0.01 * std::sqrt(0.5 - 0.5 / M_PI), 1e-4);
}

// Program-and-verify: a write that ends within the tolerance stays there; with enough attempts nearly
// every write does, and a tighter tolerance costs more pulses. Targets below where SET saturates (~10 uS).
TEST(PcmDevice, ProgramAndVerifyLandsWithinItsToleranceGivenEnoughAttempts) {
  struct Outcome { double within, pulses_per_write; };
  const auto program_many = [](double tolerance_steps, int attempts) {
    DeviceParams params;
    params.verify_tolerance_steps = tolerance_steps;
    params.program_attempts = attempts;
    const PcmDevice d{params};
    Rng rng(3, "pcm_verify");
    int within = 0;
    int64_t pulses = 0;
    const int writes = 20000;
    for (int i = 0; i < writes; ++i) {
      const float target = 0.5f + 7.5f * static_cast<float>(i) / writes;
      float history = 1;
      const float g = d.program(target, history, rng, pulses);
      within += std::abs(g - target) <= tolerance_steps * PcmDevice::pulse_step_uS + 1e-6;
    }
    return Outcome{static_cast<double>(within) / writes, static_cast<double>(pulses) / writes};
  };
  const Outcome few = program_many(0.5, 5), many = program_many(0.5, 20), tight = program_many(0.25, 50);
  EXPECT_LT(few.within, 0.99);   // the first SET after a RESET often overshoots: 5 rounds leave misses
  EXPECT_GT(many.within, 0.995);
  EXPECT_GT(tight.within, 0.99);
  EXPECT_GT(tight.pulses_per_write, 1.3 * many.pulses_per_write);
}

// The ablation substrate.programming_error = false: every write lands on its target, one pulse each, and
// draws nothing (the random stream after it is the one a write never touched).
TEST(PcmDevice, WithoutProgrammingErrorEveryWriteIsExact) {
  DeviceParams params;
  params.programming_error = false;
  const PcmDevice d{params};
  Rng rng(3, "pcm_exact"), untouched(3, "pcm_exact");
  int64_t pulses = 0;
  for (const float target : {0.1f, 0.35f, 4.2f, 11.9f, 12.0f}) {
    float history = 0.2f;
    EXPECT_EQ(d.program(target, history, rng, pulses), target);
    EXPECT_EQ(history, 1.0f);
  }
  EXPECT_EQ(pulses, 5);
  EXPECT_EQ(rng.normal(), untouched.normal());
}

TEST(PcmSubstrate, DriftLawScalesEveryWeightByTheSameFactor) {
  SubstrateConfig c = quiet_device("pcm");
  DeviceSubstrate<PcmDevice> s(4, 5, c, "pcm");
  Rng rng(3, "w");
  Matrix w(4, 5);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.uniform() - 0.5f;
  s.set_weights(w);
  const Matrix w0 = s.weights();
  s.advance(10.0);  // within T0 = 38.6 s of the write: no drift yet
  EXPECT_EQ(s.weights(), w0);
  for (const double t : {60.0, 3600.0, 86400.0}) {
    s.advance(t - s.now_seconds());
    const double factor = std::pow(t / 38.6, -0.04);
    for (Eigen::Index i = 0; i < w.size(); ++i)
      EXPECT_NEAR(s.weights().data()[i], factor * w0.data()[i], 1e-5 * std::abs(w0.data()[i]) + 1e-7) << "t = " << t;
  }
}

TEST(PcmInference, DriftExponentsAndProgrammingNoiseFollowAihwkit) {
  SubstrateConfig c = quiet_device("pcm");
  c.device.mode = "inference";
  c.mapping.headroom = 1;  // as pcm's reader sets it for mode = inference
  const int n = 20000;
  Matrix w = Matrix::Constant(1, n + 1, 0.5f);
  w(0, n) = 1.0f;  // inference mode maps the largest |w| to g_max: the others get g_T = 12.5 uS on G+, 0 on G-
  DeviceSubstrate<PcmInferenceDevice> s(1, n + 1, c, "pcm");
  s.set_weights(w);
  const float g_t = 0.5f * 25.0f;
  const Moments prog = sample(n, [&](int k) { return s.conductance_uS(0, 0, k); });
  EXPECT_NEAR(prog.mean, g_t, 5 * PcmInferenceDevice::programming_sigma_uS(g_t) / std::sqrt(n));
  EXPECT_NEAR(prog.sd, PcmInferenceDevice::programming_sigma_uS(g_t), 0.03 * PcmInferenceDevice::programming_sigma_uS(g_t));
  std::vector<float> g0(n);
  for (int k = 0; k < n; ++k) g0[static_cast<size_t>(k)] = s.conductance_uS(0, 0, k);
  const double t = 86400;
  s.advance(t);
  const double log_time = std::log((t + 20.0) / 20.0);
  const Moments nu = sample(n, [&](int k) { return -std::log(s.conductance_uS(0, 0, k) / g0[static_cast<size_t>(k)]) / log_time; });
  // nu = |N(mu, sigma)| drawn from each device's programmed conductance (|.| negligible: mu / sigma > 2)
  double mu = 0, sd = 0;
  for (int k = 0; k < n; ++k) {
    mu += PcmInferenceDevice::drift_mean(g0[static_cast<size_t>(k)]);
    sd += PcmInferenceDevice::drift_sigma(g0[static_cast<size_t>(k)]);
  }
  mu /= n;
  sd /= n;
  EXPECT_NEAR(nu.mean, mu, 5 * sd / std::sqrt(n) + 0.002);
  EXPECT_NEAR(nu.sd, sd, 0.1 * sd);
}

// aihwkit's apply_drift_noise_to_conductance: one draw per inference time, relative to |g(t)|, its size
// from the programmed conductance and t + t0 (so there is noise at t = 0).
TEST(PcmInference, OneOverFReadNoiseIsDrawnOncePerInferenceTime) {
  SubstrateConfig quiet = quiet_device("pcm");
  quiet.device.mode = "inference";
  quiet.mapping.headroom = 1;
  SubstrateConfig noisy = quiet;
  noisy.periphery.read_noise = true;
  const int n = 20000;
  Matrix w = Matrix::Constant(1, n + 1, 0.5f);
  w(0, n) = 1.0f;
  DeviceSubstrate<PcmInferenceDevice> a(1, n + 1, quiet, "pcm"), b(1, n + 1, noisy, "pcm");
  a.set_weights(w);
  b.set_weights(w);  // the same programming and drift streams: a holds b's conductances without the 1/f noise
  const PcmInferenceDevice device{DeviceParams{}};
  std::vector<float> g_p(n);  // the programmed conductances (quiet, at t = 0)
  for (int k = 0; k < n; ++k) g_p[static_cast<size_t>(k)] = a.conductance_uS(0, 0, k);
  for (const double t : {0.0, 86400.0}) {
    if (t > 0) {
      a.advance(t);
      b.advance(t);
    }
    double want = 0;
    for (int k = 0; k < n; ++k) want += device.read_noise_relative(g_p[static_cast<size_t>(k)], t) / n;
    const Moments rel = sample(n, [&](int k) {
      const float g = a.conductance_uS(0, 0, k);
      return (b.conductance_uS(0, 0, k) - g) / g;
    });
    EXPECT_NEAR(rel.mean, 0, 5 * want / std::sqrt(n)) << "t = " << t;
    EXPECT_NEAR(rel.sd, want, 0.05 * want) << "t = " << t;
    EXPECT_GT(rel.sd, 0.01) << "t = " << t;  // the t0 term: noise already at t = 0
  }
  Matrix x = Matrix::Ones(n + 1, 1), y1, y2;
  b.forward(x, y1);
  b.forward(x, y2);
  EXPECT_EQ(y1, y2);  // no fresh device noise per read (quiet periphery: no output noise either)
  const float before = b.conductance_uS(0, 0, 7);
  b.advance(1.0);
  EXPECT_NE(b.conductance_uS(0, 0, 7), before);  // a new inference time, a new draw
}

// Global drift compensation from noisy all-ones reads brings a month-old array's outputs back to their
// programmed size.
TEST(PcmInference, DriftCompensationFromNoisyReadsRestoresTheOutputScale) {
  SubstrateConfig c;
  c.kind = "pcm";
  c.device.mode = "inference";
  c.mapping.headroom = 1;
  SubstrateConfig compensated = c;
  compensated.drift_compensation.enabled = true;
  Rng rng(3, "compensation_test");
  Matrix w(64, 128);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = 0.1f + 0.05f * static_cast<float>(rng.normal());
  DeviceSubstrate<PcmInferenceDevice> plain(64, 128, c, "pcm"), fixed(64, 128, compensated, "pcm");
  plain.set_weights(w);
  fixed.set_weights(w);
  Matrix x = Matrix::Ones(128, 1), y0, y_plain, y_fixed;
  fixed.forward(x, y0);
  plain.advance(30 * 86400.0);
  fixed.advance(30 * 86400.0);
  plain.forward(x, y_plain);
  fixed.forward(x, y_fixed);
  const double m0 = y0.cwiseAbs().mean();
  EXPECT_LT(y_plain.cwiseAbs().mean() / m0, 0.8);  // drift shrinks the outputs
  EXPECT_NEAR(y_fixed.cwiseAbs().mean() / m0, 1.0, 0.05);
}

TEST(PcmSubstrate, ReadNoiseVarianceOfOneSynapse) {
  SubstrateConfig c = quiet_device("pcm");
  c.periphery.read_noise = true;
  c.mapping.automatic = false, c.mapping.range = 2.0;
  DeviceSubstrate<PcmDevice> s(1, 1, c, "pcm");
  s.set_weights(Matrix::Constant(1, 1, 0.8f));
  const double gp = s.conductance_uS(0, 0, 0), gm = s.conductance_uS(1, 0, 0);
  const double span = PcmDevice::g_max_uS - PcmDevice::g_min_uS;
  const double sp = 0.03 * gp + 0.13, sm = 0.03 * gm + 0.13;
  const double want_sd = c.mapping.range * std::sqrt(sp * sp + sm * sm) / span;
  const int n = 40000;
  Matrix x(1, 1), y;
  const Moments m = sample(n, [&](int k) {
    x(0, 0) = 1.0f + 1e-6f * static_cast<float>(k);  // distinct inputs draw independent read noise
    s.forward(x, y);
    return y(0, 0) / x(0, 0);
  });
  EXPECT_NEAR(m.mean, s.weights()(0, 0), 5 * want_sd / std::sqrt(n));
  EXPECT_NEAR(m.sd, want_sd, 0.03 * want_sd);
}

TEST(Memristor, ConductanceStaysOnLevelsAndSwitchesWithItsProbability) {
  SubstrateConfig c;
  c.device.levels = 16;
  c.device.switching_probability = 0.7;
  const MemristorDevice d(c.device);
  Rng rng(4, "mem");
  std::vector<float> level_g;
  for (int k = 0; k < 16; ++k) level_g.push_back(d.conductance_uS(k));
  EXPECT_FLOAT_EQ(level_g.front(), MemristorDevice::g_min_uS);
  EXPECT_FLOAT_EQ(level_g.back(), MemristorDevice::g_max_uS);
  for (int k = 1; k < 16; ++k) EXPECT_LT(level_g[k] - level_g[k - 1], k > 1 ? level_g[k - 1] - level_g[k - 2] + 1e-4f : 1e9f);
  const int n = 100000;
  const Moments moved = sample(n, [&](int) {
    float level = 8;
    d.potentiate(0, level, rng);
    return level - 8;
  });
  EXPECT_NEAR(moved.mean, 0.7, 5 * std::sqrt(0.7 * 0.3 / n));
  float level = 0, g = 0;
  for (int k = 0; k < 100; ++k) {
    g = d.potentiate(g, level, rng);
    EXPECT_NE(std::find(level_g.begin(), level_g.end(), g), level_g.end());
  }
  EXPECT_EQ(level, 15);  // bounded at the top level
}

TEST(Quantized, WeightsAreOnTheLevelsAndStochasticRoundingIsUnbiased) {
  SubstrateConfig c;
  c.kind = "quantized";
  c.quantized.bits = 4;
  c.mapping.automatic = false, c.mapping.range = 0.7;
  c.quantized.rounding = "deterministic";
  QuantizedSubstrate det(1, 1000, c);
  EXPECT_EQ(det.levels(), 15);
  EXPECT_FLOAT_EQ(det.step(), 0.1f);
  Rng rng(5, "q");
  Matrix w(1, 1000);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = 2 * rng.uniform() - 1;
  det.set_weights(w);
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    const float q = det.weights().data()[i], k = q / 0.1f;
    EXPECT_NEAR(k, std::round(k), 1e-4);
    EXPECT_LE(std::abs(q), 0.7f + 1e-6f);
    if (std::abs(w.data()[i]) < 0.65f) EXPECT_LE(std::abs(q - w.data()[i]), 0.05f + 1e-6f);  // nearest level
  }
  c.quantized.rounding = "stochastic";
  QuantizedSubstrate sto(1, 100000, c);
  sto.set_weights(Matrix::Constant(1, 100000, 0.13f));  // 30 % of the way from 0.1 to 0.2
  const double mean = sto.weights().mean();
  EXPECT_NEAR(mean, 0.13, 5 * 0.1 * std::sqrt(0.3 * 0.7 / 100000));
  c.quantized.bits = 1;
  QuantizedSubstrate binary(1, 3, c);
  binary.set_weights(Matrix::Constant(1, 3, 0.9f));
  EXPECT_EQ(binary.levels(), 2);
  EXPECT_FLOAT_EQ(binary.weights()(0, 0), 0.7f);
}

// The rounding of an update, one element at a time with std::nearbyint and std::floor and one draw of
// write `write`'s stream per non-NaN element: what the vectorised QuantizedSubstrate must equal bit for bit.
Matrix round_like_a_plain_loop(const Matrix& w, const Matrix& delta, Scalar range, int bits, bool stochastic,
                               uint64_t seed, uint64_t write) {
  Rng rng(seed, "quantized_rounding", write);
  const Scalar step = range / static_cast<Scalar>((1 << (bits - 1)) - 1), top = static_cast<Scalar>(2 * ((1 << (bits - 1)) - 1));
  Matrix out = w;
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    const Scalar t = w.data()[i] + delta.data()[i];
    if (std::isnan(t)) continue;
    Scalar position = std::clamp((t + range) * (1 / step), Scalar(0), top);
    if (std::abs(position - std::nearbyint(position)) < Scalar(1e-4)) position = std::nearbyint(position);
    const Scalar below = std::floor(position);
    const Scalar level = position - below > (stochastic ? rng.uniform() : Scalar(0.5)) ? below + 1 : below;
    out.data()[i] = -range + level * step;
  }
  return out;
}

TEST(Quantized, UpdatesRoundLikeAPlainPerElementLoop) {
  for (const bool stochastic : {false, true})
    for (const bool with_nan : {false, true}) {
      SCOPED_TRACE(std::string(stochastic ? "stochastic" : "deterministic") + (with_nan ? ", a NaN request" : ""));
      SubstrateConfig c;
      c.kind = "quantized";
      c.seed = 9;
      c.quantized.bits = 3;
      c.mapping.automatic = false, c.mapping.range = 0.75;  // step 0.25: levels and half levels are exact
      c.quantized.rounding = stochastic ? "stochastic" : "deterministic";
      QuantizedSubstrate q(7, 61, c);  // 427 weights: vector body and tail
      Rng rng(2, "quantized_update_test");
      Matrix w(7, 61), delta(7, 61);
      for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = 1.6f * rng.uniform() - 0.8f;  // some beyond the range
      w(3, 5) = -0.25f, w(4, 7) = 0, w(5, 9) = 0.25f;  // on levels, for the requests below
      q.set_weights(w);
      const Matrix programmed = q.weights();
      for (Eigen::Index i = 0; i < delta.size(); ++i) delta.data()[i] = 0.4f * (2 * rng.uniform() - 1);
      delta(3, 5) = 0.25f;   // one level up
      delta(4, 7) = 0.125f;  // half a level: a tie, which goes down
      delta(5, 9) = 1e-5f;   // within 1e-4 of a step of its level: stays there
      if (with_nan) delta(2, 40) = std::numeric_limits<Scalar>::quiet_NaN();
      q.update(delta);
      const Matrix want = round_like_a_plain_loop(programmed, delta, 0.75f, 3, stochastic, 9, 1);
      EXPECT_TRUE(q.weights() == want) << "largest difference " << (q.weights() - want).cwiseAbs().maxCoeff();
      EXPECT_FALSE(q.weights() == programmed);
      if (with_nan) EXPECT_EQ(q.weights()(2, 40), programmed(2, 40));
      if (!stochastic) EXPECT_EQ(q.weights()(4, 7), 0.0f);
      if (!stochastic) EXPECT_EQ(q.weights()(3, 5), 0.0f);
    }
}

TEST(PcmSubstrate, UpdateSchemesIssueTheExpectedPulses) {
  SubstrateConfig c = quiet_device("pcm");
  c.device.drift = false;
  OpCounters counters;
  for (const std::string scheme : {"mixed_precision", "sign", "multi_device"}) {
    c.update.scheme = update_scheme_from_name(scheme);
    c.update.devices_per_sign = scheme == "multi_device" ? 2 : 1;
    DeviceSubstrate<PcmDevice> s(1, 2, c, "pcm");
    s.set_counters(&counters);
    s.set_weights(Matrix::Zero(1, 2));
    counters.reset();
    const float eps = s.pulse_weight();
    Matrix d(1, 2);
    d << 2.5f * eps, -0.6f * eps;
    const auto pulses = [&] { return counters.counts(Phase::forward)[static_cast<size_t>(Op::programming_pulses)]; };
    s.update(d);
    // mixed: 2 pulses (0.5 eps stays in the accumulator) + 0; sign: 1 + 1 (|0.6| >= 0.5 threshold);
    // multi_device: trunc -> 2 + 0
    const int64_t want = scheme == "sign" ? 2 : 2;
    EXPECT_EQ(pulses(), want) << scheme;
    if (scheme == "mixed_precision") {
      d << 0.6f * eps, -0.5f * eps;  // the accumulators reach 1.1 eps and -1.1 eps
      s.update(d);
      EXPECT_EQ(pulses(), want + 2);
      EXPECT_EQ(counters.counts(Phase::forward)[static_cast<size_t>(Op::accumulator_updates)], 4);
    }
    if (scheme == "multi_device") EXPECT_GT(s.conductance_uS(0, 1, 0), PcmDevice::g_min_uS + 0.05f);  // round-robin used device 1
  }
}

}  // namespace
}  // namespace plasticore
