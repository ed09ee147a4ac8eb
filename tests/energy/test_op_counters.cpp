// Operation counters equal counts worked out by hand on tiny networks (docs/energy.md, "What is
// counted"), and attaching them changes no trained number.
#include <gtest/gtest.h>

#include <omp.h>

#include <string>
#include <thread>
#include <vector>

#include "learn/bptt.hpp"
#include "learn/ep_learner.hpp"
#include "learn/eprop.hpp"
#include "substrate/registry.hpp"
#include "substrate/ideal.hpp"
#include "../support/ep_batches.hpp"

namespace plasticore {
namespace {

int64_t count_of(const OpCounters& c, Phase p, Op op) { return c.counts(p)[static_cast<size_t>(op)]; }

// Each thread counts into a slot of its own; the totals folded in when read must be exact, also for more
// threads than there are slots (the atomic fallback), and reset() must clear the pending slots too.
TEST(OpCounters, CountsFromManyThreadsAddUpExactly) {
  OpCounters c;
  constexpr int kIterations = 10000;
#pragma omp parallel for num_threads(4) schedule(dynamic, 7)
  for (int i = 0; i < kIterations; ++i) {
    const ThreadPhase phase(i % 2 == 0 ? Phase::free : Phase::update);
    c.add(Op::spikes, i);
    c.add(Op::time_steps, 1);
  }
  int64_t even = 0, odd = 0;
  for (int i = 0; i < kIterations; ++i) (i % 2 == 0 ? even : odd) += i;
  EXPECT_EQ(count_of(c, Phase::free, Op::spikes), even);
  EXPECT_EQ(count_of(c, Phase::update, Op::spikes), odd);
  EXPECT_EQ(count_of(c, Phase::free, Op::time_steps) + count_of(c, Phase::update, Op::time_steps), kIterations);
  std::vector<std::thread> threads;  // 100 fresh threads: more than the slots
  for (int k = 0; k < 100; ++k) threads.emplace_back([&c] { c.add(Op::neuron_updates, 3); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(count_of(c, Phase::forward, Op::neuron_updates), 300);
  c.add(Op::spikes, 5);  // pending in this thread's slot when reset
  c.reset();
  EXPECT_EQ(count_of(c, Phase::forward, Op::spikes), 0);
  EXPECT_EQ(count_of(c, Phase::free, Op::spikes), 0);
  EXPECT_EQ(c.data()[0], 0);
}

TEST(OpCounters, IdealSubstrateCountsPerMatrixOperationInTheCurrentPhase) {
  IdealSubstrate w(2, 3);  // 2 post x 3 pre
  OpCounters c;
  w.set_counters(&c);
  Matrix x = Matrix::Ones(3, 4), y;
  c.set_phase(Phase::free);
  w.forward(x, y);  // 2 x 3 x 4 MACs
  c.set_phase(Phase::nudged);
  std::vector<Scalar> out(3);
  const std::vector<int32_t> pre = {0, 2}, post = {1};
  w.forward_events(pre, out.data());   // 2 spikes x 2 rows
  w.backward_events(post, out.data());  // 1 spike x 3 columns
  EXPECT_EQ(count_of(c, Phase::free, Op::dense_macs), 24);
  EXPECT_EQ(count_of(c, Phase::free, Op::dense_equivalent_macs), 24);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::synaptic_events), 4 + 3);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::dense_equivalent_macs), 6 + 6);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::dense_macs), 0);
  {
    const ThreadPhase update(Phase::update);  // overrides the counters' phase in this thread
    w.backward(Matrix::Ones(2, 1), x);
  }
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_macs), 6);
  w.forward(Matrix::Ones(3, 1), y);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::dense_macs), 6);
}

// A 3-2-2 network with leak 1, T1 = 3, T2 = 2, one positive nudge.
struct TinyEP {
  std::unique_ptr<LayeredEPNetwork> net = std::make_unique<LayeredEPNetwork>(std::vector<int>{3, 2, 2}, ideal_substrates());
  EPLearningParams learn;
  Matrix x;
  std::vector<int32_t> labels;
  TinyEP(const std::string& rule, int batch) {
    learn.free_steps = 3;
    learn.nudged_steps = 2;
    learn.beta_sign = BetaSign::positive;
    learn.rule = rule == "two_factor" ? two_factor_rule(1.0) : end_of_phase_rule();
    learn.learning_rates = {0.1};
    x = Matrix::Zero(3, batch);
    for (int b = 0; b < batch; ++b) {
      x(0, b) = 1;  // pixels (1, 0, 1): the clamped input spikes at every step on two lines
      x(2, b) = 1;
      labels.push_back(0);
    }
  }
};

