// The clamped input sent as changes (ep.input_events = "changes"): layer 1's carried input drive equals the
// dense sum W_1 S_0(t) at every step, the started/stopped lists are S_0(t) - S_0(t-1), the calls count the
// events they stand for, noisy devices sum every step (bit for bit the spikes mode), and the two-factor rule's
// first-layer sum, added once per phase (or once for a pair of phases), equals the naive per-step sum: bit for
// bit with the input as spikes and unpaired phases, to rounding with the input as changes or paired phases.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "learn/phase_observer.hpp"
#include "learn/relaxation.hpp"
#include "learn/two_factor_rule.hpp"
#include "substrate/ideal.hpp"
#include "substrate/registry.hpp"
#include "../support/ep_networks.hpp"
#include "../support/whole_steps.hpp"

namespace plasticore {
namespace {

constexpr int kIn = 40, kHidden = 24, kOut = 4, kBatch = 6;

void randomize(LayeredEPNetwork& net) {
  Rng rng(5, "test_input_changes");
  randomize_layers(net, rng, 0.5f, 0.3f);
}

// Pixels like MNIST's: most 0, some saturated, the rest in between (the ones whose spikes change).
Matrix input() {
  Rng rng(6, "test_input_changes_x");
  Matrix x(kIn, kBatch);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const float u = rng.uniform();
    x.data()[i] = u < 0.5f ? 0.0f : u < 0.7f ? 1.0f : rng.uniform();
  }
  return x;
}

Matrix targets() {
  Matrix y = Matrix::Zero(kOut, kBatch);
  for (Eigen::Index b = 0; b < kBatch; ++b) y(b % kOut, b) = 1;
  return y;
}

std::vector<int64_t> ids() { return {0, 1, 2, 3, 4, 5}; }

// Checks every step's carried drive against W_1 S_0(t) in double precision, and the change lists.
class DriveChecker final : public PhaseObserver {
 public:
  explicit DriveChecker(const Matrix& w1) : w1_(w1) {}
  void begin_phase(Phase, Scalar) override { previous_.resize(0, 0); }  // a phase may restart from a saved state
  void after_step(int, const RelaxationState& st) override {
    const MatrixD dense = w1_.cast<double>() * st.spikes[0].cast<double>();
    worst_ = std::max(worst_, (dense - st.input_drive.cast<double>()).cwiseAbs().maxCoeff());
    for (Eigen::Index b = 0; b < st.batch(); ++b) {
      Matrix change = Matrix::Zero(kIn, 1);
      for (const int32_t i : st.input_on[static_cast<size_t>(b)]) change(i, 0) += 1;
      for (const int32_t i : st.input_off[static_cast<size_t>(b)]) change(i, 0) -= 1;
      if (previous_.size() != 0 && change != st.spikes[0].col(b) - previous_.col(b)) ++wrong_lists_;
      changes_ += static_cast<int64_t>(st.input_on[static_cast<size_t>(b)].size() + st.input_off[static_cast<size_t>(b)].size());
      spikes_ += static_cast<int64_t>(st.events[0][static_cast<size_t>(b)].size());
    }
    previous_ = st.spikes[0];
  }
  void end_phase() override {}

  double worst_ = 0;
  int wrong_lists_ = 0;
  int64_t changes_ = 0, spikes_ = 0;

