// IdealSubstrate: exact fp32 weights and products. forward/backward and their event-driven forms
// against plain double loops on random matrices; update adds exactly, and the fused SGD sweep equals the separate passes; set_weights rejects a matrix
// of the wrong shape (RuntimeError) and leaves the weights unchanged. Also the substrate factory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <omp.h>

#include "core/column_sums.hpp"
#include "core/error.hpp"
#include "core/op_counters.hpp"
#include "core/rng.hpp"
#include "substrate/registry.hpp"
#include "substrate/ideal.hpp"

namespace plasticore {
namespace {

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = 2 * rng.uniform() - 1;
  return m;
}

// Float results vs a double reference: a few ulps of the sum of |terms|.
void expect_close(double got, double want, double abs_sum) {
  EXPECT_NEAR(got, want, 1e-6 * abs_sum + 1e-12);
}

constexpr int kRows = 13, kCols = 29, kBatch = 5;

class IdealSubstrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    w_ = random_matrix(kRows, kCols, rng_);
    sub_.set_weights(w_);
  }
  Rng rng_{42, "test_ideal_substrate"};
  Matrix w_;
  IdealSubstrate sub_{kRows, kCols};
};

TEST(IdealSubstrate, ShapeKindAndZeroInitialWeights) {
  IdealSubstrate s(4, 7);
  EXPECT_EQ(s.kind(), "ideal");
  EXPECT_EQ(s.rows(), 4);
  EXPECT_EQ(s.cols(), 7);
  ASSERT_EQ(s.weights().rows(), 4);
  ASSERT_EQ(s.weights().cols(), 7);
  EXPECT_TRUE(s.weights().isZero(0));
}

TEST_F(IdealSubstrateTest, SetWeightsStoresTheMatrixExactly) {
  EXPECT_EQ(sub_.weights(), w_);
}

TEST_F(IdealSubstrateTest, ForwardIsWTimesXForEveryColumn) {
  const Matrix x = random_matrix(kCols, kBatch, rng_);
  Matrix y(1, 1);  // wrong size on purpose: forward sizes its output
  sub_.forward(x, y);
  ASSERT_EQ(y.rows(), kRows);
  ASSERT_EQ(y.cols(), kBatch);
  for (int b = 0; b < kBatch; ++b)
    for (int i = 0; i < kRows; ++i) {
      double want = 0, abs_sum = 0;
      for (int j = 0; j < kCols; ++j) {
        want += static_cast<double>(w_(i, j)) * x(j, b);
        abs_sum += std::abs(static_cast<double>(w_(i, j)) * x(j, b));
      }
      expect_close(y(i, b), want, abs_sum);
    }
}

// forward_nonzero (a clamped image's drive from its non-zero pixels only) against a double reference, on an
// input that is mostly zeros with a column of all zeros and one with none; counted as the dense product.
TEST_F(IdealSubstrateTest, ForwardNonzeroIsWTimesXAndCountsTheDenseProduct) {
  Matrix x = random_matrix(kCols, kBatch, rng_);
  for (Eigen::Index i = 0; i < x.size(); ++i)
    if (rng_.uniform() < 0.8f) x.data()[i] = 0;
  x.col(1).setZero();
  x.col(2) = random_matrix(kCols, 1, rng_);
  OpCounters counters;
  sub_.set_counters(&counters);
  Matrix y(1, 1);
  sub_.forward_nonzero(x, y);
  ASSERT_EQ(y.rows(), kRows);
  ASSERT_EQ(y.cols(), kBatch);
  for (int b = 0; b < kBatch; ++b)
    for (int i = 0; i < kRows; ++i) {
      double want = 0, abs_sum = 0;
      for (int j = 0; j < kCols; ++j) {
        want += static_cast<double>(w_(i, j)) * x(j, b);
        abs_sum += std::abs(static_cast<double>(w_(i, j)) * x(j, b));
      }
      expect_close(y(i, b), want, abs_sum);
    }
  EXPECT_EQ(y.col(1), Vector::Zero(kRows));
  const OpCounts& counts = counters.counts(Phase::forward);
  EXPECT_EQ(counts[static_cast<size_t>(Op::dense_macs)], int64_t{kRows} * kCols * kBatch);
  EXPECT_EQ(counts[static_cast<size_t>(Op::synaptic_events)], 0);
}