TEST(OpCounters, RateEndOfPhaseEPOnA322Network) {
  TinyEP t("end_of_phase", 2);
  t.net->initialize(1, {1.0});
  EPLearner learner(std::move(t.net), RelaxationParams{SpikeCoding::rate, 1.0f}, t.learn, 1);
  OpCounters c;
  learner.set_counters(&c);
  train_on(learner, t.x, t.labels);
  // Free: W1 x once (2x3x2 = 12, the input is clamped), then per step W2 s1 and W2^T s2 (2 x 2x2x2 = 16).
  EXPECT_EQ(count_of(c, Phase::free, Op::dense_macs), 12 + 3 * 16);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::dense_macs), 2 * 16);  // W1 x reused
  EXPECT_EQ(count_of(c, Phase::free, Op::neuron_updates), 3 * 4 * 2);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::neuron_updates), 2 * 4 * 2);
  EXPECT_EQ(count_of(c, Phase::free, Op::spikes), 0);
  // Update: (s1b - s1f) x^T (2x3x2) and s2 s1^T at both equilibria (2 x 2x2x2); one write per synapse.
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_macs), 12 + 16);
  EXPECT_EQ(count_of(c, Phase::update, Op::accumulator_updates), 6 + 4);
  EXPECT_EQ(count_of(c, Phase::update, Op::synaptic_events), 0);
}

TEST(OpCounters, SpikingTwoFactorEPWithAKnownSpikePattern) {
  // Zero weights, biases +-5 and leak 1: neuron 0 of each layer has state 1 from step 1 on and
  // spikes at every step whatever its accumulator's phase; neuron 1 stays at 0 and never spikes.
  TinyEP t("two_factor", 1);
  for (int l = 0; l < 2; ++l) {
    t.net->weight(l).set_weights(Matrix::Zero(2, l == 0 ? 3 : 2));
    t.net->bias(l) << 5, -5;
  }
  EPLearner learner(std::move(t.net), RelaxationParams{SpikeCoding::sigma_delta, 1.0f}, t.learn, 1);
  OpCounters c;
  learner.set_counters(&c);
  train_on(learner, t.x, t.labels);
  // Spikes per step: 2 input; from step 1 on also 1 hidden and 1 output (states start at 0).
  EXPECT_EQ(count_of(c, Phase::free, Op::spikes), 2 + 4 + 4);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::spikes), 4 + 4);
  // Events: 2 input spikes x 2 hidden; 1 hidden spike x 2 outputs; 1 output spike x 2 hidden (feedback).
  EXPECT_EQ(count_of(c, Phase::free, Op::synaptic_events), 4 + 8 + 8);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::synaptic_events), 8 + 8);
  EXPECT_EQ(count_of(c, Phase::free, Op::dense_macs), 0);
  EXPECT_EQ(count_of(c, Phase::free, Op::dense_equivalent_macs), 3 * (6 + 4 + 4));
  EXPECT_EQ(count_of(c, Phase::free, Op::neuron_updates), 3 * 4);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::neuron_updates), 2 * 4);
  // Update, per nudged step: 2 input spikes x 2 + 1 hidden spike x 2 + 1 output spike x 2 (feedback
  // direction); then one write per synapse (6 + 4). Self-correction: one product per synapse.
  EXPECT_EQ(count_of(c, Phase::update, Op::accumulator_updates), 2 * (4 + 2 + 2) + 10);
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_macs), 10);
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_equivalent_macs), 2 * (6 + 4 + 4) + 10);
}

// At batch 1 too the two-factor rule sums its per-step products into a per-synapse accumulator over the
// learning phase, and the sample's update then writes every synapse: the hardware-like regime (flip, batch 1,
// nothing stored) pays both. The spike pattern of the test above (the nudge moves no state here).
TEST(OpCounters, HardwareLikeRegimeAccumulatesPerStepAndWritesEverySynapsePerSample) {
  TinyEP t("two_factor", 1);
  t.learn.beta_sign = BetaSign::flip;
  for (int l = 0; l < 2; ++l) {
    t.net->weight(l).set_weights(Matrix::Zero(2, l == 0 ? 3 : 2));
    t.net->bias(l) << 5, -5;
  }
  EPLearner learner(std::move(t.net), RelaxationParams{SpikeCoding::sigma_delta, 1.0f}, t.learn, 1);
  OpCounters c;
  learner.set_counters(&c);
  train_on(learner, t.x, t.labels);
  // The rule learns in both phases: 2 x T2 = 4 steps of 8 accumulator updates, then 6 + 4 writes.
  EXPECT_EQ(count_of(c, Phase::update, Op::accumulator_updates), 4 * 8 + 10);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::time_steps), 2 * 2);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::sign_broadcasts), 4 * 2);  // 4 neurons, the sign and its flip
  for (const Phase p : {Phase::free, Phase::nudged, Phase::update}) {
    EXPECT_EQ(count_of(c, p, Op::state_stores), 0);  // nothing stored
    EXPECT_EQ(count_of(c, p, Op::state_loads), 0);
  }
}

