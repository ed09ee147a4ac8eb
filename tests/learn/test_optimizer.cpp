// The one optimizer layer (learn/optimizer.hpp) for every rule: SGD and Adam against their formulas,
// per-parameter learning rates and the schedule's factor, the moments saved and restored by name; and
// through the learners: EP trains with Adam, e-prop honours a per-matrix learning-rate table.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/error.hpp"
#include "learn/optimizer.hpp"
#include "core/rng.hpp"
#include "learn/ep_learner.hpp"
#include "substrate/ideal.hpp"
#include "data/array_dataset.hpp"
#include "../support/runs.hpp"

namespace plasticore {
namespace {

TEST(Optimizer, SgdAndAdamFollowTheirFormulas) {
  Matrix g(1, 2), change;
  g << 0.5f, -2.0f;
  Optimizer sgd({"sgd"}, {{"a", 1, 2, 0.1}, {"b", 1, 2, 0.01}});
  sgd.set_schedule_factor(0.5);
  sgd.begin_update();
  sgd.delta(0, g, change);
  EXPECT_FLOAT_EQ(change(0, 0), -0.05f * 0.5f);
  EXPECT_FLOAT_EQ(change(0, 1), 0.05f * 2.0f);
  sgd.delta(1, g, change);
  EXPECT_FLOAT_EQ(change(0, 0), -0.005f * 0.5f) << "each parameter its own rate";

  Optimizer adam({"adam"}, {{"w", 1, 2, 0.01}});
  double m[2] = {0, 0}, v[2] = {0, 0};
  for (int n = 1; n <= 2; ++n) {
    adam.begin_update();
    adam.delta(0, g, change);
    for (int i = 0; i < 2; ++i) {
      m[i] = 0.9 * m[i] + 0.1 * g(0, i);
      v[i] = 0.999 * v[i] + 0.001 * g(0, i) * g(0, i);
      const double want = -0.01 * (m[i] / (1 - std::pow(0.9, n))) / (std::sqrt(v[i] / (1 - std::pow(0.999, n))) + 1e-8);
      EXPECT_NEAR(change(0, i), want, 1e-7) << "update " << n;
    }
    g *= -1;
  }
}

TEST(Optimizer, WeightDecayIsDecoupled) {
  Matrix g(1, 2), w(1, 2), plain, decayed;
  g << 0.5f, -2.0f;
  w << 0.8f, -0.4f;
  for (const char* kind : {"sgd", "adam"}) {
    OptimizerConfig config{kind};
    Optimizer without(config, {{"w", 1, 2, 0.1}});
    config.weight_decay = 0.01;
    Optimizer with(config, {{"w", 1, 2, 0.1}});
    without.set_schedule_factor(0.5);
    with.set_schedule_factor(0.5);
    without.begin_update();
    with.begin_update();
    without.delta(0, g, plain);
    with.delta(0, g, decayed);
    EXPECT_EQ(decayed, plain) << kind << ": the decay is not part of the gradient's change";
    with.add_weight_decay(0, w, decayed);
    for (int i = 0; i < 2; ++i)
      EXPECT_FLOAT_EQ(decayed(0, i), plain(0, i) - 0.05f * 0.01f * w(0, i)) << kind << ": -eta lambda w, eta with the schedule";
  }
}

TEST(Optimizer, MomentsSaveAndRestoreByName) {
  Matrix g = Matrix::Constant(2, 3, 0.3f), a, b;
  Optimizer first({"adam"}, {{"w_in", 2, 3, 0.01}});
  first.begin_update();
  first.delta(0, g, a);
  NamedTensors saved;
  first.save(saved);
  EXPECT_EQ(saved.integer("optimizer/updates"), 1);
  EXPECT_TRUE(saved.has("optimizer/first_moment/w_in") && saved.has("optimizer/second_moment/w_in"));
  Optimizer second({"adam"}, {{"w_in", 2, 3, 0.01}});
  second.restore(saved);
  first.begin_update();
  second.begin_update();
  first.delta(0, g, a);
  second.delta(0, g, b);
  EXPECT_EQ(a, b) << "a restored optimizer continues exactly";
  Optimizer other_shape({"adam"}, {{"w_in", 3, 3, 0.01}});
  EXPECT_THROW(other_shape.restore(saved), RuntimeError);
  NamedTensors sgd_state;
  Optimizer({"sgd"}, {{"w_in", 2, 3, 0.01}}).save(sgd_state);
  EXPECT_THROW(second.restore(sgd_state), RuntimeError) << "no Adam moments in an SGD run";
}

// Static samples whose class is the argmax of a fixed projection: learnable by a small EP network.
ArrayDataset projection_task(int n, uint64_t seed) {
  Rng rng(seed, "projection_task");
  Matrix projection(4, 12);
  for (Eigen::Index i = 0; i < projection.size(); ++i) projection.data()[i] = rng.uniform() - 0.5f;
  std::vector<Matrix> x, y;
  for (int k = 0; k < n; ++k) {
    Matrix image(1, 12);
    for (Eigen::Index i = 0; i < 12; ++i) image(0, i) = rng.uniform();
    Eigen::Index label = 0;
    (projection * image.transpose()).col(0).maxCoeff(&label);
    Matrix target = Matrix::Zero(1, 4);
    target(0, label) = 1;
    x.push_back(image);
    y.push_back(target);
  }
  return ArrayDataset(x, y, Loss::cross_entropy);
}

double ep_accuracy_after(const std::string& optimizer, double rate, int epochs) {
  const ArrayDataset data = projection_task(80, 3);
  auto net = std::make_unique<LayeredEPNetwork>(std::vector<int>{12, 16, 4}, ideal_substrates());
  net->initialize(5, {1.0, 0.5});
  EPLearningParams learn;
  learn.beta_sign = BetaSign::symmetric;
  learn.optimizer = {optimizer};
  learn.learning_rates = {rate};
  EPLearner learner(std::move(net), RelaxationParams{}, learn, 5);
  Batch batch{&data, Split::train, 0, 0, {}};
  for (int e = 0; e < epochs; ++e)
    for (int64_t start = 0; start < 80; start += 8, ++batch.index) {
      batch.samples.clear();
      for (int64_t k = start; k < start + 8; ++k) batch.samples.push_back(k);
      Score ignored;
      learner.accumulate(batch, ignored);
      learner.apply_update(8);
    }
  Score score;
  batch.samples.clear();
  for (int64_t k = 0; k < 80; ++k) batch.samples.push_back(k);
  learner.evaluate(batch, score);
  return score.accuracy();
}

// EPLearner::train_batch writes W1's SGD step in place with one nudged phase (EPRule::update_first_layer_in_place):
// the weights after ten batches equal, bit for bit, those of accumulate then apply_update, which sum W1's gradient and
// sweep it; with each one-phase sign scheme, and with symmetric nudging (which sums as before).
TEST(OptimizerInRules, EpFirstLayerInPlaceGivesTheWeightsOfTheSumAndSweep) {
  const ArrayDataset data = projection_task(80, 3);
  for (const BetaSign sign : {BetaSign::random, BetaSign::positive, BetaSign::alternating, BetaSign::symmetric}) {
    std::vector<Matrix> weights[2];
    for (int in_place = 0; in_place < 2; ++in_place) {
      auto net = std::make_unique<LayeredEPNetwork>(std::vector<int>{12, 16, 4}, ideal_substrates());
      net->initialize(5, {1.0, 0.5});
      EPLearningParams learn;
      learn.beta_sign = sign;
      learn.optimizer = {"sgd"};
      learn.learning_rates = {0.2};
      EPLearner learner(std::move(net), RelaxationParams{}, learn, 5);
      Batch batch{&data, Split::train, 0, 0, {}};
      for (int64_t start = 0; start < 80; start += 8, ++batch.index) {
        batch.samples.clear();
        for (int64_t k = start; k < start + 8; ++k) batch.samples.push_back(k);
        Score ignored;
        if (in_place == 1) {
          learner.train_batch(batch, ignored);
        } else {
          learner.accumulate(batch, ignored);
          learner.apply_update(8);
        }
      }
      for (const auto& [name, s] : learner.matrices()) weights[in_place].push_back(s->weights());
    }
    ASSERT_EQ(weights[0].size(), weights[1].size());
    for (size_t m = 0; m < weights[0].size(); ++m) {
      const Matrix &a = weights[0][m], &b = weights[1][m];
      ASSERT_EQ(a.size(), b.size());
      EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<size_t>(a.size())), 0)
          << "matrix " << m << ", beta sign " << static_cast<int>(sign);
    }
  }
}

