// The neuron models against their header equations, step by step in double precision: LIF (subtractive
// reset, pseudo-derivative, refractory period), ALIF (adaptive threshold), the smooth test spike, the
// leaky readout's decay, and the EP state neuron's spike generators (sigma-delta fires at the rate of
// its state; Bernoulli on average).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "neuron/alif.hpp"
#include "neuron/ep_neuron.hpp"
#include "neuron/leaky_readout.hpp"
#include "neuron/lif.hpp"

namespace plasticore {
namespace {

TEST(LIF, StepFollowsTheEquationsWithResetAndRefractoryPeriod) {
  LIFParams p;
  p.v_th = 0.5f;
  p.gamma = 0.3f;
  p.refractory_steps = 2;
  const Scalar alpha = membrane_decay(p, 1.0);
  EXPECT_FLOAT_EQ(alpha, static_cast<Scalar>(std::exp(-1.0 / 20.0)));
  const std::vector<Scalar> input = {0.3f, 0.4f, 0.0f, 0.6f, 0.7f, 0.0f, 0.0f};
  Scalar v = 0, z = 0, psi = 0, r = 0;
  double v_ref = 0, z_ref = 0;
  int refractory = 0;
  int spikes = 0;
  for (const Scalar in : input) {
    lif_step(p, alpha, &in, &v, &z, &psi, &r, 1);
    v_ref = alpha * v_ref + in - 0.5 * z_ref;  // v[t] = alpha v[t-1] + I[t] - v_th z[t-1]
    const double u = v_ref - 0.5;
    double psi_ref = 0.3 / 0.5 * std::max(0.0, 1 - std::abs(u) / 0.5);
    if (refractory > 0) {
      z_ref = 0;
      psi_ref = 0;
      --refractory;
    } else {
      z_ref = u > 0 ? 1 : 0;
      if (z_ref > 0) refractory = 2;
    }
    spikes += z_ref > 0;
    EXPECT_NEAR(v, v_ref, 1e-6);
    EXPECT_EQ(z, z_ref);
    EXPECT_NEAR(psi, psi_ref, 1e-6);
  }
  EXPECT_GE(spikes, 2) << "the refractory period is exercised";
}

TEST(ALIF, ThresholdRisesWithEachSpikeAndDecays) {
  LIFParams lif;
  lif.v_th = 0.5f;
  ALIFParams alif;
  alif.tau_a_ms = 50;
  alif.adapt_beta = 0.4f;
  const Scalar alpha = membrane_decay(lif, 1.0), rho = adaptation_decay(alif, 1.0);
  Scalar v = 0, a = 0, z = 0, psi = 0, r = 0;
  double v_ref = 0, a_ref = 0, z_ref = 0;
  int spikes = 0;
  for (int t = 0; t < 60; ++t) {
    const Scalar in = 0.3f;
    alif_step(lif, alif, alpha, rho, &in, &v, &a, &z, &psi, &r, 1);
    a_ref = rho * a_ref + z_ref;
    v_ref = alpha * v_ref + in - 0.5 * z_ref;
    const double u = v_ref - (0.5 + 0.4 * a_ref);
    z_ref = u > 0 ? 1 : 0;
    spikes += z_ref > 0;
    EXPECT_NEAR(a, a_ref, 1e-5) << t;
    EXPECT_NEAR(v, v_ref, 1e-5) << t;
    EXPECT_EQ(z, z_ref) << t;
    EXPECT_NEAR(psi, 0.3 / 0.5 * std::max(0.0, 1 - std::abs(u) / 0.5), 1e-5) << t;
  }
  // A plain LIF with the same input fires more often: adaptation slows the neuron down.
  LIFParams same = lif;
  Scalar lv = 0, lz = 0, lpsi = 0, lr = 0;
  int lif_spikes = 0;
  for (int t = 0; t < 60; ++t) {
    const Scalar in = 0.3f;
    lif_step(same, alpha, &in, &lv, &lz, &lpsi, &lr, 1);
    lif_spikes += lz > 0;
  }
  EXPECT_GT(spikes, 2);
  EXPECT_LT(spikes, lif_spikes);
}

TEST(LIF, SmoothSpikeIsASigmoidWithItsExactDerivativeAndNoReset) {
  LIFParams p;
  p.spike_function = SpikeFunction::smooth_sigmoid;
  p.sigmoid_width = 0.2f;
  EXPECT_EQ(reset_step(p), 0);
  for (const Scalar u : {-0.5f, -0.1f, 0.0f, 0.05f, 0.4f}) {
    Scalar z, psi;
    emit_spike(p, u, z, psi);
    const double zr = 1 / (1 + std::exp(-u / 0.2));
    EXPECT_NEAR(z, zr, 1e-6);
    const double h = 1e-3;
    EXPECT_NEAR(psi, (1 / (1 + std::exp(-(u + h) / 0.2)) - 1 / (1 + std::exp(-(u - h) / 0.2))) / (2 * h), 1e-4);
  }
}

TEST(LeakyReadout, DecayIsExpOfMinusDtOverTau) {
  EXPECT_FLOAT_EQ(readout_decay({15.0}, 1.0), static_cast<Scalar>(std::exp(-1.0 / 15.0)));
  EXPECT_FLOAT_EQ(readout_decay({15.0}, 3.0), static_cast<Scalar>(std::exp(-3.0 / 15.0)));
}

TEST(EPNeuron, SigmaDeltaFiresAtTheRateOfItsStateAndBernoulliOnAverage) {
  for (const Scalar s : {0.0f, 0.13f, 0.5f, 0.97f, 1.0f}) {
    Scalar accumulator = 0.37f;  // any initial phase
    int spikes = 0;
    const int steps = 1000;
    for (int t = 0; t < steps; ++t) spikes += sigma_delta_spike(s, accumulator) != 0;
    EXPECT_NEAR(static_cast<double>(spikes) / steps, s, 1.0 / steps + 1e-6) << s;  // at most one spike off
    EXPECT_GE(accumulator, 0);
    EXPECT_LT(accumulator, 1);
    Rng rng(3, "bernoulli", static_cast<uint64_t>(s * 1000));
    int draws = 0;
    for (int t = 0; t < 20000; ++t) draws += bernoulli_spike(s, rng) != 0;
    EXPECT_NEAR(draws / 20000.0, s, 5 * std::sqrt(s * (1 - s) / 20000) + 1e-9) << s;
  }
  EXPECT_EQ(hard_sigmoid(-0.3f), 0);
  EXPECT_EQ(hard_sigmoid(0.3f), 0.3f);
  EXPECT_EQ(hard_sigmoid(1.7f), 1);
}

}  // namespace
}  // namespace plasticore