// What a chip needs per nudging scheme and rule, in closed form for the 3-2-2 network (N = 4 non-input
// neurons), T1 = 3, T2 = 2, batch B = 3 (ep_learner.cpp, count_chip_state_traffic):
//   replay (symmetric + saved_free_state): W N B words stored and loaded, nudged phase; W = state, + the
//     sigma-delta accumulator if spiking, + the learning trace if any; 0 for every other scheme;
//   end_of_phase's reference: N B stored (unless the replay stored it) and N B loaded per learning phase;
//   the sign: N B per nudged phase; time steps: T1 B free (twice with fresh_free_phase), T2 B per nudged phase.
TEST(OpCounters, StateStoresLoadsSignsAndStepsOfEveryNudgingScheme) {
  struct Case {
    const char* rule;
    BetaSign sign;
    NudgedStart start;
    SpikeCoding coding;
    float trace_rate;
    int64_t words;  // per neuron in the replay
  };
  const int64_t N = 4, B = 3, T1 = 3, T2 = 2;
  const SpikeCoding sd = SpikeCoding::sigma_delta, rate = SpikeCoding::rate;
  const NudgedStart saved = NudgedStart::saved_free_state, fresh = NudgedStart::fresh_free_phase;
  for (const Case& k : {Case{"two_factor", BetaSign::symmetric, saved, sd, 1.0f, 2},
                        Case{"two_factor", BetaSign::symmetric, saved, sd, 0.5f, 3},
                        Case{"two_factor", BetaSign::symmetric, fresh, sd, 0.5f, 3},
                        Case{"two_factor", BetaSign::flip, saved, sd, 0.5f, 3},
                        Case{"two_factor", BetaSign::positive, saved, sd, 1.0f, 2},
                        Case{"two_factor", BetaSign::random, saved, sd, 1.0f, 2},
                        Case{"two_factor", BetaSign::alternating, saved, sd, 1.0f, 2},
                        Case{"end_of_phase", BetaSign::symmetric, saved, rate, 1.0f, 1},
                        Case{"end_of_phase", BetaSign::random, saved, rate, 1.0f, 1},
                        Case{"end_of_phase", BetaSign::flip, saved, sd, 1.0f, 2},
                        Case{"end_of_phase", BetaSign::symmetric, fresh, sd, 1.0f, 2}}) {
    TinyEP t(k.rule, static_cast<int>(B));
    t.learn.beta_sign = k.sign;
    t.learn.nudged_start = k.start;
    t.net->initialize(1, {1.0});
    RelaxationParams relax{k.coding, 1.0f};
    relax.trace_rate = k.trace_rate;
    EPLearner learner(std::move(t.net), relax, t.learn, 1);
    OpCounters c;
    learner.set_counters(&c);
    train_on(learner, t.x, t.labels);
    const bool two_phases = k.sign == BetaSign::symmetric || k.sign == BetaSign::flip;
    const int64_t phases = two_phases ? 2 : 1;
    const bool replay = k.sign == BetaSign::symmetric && k.start == saved;
    const bool reference = std::string(k.rule) == "end_of_phase";
    const std::string name = std::string(k.rule) + " sign " + std::to_string(static_cast<int>(k.sign)) + " start " +
                             std::to_string(static_cast<int>(k.start)) + " words " + std::to_string(k.words);
    EXPECT_EQ(count_of(c, Phase::nudged, Op::state_stores), replay ? k.words * N * B : 0) << name;
    EXPECT_EQ(count_of(c, Phase::nudged, Op::state_loads), replay ? k.words * N * B : 0) << name;
    // flip's second phase compares with the first's end: a second reference kept.
    const int64_t references = k.sign == BetaSign::flip ? 2 : 1;
    EXPECT_EQ(count_of(c, Phase::update, Op::state_stores), reference && !replay ? N * B * references : 0) << name;
    EXPECT_EQ(count_of(c, Phase::update, Op::state_loads), reference ? N * B * phases : 0) << name;
    EXPECT_EQ(count_of(c, Phase::free, Op::state_stores) + count_of(c, Phase::free, Op::state_loads), 0) << name;
    EXPECT_EQ(count_of(c, Phase::nudged, Op::sign_broadcasts), N * B * phases) << name;
    EXPECT_EQ(count_of(c, Phase::free, Op::sign_broadcasts) + count_of(c, Phase::update, Op::sign_broadcasts), 0) << name;
    const int64_t free_phases = k.sign == BetaSign::symmetric && k.start == fresh ? 2 : 1;
    EXPECT_EQ(count_of(c, Phase::free, Op::time_steps), T1 * B * free_phases) << name;
    EXPECT_EQ(count_of(c, Phase::nudged, Op::time_steps), T2 * B * phases) << name;
    EXPECT_EQ(count_of(c, Phase::update, Op::time_steps), 0) << name;
  }
}