 private:
  const Matrix& w1_;
  Matrix previous_;
};

TEST(InputChanges, CarriedDriveEqualsTheDenseSumAtEveryStep) {
  for (const SpikeCoding coding : {SpikeCoding::sigma_delta, SpikeCoding::bernoulli}) {
    SCOPED_TRACE(coding == SpikeCoding::sigma_delta ? "sigma-delta" : "bernoulli");
    LayeredEPNetwork net({kIn, kHidden, kOut}, ideal_substrates());
    randomize(net);
    RelaxationParams params{coding, 0.5f};
    params.input_changes = true;
    const Relaxation relax(net, params);
    RelaxationState st;
    relax.start(st, input(), 3, "test", 0, ids());
    DriveChecker check(net.weight(0).weights());
    PhaseObserver* observers[] = {&check};
    const Matrix y = targets();
    relax.run(st, 30, nullptr, 0, 0, observers);
    RelaxationState plus = st;  // the free phase's drive carried on into both nudged phases, +beta recorded
    relax.run(plus, 10, &y, 0.5f, 1, observers, InputDrive::record);
    relax.run(st, 10, &y, -0.5f, -1, observers, InputDrive::replay);
    EXPECT_LT(check.worst_, 1e-5);
    EXPECT_EQ(check.wrong_lists_, 0);
    EXPECT_GT(check.changes_, 0);
    if (coding == SpikeCoding::sigma_delta) {
      EXPECT_LT(check.changes_, check.spikes_);  // what makes it pay
    }
  }
}

int64_t input_events(const OpCounters& c) {
  return c.counts(Phase::forward)[static_cast<size_t>(Op::synaptic_events)];
}

// The end states of a free and a nudged phase, and the events W_1 counted, with the input as spikes or changes.
struct Phases {
  RelaxationState st;
  int64_t events = 0;
};

Phases run_phases(const SubstrateFactory& substrates, bool changes) {
  LayeredEPNetwork net({kIn, kHidden, kOut}, substrates);
  randomize(net);
  OpCounters ops;
  net.weight(0).set_counters(&ops);
  RelaxationParams params{SpikeCoding::sigma_delta, 0.5f};
  params.input_changes = changes;
  const Relaxation relax(net, params);
  Phases p;
  relax.start(p.st, input(), 3, "test", 0, ids());
  const Matrix y = targets();
  relax.run(p.st, 20, nullptr, 0, 0);
  relax.run(p.st, 10, &y, 0.5f, 1);
  p.events = input_events(ops);
  return p;
}

TEST(InputChanges, CountsTheEventsTheyStandFor) {
  const Phases spikes = run_phases(ideal_substrates(), false), changes = run_phases(ideal_substrates(), true);
  EXPECT_GT(spikes.events, 0);
  EXPECT_EQ(spikes.events, changes.events);  // the input's spikes do not depend on the sums' order
  EXPECT_TRUE(spikes.st.spikes[0] == changes.st.spikes[0]);
}

TEST(InputChanges, NoisyDevicesSumEveryStep) {
  SubstrateConfig pcm;
  pcm.kind = "pcm";
  const auto s = make_substrate(pcm, 4, 6);
  Scalar y[4] = {};
  EXPECT_FALSE(s->forward_event_changes(std::vector<int32_t>{1}, std::vector<int32_t>{2}, 1, y));
  const Phases spikes = run_phases(substrate_factory(pcm), false), changes = run_phases(substrate_factory(pcm), true);
  for (size_t l = 0; l < spikes.st.state.size(); ++l) EXPECT_TRUE(spikes.st.state[l] == changes.st.state[l]) << "layer " << l;
  EXPECT_EQ(spikes.events, changes.events);
}

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::equal(a.data(), a.data() + a.size(), b.data(), [](Scalar x, Scalar y) {
           return std::bit_cast<uint32_t>(x) == std::bit_cast<uint32_t>(y);
         });
}

