// The recurrent SNN (network/recurrent_snn.hpp): its forward pass equals the double-precision equations
// (tests/support/rsnn_reference.hpp) with and without a refractory period, the diagonal of W_rec is never
// a weight (for the rules' gradients too), and bad shapes and values are UsageErrors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "learn/bptt.hpp"
#include "learn/eprop.hpp"
#include "../support/rsnn_reference.hpp"

namespace plasticore {
namespace {

TEST(RecurrentSNN, ForwardMatchesDoublePrecisionEquations) {
  const RecurrentSNNSizes n{.inputs = 6, .recurrent = 12, .adaptive = 6, .outputs = 3};
  const int steps = 200;
  for (const int refractory : {0, 3}) {
  SCOPED_TRACE("refractory_steps " + std::to_string(refractory));
  const RecurrentSNNParams p = test_params(SpikeFunction::heaviside, refractory);
  const Weights w = random_weights(n, 1.2, 0.5, 61);
  const RecurrentSNN net = make_net(n, p, w);
  const Matrix x = input_spikes(steps, n.inputs, 0.08, 62);
  Matrix readout, spikes;
  net.forward(x, readout, &spikes);
  EXPECT_GT(spikes.leftCols(n.adaptive).mean(), 0.01) << "ALIF neurons spike";
  EXPECT_GT(spikes.rightCols(n.recurrent - n.adaptive).mean(), 0.01) << "LIF neurons spike";
  for (const Loss loss : {Loss::mse, Loss::cross_entropy}) {
    const Matrix y = targets_for(loss, steps, n.outputs, 63);
    const ReferenceRun reference = reference_run(n, p, w.input.cast<double>(), w.recurrent.cast<double>(),
                                                 w.readout.cast<double>(), x.cast<double>(), y.cast<double>(), loss);
    const double library = bptt_gradients(net, x, y, loss).loss;
    std::printf("  %s loss: library %.6f, double-precision equations %.6f\n", loss == Loss::mse ? "mse" : "ce", library,
                reference.loss);
    EXPECT_NEAR(library, reference.loss, 1e-5 * std::abs(reference.loss));
    EXPECT_EQ(spikes.cast<double>(), reference.spikes);
    EXPECT_LE((readout.cast<double>() - reference.readout).cwiseAbs().maxCoeff(),
              1e-5 * reference.readout.cwiseAbs().maxCoeff());
  }
  }
}

TEST(RecurrentSNN, DiagonalOfRecurrentWeightsIsIgnored) {
  const RecurrentSNNSizes n{.inputs = 5, .recurrent = 8, .adaptive = 3, .outputs = 2};
  const int steps = 80;
  Weights w = random_weights(n, 3.0, 0.5, 41);
  w.recurrent.diagonal().setZero();
  Weights with_autapses = w;
  Rng rng(42, "test_diagonal");
  for (Eigen::Index j = 0; j < n.recurrent; ++j) with_autapses.recurrent(j, j) = static_cast<Scalar>(3 * rng.normal());
  const RecurrentSNN plain = make_net(n, test_params(), w), autapses = make_net(n, test_params(), with_autapses);
  EXPECT_EQ(autapses.recurrent_weights().weights().diagonal().cwiseAbs().maxCoeff(), 0.0f);
  const Matrix x = input_spikes(steps, n.inputs, 0.1, 43);
  for (const Loss loss : {Loss::mse, Loss::cross_entropy}) {
    const Matrix y = targets_for(loss, steps, n.outputs, 44);
    for (const bool eprop : {true, false}) {
      const SequenceGradients a = eprop ? eprop_gradients(plain, x, y, loss) : bptt_gradients(plain, x, y, loss);
      const SequenceGradients b = eprop ? eprop_gradients(autapses, x, y, loss) : bptt_gradients(autapses, x, y, loss);
      const char* method = eprop ? "eprop" : "bptt";
      EXPECT_GT(a.recurrent.cwiseAbs().maxCoeff(), 0.0f) << method;
      EXPECT_EQ(a.recurrent.diagonal().cwiseAbs().maxCoeff(), 0.0f) << method;
      EXPECT_EQ(a.loss, b.loss) << method;
      EXPECT_EQ(a.input, b.input) << method;
      EXPECT_EQ(a.recurrent, b.recurrent) << method;
      EXPECT_EQ(a.readout, b.readout) << method;
    }
  }
}

TEST(RecurrentSNN, BadShapesAndValuesAreUsageErrors) {
  const RecurrentSNNSizes n{.inputs = 3, .recurrent = 4, .adaptive = 2, .outputs = 2};
  const Weights w = random_weights(n, 3.0, 0.5, 51);
  const RecurrentSNN net = make_net(n, test_params(), w);
  const Matrix x = input_spikes(10, n.inputs, 0.3, 52), y = targets_for(Loss::mse, 10, n.outputs, 53);
  for (const bool eprop : {true, false}) {
    auto gradients = [&](const Matrix& inputs, const Matrix& targets) {
      return eprop ? eprop_gradients(net, inputs, targets, Loss::mse) : bptt_gradients(net, inputs, targets, Loss::mse);
    };
    EXPECT_NO_THROW(gradients(x, y));
    const SequenceGradients one_step = gradients(x.topRows(1), y.topRows(1));  // T = 1: z[-1] = 0, no W_rec path
    EXPECT_EQ(one_step.recurrent, Matrix::Zero(n.recurrent, n.recurrent));
    EXPECT_THROW(gradients(x.transpose(), y), UsageError);              // n_in x T instead of T x n_in
    EXPECT_THROW(gradients(x, y.topRows(9)), UsageError);               // fewer target steps
    EXPECT_THROW(gradients(x, Matrix::Zero(10, 3)), UsageError);        // wrong n_out
    EXPECT_THROW(gradients(Matrix(0, 3), Matrix(0, 2)), UsageError);    // T = 0
    Matrix bad_x = x, bad_y = y;
    bad_x(4, 1) = std::nanf("");
    bad_y(7, 0) = std::numeric_limits<Scalar>::infinity();
    EXPECT_THROW(gradients(bad_x, y), UsageError);
    EXPECT_THROW(gradients(x, bad_y), UsageError);
  }
  Matrix out;
  EXPECT_THROW(net.forward(Matrix::Zero(5, 4), out), UsageError);

  RecurrentSNN fresh(n, test_params(), ideal_substrates());
  EXPECT_THROW(fresh.set_weights(w.input.transpose(), w.recurrent, w.readout), UsageError);
  EXPECT_THROW(fresh.set_weights(w.input, w.recurrent.topRows(3), w.readout), UsageError);
  EXPECT_THROW(fresh.set_weights(w.input, w.recurrent, w.readout.transpose()), UsageError);
  Matrix nan_rec = w.recurrent;
  nan_rec(1, 2) = std::nanf("");
  EXPECT_THROW(fresh.set_weights(w.input, nan_rec, w.readout), UsageError);

  auto construct = [&](RecurrentSNNSizes sizes, RecurrentSNNParams p) { RecurrentSNN(sizes, p, ideal_substrates()); };
  EXPECT_THROW(construct({.inputs = 3, .recurrent = 4, .adaptive = 5, .outputs = 2}, test_params()), UsageError);
  EXPECT_THROW(construct({.inputs = 0, .recurrent = 4, .adaptive = 0, .outputs = 2}, test_params()), UsageError);
  RecurrentSNNParams p = test_params();
  p.lif.tau_m_ms = 0;
  EXPECT_THROW(construct(n, p), UsageError);
  p = test_params();
  p.lif.v_th = std::nanf("");
  EXPECT_THROW(construct(n, p), UsageError);
  p = test_params();
  p.dt_ms = -1;
  EXPECT_THROW(construct(n, p), UsageError);
}

}  // namespace
}  // namespace plasticore