TEST_F(IdealSubstrateTest, BackwardIsWTransposeTimesYForEveryColumn) {
  const Matrix y = random_matrix(kRows, kBatch, rng_);
  Matrix x(2, 3);
  sub_.backward(y, x);
  ASSERT_EQ(x.rows(), kCols);
  ASSERT_EQ(x.cols(), kBatch);
  for (int b = 0; b < kBatch; ++b)
    for (int j = 0; j < kCols; ++j) {
      double want = 0, abs_sum = 0;
      for (int i = 0; i < kRows; ++i) {
        want += static_cast<double>(w_(i, j)) * y(i, b);
        abs_sum += std::abs(static_cast<double>(w_(i, j)) * y(i, b));
      }
      expect_close(x(j, b), want, abs_sum);
    }
}

// One output and one column (e-prop's learning signal of a single readout): each element is one product, taken
// without the general product's set-up; the bytes of the general product (zero weights give +0, as there), and
// zeros for a zero signal.
TEST(IdealSubstrate, BackwardOfOneOutputIsTheGeneralProductsBytes) {
  Rng rng(11, "test_ideal_backward_one");
  Matrix w = random_matrix(1, 37, rng);
  w(0, 3) = 0;
  w(0, 20) = -0.0f;
  IdealSubstrate sub(1, 37);
  sub.set_weights(w);
  Matrix y(1, 1), x(3, 2);
  for (const Scalar signal : {-0.7f, 1.3f}) {
    y(0, 0) = signal;
    sub.backward(y, x);
    ASSERT_EQ(x.rows(), 37);
    ASSERT_EQ(x.cols(), 1);
    Matrix general(37, 1);
    general.noalias() = w.transpose() * y;
    EXPECT_EQ(std::memcmp(x.data(), general.data(), 37 * sizeof(Scalar)), 0) << signal;
    for (int j = 0; j < 37; ++j) EXPECT_EQ(x(j, 0), w(0, j) * signal) << j;
    EXPECT_FALSE(std::signbit(x(3, 0))) << "0 + w y: a zero weight gives +0";
  }
  y(0, 0) = 0;
  sub.backward(y, x);
  EXPECT_EQ(x, Matrix::Zero(37, 1));
}

// A substrate that keeps W^T (EP's layers above the first) takes it for the general product: the same bytes as
// the product of the row-major view, for the rate network's shapes and at each of Eigen's kernel boundaries (one
// column, one row, under 20 rows + columns + depth), also after an update (the copy follows the weights).
TEST(IdealSubstrate, BackwardFromTheKeptTransposeIsTheProductsBytes) {
  Rng rng(12, "test_ideal_backward_kept");
  const std::vector<std::pair<int, int>> shapes = {{10, 500}, {1, 100}, {100, 1}, {3, 5}, {8, 8}, {16, 13}, {64, 33}};
  for (const auto& [rows, cols] : shapes) {
    IdealSubstrate plain(rows, cols), kept(rows, cols);
    const Matrix w = random_matrix(rows, cols, rng);
    plain.set_weights(w);
    kept.set_weights(w);
    kept.keep_transposed_weights();
    const Matrix delta = 0.1f * random_matrix(rows, cols, rng);
    for (const int update : {0, 1}) {
      if (update == 1) {
        plain.update(delta);
        kept.update(delta);
      }
      for (const int batch : {1, 2, 3, 7, 8, 12, 20}) {
        const Matrix y = random_matrix(rows, batch, rng);
        Matrix want, got;
        plain.backward(y, want);
        kept.backward(y, got);
        ASSERT_EQ(got.rows(), cols);
        ASSERT_EQ(got.cols(), batch);
        EXPECT_EQ(std::memcmp(got.data(), want.data(), sizeof(Scalar) * static_cast<size_t>(want.size())), 0)
            << rows << " x " << cols << ", batch " << batch << ", after update " << update;
      }
    }
  }
}

