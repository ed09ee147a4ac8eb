// The end-of-phase rule marks the columns of its first-layer sum that it writes (learn/gradient_columns.hpp), so
// the update sweeps only those: every column with a non-zero sum is marked, and a pixel that is 0 in every sample
// of the batch is not (its column gets products with 0 and stays +0, bit for bit). Rate and spiking states; the
// upper layer, a product of two state matrices, is not tracked. (The two-factor rule's marks are checked in
// test_sample_steps.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "core/rng.hpp"
#include "learn/end_of_phase_rule.hpp"
#include "learn/relaxation.hpp"
#include "substrate/ideal.hpp"

namespace plasticore {
namespace {

constexpr int kIn = 40, kBatch = 5;

TEST(WrittenColumns, EndOfPhaseRuleMarksTheFirstLayersWrittenColumns) {
  for (const SpikeCoding coding : {SpikeCoding::rate, SpikeCoding::sigma_delta}) {
    SCOPED_TRACE(coding == SpikeCoding::rate ? "rate" : "sigma-delta");
    LayeredEPNetwork net({kIn, 16, 4}, ideal_substrates());
    net.initialize(4, {0.8, 0.6});
    Rng rng(6, "test_written_columns");
    Matrix x(kIn, kBatch), y = Matrix::Zero(4, kBatch);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform() < 0.5f ? 0.0f : rng.uniform();
    for (Eigen::Index j = 0; j < kIn; j += 6) x.row(j).setZero();  // blank in the whole batch
    for (Eigen::Index b = 0; b < kBatch; ++b) y(b % 4, b) = 1;
    std::vector<Matrix> dw = {Matrix::Zero(16, kIn), Matrix::Zero(4, 16)};
    std::vector<Matrix> db = {Matrix::Zero(16, 1), Matrix::Zero(4, 1)};
    std::vector<GradientColumns> columns(2);
    EPRuleSums sums{{&dw[0], &dw[1]}, {&db[0], &db[1]}, {&columns[0], &columns[1]}};
    EndOfPhaseRule rule(net, sums, coding != SpikeCoding::rate);
    const Relaxation relax(net, RelaxationParams{coding, 0.5f});
    std::vector<int64_t> ids(kBatch);
    for (int b = 0; b < kBatch; ++b) ids[static_cast<size_t>(b)] = b;
    RelaxationState free, nudged;
    relax.start(free, x, 3, "test", 0, ids);
    relax.run(free, 15, nullptr, 0, 0);
    for (const Scalar sign : {Scalar{1}, Scalar{-1}}) {
      nudged = free;
      relax.run(nudged, 8, &y, sign * 0.5f, sign);
      rule.end_nudged_phase(nudged, free, sign);
    }
    const std::vector<int32_t>* marked = columns[0].columns();
    ASSERT_NE(marked, nullptr);
    ASSERT_GT(dw[0].norm(), 0);
    for (Eigen::Index j = 0; j < kIn; ++j) {
      const bool listed = std::binary_search(marked->begin(), marked->end(), static_cast<int32_t>(j));
      if (!dw[0].col(j).isZero(0)) EXPECT_TRUE(listed) << "column " << j << " was written but not marked";
      if (j % 6 == 0) {
        EXPECT_FALSE(listed) << "blank column " << j;
        for (Eigen::Index i = 0; i < dw[0].rows(); ++i)  // +0 exactly, as the sweep that skips it leaves it
          EXPECT_FALSE(std::signbit(dw[0](i, j))) << "column " << j;
      }
    }
    EXPECT_EQ(columns[1].columns(), nullptr);
  }
}

}  // namespace
}  // namespace plasticore