TEST(OptimizerInRules, EpTrainsWithAdam) {
  const double before = ep_accuracy_after("adam", 0.0, 1), adam = ep_accuracy_after("adam", 0.01, 15);
  std::printf("  EP with Adam on a 4-class projection task: accuracy %.3f -> %.3f (SGD: %.3f)\n", before, adam,
              ep_accuracy_after("sgd", 0.2, 15));
  EXPECT_GT(adam, before + 0.3);
  EXPECT_GT(adam, 0.7);
}

TEST(OptimizerInRules, EpropHonoursAPerMatrixLearningRateTable) {
  // A table with zero rates for w_in and w_rec leaves them at their initial values; w_out learns.
  const std::string base = "algorithm = \"eprop\"\nseed = 4\nthreads = 1\n[task]\nsteps = 100\n[network]\nrecurrent = 10\n";
  const NamedTensors frozen = train_tensors(base + "[train]\nepochs = 2\nlearning_rate = {w_in = 0.0, w_rec = 0.0, w_out = 0.01}\n");
  const NamedTensors initial = train_tensors(base + "[train]\nepochs = 1\nlearning_rate = 0.0\n");
  EXPECT_EQ(frozen.matrix("w_in", 10, 100), initial.matrix("w_in", 10, 100));
  EXPECT_EQ(frozen.matrix("w_rec", 10, 10), initial.matrix("w_rec", 10, 10));
  EXPECT_NE(frozen.matrix("w_out", 1, 10), initial.matrix("w_out", 1, 10));
}

TEST(OptimizerInRules, WeightDecayShrinksEveryMatrixOfARun) {
  const std::string base = "algorithm = \"eprop\"\nseed = 4\nthreads = 1\n[task]\nsteps = 100\n[network]\nrecurrent = 10\n"
                           "[train]\nepochs = 3\nlearning_rate = 0.02\n";
  const NamedTensors plain = train_tensors(base);
  const NamedTensors decayed = train_tensors(base + "weight_decay = 0.5\n");
  for (const auto& [name, cols] : {std::pair<const char*, int>{"w_in", 100}, {"w_rec", 10}, {"w_out", 10}}) {
    const int rows = std::string(name) == "w_out" ? 1 : 10;
    EXPECT_LT(decayed.matrix(name, rows, cols).norm(), 0.99 * plain.matrix(name, rows, cols).norm()) << name;
  }
}

}  // namespace
}  // namespace plasticore
