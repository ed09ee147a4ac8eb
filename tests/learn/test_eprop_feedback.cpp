// Random e-prop: the learning signal uses a fixed matrix B instead of W_out^T. B = W_out^T must give
// symmetric e-prop back; another B changes the hidden-weight gradients but not the readout's.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "substrate/ideal.hpp"
#include "learn/eprop.hpp"

namespace plasticore {
namespace {

Matrix random_matrix(int rows, int cols, double scale, uint64_t seed) {
  Rng rng(seed, "test_feedback");
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(scale * rng.normal());
  return m;
}

struct Fixture {
  RecurrentSNN net{{6, 12, 4, 3}, RecurrentSNNParams{}, ideal_substrates()};
  Matrix inputs, targets;
  Fixture() {
    net.set_weights(random_matrix(12, 6, 1.0, 1), random_matrix(12, 12, 0.1, 2), random_matrix(3, 12, 0.3, 3));
    Rng rng(4, "test_feedback_input");
    inputs.resize(150, 6);
    for (Eigen::Index i = 0; i < inputs.size(); ++i) inputs.data()[i] = rng.uniform() < 0.1f ? 1.0f : 0.0f;
    targets = random_matrix(150, 3, 1.0, 5);
  }
};

double relative(const Matrix& a, const Matrix& b) { return (a - b).norm() / b.norm(); }

TEST(EpropFeedback, TransposedReadoutAsFeedbackIsSymmetricEprop) {
  Fixture f;
  const MatrixSequence sequence(f.inputs, f.targets);
  const SequenceGradients symmetric = eprop_gradients(f.net, sequence, Loss::mse);
  const Matrix b = f.net.readout_weights().weights().transpose();
  const SequenceGradients explicit_b = eprop_gradients(f.net, sequence, Loss::mse, {}, {}, &b);
  ASSERT_GT(symmetric.input.norm(), 0);
  EXPECT_LT(relative(explicit_b.input, symmetric.input), 1e-6);
  EXPECT_LT(relative(explicit_b.recurrent, symmetric.recurrent), 1e-6);
  EXPECT_EQ(explicit_b.readout, symmetric.readout);
}

TEST(EpropFeedback, RandomFeedbackChangesOnlyTheHiddenGradients) {
  Fixture f;
  const MatrixSequence sequence(f.inputs, f.targets);
  const SequenceGradients symmetric = eprop_gradients(f.net, sequence, Loss::mse);
  const Matrix b = random_matrix(12, 3, 0.3, 9);
  const SequenceGradients random = eprop_gradients(f.net, sequence, Loss::mse, {}, {}, &b);
  EXPECT_GT(relative(random.input, symmetric.input), 0.1);
  EXPECT_EQ(random.readout, symmetric.readout);  // the readout's own gradient needs no feedback
  EXPECT_DOUBLE_EQ(random.loss, symmetric.loss);
}

TEST(EpropFeedback, WrongFeedbackShapeIsAUsageError) {
  Fixture f;
  const MatrixSequence sequence(f.inputs, f.targets);
  const Matrix b = random_matrix(3, 12, 0.3, 9);
  EXPECT_THROW(eprop_gradients(f.net, sequence, Loss::mse, {}, {}, &b), UsageError);
}

}  // namespace
}  // namespace plasticore
