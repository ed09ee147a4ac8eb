// The streaming entry points of e-prop and BPTT (learn/sequence_stream.hpp) on task sequences: the same
// gradients as the matrix API on the materialised sequence; memory reused between sequences changes
// nothing; the rate regulariser's gradient agrees between them where e-prop is exact (W_rec = 0); and a short
// e-prop + Adam run learns pattern generation.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <stdexcept>
#include <thread>

#include "core/rng.hpp"
#include "../support/datasets.hpp"
#include "substrate/ideal.hpp"
#include "learn/bptt.hpp"
#include "learn/eprop.hpp"
#include "learn/eprop_eligibility.hpp"
#include "learn/optimizer.hpp"
#include "../support/materialise_sequence.hpp"

namespace plasticore {
namespace {

Matrix gaussian(int rows, int cols, double scale, uint64_t seed) {
  Rng rng(seed, "test_streaming");
  Matrix m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = static_cast<Scalar>(scale * rng.normal());
  return m;
}

RecurrentSNN make_net(const Dataset& task, int recurrent, int adaptive, double recurrent_scale) {
  RecurrentSNNParams p;
  p.alif.tau_a_ms = 200;
  p.alif.adapt_beta = 0.05f;
  RecurrentSNN net({task.inputs(), recurrent, adaptive, task.outputs()}, p, ideal_substrates());
  net.set_weights(gaussian(recurrent, task.inputs(), 1.0 / std::sqrt(task.inputs()), 1),
                  gaussian(recurrent, recurrent, recurrent_scale / std::sqrt(recurrent), 2),
                  gaussian(task.outputs(), recurrent, 1.0 / std::sqrt(recurrent), 3));
  return net;
}

TEST(StreamingGradients, EqualTheMatrixApi) {
  for (const char* name : {"pattern_generation", "evidence_accumulation"}) {
    const auto task = dataset_from(name, "[task]\nsteps = 1250\ninput_rate_hz = 40.0\n");
    const RecurrentSNN net = make_net(*task, 30, 10, 0.5);
    const auto sequence = task->sequence(Split::train, 2);
    Matrix x, y;
    materialise(*sequence, task->inputs(), task->outputs(), x, y);
    const SequenceGradients streamed = eprop_gradients(net, *sequence, task->loss());
    const SequenceGradients matrix = eprop_gradients(net, x, y, task->loss());
    EXPECT_EQ(streamed.loss, matrix.loss) << name;
    EXPECT_EQ(streamed.input, matrix.input) << name;
    EXPECT_EQ(streamed.recurrent, matrix.recurrent) << name;
    EXPECT_EQ(streamed.readout, matrix.readout) << name;
    EXPECT_GT(streamed.input.norm(), 0) << name;
    const SequenceGradients bptt_streamed = bptt_gradients(net, *sequence, task->loss());
    const SequenceGradients bptt_matrix = bptt_gradients(net, x, y, task->loss());
    EXPECT_EQ(bptt_streamed.input, bptt_matrix.input) << name;
    EXPECT_EQ(bptt_streamed.recurrent, bptt_matrix.recurrent) << name;
  }
}

// A sequence on its own, big enough to share, runs on two and three threads (part 0 runs the steps, the synapse
// rows are split among the parts, on double-buffered blocks); a small one runs on one thread. Either way: the
// one-thread gradients, bit for bit, also for the sequences after, whose split the waits may have moved.
TEST(StreamingGradients, OneSequenceOnTwoThreadsEqualsOneThread) {
  const auto task = dataset_from("pattern_generation", "[task]\nsteps = 300\ninput_rate_hz = 40.0\n");
  for (const int recurrent : {10, 400}) {
    const int adaptive = recurrent / 4;
    const RecurrentSNN net = make_net(*task, recurrent, adaptive, 0.5);
    const EpropEligibility synapses(task->inputs() + recurrent, adaptive, recurrent - adaptive, {0.99f, 0.05f, 0.95f},
                                    true);
    EXPECT_EQ(synapses.worth_sharing(), recurrent == 400) << "the two cases should straddle the threshold";
    const auto sequence = task->sequence(Split::train, 1);
    const RateRegularization reg{.strength = 1.0, .target_rate_per_ms = 0.01};
    const int before = omp_get_max_threads();
    omp_set_num_threads(1);
    const SequenceGradients one = eprop_gradients(net, *sequence, task->loss(), reg);
    EXPECT_GT(one.recurrent.norm(), 0) << recurrent;
    for (const int threads : {2, 3, 2, 2}) {
      omp_set_num_threads(threads);
      const SequenceGradients many = eprop_gradients(net, *sequence, task->loss(), reg);
      EXPECT_EQ(one.loss, many.loss) << recurrent << " neurons, " << threads << " threads";
      EXPECT_EQ(one.input, many.input) << recurrent << " neurons, " << threads << " threads";
      EXPECT_EQ(one.recurrent, many.recurrent) << recurrent << " neurons, " << threads << " threads";
      EXPECT_EQ(one.readout, many.readout) << recurrent << " neurons, " << threads << " threads";
    }
    omp_set_num_threads(before);
  }
}

// e-prop keeps its synapse state per thread and both fill the caller's SequenceGradients: a thread that ran a
// network of other sizes or other decays, and a sequence stopped by an exception part-way through a block (also
// when a big network's rows are shared between two threads), must leave nothing behind. The reference runs on a thread
// of its own, where nothing was kept before.
class ReusedMemory : public ::testing::TestWithParam<int> {};  // recurrent neurons

TEST_P(ReusedMemory, GivesTheFreshResult) {
  const int recurrent = GetParam();
  const int threads = omp_get_max_threads();
  omp_set_num_threads(2);  // a network big enough to share its blocks then shares them (ctest runs one thread)
  const auto task = dataset_from("evidence_accumulation", "[task]\nsteps = 1250\ninput_rate_hz = 40.0\n");
  const RecurrentSNN net = make_net(*task, recurrent, recurrent / 3, 0.5), other = make_net(*task, 20, 0, 0.5);
  RecurrentSNNParams slower = net.params();
  slower.alif.tau_a_ms = 50;  // the same sizes, other decays
  RecurrentSNN retuned({task->inputs(), recurrent, recurrent / 3, task->outputs()}, slower, ideal_substrates());
  retuned.set_weights(net.input_weights().weights(), net.recurrent_weights().weights(), net.readout_weights().weights());
  const auto sequence = task->sequence(Split::train, 3);
  const RateRegularization regularization{1.0, 0.01};
  SequenceGradients fresh_eprop, fresh_bptt;
  std::thread([&] {
    fresh_eprop = eprop_gradients(net, *sequence, task->loss(), regularization);
    fresh_bptt = bptt_gradients(net, *sequence, task->loss(), regularization);
  }).join();
  ASSERT_GT(fresh_eprop.input.norm(), 0);
  const StepObserver stop = [](Eigen::Index t, const RecurrentSNNState&) {
    if (t == 1200) throw std::runtime_error("stopped");  // in the recall window, inside a block of 32 steps
  };
  for (const bool bptt : {false, true}) {
    const auto run = [&](const RecurrentSNN& n, const StepObserver& observe, SequenceGradients& into) {
      if (bptt) bptt_gradients(n, *sequence, task->loss(), regularization, observe, into);
      else eprop_gradients(n, *sequence, task->loss(), regularization, observe, nullptr, into);
    };
    const SequenceGradients& want = bptt ? fresh_bptt : fresh_eprop;
    const auto expect_fresh = [&](const SequenceGradients& got, const char* after) {
      EXPECT_EQ(got.loss, want.loss) << bptt << after;
      EXPECT_EQ(got.regularization_loss, want.regularization_loss) << bptt << after;
      EXPECT_EQ(got.input, want.input) << bptt << after;
      EXPECT_EQ(got.recurrent, want.recurrent) << bptt << after;
      EXPECT_EQ(got.readout, want.readout) << bptt << after;
    };
    SequenceGradients slot;
    run(other, {}, slot);    // other shapes, and a loss to be reset
    run(retuned, {}, slot);  // the shapes of `net`, other decays: its state is kept for `net` below
    run(net, {}, slot);
    expect_fresh(slot, ", after other decays");
    EXPECT_THROW(run(net, stop, slot), std::runtime_error);
    run(net, {}, slot);
    expect_fresh(slot, ", after a stopped sequence");
  }
  omp_set_num_threads(threads);
}

// 30 neurons: one thread per sequence; 400: shared (above EpropEligibility::kSharedBlockWork per block).
INSTANTIATE_TEST_SUITE_P(Sizes, ReusedMemory, ::testing::Values(30, 400));

TEST(StreamingGradients, RateRegularisationMatchesBpttWithoutRecurrence) {
  const auto task = dataset_from("pattern_generation", "[task]\nsteps = 300\ninput_rate_hz = 40.0\n");
  const RecurrentSNN net = make_net(*task, 20, 8, 0.0);
  const auto sequence = task->sequence(Split::train, 0);
  const RateRegularization reg{.strength = 5.0, .target_rate_per_ms = 0.002};
  const SequenceGradients e = eprop_gradients(net, *sequence, task->loss(), reg);
  const SequenceGradients b = bptt_gradients(net, *sequence, task->loss(), reg);
  const SequenceGradients plain = eprop_gradients(net, *sequence, task->loss());
  EXPECT_GT(e.regularization_loss, 0);
  EXPECT_NEAR(e.regularization_loss, b.regularization_loss, 1e-9 * e.regularization_loss);
  EXPECT_GT((e.input - plain.input).norm(), 1e-3 * plain.input.norm()) << "the regulariser changes the gradient";
  EXPECT_LE((e.input - b.input).cwiseAbs().maxCoeff(), 1e-4 * b.input.cwiseAbs().maxCoeff());
}

TEST(StreamingGradients, EpropWithAdamLearnsPatternGeneration) {
  const auto task = dataset_from("pattern_generation", "[task]\nsteps = 400\ninput_rate_hz = 20.0\n");
  RecurrentSNN net = make_net(*task, 60, 0, 0.3);
  Optimizer adam({.kind = "adam"}, {{"w_in", 60, task->inputs(), 3e-3}, {"w_rec", 60, 60, 3e-3}, {"w_out", 1, 60, 3e-3}});
  const auto sequence = task->sequence(Split::train, 0);
  Matrix change;
  double first = 0, last = 0;
  for (int iteration = 0; iteration < 30; ++iteration) {
    const SequenceGradients g = eprop_gradients(net, *sequence, task->loss(), {.strength = 1.0});
    if (iteration == 0) first = g.loss;
    last = g.loss;
    adam.begin_update();
    adam.delta(0, g.input, change);
    net.input_weights().update(change);
    adam.delta(1, g.recurrent, change);
    change.diagonal().setZero();
    net.recurrent_weights().update(change);
    adam.delta(2, g.readout, change);
    net.readout_weights().update(change);
  }
  std::printf("  pattern generation, T 400, 60 LIF: loss %.2f -> %.2f after 30 e-prop + Adam updates\n", first, last);
  EXPECT_LT(last, 0.7 * first);
}

}  // namespace
}  // namespace plasticore