// Counts saved by a plasticore before issue 14 (10 ops per phase) widen into today's layout, the new ops 0.
TEST(OpCounters, RecordsOfTheOlderLayoutWiden) {
  std::vector<int64_t> old(OpCounters::kValuesBeforeIssue14);
  for (size_t i = 0; i < old.size(); ++i) old[i] = static_cast<int64_t>(i) + 1;
  OpCounters c;
  ASSERT_TRUE(OpCounters::widen(old.data(), old.size(), c.data()));
  EXPECT_EQ(count_of(c, Phase::free, Op::synaptic_events), 1);
  EXPECT_EQ(count_of(c, Phase::nudged, Op::synaptic_events), 11);
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_equivalent_macs), 40);
  EXPECT_EQ(count_of(c, Phase::update, Op::time_steps), 0);
  EXPECT_FALSE(OpCounters::widen(old.data(), old.size() - 1, c.data()));
}

TEST(OpCounters, CountingChangesNoTrainedWeight) {
  for (const char* rule : {"two_factor", "end_of_phase"})
  for (const BetaSign sign : {BetaSign::positive, BetaSign::symmetric, BetaSign::flip}) {
    std::vector<Matrix> weights[2];
    for (int counted = 0; counted < 2; ++counted) {
      TinyEP t(rule, 4);
      t.learn.beta_sign = sign;
      for (Eigen::Index i = 0; i < t.x.size(); ++i) t.x.data()[i] = static_cast<Scalar>((i * 7) % 10) / 10;
      t.net->initialize(7, {1.0});
      EPLearner learner(std::move(t.net), RelaxationParams{SpikeCoding::sigma_delta, 0.5f, 0.5f}, t.learn, 7);
      OpCounters c;
      if (counted == 1) learner.set_counters(&c);
      for (int batch = 0; batch < 5; ++batch) train_on(learner, t.x, t.labels, 0, batch);
      for (int l = 0; l < 2; ++l) weights[counted].push_back(learner.network().weight(l).weights());
    }
    for (int l = 0; l < 2; ++l) EXPECT_EQ(weights[0][static_cast<size_t>(l)], weights[1][static_cast<size_t>(l)]);
  }
}

// 2 inputs, 3 recurrent (1 ALIF), 1 readout, T = 4.
struct TinyRecurrent {
  RecurrentSNN net{{2, 3, 1, 1}, RecurrentSNNParams{}, ideal_substrates()};
  Matrix inputs = Matrix::Ones(4, 2), targets = Matrix::Ones(4, 1);
  TinyRecurrent() {
    net.set_weights(Matrix::Constant(3, 2, 0.8f), Matrix::Constant(3, 3, 0.3f), Matrix::Constant(1, 3, 0.5f));
  }
  Matrix spike_trains() const {  // T x n_rec
    Matrix readout, z;
    net.forward(inputs, readout, &z);
    return z;
  }
  int64_t spikes() const { return static_cast<int64_t>(spike_trains().sum()); }
  // The forward pass is event-driven (inputs and spikes are 0/1): per step every active input reads a
  // W_in column (3), every spike of the step before a W_rec column (3), every spike of the step a W_out
  // column (1).
  int64_t forward_events() const {
    const Matrix z = spike_trains();
    const auto all = static_cast<int64_t>(z.sum()), last = static_cast<int64_t>(z.bottomRows(1).sum());
    return static_cast<int64_t>(inputs.sum()) * 3 + (all - last) * 3 + all * 1;
  }
};