TEST_F(IdealSubstrateTest, ForwardEventsSumsTheActiveColumns) {
  const std::vector<std::vector<int32_t>> cases = {{}, {0}, {kCols - 1}, {3, 7, 8, 20, kCols - 1}, {5, 1, 28, 0, 14}};
  for (const auto& active : cases) {
    // Garbage in the output buffer: forward_events overwrites, it does not accumulate.
    std::vector<Scalar> y(kRows, std::numeric_limits<Scalar>::quiet_NaN());
    sub_.forward_events(active, y.data());
    for (int i = 0; i < kRows; ++i) {
      double want = 0, abs_sum = 0;
      for (const int32_t j : active) {
        want += w_(i, j);
        abs_sum += std::abs(w_(i, j));
      }
      expect_close(y[static_cast<size_t>(i)], want, abs_sum);
    }
  }
  // Event-driven forward with all-or-nothing inputs equals the dense forward on the 0/1 vector.
  const std::vector<int32_t> active = {2, 4, 6, 11, 17, 23};
  Matrix x = Matrix::Zero(kCols, 1);
  for (const int32_t j : active) x(j, 0) = 1;
  Matrix dense;
  sub_.forward(x, dense);
  std::vector<Scalar> y(kRows);
  sub_.forward_events(active, y.data());
  for (int i = 0; i < kRows; ++i) EXPECT_NEAR(y[static_cast<size_t>(i)], dense(i, 0), 1e-5);
}

TEST_F(IdealSubstrateTest, BackwardEventsSumsTheActiveRows) {
  const std::vector<std::vector<int32_t>> cases = {{}, {0}, {kRows - 1}, {2, 3, 9}, {12, 0, 6, 1}};
  for (const auto& active : cases) {
    std::vector<Scalar> x(kCols, std::numeric_limits<Scalar>::quiet_NaN());
    sub_.backward_events(active, x.data());
    for (int j = 0; j < kCols; ++j) {
      double want = 0, abs_sum = 0;
      for (const int32_t i : active) {
        want += w_(i, j);
        abs_sum += std::abs(w_(i, j));
      }
      expect_close(x[static_cast<size_t>(j)], want, abs_sum);
    }
  }
  const std::vector<int32_t> active = {1, 5, 8, 12};
  Matrix y = Matrix::Zero(kRows, 1);
  for (const int32_t i : active) y(i, 0) = 1;
  Matrix dense;
  sub_.backward(y, dense);
  std::vector<Scalar> x(kCols);
  sub_.backward_events(active, x.data());
  for (int j = 0; j < kCols; ++j) EXPECT_NEAR(x[static_cast<size_t>(j)], dense(j, 0), 1e-5);
}

TEST_F(IdealSubstrateTest, UpdateAddsExactly) {
  const Matrix delta = 1e-3f * random_matrix(kRows, kCols, rng_);
  sub_.update(delta);
  for (int j = 0; j < kCols; ++j)
    for (int i = 0; i < kRows; ++i) {
      const Scalar want = w_(i, j) + delta(i, j);  // the same single fp32 addition: bit-exact
      EXPECT_EQ(sub_.weights()(i, j), want) << "(" << i << ", " << j << ")";
    }
  // A second update accumulates on the first; advancing time changes nothing on a digital substrate.
  const Matrix after_first = sub_.weights();
  sub_.update(-delta);
  sub_.advance(3600.0);
  for (int j = 0; j < kCols; ++j)
    for (int i = 0; i < kRows; ++i) EXPECT_EQ(sub_.weights()(i, j), Scalar(after_first(i, j) - delta(i, j)));
}

TEST_F(IdealSubstrateTest, SetWeightsRejectsTheWrongShape) {
  for (const auto& [r, c] : std::vector<std::pair<int, int>>{{kRows, kCols + 1}, {kRows + 1, kCols}, {kCols, kRows}, {0, 0}}) {
    const Matrix bad = Matrix::Ones(r, c);
    EXPECT_THROW(sub_.set_weights(bad), RuntimeError) << r << " x " << c;
  }
  EXPECT_EQ(sub_.weights(), w_);  // unchanged by the rejected calls
}

TEST(SubstrateFactory, MakesIdealAndRejectsUnknownKinds) {
  const auto s = make_substrate(SubstrateConfig{"ideal"}, 3, 8);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind(), "ideal");
  EXPECT_EQ(s->rows(), 3);
  EXPECT_EQ(s->cols(), 8);
  EXPECT_THROW(make_substrate(SubstrateConfig{"optical"}, 3, 8), UsageError);
}

}  // namespace
}  // namespace plasticore