// A phase run sample by sample emits the input's lists of all its steps first, and an exact substrate sums their
// drives at once (Relaxation::run): every member of the state after a free phase, a recorded +beta phase and a
// replayed -beta phase is the state the step-by-step path leaves, bit for bit, on a substrate that sums the
// steps at once (ideal) and on one that declines and is called step by step (pcm); with the input sent as changes
// (forward_event_change_steps) and as spikes (forward_event_steps).
TEST(InputChanges, ThePhasesInputEmittedAheadLeavesTheStepByStepState) {
  SubstrateConfig pcm;
  pcm.kind = "pcm";
  for (const bool changes : {true, false})
  for (const bool noisy : {false, true}) {
    SCOPED_TRACE(std::string(changes ? "input as changes" : "input as spikes") + (noisy ? ", pcm" : ", ideal"));
    const SubstrateFactory substrates = noisy ? substrate_factory(pcm) : ideal_substrates();
    RelaxationState got[2];
    OpCounters ops[2];
    for (const bool ahead : {false, true}) {
      LayeredEPNetwork net({kIn, kHidden, kOut}, substrates);
      randomize(net);
      net.weight(0).set_counters(&ops[ahead]);
      RelaxationParams params{SpikeCoding::sigma_delta, 0.5f, 0.3f};
      params.input_changes = changes;
      const Relaxation relax(net, params);
      WholeSteps whole;
      std::vector<PhaseObserver*> observers;
      if (!ahead) observers.push_back(&whole);
      RelaxationState& st = got[ahead];
      relax.start(st, input(), 3, "test", 0, ids());
      relax.run(st, 20, nullptr, 0, 0, observers);
      const Matrix y = targets();
      const RelaxationState free = st;
      relax.run(st, 10, &y, 0.5f, 1, observers, InputDrive::record);
      st = free;
      relax.run(st, 10, &y, -0.5f, -1, observers, InputDrive::replay);
      if (!ahead) ASSERT_EQ(whole.steps, 40);  // the reference did go step by step
    }
    const RelaxationState &a = got[0], &b = got[1];
    for (const auto member : {&RelaxationState::state, &RelaxationState::accumulator, &RelaxationState::spikes,
                              &RelaxationState::trace, &RelaxationState::delta, &RelaxationState::previous}) {
      ASSERT_EQ((a.*member).size(), (b.*member).size());
      for (size_t l = 0; l < (a.*member).size(); ++l) EXPECT_TRUE(same_bits((a.*member)[l], (b.*member)[l])) << "layer " << l;
    }
    EXPECT_TRUE(same_bits(a.input_drive, b.input_drive));
    EXPECT_TRUE(a.events == b.events);
    EXPECT_TRUE(a.input_on == b.input_on);
    EXPECT_TRUE(a.input_off == b.input_off);
    if (changes) EXPECT_GT(a.input_on[0].size() + a.input_off[0].size(), 0U);
    EXPECT_GT(a.events[0][0].size(), 0U);
    EXPECT_TRUE(ops[0].counts(Phase::forward) == ops[1].counts(Phase::forward));
  }
}

// dW_1 += sign ds_1(t) S_0(t)^T, step by step, sample by sample, spike by spike: the rule's sum as it was
// added per step.
class NaiveFirstLayerSum final : public PhaseObserver {
 public:
  explicit NaiveFirstLayerSum(Matrix& dw) : dw_(dw) {}
  void begin_phase(Phase, Scalar sign) override { sign_ = sign; }
  void after_step(int, const RelaxationState& st) override {
    for (Eigen::Index b = 0; b < st.batch(); ++b)
      for (const int32_t j : st.events[0][static_cast<size_t>(b)]) dw_.col(j) += sign_ * st.delta[1].col(b);
  }
  void end_phase() override {}

 private:
  Matrix& dw_;
  Scalar sign_ = 1;
};

TEST(InputChanges, TheRulesFirstLayerSumEqualsThePerStepSum) {
  for (const int variant : {0, 1, 2, 3}) {
    // paired: both phases' sums added as one (the second phase sees the first's input spikes: same start state)
    const bool changes = variant == 1 || variant == 2, paired = variant >= 2;
    SCOPED_TRACE(std::string(changes ? "input as changes" : "input as spikes") + (paired ? ", paired phases" : ""));
    LayeredEPNetwork net({kIn, kHidden, kOut}, ideal_substrates());
    randomize(net);
    RelaxationParams params{SpikeCoding::sigma_delta, 0.5f, 0.3f};
    params.input_changes = changes;
    const Relaxation relax(net, params);
    Matrix dw1 = Matrix::Zero(kHidden, kIn), db1 = Vector::Zero(kHidden), dw2 = Matrix::Zero(kOut, kHidden),
           db2 = Vector::Zero(kOut), naive = Matrix::Zero(kHidden, kIn);
    TwoFactorRule rule(net, params, {{&dw1, &dw2}, {&db1, &db2}}, 0);
    NaiveFirstLayerSum reference(naive);
    PhaseObserver* observers[] = {&rule, &reference};
    RelaxationState st;
    relax.start(st, input(), 3, "test", 0, ids());
    relax.run(st, 20, nullptr, 0, 0);
    rule.begin_batch();
    rule.pair_phases(paired);
    const Matrix y = targets();
    const RelaxationState free = st;
    relax.run(st, 10, &y, 0.5f, 1, observers);
    st = free;
    relax.run(st, 10, &y, -0.5f, -1, observers);
    ASSERT_GT(naive.norm(), 0);
    if (!changes && !paired) EXPECT_TRUE(dw1 == naive) << "largest difference " << (dw1 - naive).cwiseAbs().maxCoeff();
    else EXPECT_LT((dw1 - naive).cwiseAbs().maxCoeff(), 1e-5 * naive.cwiseAbs().maxCoeff());
  }
}

}  // namespace
}  // namespace plasticore