TEST(OpCounters, EpropOnATinyRecurrentNetwork) {
  TinyRecurrent t;
  const int64_t spikes = t.spikes(), events = t.forward_events();
  OpCounters c;
  t.net.set_counters(&c);
  const SequenceGradients g = eprop_gradients(t.net, t.inputs, t.targets, Loss::mse);
  // Forward, per step: synaptic events, W_in (3x2) + W_rec (3x3) + W_out (1x3) dense-equivalent MACs;
  // 3 + 1 neuron updates.
  EXPECT_EQ(count_of(c, Phase::forward, Op::dense_macs), 0);
  EXPECT_EQ(count_of(c, Phase::forward, Op::synaptic_events), events);
  EXPECT_EQ(count_of(c, Phase::forward, Op::dense_equivalent_macs), 4 * (6 + 9 + 3));
  EXPECT_EQ(count_of(c, Phase::forward, Op::neuron_updates), 4 * 4);
  EXPECT_EQ(count_of(c, Phase::forward, Op::spikes), spikes);
  // Update, per step: learning signal W_out^T err (3); per synapse of the 3 x 5 input+recurrent
  // matrix e, ebar and the gradient (3 x 15), eps^a on the ALIF row (1 x 5); readout err zbar^T (3).
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_macs), 4 * (3 + 45 + 5 + 3));
  EXPECT_EQ(count_of(c, Phase::update, Op::neuron_updates), 0);
}

TEST(OpCounters, BpttOnATinyRecurrentNetwork) {
  TinyRecurrent t;
  const int64_t events = t.forward_events();
  OpCounters c;
  t.net.set_counters(&c);
  const SequenceGradients g = bptt_gradients(t.net, t.inputs, t.targets, Loss::mse);
  EXPECT_EQ(count_of(c, Phase::forward, Op::synaptic_events), events);
  // Backward per step W_out^T g (3) and W_rec^T delta_v (9); gradients delta_v x^T (3x2 per step),
  // delta_v z^T (3x3 per step but the first), g z^T (1x3 per step) as dense-equivalent MACs; done as one
  // column add per input or spike event: 3 per input event, 3 per spike but the last step's, 1 per spike.
  const Matrix z = t.spike_trains();
  const auto all = static_cast<int64_t>(z.sum()), last = static_cast<int64_t>(z.bottomRows(1).sum());
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_equivalent_macs), 4 * (3 + 9) + 4 * 6 + 3 * 9 + 4 * 3);
  EXPECT_EQ(count_of(c, Phase::update, Op::dense_macs),
            4 * (3 + 9) + static_cast<int64_t>(t.inputs.sum()) * 3 + (all - last) * 3 + all);
}

TEST(OpCounters, CountingChangesNoSequenceGradient) {
  TinyRecurrent t;
  const SequenceGradients plain = eprop_gradients(t.net, t.inputs, t.targets, Loss::mse);
  OpCounters c;
  t.net.set_counters(&c);
  const SequenceGradients counted = eprop_gradients(t.net, t.inputs, t.targets, Loss::mse);
  EXPECT_EQ(plain.input, counted.input);
  EXPECT_EQ(plain.recurrent, counted.recurrent);
  EXPECT_EQ(plain.readout, counted.readout);
}

// Weight writes are counted where they happen, in the substrate, once per update: a digital write per
// synapse on digital weights, the digital accumulator's writes under mixed precision, none for
// schemes that pulse devices directly (their pulses are counted instead).
TEST(OpCounters, EachSubstrateCountsItsOwnWeightWritesOnce) {
  struct Case {
    std::string kind, update;
    int64_t expected_writes;
  };
  for (const Case& k : {Case{"ideal", "mixed_precision", 12}, Case{"quantized", "mixed_precision", 12},
                        Case{"pcm", "mixed_precision", 12}, Case{"pcm", "stochastic", 0}}) {
    SubstrateConfig config;
    config.kind = k.kind;
    config.update.scheme = update_scheme_from_name(k.update);
    auto substrate = make_substrate(config, 4, 3);
    OpCounters counters;
    substrate->set_counters(&counters);
    counters.set_phase(Phase::update);
    substrate->update(Matrix::Constant(4, 3, 0.01f));
    EXPECT_EQ(counters.counts(Phase::update)[static_cast<size_t>(Op::accumulator_updates)], k.expected_writes)
        << k.kind << " / " << k.update;
  }
}

}  // namespace
}  // namespace plasticore
