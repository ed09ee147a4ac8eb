// e-prop against BPTT on a RecurrentSNN (Bellec et al. 2020), a reference-vs-fast check (docs/architecture.md, "tests"):
//   (1) with W_rec = 0 e-prop is exact: it equals BPTT (all-LIF and LIF/ALIF nets, mse and ce, with and
//       without a refractory period);
//   (2) BPTT is the gradient of the loss: with the smooth, reset-free spike it matches central finite
//       differences of an independent double-precision forward pass (tests/support/rsnn_reference.hpp);
//   (3) with recurrence e-prop is an approximation: the cosine with BPTT is measured and printed;
//   (4) no autapses; (5) bad shapes and non-finite values are UsageErrors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "substrate/ideal.hpp"
#include "learn/bptt.hpp"
#include "learn/eprop.hpp"
#include "../support/rsnn_reference.hpp"

namespace plasticore {
namespace {

// ---------------------------------------------------------------------------------------------
// Comparison helpers.

struct Agreement {
  double max_abs = 0;       // max |a - b|
  double scale = 0;         // max |b|
  double max_relative = 0;  // max |a - b| / |b| over entries with |b| >= 1e-2 scale
};

Agreement compare(const Matrix& a, const Matrix& b) {
  Agreement r;
  r.scale = b.cwiseAbs().maxCoeff();
  for (Eigen::Index n = 0; n < a.size(); ++n) {
    const double diff = std::abs(static_cast<double>(a(n)) - b(n));
    r.max_abs = std::max(r.max_abs, diff);
    if (std::abs(b(n)) >= 1e-2 * r.scale) r.max_relative = std::max(r.max_relative, diff / std::abs(b(n)));
  }
  return r;
}

double cosine(const Matrix& a, const Matrix& b) {
  const Eigen::VectorXd u = a.reshaped().cast<double>(), w = b.reshaped().cast<double>();
  return u.dot(w) / (u.norm() * w.norm());
}

struct Activity {
  double lif_rate = 0, alif_rate = 0;  // spikes per neuron-step
  double psi_active = 0;               // fraction of neuron-steps with psi > 0
  double psi_unsaturated = 0;          // fraction with psi > 10% of its peak (gamma / v_th, or 1 / (4 s) if smooth)
};

Activity activity(const RecurrentSNN& net, const Matrix& x) {
  RecurrentSNNState s;
  net.start(s);
  Activity act;
  const int n_alif = net.sizes().adaptive, n_lif = net.sizes().recurrent - n_alif;
  const LIFParams& lif = net.params().lif;
  const Scalar peak = lif.spike_function == SpikeFunction::heaviside ? lif.gamma / lif.v_th : 0.25f / lif.sigmoid_width;
  for (Eigen::Index t = 0; t < x.rows(); ++t) {
    net.step(s, x, t);
    act.alif_rate += s.spikes.col(0).head(n_alif).sum();
    act.lif_rate += s.spikes.col(0).tail(n_lif).sum();
    act.psi_active += (s.pseudo_derivative.array() > 0).count();
    act.psi_unsaturated += (s.pseudo_derivative.array() > 0.1f * peak).count();
  }
  const double steps = static_cast<double>(x.rows());
  act.alif_rate /= std::max(1, n_alif) * steps;
  act.lif_rate /= std::max(1, n_lif) * steps;
  act.psi_active /= net.sizes().recurrent * steps;
  act.psi_unsaturated /= net.sizes().recurrent * steps;
  return act;
}

const char* name(Loss loss) { return loss == Loss::mse ? "mse" : "ce"; }

struct NetCase {
  int adaptive;  // ALIF neurons
  Loss loss;
  int refractory = 0;  // n_ref steps
};

std::string case_name(const NetCase& c) {
  return std::string(c.adaptive == 0 ? "all_lif_" : "mixed_") + name(c.loss) +
         (c.refractory > 0 ? "_refractory" + std::to_string(c.refractory) : "");
}

// Names the case in test output and in CTest's test names.
void PrintTo(const NetCase& c, std::ostream* os) { *os << case_name(c); }

// ---------------------------------------------------------------------------------------------
// (1) W_rec = 0: e-prop == BPTT.

class EpropExactWithoutRecurrence : public ::testing::TestWithParam<NetCase> {};

TEST_P(EpropExactWithoutRecurrence, EqualsBptt) {
  const NetCase c = GetParam();
  const RecurrentSNNSizes n{.inputs = 6, .recurrent = 10, .adaptive = c.adaptive, .outputs = 3};
  const int steps = 150;
  Weights w = random_weights(n, 1.2, 0.0, 11);
  w.recurrent.setZero();
  const RecurrentSNN net = make_net(n, test_params(SpikeFunction::heaviside, c.refractory), w);
  const Matrix x = input_spikes(steps, n.inputs, 0.08, 12);
  const Matrix y = targets_for(c.loss, steps, n.outputs, 13);
  if (c.refractory > 0) {  // the period must bite: without it the same net spikes more
    const Activity free = activity(make_net(n, test_params(), w), x), refractory = activity(net, x);
    EXPECT_LT(refractory.lif_rate + refractory.alif_rate, 0.9 * (free.lif_rate + free.alif_rate));
  }

  const Activity act = activity(net, x);
  EXPECT_GT(act.lif_rate, 0.01);
  if (n.adaptive > 0) {
    EXPECT_GT(act.alif_rate, 0.01);
  }
  EXPECT_GT(act.psi_active, 0.2);

  const SequenceGradients e = eprop_gradients(net, x, y, c.loss);
  const SequenceGradients b = bptt_gradients(net, x, y, c.loss);
  EXPECT_EQ(e.loss, b.loss);  // the same forward pass
  const Agreement in = compare(e.input, b.input), rec = compare(e.recurrent, b.recurrent);
  const Agreement out = compare(e.readout, b.readout);
  std::printf("  %s, %d ALIF of %d, rates LIF %.3f ALIF %.3f: |eprop - bptt| max (max |bptt|, max rel.)  "
              "w_in %.2e (%.2e, %.2e)  w_rec %.2e (%.2e, %.2e)  w_out %.2e (%.2e, %.2e)\n",
              name(c.loss), n.adaptive, n.recurrent, act.lif_rate, act.alif_rate, in.max_abs, in.scale, in.max_relative,
              rec.max_abs, rec.scale, rec.max_relative, out.max_abs, out.scale, out.max_relative);
  for (const auto& [label, agreement] : {std::pair{"w_in", in}, std::pair{"w_rec", rec}, std::pair{"w_out", out}}) {
    EXPECT_GT(agreement.scale, 1e-2) << label << ": gradient too small to test anything";
    EXPECT_LE(agreement.max_abs, 1e-4 * agreement.scale) << label;
  }
}

INSTANTIATE_TEST_SUITE_P(AllLIFAndMixed, EpropExactWithoutRecurrence,
                         ::testing::Values(NetCase{0, Loss::mse}, NetCase{0, Loss::cross_entropy},
                                           NetCase{5, Loss::mse}, NetCase{5, Loss::cross_entropy},
                                           NetCase{0, Loss::mse, 3}, NetCase{5, Loss::cross_entropy, 3}),
                         [](const auto& info) { return case_name(info.param); });

// ---------------------------------------------------------------------------------------------
// The library's forward pass follows the equations (spikes, reset, adaptation, recurrence, readout).

// ---------------------------------------------------------------------------------------------
// (2) BPTT == finite differences (smooth spike, no reset, with recurrence and adaptation).

class BpttFiniteDifferences : public ::testing::TestWithParam<NetCase> {};

TEST_P(BpttFiniteDifferences, MatchesCentralDifferences) {
  const Loss loss = GetParam().loss;
  const RecurrentSNNSizes n{.inputs = 4, .recurrent = 7, .adaptive = GetParam().adaptive, .outputs = 3};
  const int steps = 60;
  RecurrentSNNParams p = test_params(SpikeFunction::smooth_sigmoid);
  p.lif.tau_m_ms = 5.0;  // without the reset, short integration keeps v near threshold (z, psi not saturated)
  p.alif.tau_a_ms = 20.0;
  const Weights w = random_weights(n, 1.0, 0.7, 21);
  const RecurrentSNN net = make_net(n, p, w);
  const Matrix x = input_spikes(steps, n.inputs, 0.2, 22);
  const Matrix y = targets_for(loss, steps, n.outputs, 23);
  const SequenceGradients b = bptt_gradients(net, x, y, loss);
  const Activity act = activity(net, x);  // mean z (smooth spikes) and how many steps are far from saturation
  std::printf("  smooth spikes: mean z LIF %.3f ALIF %.3f, psi > 10%% of its peak on %.0f%% of neuron-steps\n",
              act.lif_rate, act.alif_rate, 100 * act.psi_unsaturated);
  EXPECT_GT(act.psi_unsaturated, 0.5);

  const MatrixD x_d = x.cast<double>(), y_d = y.cast<double>();
  const std::vector<MatrixD> weights{w.input.cast<double>(), w.recurrent.cast<double>(), w.readout.cast<double>()};
  auto loss_at = [&](const std::vector<MatrixD>& m) {
    return reference_run(n, p, m[0], m[1], m[2], x_d, y_d, loss).loss;
  };
  const double reference = loss_at(weights);
  EXPECT_NEAR(b.loss, reference, 1e-5 * std::abs(reference)) << "library forward differs from the equations";

  const Matrix* gradients[] = {&b.input, &b.recurrent, &b.readout};
  const char* labels[] = {"w_in", "w_rec", "w_out"};
  const double h = 1e-5;
  Rng pick(24, "test_entries");
  for (size_t m = 0; m < 3; ++m) {
    const Matrix& g = *gradients[m];
    const double scale = g.cwiseAbs().maxCoeff();
    EXPECT_GT(scale, 1e-2) << labels[m];
    double worst = 0;
    for (int k = 0; k < 8; ++k) {
      const auto i = static_cast<Eigen::Index>(pick.below(static_cast<uint64_t>(g.rows())));
      auto j = static_cast<Eigen::Index>(pick.below(static_cast<uint64_t>(g.cols())));
      if (m == 1 && i == j) j = (j + 1) % g.cols();  // the diagonal has its own test
      std::vector<MatrixD> up = weights, down = weights;
      up[m](i, j) += h;
      down[m](i, j) -= h;
      const double fd = (loss_at(up) - loss_at(down)) / (2 * h);
      EXPECT_NEAR(g(i, j), fd, 1e-4 * scale + 1e-4 * std::abs(fd)) << labels[m] << "(" << i << ", " << j << ")";
      worst = std::max(worst, std::abs(g(i, j) - fd) / scale);
    }
    std::printf("  %s %s: max |bptt - finite difference| / max|grad| over 8 entries = %.2e (max|grad| %.3f)\n",
                name(loss), labels[m], worst, scale);
  }
}

INSTANTIATE_TEST_SUITE_P(Mixed, BpttFiniteDifferences,
                         ::testing::Values(NetCase{3, Loss::mse}, NetCase{3, Loss::cross_entropy}),
                         [](const auto& info) { return case_name(info.param); });

// ---------------------------------------------------------------------------------------------
// (3) With recurrence: e-prop approximates BPTT.

TEST(EpropWithRecurrence, CosineSimilarityToBptt) {
  const RecurrentSNNSizes n{.inputs = 20, .recurrent = 40, .adaptive = 20, .outputs = 3};
  const int steps = 300;
  const Matrix x = input_spikes(steps, n.inputs, 0.05, 32);
  for (const double recurrent_scale : {0.3, 0.5}) {  // W_rec ~ N(0, scale^2 / n_rec)
    const RecurrentSNN net = make_net(n, test_params(), random_weights(n, 1.0, recurrent_scale, 31));
    const Activity act = activity(net, x);
    for (const Loss loss : {Loss::mse, Loss::cross_entropy}) {
      const Matrix y = targets_for(loss, steps, n.outputs, 33);
      const SequenceGradients e = eprop_gradients(net, x, y, loss);
      const SequenceGradients b = bptt_gradients(net, x, y, loss);
      const double cos_in = cosine(e.input, b.input), cos_rec = cosine(e.recurrent, b.recurrent);
      std::printf("  %s, %d ALIF of %d, T %d, W_rec scale %.1f, rates LIF %.3f ALIF %.3f: cosine(eprop, bptt) "
                  "w_in %.4f w_rec %.4f  |eprop|/|bptt| w_in %.3f w_rec %.3f\n",
                  name(loss), n.adaptive, n.recurrent, steps, recurrent_scale, act.lif_rate, act.alif_rate, cos_in,
                  cos_rec, e.input.norm() / b.input.norm(), e.recurrent.norm() / b.recurrent.norm());
      EXPECT_GT(cos_in, 0.0);
      EXPECT_GT(cos_rec, 0.0);
      EXPECT_LT(cos_in, 0.9999) << "recurrence is not exercised: e-prop should differ from BPTT here";
      const Agreement out = compare(e.readout, b.readout);
      EXPECT_LE(out.max_abs, 1e-4 * out.scale) << "the readout gradient is exact in both";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// (4) No autapses.

// ---------------------------------------------------------------------------------------------
// (5) Bad input.

}  // namespace
}  // namespace plasticore
