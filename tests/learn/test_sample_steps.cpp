// The two-factor rule taking each sample's steps on that sample's thread (PhaseObserver::after_sample_step, the
// sums over the batch at the end of the phase) sums exactly what it sums shown the phase step by step
// (after_step), bit for bit and with the same op counts: input as spikes, as changes, and as changes with
// paired phases; two hidden layers, so the layers above the first and their feedback direction are summed too;
// one and two threads, with small upper layers and with upper layers large enough to be split between the threads.
#include <gtest/gtest.h>

#include <omp.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

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

constexpr int kIn = 40, kBatch = 7;

struct Sums {
  std::vector<Matrix> dw, db;
  OpCounters ops;
  int whole_steps = 0;
  std::vector<GradientColumns> columns;  // per weight sum, as the rule marked them
};

// restart = false: the -beta phase continues from the +beta phase's end instead of the free state, so its input
// spikes are not the first phase's (a wrong pairing).
// hidden: the first hidden layer's size (64 or more: the accumulation's sorted path, else the small layer's);
// upper: the second's (large upper layers are summed on the team's threads at the end of a phase, each thread
// taking a share of the columns).
Sums run(bool changes, bool paired, bool sample_steps, int threads, bool restart = true, double self_correction = 0,
         int hidden = 24, int upper = 12) {
  const std::vector<int> sizes = {kIn, hidden, upper, 4};
  LayeredEPNetwork net(sizes, ideal_substrates());
  Rng rng(5, "test_sample_steps");
  randomize_layers(net, rng, 0.8f, 0.3f);
  Matrix x(kIn, kBatch), y = Matrix::Zero(sizes.back(), kBatch);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const float u = rng.uniform();
    x.data()[i] = u < 0.4f ? 0.0f : u < 0.6f ? 1.0f : rng.uniform();
  }
  for (Eigen::Index j = 0; j < kIn; j += 8) x.row(j).setZero();  // pixels blank in the whole batch
  for (Eigen::Index b = 0; b < kBatch; ++b) y(b % y.rows(), b) = 1;
  RelaxationParams params{SpikeCoding::sigma_delta, 0.5f, 0.3f};
  params.input_changes = changes;
  const Relaxation relax(net, params);
  Sums sums;
  const auto L = static_cast<size_t>(net.weight_layers());
  sums.dw.resize(L);
  sums.db.resize(L);
  sums.columns.resize(L);
  EPRuleSums pointers;
  for (size_t w = 0; w < L; ++w) {
    sums.dw[w] = Matrix::Zero(sizes[w + 1], sizes[w]);
    sums.db[w] = Vector::Zero(sizes[w + 1]);
    pointers.weights.push_back(&sums.dw[w]);
    pointers.biases.push_back(&sums.db[w]);
    pointers.columns.push_back(&sums.columns[w]);
  }
  TwoFactorRule rule(net, params, pointers, self_correction);
  rule.set_counters(&sums.ops);
  WholeSteps whole;
  std::vector<PhaseObserver*> observers = {&rule};
  if (!sample_steps) observers.push_back(&whole);

  const int outer = omp_get_max_threads();
  omp_set_num_threads(threads);
  RelaxationState st, free;
  std::vector<int64_t> ids(kBatch);
  for (int b = 0; b < kBatch; ++b) ids[static_cast<size_t>(b)] = b;
  relax.start(st, x, 3, "test", 0, ids);
  relax.run(st, 12, nullptr, 0, 0);
  rule.begin_batch();
  rule.pair_phases(paired);
  // The +beta phase continues from the free state; the -beta phase restarts from it and replays the +beta
  // phase's input drive.
  free = st;
  relax.run(st, 8, &y, 0.5f, 1, observers, InputDrive::record);
  if (restart) st = free;
  relax.run(st, 8, &y, -0.5f, -1, observers, restart ? InputDrive::replay : InputDrive::compute);
  rule.finish_batch();
  omp_set_num_threads(outer);
  sums.whole_steps = whole.steps;
  return sums;
}