namespace plasticore {
namespace {

// The fused SGD sweep against the separate passes it replaces (sum *= scale; change = step * sum; W += change;
// sum = 0): bit for bit, with one and with two threads, on a matrix big enough to be split (500 x 784) and
// one that is not, and leaves the sum at zero.
TEST(IdealSubstrateSgd, FusedSweepEqualsTheSeparatePassesBitForBit) {
  Rng rng(9, "test_ideal_substrate_sgd");
  for (const auto& [rows, cols] : {std::pair<int, int>{500, 784}, std::pair<int, int>{13, 29}})
    for (const int threads : {1, 2})
      for (const Scalar scale : {Scalar{1}, Scalar{-0.0123f}}) {
        const Matrix w = random_matrix(rows, cols, rng), sum = random_matrix(rows, cols, rng);
        const Scalar step = -0.37f;
        Matrix reference_sum = sum;
        reference_sum *= scale;
        const Matrix change = step * reference_sum;
        const Matrix reference = w + change;
        IdealSubstrate s(rows, cols);
        s.set_weights(w);
        Matrix fused_sum = sum;
        const int before = omp_get_max_threads();
        omp_set_num_threads(threads);
        ASSERT_TRUE(s.update_sgd(fused_sum, scale, step));
        omp_set_num_threads(before);
        EXPECT_TRUE(s.weights() == reference) << rows << "x" << cols << ", " << threads << " threads, scale " << scale;
        EXPECT_TRUE(fused_sum.isZero(0));
      }
}

// With a list of the columns that may be non-zero, the sweep takes only those (runs of neighbours and single
// columns) and gives the weights the whole sweep gives, bit for bit, and the sum back at zero.
TEST(IdealSubstrateSgd, ListedColumnsEqualTheWholeSweep) {
  Rng rng(11, "test_ideal_substrate_sgd_columns");
  const int rows = 37, cols = 50;
  const std::vector<int32_t> listed = {0, 3, 4, 5, 17, 30, 31, 49};
  const Matrix w = random_matrix(rows, cols, rng), full = random_matrix(rows, cols, rng);
  Matrix sum = Matrix::Zero(rows, cols);
  for (const int32_t j : listed) sum.col(j) = full.col(j);
  for (const Scalar scale : {Scalar{1}, Scalar{-0.0123f}}) {
    IdealSubstrate whole(rows, cols), some(rows, cols);
    whole.set_weights(w);
    some.set_weights(w);
    Matrix whole_sum = sum, some_sum = sum;
    ASSERT_TRUE(whole.update_sgd(whole_sum, scale, -0.37f));
    ASSERT_TRUE(some.update_sgd(some_sum, scale, -0.37f, &listed));
    EXPECT_TRUE(some.weights() == whole.weights()) << "scale " << scale;
    EXPECT_TRUE(some_sum.isZero(0));
    EXPECT_FALSE(some.weights() == w);  // the listed columns did change
  }
}

// With several threads forward_nonzero runs as a pipeline over W's column chunks (substrate.cpp), and the update
// over listed columns in the same chunks: both must give the one-thread bytes for any team. 500 x 784 (MNIST's
// first layer, above the threshold for splitting); samples with no input in one chunk or in any.
TEST(IdealSubstrateThreads, ForwardNonzeroAndListedUpdateGiveTheOneThreadBytes) {
  Rng rng(12, "test_ideal_substrate_threads");
  const int rows = 500, cols = 784, batch = 7;
  const Matrix w = random_matrix(rows, cols, rng);
  Matrix x = Matrix::Zero(cols, batch);
  for (Eigen::Index b = 0; b < batch; ++b)
    for (Eigen::Index j = 0; j < cols; ++j)
      if (rng.uniform() < 0.2f) x(j, b) = rng.uniform();
  x.block(cols / 2, 1, cols / 2, 1).setZero();  // sample 1: nothing for the second chunk
  x.block(0, 2, cols / 2, 1).setZero();         // sample 2: nothing for the first
  x.col(3).setZero();                           // sample 3: no input at all
  std::vector<int32_t> listed;
  for (int32_t j = 0; j < cols; ++j)
    if (j % 3 != 0 || (j > 380 && j < 400)) listed.push_back(j);  // runs across the 392 boundary of two chunks
  Matrix sum = Matrix::Zero(rows, cols);
  for (const int32_t j : listed) sum.col(j) = random_matrix(rows, 1, rng);
  const int before = omp_get_max_threads();
  Matrix y_one, w_one;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    IdealSubstrate s(rows, cols);
    s.set_weights(w);
    Matrix y;
    s.forward_nonzero(x, y);
    Matrix g = sum;
    ASSERT_TRUE(s.update_sgd(g, Scalar{0.25f}, Scalar{-0.5f}, &listed));
    omp_set_num_threads(before);
    EXPECT_TRUE(g.isZero(0)) << threads << " threads";
    if (threads == 1) {
      y_one = y;
      w_one = s.weights();
      EXPECT_TRUE(y.col(3).isZero(0));
      continue;
    }
    ASSERT_EQ(y.rows(), rows);
    ASSERT_EQ(y.cols(), batch);
    EXPECT_EQ(std::memcmp(y.data(), y_one.data(), sizeof(Scalar) * static_cast<size_t>(y.size())), 0) << threads << " threads";
    EXPECT_EQ(std::memcmp(s.weights().data(), w_one.data(), sizeof(Scalar) * static_cast<size_t>(w_one.size())), 0)
        << threads << " threads";
  }
}

}  // namespace
}  // namespace plasticore

