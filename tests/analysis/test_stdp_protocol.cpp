// The two-neuron STDP protocol (analysis/stdp_protocol.hpp) against the post neuron computed by hand
// from the equations of docs/eqspike.md, and the sign pattern those equations imply (docs/stdp.md):
// the drive raises the post state until the spike and it decays after, so the two-factor rule
// (pre spike x change of the post learning trace) potentiates when the pre spike comes during the
// rise (1 <= dt <= latency), depresses after the peak, and does nothing before the drive starts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/stdp_protocol.hpp"
#include "core/error.hpp"

using namespace plasticore;

namespace {

// The post neuron of the protocol with the drive starting at step 0, in double precision:
//   sigma-delta  a += s(t); spike if a >= 1 (then a -= 1); the drive u = A until the spike's step
//   state        s(t+1) = clip((1 - L) s(t) + L u(t), 0, 1)
//   trace        hat(t+1) = hat(t) + lambda (s(t+1) - hat(t)); its change in step t is the rule's factor
struct HandPost {
  int spike_step = -1;
  int spikes = 0;
  std::vector<double> trace_change;
};

HandPost hand_post(double L, double lambda, double A, int steps) {
  HandPost h;
  double s = 0, a = 0, hat = 0;
  for (int t = 0; t < steps; ++t) {
    a += s;
    if (a >= 1) {
      a -= 1;
      if (h.spikes++ == 0) h.spike_step = t;
    }
    const double u = h.spikes == 0 ? A : 0;
    const double next = std::clamp((1 - L) * s + L * u, 0.0, 1.0);
    h.trace_change.push_back(lambda * (next - hat));
    hat += lambda * (next - hat);
    s = next;
  }
  return h;
}

// dW(dt) of the hand computation: the pre spike comes latency - dt steps after the drive starts.
double hand_dw(const HandPost& h, int dt) {
  const int since_drive = h.spike_step - dt;
  return since_drive < 0 ? 0.0 : h.trace_change[static_cast<size_t>(since_drive)];
}

}  // namespace

TEST(StdpProtocol, LiteralRuleGivesTheClosedFormWindow) {
  // lambda = 1: dW(dt) = L A (1-L)^(k-dt) for 1 <= dt <= k (rise), -L s_peak (1-L)^(-dt) for dt <= 0
  // (decay from s_peak = A (1 - (1-L)^k)), 0 for dt > k (pre before the drive), k the latency.
  const double L = 0.3, A = L;
  const StdpProtocolResult r = run_stdp_protocol({0.3f, 1.0f, 0, 20});
  const int k = hand_post(L, 1, A, 200).spike_step;
  ASSERT_EQ(r.latency, k);
  ASSERT_EQ(r.window.bins().size(), 41u);
  const double s_peak = A * (1 - std::pow(1 - L, k));
  for (const auto& [dt, bin] : r.window.bins()) {
    EXPECT_EQ(bin.count, 1);
    const double expected = dt > k ? 0.0 : dt >= 1 ? L * A * std::pow(1 - L, k - dt) : -L * s_peak * std::pow(1 - L, -dt);
    EXPECT_NEAR(bin.mean_dw(), expected, 1e-5 * std::abs(expected) + 1e-7) << "dt = " << dt;
    if (dt >= 1 && dt <= k) {
      EXPECT_GT(bin.mean_dw(), 0) << "pre before post must potentiate, dt = " << dt;
    }
    if (dt <= 0) {
      EXPECT_LT(bin.mean_dw(), 0) << "pre after post must depress, dt = " << dt;
    }
  }
}

// ep.post_trace = "spikes": the trace follows the post spike train (one spike at t_pre + dt, from rest), so
// the pre spike at t_pre pairs with lambda (S(t_pre) - hat_S(t_pre)): lambda for a coincident spike,
// -lambda^2 (1 - lambda)^(-dt-1) for a spike -dt steps earlier, 0 for a later one.
TEST(StdpProtocol, SpikeTraceGivesCoincidencePotentiationAndDecayingDepression) {
  for (const double lambda : {0.05, 0.3}) {
    const StdpProtocolResult r = run_stdp_protocol({0.3f, static_cast<Scalar>(lambda), 0, 20, true});
    ASSERT_EQ(r.window.bins().size(), 41u);
    for (const auto& [dt, bin] : r.window.bins()) {
      const double expected = dt > 0 ? 0.0 : dt == 0 ? lambda : -lambda * lambda * std::pow(1 - lambda, -dt - 1);
      EXPECT_NEAR(bin.mean_dw(), expected, 1e-5 * std::abs(expected) + 1e-7) << "lambda " << lambda << ", dt = " << dt;
    }
  }
}

TEST(StdpProtocol, MatchesTheHandComputedPostNeuronWithAndWithoutTrace) {
  for (const double L : {0.2, 0.3, 1.0})
    for (const double lambda : {1.0, 0.3}) {
      const StdpProtocolResult r = run_stdp_protocol({static_cast<Scalar>(L), static_cast<Scalar>(lambda), 0, 20});
      const HandPost h = hand_post(L, lambda, L, 400);
      ASSERT_EQ(h.spikes, 1);
      ASSERT_EQ(r.latency, h.spike_step) << "leak " << L << " trace " << lambda;
      for (const auto& [dt, bin] : r.window.bins())
        EXPECT_NEAR(bin.mean_dw(), hand_dw(h, dt), 1e-6) << "leak " << L << " trace " << lambda << " dt " << dt;
    }
}

TEST(StdpProtocol, TraceKeepsOneSignChangeAndBalancedAreas) {
  // With a trace the post factor is lambda (s(t+1) - hat_s(t)): positive while s rises (hat_s <= s),
  // and once it is negative it stays so (hat_s stays above a decaying s after crossing it), so the sign
  // changes exactly once, from depression (late pre) to potentiation (early pre). Over a window that
  // covers the whole transient the changes sum to hat_s(end) - hat_s(0) = 0: equal areas.
  const StdpProtocolResult r = run_stdp_protocol({0.3f, 0.3f, 0, 80});
  int sign_changes = 0, last_sign = 0;
  double sum = 0, magnitude = 0;
  for (const auto& [dt, bin] : r.window.bins()) {
    const double dw = bin.mean_dw();
    sum += dw;
    magnitude += std::abs(dw);
    if (dt > r.latency) {
      EXPECT_EQ(dw, 0.0) << "pre before the drive, dt = " << dt;
    }
    if (dt >= 1 && dt <= r.latency) {
      EXPECT_GT(dw, 0.0) << "pre during the rise, dt = " << dt;
    }
    const int sign = dw > 0 ? 1 : dw < 0 ? -1 : 0;
    if (sign != 0 && last_sign != 0 && sign != last_sign) {
      EXPECT_EQ(sign, 1) << "depression must come at later pre spikes than potentiation, dt = " << dt;
      ++sign_changes;
    }
    if (sign != 0) last_sign = sign;
  }
  EXPECT_EQ(sign_changes, 1);
  EXPECT_LT(std::abs(sum), 1e-4 * magnitude);
}

TEST(StdpProtocol, DriveThatMakesABurstIsRejected) {
  EXPECT_THROW(run_stdp_protocol({0.3f, 1.0f, 1.0f, 20}), RuntimeError);
}