TEST(SampleSteps, TheRuleSumsWhatItSumsStepByStep) {
  // 24-12: the upper layers' sums on one thread; 100-160: on the team (160 x 100 + 4 x 160 weights x 8 steps).
  for (const auto& [hidden, upper] : {std::pair{24, 12}, std::pair{100, 160}}) {
    for (const int variant : {0, 1, 2, 3}) {
      const bool changes = variant == 1 || variant == 2, paired = variant >= 2;
      SCOPED_TRACE(std::string(changes ? "input as changes" : "input as spikes") + (paired ? ", paired phases" : "") +
                   ", hidden layers " + std::to_string(hidden) + "-" + std::to_string(upper));
      const Sums reference = run(changes, paired, false, 1, true, 0, hidden, upper);
      ASSERT_EQ(reference.whole_steps, 16);  // the reference did see whole steps
      for (const int threads : {1, 2}) {
        SCOPED_TRACE(std::to_string(threads) + " thread(s)");
        const Sums got = run(changes, paired, true, threads, true, 0, hidden, upper);
        for (size_t w = 0; w < reference.dw.size(); ++w) {
          ASSERT_GT(reference.dw[w].norm(), 0) << "layer " << w;  // every layer learned something: not vacuous
          EXPECT_TRUE(got.dw[w] == reference.dw[w]) << "layer " << w << ", largest difference "
                                                     << (got.dw[w] - reference.dw[w]).cwiseAbs().maxCoeff();
          EXPECT_TRUE(got.db[w] == reference.db[w]) << "layer " << w;
        }
        for (const Phase p : {Phase::free, Phase::nudged, Phase::update, Phase::forward})
          EXPECT_EQ(got.ops.counts(p), reference.ops.counts(p));
      }
    }
  }
}

// The rule pairs the second phase's ds with the input spikes the first phase kept: a second phase whose input
// spikes differ is refused, not summed with the wrong spikes.
TEST(SampleSteps, PairedPhasesWithOtherInputSpikesAreRefused) {
  for (const bool changes : {false, true}) {
    SCOPED_TRACE(changes ? "input as changes" : "input as spikes");
    EXPECT_NO_THROW(run(changes, true, true, 1));
    EXPECT_THROW(run(changes, true, true, 1, false), std::logic_error);
    EXPECT_THROW(run(changes, true, false, 1, false), std::logic_error);  // whole steps
    EXPECT_NO_THROW(run(changes, false, true, 1, false));                // unpaired: nothing to check
  }
}

// Spiking without the correction the rule marks the first layer's written columns (learn/gradient_columns.hpp),
// which the update alone then sweeps: every column it wrote must be marked, and the blank pixels, whose input
// neurons never spike, must not be (else the list saves nothing). The layers above and the correction, which
// write every column, are not tracked.
TEST(SampleSteps, TheRuleMarksTheFirstLayersWrittenColumns) {
  for (const int variant : {0, 1, 2, 3}) {
    const bool changes = variant == 1 || variant == 2, paired = variant >= 2;
    SCOPED_TRACE(std::string(changes ? "input as changes" : "input as spikes") + (paired ? ", paired phases" : ""));
    for (const auto& [threads, hidden] : {std::pair{1, 24}, std::pair{2, 24}, std::pair{1, 70}, std::pair{2, 70}}) {
      SCOPED_TRACE(std::to_string(threads) + " thread(s), " + std::to_string(hidden) + " hidden");
      Sums got = run(changes, paired, true, threads, true, 0, hidden);
      const std::vector<int32_t>* marked = got.columns[0].columns();
      ASSERT_NE(marked, nullptr);
      std::vector<int32_t> written;
      for (Eigen::Index j = 0; j < got.dw[0].cols(); ++j)
        if (!got.dw[0].col(j).isZero(0)) written.push_back(static_cast<int32_t>(j));
      ASSERT_FALSE(written.empty());
      EXPECT_TRUE(std::includes(marked->begin(), marked->end(), written.begin(), written.end()));
      EXPECT_TRUE(std::is_sorted(marked->begin(), marked->end()));
      for (int32_t j = 0; j < kIn; j += 8)  // blank in every sample: never spiked, never written
        EXPECT_FALSE(std::binary_search(marked->begin(), marked->end(), j)) << "column " << j;
      for (size_t w = 1; w < got.columns.size(); ++w) EXPECT_EQ(got.columns[w].columns(), nullptr) << "layer " << w;
    }
  }
  Sums corrected = run(true, true, false, 1, true, 1.0);
  EXPECT_EQ(corrected.columns[0].columns(), nullptr);
}

}  // namespace
}  // namespace plasticore