namespace plasticore {
namespace {

// Substrate::keep_aligned_columns: the event-driven forward sums then read a copy of W whose columns start on 64-byte
// lines an odd number of lines apart, and W changes only there (weights() is made from it when read). Every read must
// give the bytes of the substrate without the copy, before and after each kind of change of W (set_weights, update, the
// SGD sweep over listed columns and over all, on 1 and 2 threads): a copy left stale, or a plain matrix or W^T not
// remade, by any of them fails here. The substrates: the copy asked for before the weights; the copy and W^T (an upper
// layer's feedback, keep_transposed_weights); the copy, and W^T asked for only after an update went into the copy; and
// the copy asked for only after an update.
TEST(IdealSubstrateAlignedColumns, EveryReadGivesThePlainBytesAfterEveryChange) {
  for (const Eigen::Index rows : {10, 63, 64, 80, 100, 500}) {
    const Eigen::Index stored = aligned_column_rows(rows);
    EXPECT_GE(stored, rows);
    if (rows < 64) EXPECT_EQ(stored, rows);
    else EXPECT_TRUE(stored % 16 == 0 && (stored / 16) % 2 == 1) << rows << " rows stored as " << stored;
  }
  Rng rng(13, "test_ideal_substrate_aligned");
  const int rows = 500, cols = 160;  // above for_column_chunks' 2^16 weights: two threads refresh a chunk each
  IdealSubstrate plain(rows, cols), aligned(rows, cols), both(rows, cols), late_t(rows, cols), late_a(rows, cols);
  for (IdealSubstrate* s : {&aligned, &both, &late_t}) s->keep_aligned_columns();  // before the weights too
  both.keep_transposed_weights();
  const Matrix w = random_matrix(rows, cols, rng);
  IdealSubstrate* const kept[] = {&aligned, &both, &late_t, &late_a};
  IdealSubstrate* const all[] = {&plain, &aligned, &both, &late_t, &late_a};
  for (IdealSubstrate* s : all) s->set_weights(w);
  std::vector<int32_t> active, on, off, active_rows;
  for (int32_t j = 0; j < cols; ++j) {
    if (rng.uniform() < 0.4f) active.push_back(j);
    if (rng.uniform() < 0.2f) (rng.uniform() < 0.5f ? on : off).push_back(j);
  }
  for (int32_t i = 0; i < rows; i += 7) active_rows.push_back(i);
  const Matrix x = random_matrix(cols, 3, rng), y = random_matrix(rows, 3, rng);
  const auto same_reads = [&](const std::string& after) {
    for (size_t k = 0; k < std::size(kept); ++k) {
      const IdealSubstrate* s = kept[k];
      SCOPED_TRACE("after " + after + ", substrate " + std::to_string(k) + " (aligned, both, late_t, late_a)");
      std::vector<Scalar> a(rows), b(rows);
      plain.forward_events(active, a.data());
      s->forward_events(active, b.data());
      EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(Scalar) * rows), 0) << "forward_events";
      std::fill(a.begin(), a.end(), 0.25f), std::fill(b.begin(), b.end(), 0.25f);
      ASSERT_TRUE(plain.forward_event_changes(on, off, active.size(), a.data()));
      ASSERT_TRUE(s->forward_event_changes(on, off, active.size(), b.data()));
      EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(Scalar) * rows), 0) << "forward_event_changes";
      Matrix steps_a(rows, 3), steps_b(rows, 3);
      std::vector<StepChanges> sa, sb;
      for (Eigen::Index t = 0; t < 3; ++t) {
        sa.push_back({on, off, active.size(), steps_a.col(t).data()});
        sb.push_back({on, off, active.size(), steps_b.col(t).data()});
      }
      ASSERT_TRUE(plain.forward_event_change_steps(sa, a.data()));
      ASSERT_TRUE(s->forward_event_change_steps(sb, b.data()));
      EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(Scalar) * rows), 0) << "forward_event_change_steps";
      EXPECT_TRUE(steps_a == steps_b);
      // A phase's spike sums at once (forward_event_steps): each step as forward_events on the plain matrix.
      const std::vector<int32_t>* lists[] = {&active, &on, &off};
      Matrix events_a(rows, 3), events_b(rows, 3);
      std::vector<StepEvents> ea, eb;
      for (Eigen::Index t = 0; t < 3; ++t) {
        ea.push_back({*lists[t], events_a.col(t).data()});
        eb.push_back({*lists[t], events_b.col(t).data()});
      }
      ASSERT_TRUE(plain.forward_event_steps(ea));
      ASSERT_TRUE(s->forward_event_steps(eb));
      for (Eigen::Index t = 0; t < 3; ++t) {
        plain.forward_events(*lists[t], a.data());
        EXPECT_EQ(std::memcmp(a.data(), events_a.col(t).data(), sizeof(Scalar) * rows), 0) << "forward_event_steps, step " << t;
        EXPECT_EQ(std::memcmp(a.data(), events_b.col(t).data(), sizeof(Scalar) * rows), 0) << "forward_event_steps, step " << t;
      }
      // The feedback direction (from the kept W^T where there is one: the same bits) and the dense products, after
      // the sums (which must not need the plain matrix).
      std::vector<Scalar> xa(cols), xb(cols);
      plain.backward_events(active_rows, xa.data());
      s->backward_events(active_rows, xb.data());
      EXPECT_EQ(std::memcmp(xa.data(), xb.data(), sizeof(Scalar) * cols), 0) << "backward_events";
      Matrix pa, pb;
      plain.backward(y, pa), s->backward(y, pb);
      EXPECT_TRUE(pa == pb) << "backward";
      plain.backward(y.leftCols(1), pa), s->backward(y.leftCols(1), pb);
      EXPECT_TRUE(pa == pb) << "backward of one column";
      plain.forward(x, pa), s->forward(x, pb);
      EXPECT_TRUE(pa == pb) << "forward";
      plain.forward_nonzero(x, pa), s->forward_nonzero(x, pb);
      EXPECT_TRUE(pa == pb) << "forward_nonzero";
    }
    // The plain matrix remade by a copy of the substrate and by two threads at once (a race here shows under a thread
    // sanitizer; the bytes would agree either way).
    const IdealSubstrate copy = aligned;
    EXPECT_TRUE(copy.weights() == plain.weights()) << "a copy, after " << after;
    int same = 0, team = 0;
