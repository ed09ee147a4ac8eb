// A spiking phase that replays the input drive recorded in an earlier phase from the same start state ends
// bit for bit where computing the drive again ends, and counts the same operations: on the ideal substrate
// and on the quantized one (in memory and in the loop), whose reads are exact; noisy devices decline.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/rng.hpp"
#include "learn/relaxation.hpp"
#include "substrate/ideal.hpp"
#include "substrate/registry.hpp"
#include "../support/ep_networks.hpp"

namespace plasticore {
namespace {

// Counts land in the counters' default phase here (no learner sets one).
int64_t events(const OpCounters& c) { return c.counts(Phase::forward)[static_cast<size_t>(Op::synaptic_events)]; }
int64_t equivalent(const OpCounters& c) { return c.counts(Phase::forward)[static_cast<size_t>(Op::dense_equivalent_macs)]; }

SubstrateConfig quantized(bool in_the_loop) {
  SubstrateConfig c;
  c.kind = "quantized";
  c.quantized.bits = 4;
  c.quantized.rounding = "deterministic";
  c.hardware_in_the_loop.enabled = in_the_loop;
  return c;
}

void expect_replay_equals_recompute(const SubstrateFactory& substrates) {
  LayeredEPNetwork net({30, 12, 4}, substrates);
  Rng rng(3, "test_input_drive_replay");
  randomize_layers(net, rng, 0.6f, 0.2f);
  Matrix x(30, 5), targets = Matrix::Zero(4, 5);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform() < 0.6f ? 0.0f : rng.uniform();
  for (Eigen::Index b = 0; b < 5; ++b) targets(b % 4, b) = 1;
  const Relaxation relax(net, {SpikeCoding::sigma_delta, 0.5f});
  RelaxationState free;
  relax.start(free, x, 9, "test", 0, {0, 1, 2, 3, 4});
  relax.run(free, 6, nullptr, 0, 0);

  RelaxationState plus = free;  // the +beta phase keeps its input drive
  relax.run(plus, 7, &targets, 0.5f, 1, {}, InputDrive::record);
  OpCounters computed_ops, replayed_ops;
  RelaxationState computed = free, replayed = free;
  for (int l = 0; l < net.weight_layers(); ++l) net.weight(l).set_counters(&computed_ops);
  relax.run(computed, 7, &targets, -0.5f, -1, {}, InputDrive::compute);
  for (int l = 0; l < net.weight_layers(); ++l) net.weight(l).set_counters(&replayed_ops);
  relax.run(replayed, 7, &targets, -0.5f, -1, {}, InputDrive::replay);

  for (size_t l = 0; l < computed.state.size(); ++l) {
    EXPECT_TRUE(computed.state[l] == replayed.state[l]) << "layer " << l;
    EXPECT_TRUE(computed.accumulator[l] == replayed.accumulator[l]) << "layer " << l;
    EXPECT_TRUE(computed.delta[l] == replayed.delta[l]) << "layer " << l;
  }
  EXPECT_FALSE(computed.state[1] == plus.state[1]);  // the -beta phase went elsewhere: the test is not vacuous
  EXPECT_GT(events(computed_ops), 0);
  EXPECT_EQ(events(computed_ops), events(replayed_ops));
  EXPECT_EQ(equivalent(computed_ops), equivalent(replayed_ops));
}

TEST(InputDriveReplay, EqualsComputingTheDriveAgainBitForBit) {
  expect_replay_equals_recompute(ideal_substrates());
}

TEST(InputDriveReplay, QuantizedReadsReplayInMemoryAndInTheLoop) {
  for (const bool in_the_loop : {false, true}) {
    SCOPED_TRACE(in_the_loop ? "hardware in the loop" : "in memory");
    const auto s = make_substrate(quantized(in_the_loop), 4, 6);
    EXPECT_TRUE(s->repeat_forward_events(std::vector<int32_t>{1, 3}));
    expect_replay_equals_recompute(substrate_factory(quantized(in_the_loop)));
  }
}

TEST(InputDriveReplay, NoisyDevicesReadAgain) {
  SubstrateConfig pcm;
  pcm.kind = "pcm";
  EXPECT_FALSE(make_substrate(pcm, 4, 6)->repeat_forward_events(std::vector<int32_t>{1, 3}));
  pcm.hardware_in_the_loop.enabled = true;
  EXPECT_FALSE(make_substrate(pcm, 4, 6)->repeat_forward_events(std::vector<int32_t>{1, 3}));
}

TEST(InputDriveReplay, NeedsARecordedPhaseOfTheSameShape) {
  LayeredEPNetwork net({6, 3, 2}, ideal_substrates());
  const Relaxation relax(net, {SpikeCoding::sigma_delta, 0.5f});
  RelaxationState st;
  relax.start(st, Matrix::Constant(6, 2, 0.5f), 1, "test", 0, {0, 1});
  relax.run(st, 3, nullptr, 0, 0, {}, InputDrive::record);
  EXPECT_THROW(relax.run(st, 4, nullptr, 0, 0, {}, InputDrive::replay), std::logic_error);
}

}  // namespace
}  // namespace plasticore
