// The training-time STDP log (analysis/stdp_recorder.hpp): (1) on hand-made phases, each pairing lands
// in the bin of the nearest spike of its paired neuron with the weight change the update gives it;
// (2) in real EqSpike training with every synapse logged, the logged changes add up to the change the
// learner applied to the weights, so the log holds exactly the rule's terms.
#include <gtest/gtest.h>

#include "analysis/stdp_recorder.hpp"
#include "learn/ep_learner.hpp"
#include "substrate/ideal.hpp"
#include "../support/ep_batches.hpp"

using namespace plasticore;

namespace {

// A one-sample state of a {2, 2, 1} network with the given spikes and learning-variable changes.
RelaxationState hand_state(std::vector<std::vector<Scalar>> spikes, std::vector<std::vector<Scalar>> delta) {
  RelaxationState st;
  for (size_t l = 0; l < spikes.size(); ++l) {
    const auto n = static_cast<Eigen::Index>(spikes[l].size());
    st.state.push_back(Matrix::Zero(n, 1));
    st.spikes.push_back(Eigen::Map<Matrix>(spikes[l].data(), n, 1));
    st.delta.push_back(Eigen::Map<Matrix>(delta[l].data(), n, 1));
  }
  return st;
}

}  // namespace

TEST(StdpRecorder, BinsEachPairingAtTheNearestSpikeOfItsPairedNeuron) {
  // Layers: input (2), hidden (2), output (1); every synapse logged. eta = 0.1 / 0.05, beta 0.5, two
  // phases, batch 1: a pairing's dw = sign * eta_l * delta / (0.5 * 2 * 1) = sign * eta_l * delta.
  StdpRecorder recorder({{2, 2, 1}, {0.1, 0.05}, 0.5, 2, 100, 7});
  ASSERT_EQ(recorder.synapses(), 2 * 2 + 2 * 1);
  const std::vector<Scalar> none2 = {0, 0}, none1 = {0};

  // Free phase, 3 steps: hidden 0 spikes at step 1 (time -2 from the nudged phase), nothing else.
  recorder.begin_phase(Phase::free, 0);
  recorder.after_step(0, hand_state({none2, none2, none1}, {none2, none2, none1}));
  recorder.after_step(1, hand_state({none2, {1, 0}, none1}, {none2, none2, none1}));
  recorder.after_step(2, hand_state({none2, none2, none1}, {none2, none2, none1}));
  recorder.end_phase();

  // Nudged phase (+beta), 2 steps.
  //  step 0: input 0 spikes; hidden changes by (0.2, 0.4): pairings (h0: 0.1*0.2; h0 spikes at -2 and at
  //          step 1, so dt +1) and (h1: 0.1*0.4, h1 never spikes: unpaired).
  //  step 1: hidden 0 and the output spike; output changes by 0.5, hidden by (-0.1, 0.3):
  //          forward (h0 -> out): 0.05*0.5, nearest output spike at step 1, dt 0;
  //          feedback (out -> h0): 0.05*(-0.1), nearest h0 spike at step 1, dt 0;
  //          feedback (out -> h1): 0.05*0.3, h1 never spikes: unpaired.
  recorder.begin_phase(Phase::nudged, 1);
  recorder.after_step(0, hand_state({{1, 0}, none2, none1}, {none2, {0.2f, 0.4f}, none1}));
  recorder.after_step(1, hand_state({none2, {1, 0}, {1}}, {none2, {-0.1f, 0.3f}, {0.5f}}));
  recorder.end_phase();

  const auto& bins = recorder.window().bins();
  ASSERT_EQ(bins.size(), 2u);
  ASSERT_EQ(bins.count(1), 1u);
  ASSERT_EQ(bins.count(0), 1u);
  EXPECT_EQ(bins.at(1).count, 1);
  EXPECT_NEAR(bins.at(1).sum_dw, 0.1 * 0.2, 1e-7);
  EXPECT_EQ(bins.at(0).count, 2);
  EXPECT_NEAR(bins.at(0).sum_dw, 0.05 * 0.5 - 0.05 * 0.1, 1e-7);
  EXPECT_EQ(recorder.unpaired(), 2);
  EXPECT_NEAR(recorder.total_dw(), 0.1 * 0.2 + 0.1 * 0.4 + 0.05 * 0.5 - 0.05 * 0.1 + 0.05 * 0.3, 1e-7);
  EXPECT_TRUE(recorder.phase_window(-1).bins().empty());

  // A -beta phase of one step: the first pairing again, with the opposite sign, and as h0 does not spike
  // in this phase its nearest spike is the free-phase one (dt -2).
  recorder.begin_phase(Phase::nudged, -1);
  recorder.after_step(0, hand_state({{1, 0}, none2, none1}, {none2, {0.2f, 0.4f}, none1}));
  recorder.end_phase();
  ASSERT_EQ(recorder.phase_window(-1).bins().size(), 1u);
  EXPECT_NEAR(recorder.phase_window(-1).bins().at(-2).sum_dw, -0.1 * 0.2, 1e-7);
  EXPECT_NEAR(recorder.window().bins().at(-2).sum_dw, -0.1 * 0.2, 1e-7);
  EXPECT_EQ(recorder.unpaired(), 3);
}

TEST(StdpRecorder, LoggedChangesAddUpToTheAppliedUpdate) {
  const std::vector<int> sizes = {6, 5, 3};
  auto owned = std::make_unique<LayeredEPNetwork>(sizes, ideal_substrates());
  owned->initialize(3, {1.0, 1.0});
  EPLearningParams learn;
  learn.free_steps = 12;
  learn.nudged_steps = 8;
  learn.beta = 0.5f;
  learn.beta_sign = BetaSign::symmetric;
  learn.rule = two_factor_rule(0);  // self-correction 0: not a pairing, the log leaves it out
  learn.learning_rates = {0.1, 0.05};
  EPLearner learner(std::move(owned), RelaxationParams{SpikeCoding::sigma_delta, 0.3f, 0.3f}, learn, 5);
  const LayeredEPNetwork& net = learner.network();
  StdpRecorder recorder({sizes, learn.learning_rates, learn.beta, 2, 1000, 5});
  learner.set_observer(&recorder);

  Rng rng(11, "test_inputs");
  Matrix x(6, 4);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = rng.uniform();
  const std::vector<Matrix> before = {net.weight(0).weights(), net.weight(1).weights()};
  train_on(learner, x, {0, 1, 2, 1});
  double applied = 0;
  for (int l = 0; l < 2; ++l) applied += static_cast<double>((net.weight(l).weights() - before[static_cast<size_t>(l)]).sum());

  ASSERT_EQ(recorder.synapses(), 6 * 5 + 5 * 3);
  ASSERT_GT(recorder.window().count(), 0);
  EXPECT_NE(applied, 0.0);
  EXPECT_NEAR(recorder.total_dw(), applied, 1e-5 * std::abs(applied) + 1e-7);
  for (const auto& [dt, bin] : recorder.window().bins()) {
    const auto& plus = recorder.phase_window(1).bins(), &minus = recorder.phase_window(-1).bins();
    const double split = (plus.count(dt) ? plus.at(dt).sum_dw : 0.0) + (minus.count(dt) ? minus.at(dt).sum_dw : 0.0);
    EXPECT_NEAR(split, bin.sum_dw, 1e-9) << "dt " << dt;
  }
}