#pragma omp parallel num_threads(2) reduction(+ : same, team)
    {
      same += aligned.weights() == plain.weights() ? 1 : 0;
      ++team;
    }
    EXPECT_EQ(same, team) << "weights() on " << team << " threads, after " << after;
  };
  same_reads("set_weights");
  const Matrix delta = random_matrix(rows, cols, rng);
  for (IdealSubstrate* s : all) s->update(delta);
  late_t.keep_transposed_weights();  // after an update into the copy: W^T must start from the weights as they are now
  late_a.keep_aligned_columns();     // after an update of the plain matrix: the copy too
  same_reads("update");
  const std::vector<int32_t> listed = {0, 1, 2, 40, 41, 96, 150, 159};
  const int outer = omp_get_max_threads();
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (const bool some : {true, false}) {
      Matrix gradient = Matrix::Zero(rows, cols);
      const Matrix g = random_matrix(rows, cols, rng);
      if (some) for (const int32_t j : listed) gradient.col(j) = g.col(j);
      else gradient = g;
      for (IdealSubstrate* s : all) {
        Matrix gs = gradient;
        ASSERT_TRUE(s->update_sgd(gs, 1, -0.3f, some ? &listed : nullptr));
      }
      same_reads(std::string(some ? "the listed columns' SGD sweep" : "the whole SGD sweep") + " on " +
                 std::to_string(threads) + " thread(s)");
    }
  }
  for (IdealSubstrate* s : all) s->update(delta);
  same_reads("a second update");
  omp_set_num_threads(outer);
}

}  // namespace
}  // namespace plasticore
