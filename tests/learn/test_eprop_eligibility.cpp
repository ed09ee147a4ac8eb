// The blocked e-prop synapse kernel (learn/eprop_eligibility.hpp) against a plain per-synapse, per-step
// reference written from the formulas of learn/eprop.hpp in double precision: sizes that leave partial
// row tiles and column groups, sequences that end inside a block of K steps, with and without ALIF rows
// and the firing-rate sum.
#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <vector>

#include "core/rng.hpp"
#include "core/team.hpp"
#include "learn/eprop_eligibility.hpp"

namespace plasticore {
namespace {

struct Case {
  int n_pre, n_alif, n_lif, steps;
  bool regularize;
  float psi_zero = 0.3f;  // psi is often zero (below rest, refractory): quiet steps the kernel skips
  int signal_from = 0;    // L[t] = 0 before (a decision window at the end)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.n_pre << "pre_" << c.n_alif << "alif_" << c.n_lif << "lif_" << c.steps << "steps" << (c.regularize ? "_reg" : "")
      << "_quiet" << static_cast<int>(c.psi_zero * 100) << "_signal" << c.signal_from;
}

struct Reference {
  Eigen::MatrixXd gradient, trace_sum;
};

// psi[t], eps^v[t], L[t] given per step; eps^v[-1] = psi[-1] = 0.
Reference reference(const std::vector<Vector>& trace, const std::vector<Vector>& psi, const std::vector<Vector>& signal,
                    int n_alif, EpropEligibility::Decays d) {
  const auto n_rec = psi[0].size(), n_pre = trace[0].size();
  Eigen::MatrixXd eps_a = Eigen::MatrixXd::Zero(n_rec, n_pre), ebar = eps_a;
  Reference r{eps_a, eps_a};
  for (size_t t = 0; t < trace.size(); ++t) {
    for (Eigen::Index j = 0; j < n_rec; ++j) {
      const double psi_now = psi[t](j), psi_before = t > 0 ? psi[t - 1](j) : 0.0;
      for (Eigen::Index i = 0; i < n_pre; ++i) {
        const double pre = trace[t](i), pre_before = t > 0 ? trace[t - 1](i) : 0.0;
        double e = psi_now * pre;
        if (j < n_alif) {
          eps_a(j, i) = psi_before * pre_before + (d.rho - d.beta * psi_before) * eps_a(j, i);
          e = psi_now * (pre - d.beta * eps_a(j, i));
        }
        ebar(j, i) = d.kappa * ebar(j, i) + e;
        r.gradient(j, i) += signal[t](j) * ebar(j, i);
        r.trace_sum(j, i) += e;
      }
    }
  }
  return r;
}

class EpropEligibilityKernel : public ::testing::TestWithParam<Case> {};

TEST_P(EpropEligibilityKernel, MatchesThePerSynapseReference) {
  const Case c = GetParam();
  const int n_rec = c.n_alif + c.n_lif;
  const EpropEligibility::Decays decays{0.99f, 0.3f, 0.95f};
  Rng rng(5, "test_eprop_eligibility");
  std::vector<Vector> trace, psi, signal;
  for (int t = 0; t < c.steps; ++t) {
    Vector x(c.n_pre), p(n_rec), l(n_rec);
    for (auto& v : x) v = rng.uniform() * 3;
    for (auto& v : p) v = rng.uniform() < c.psi_zero ? 0.0f : rng.uniform();
    for (auto& v : l) v = t >= c.signal_from ? static_cast<Scalar>(rng.normal()) : 0.0f;
    trace.push_back(x), psi.push_back(p), signal.push_back(l);
  }
  EpropEligibility kernel(c.n_pre, c.n_alif, c.n_lif, decays, c.regularize);
  for (int t = 0; t < c.steps; ++t)
    kernel.record(trace[static_cast<size_t>(t)], psi[static_cast<size_t>(t)], signal[static_cast<size_t>(t)].data());
  kernel.flush();
  const Reference want = reference(trace, psi, signal, c.n_alif, decays);
  const Matrix got = kernel.gradient();
  ASSERT_EQ(got.rows(), n_rec);
  ASSERT_EQ(got.cols(), c.n_pre);
  const double scale = want.gradient.cwiseAbs().maxCoeff();
  if (c.psi_zero == 1.0f) {  // no step is active: nothing may be added
    EXPECT_EQ(scale, 0.0);
    EXPECT_EQ(got.cwiseAbs().maxCoeff(), 0.0f);
    EXPECT_EQ(kernel.active_row_steps(), 0);
    return;
  }
  ASSERT_GT(scale, 1e-3);
  EXPECT_LE((got.cast<double>() - want.gradient).cwiseAbs().maxCoeff(), 1e-5 * scale);
  if (c.regularize) {
    const double sum_scale = want.trace_sum.cwiseAbs().maxCoeff();
    EXPECT_LE((kernel.trace_sum().cast<double>() - want.trace_sum).cwiseAbs().maxCoeff(), 1e-5 * sum_scale);
  } else {
    EXPECT_EQ(kernel.trace_sum().size(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, EpropEligibilityKernel,
                         ::testing::Values(Case{13, 5, 19, 37, true}, Case{13, 5, 19, 37, false},
                                           Case{8, 0, 16, 16, true}, Case{3, 24, 0, 50, true},
                                           Case{40, 17, 33, 33, false}, Case{1, 1, 1, 1, true},
                                           // Runs of quiet steps across blocks, with and without a signal in them.
                                           Case{21, 6, 7, 150, true, 0.9f, 70}, Case{150, 3, 4, 90, false, 0.97f, 0},
                                           Case{40, 5, 5, 64, true, 1.0f, 0},
                                           // Every tile width: 6-9 vectors per row (ALIF in tiles of up to 5, LIF of
                                           // up to 9); 140 is evidence accumulation's 40 inputs + 100 neurons.
                                           Case{140, 4, 3, 70, true, 0.6f, 40}, Case{120, 2, 3, 40, false},
                                           Case{100, 3, 2, 40, true}, Case{90, 2, 2, 40, true}));

// A sequence shared among a team's parts (run_shared): part 0 records the steps and advances its rows, the helpers
// theirs, on double-buffered blocks. Several sequences on one object, so that the split moves between them (by
// the parts' waits), with 2 and 3 parts, running together and, inside a OneThread scope, one part after another:
// the one-thread object's bytes every time.
TEST(EpropEligibilityShared, GivesTheOneThreadBytes) {
  const int n_pre = 70, n_alif = 9, n_lif = 41, n_rec = n_alif + n_lif;
  const EpropEligibility::Decays decays{0.99f, 0.3f, 0.95f};
  Rng rng(7, "test_eprop_eligibility_shared");
  for (const int parts : {2, 3})
    for (const bool together : {true, false}) {
      EpropEligibility shared(n_pre, n_alif, n_lif, decays, true);
      for (const int steps : {200, 77, 5, 130, 64}) {  // full blocks, partial ones and a single one
        std::vector<Vector> trace, psi, signal;
        for (int t = 0; t < steps; ++t) {
          Vector x(n_pre), p(n_rec), l(n_rec);
          for (auto& v : x) v = rng.uniform() * 3;
          for (auto& v : p) v = rng.uniform() < 0.4 ? 0.0f : rng.uniform();
          for (auto& v : l) v = t > steps / 3 ? static_cast<Scalar>(rng.normal()) : 0.0f;
          trace.push_back(x), psi.push_back(p), signal.push_back(l);
        }
        const auto record = [&](EpropEligibility& k) {
          for (size_t t = 0; t < trace.size(); ++t) k.record(trace[t], psi[t], signal[t].data());
          k.flush();
        };
        EpropEligibility one(n_pre, n_alif, n_lif, decays, true);
        record(one);
        shared.restart(decays);
        if (together) {
          shared.run_shared(parts, [&] { record(shared); });
        } else {
          const OneThread here;
          shared.run_shared(parts, [&] { record(shared); });
        }
        const auto where = ::testing::Message() << parts << " parts, together " << together << ", " << steps << " steps";
        ASSERT_GT(one.gradient().norm(), 0) << where;
        const Matrix got = shared.gradient(), want = one.gradient(), got_sum = shared.trace_sum(), want_sum = one.trace_sum();
        EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof(Scalar) * static_cast<size_t>(want.size())), 0) << where;
        EXPECT_EQ(std::memcmp(got_sum.data(), want_sum.data(), sizeof(Scalar) * static_cast<size_t>(want_sum.size())), 0)
            << where;
        EXPECT_EQ(shared.active_row_steps(), one.active_row_steps()) << where;
      }
    }
}

}  // namespace
}  // namespace plasticore
