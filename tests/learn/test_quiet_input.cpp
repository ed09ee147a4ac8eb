// The clamped input's blank 16-neuron vectors, which Relaxation::start() marks and the spike step skips
// (RelaxationState::quiet_input): the marks are exactly each sample's all-zero vectors (the last one partial),
// and a phase with them ends bit for bit where the same phase without them (every vector stepped) ends, with
// the input as spikes and as changes, free and nudged.
#include <gtest/gtest.h>

#include <vector>

#include "core/rng.hpp"
#include "learn/relaxation.hpp"
#include "substrate/ideal.hpp"
#include "../support/ep_networks.hpp"

namespace plasticore {
namespace {

constexpr Eigen::Index kInputs = 40;  // 16 + 16 + 8: a partial last vector
constexpr Eigen::Index kVectors = 3, kBatch = 4;

// Sample b leaves vector `blank[b]` all 0 (none if -1); every other vector has a zero pixel and some ink.
Matrix input_with_blanks(const std::vector<int>& blank, Rng& rng) {
  Matrix x(kInputs, kBatch);
  for (Eigen::Index b = 0; b < kBatch; ++b)
    for (Eigen::Index i = 0; i < kInputs; ++i) {
      const bool in_blank = i / 16 == blank[static_cast<size_t>(b)];
      x(i, b) = in_blank || i % 5 == 0 ? 0.0f : 0.2f + 0.8f * rng.uniform();
    }
  return x;
}

LayeredEPNetwork random_network(Rng& rng) {
  LayeredEPNetwork net({static_cast<int>(kInputs), 12, 4}, ideal_substrates());
  randomize_layers(net, rng, 0.6f, 0.2f);
  return net;
}

TEST(QuietInput, MarksEachSamplesBlankVectors) {
  Rng rng(4, "test_quiet_input");
  const std::vector<int> blank = {0, 1, 2, -1};
  const Matrix x = input_with_blanks(blank, rng);
  const LayeredEPNetwork net = random_network(rng);
  RelaxationState st;
  Relaxation(net, {SpikeCoding::sigma_delta, 0.5f}).start(st, x, 9, "test", 0, {0, 1, 2, 3});
  ASSERT_EQ(st.quiet_input.size(), static_cast<size_t>(kVectors * kBatch));
  for (Eigen::Index b = 0; b < kBatch; ++b)
    for (Eigen::Index v = 0; v < kVectors; ++v)
      EXPECT_EQ(st.quiet_input[static_cast<size_t>(b * kVectors + v)] != 0, v == blank[static_cast<size_t>(b)])
          << "sample " << b << ", vector " << v;
  // Other codings mark nothing: rate mode has no spikes, Bernoulli spikes are drawn for every neuron.
  for (const SpikeCoding coding : {SpikeCoding::rate, SpikeCoding::bernoulli}) {
    Relaxation(net, {coding, 0.5f}).start(st, x, 9, "test", 0, {0, 1, 2, 3});
    EXPECT_TRUE(st.quiet_input.empty());
  }
}

TEST(QuietInput, SkippingTheMarkedVectorsChangesNothing) {
  for (const bool changes : {false, true}) {
    Rng rng(5, "test_quiet_input");
    const Matrix x = input_with_blanks({2, 0, 1, -1}, rng);
    const LayeredEPNetwork net = random_network(rng);
    RelaxationParams params{SpikeCoding::sigma_delta, 0.5f};
    params.input_changes = changes;
    const Relaxation relax(net, params);
    Matrix targets = Matrix::Zero(4, kBatch);
    for (Eigen::Index b = 0; b < kBatch; ++b) targets(b % 4, b) = 1;
    RelaxationState skipped;
    relax.start(skipped, x, 9, "test", 0, {0, 1, 2, 3});
    RelaxationState stepped = skipped;
    stepped.quiet_input.clear();  // every vector stepped
    int64_t input_spikes = 0;
    for (RelaxationState* st : {&skipped, &stepped}) {
      relax.run(*st, 8, nullptr, 0, 0);
      relax.run(*st, 6, &targets, 0.5f, 1);
    }
    for (const auto& events : skipped.events[0]) input_spikes += static_cast<int64_t>(events.size());
    EXPECT_GT(input_spikes, 0) << "the input spiked: the comparison is not vacuous";
    for (size_t l = 0; l < skipped.state.size(); ++l) {
      EXPECT_TRUE(skipped.state[l] == stepped.state[l]) << "layer " << l << ", changes " << changes;
      EXPECT_TRUE(skipped.accumulator[l] == stepped.accumulator[l]) << "layer " << l << ", changes " << changes;
      EXPECT_TRUE(skipped.spikes[l] == stepped.spikes[l]) << "layer " << l << ", changes " << changes;
      EXPECT_TRUE(skipped.delta[l] == stepped.delta[l]) << "layer " << l << ", changes " << changes;
      EXPECT_EQ(skipped.events[l], stepped.events[l]) << "layer " << l << ", changes " << changes;
    }
    if (changes) {
      EXPECT_TRUE(skipped.input_drive == stepped.input_drive);
      EXPECT_EQ(skipped.input_on, stepped.input_on);
      EXPECT_EQ(skipped.input_off, stepped.input_off);
    }
  }
}

}  // namespace
}  // namespace plasticore
