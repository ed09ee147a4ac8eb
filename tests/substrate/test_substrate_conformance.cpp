// Conformance of every registered substrate kind and update scheme against the ideal fp32 substrate
// (one table, in the spirit of ggml's test-backend-ops): with read noise, output noise and DAC/ADC off,
//   forward, forward_events, backward, backward_events   equal the ideal products on the substrate's own
//                                                         effective weights (fp32 rounding only)
//   update(dW)                                            realises the request: exactly (ideal), to the
//                                                         nearest level (quantized), or in pulses whose
//                                                         achieved change follows the request (devices:
//                                                         regression slope and correlation)
//   forward_by_column, backward_by_column                 column_product on the effective weights (exact kinds,
//                                                         bit for bit), forward and backward (the others)
//   keep_transposed_weights                               changes no bit of backward_events (nor its counts)
//                                                         after set_weights, updates, hardware-in-the-loop
//                                                         writes and restore_state
// A kind added to substrate_registry() without a row here fails the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/column_product.hpp"
#include "core/op_counters.hpp"
#include "core/rng.hpp"
#include "substrate/device_substrate.hpp"
#include "substrate/hardware_in_the_loop.hpp"
#include "substrate/ideal.hpp"
#include "substrate/registry.hpp"

namespace plasticore {
namespace {

struct Row {
  std::string kind, update = "mixed_precision", mode = "statistical", rounding = "deterministic";
  // update: the achieved change against the request, per synapse
  double max_error = 0;           // |achieved - requested| bound, in weight units (exact kinds)
  double slope_min = 1, slope_max = 1, min_correlation = 1;  // least-squares fit (pulse-based kinds)
};

const std::vector<Row>& table() {
  // PCM's SET pulses are as noisy as they are large (Nandakumar 2018: sigma ~ mean), so a write follows
  // the request on average (slope near 1) with a per-synapse correlation near 0.75; the sign scheme
  // sends one pulse per write whatever the request, so only its direction follows.
  static const std::vector<Row> rows = {
      {"ideal", "mixed_precision", "statistical", "deterministic", 1e-7},
      {"quantized", "mixed_precision", "statistical", "deterministic", 0.5 * 0.5 / 127 + 1e-6},
      {"quantized", "mixed_precision", "statistical", "stochastic", 0.5 / 127 + 1e-6, 0.95, 1.05, 0.99},
      {"pcm", "mixed_precision", "statistical", "", 1e9, 0.85, 1.15, 0.7},
      {"pcm", "stochastic", "statistical", "", 1e9, 0.85, 1.15, 0.7},
      {"pcm", "multi_device", "statistical", "", 1e9, 0.85, 1.15, 0.75},
      {"pcm", "sign", "statistical", "", 1e9, 0.1, 0.8, 0.5},
      {"memristor", "mixed_precision", "statistical", "", 1e9, 0.95, 1.05, 0.99},
      {"memristor", "stochastic", "statistical", "", 1e9, 0.95, 1.05, 0.99},
      {"memristor", "multi_device", "statistical", "", 1e9, 0.95, 1.05, 0.99},
      {"memristor", "sign", "statistical", "", 1e9, 0.001, 0.1, 0.8},  // one of 1000 levels per write
      {"pcm", "", "inference", "", -1},  // programmed once: no updates
  };
  return rows;
}

SubstrateConfig quiet(const Row& r) {
  SubstrateConfig c;
  c.kind = r.kind;
  c.update.scheme = update_scheme_from_name(r.update.empty() ? "mixed_precision" : r.update);
  c.device.mode = r.mode;
  c.quantized.rounding = r.rounding.empty() ? "stochastic" : r.rounding;
  c.mapping.automatic = false, c.mapping.range = 0.5;
  c.quantized.bits = 8;
  c.update.devices_per_sign = c.update.scheme == UpdateScheme::multi_device ? 3 : 1;
  c.periphery.read_noise = false;
  c.periphery.output_noise = 0;
  c.periphery.dac_bits = c.periphery.adc_bits = 0;
  c.periphery.output_bound = 1e6;
  c.device.drift = false;
  c.update.refresh = false;
  c.periphery.tile_size = 16;  // ragged tiles over a 40 x 50 matrix
  c.device.levels = 1000;
  c.device.nonlinearity = 0;
  c.device.switching_probability = 1;
  return c;
}

Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, float scale, Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * (2 * rng.uniform() - 1);
  return m;
}

void expect_close(const Matrix& got, const Matrix& want, const std::string& what) {
  const double scale = std::max<double>(1e-6, want.cwiseAbs().maxCoeff());
  EXPECT_LE((got - want).cwiseAbs().maxCoeff(), 1e-5 * scale) << what;
}

TEST(SubstrateConformance, EveryRegisteredKindAndUpdateSchemeHasARow) {
  std::set<std::string> covered;
  for (const Row& r : table()) covered.insert(r.kind + "/" + r.update);
  for (const std::string& kind : substrate_registry().names()) {
    if (kind == "ideal" || kind == "quantized") {
      EXPECT_TRUE(covered.count(kind + "/mixed_precision")) << kind << " has no conformance row";
      continue;
    }
    for (const std::string& scheme : update_scheme_names())
      EXPECT_TRUE(covered.count(kind + "/" + scheme)) << kind << " with update = " << scheme << " has no conformance row";
  }
}

TEST(SubstrateConformance, ReadsEqualTheIdealProductsOnTheEffectiveWeights) {
  constexpr int kRows = 40, kCols = 50;
  for (const Row& row : table()) {
    SCOPED_TRACE(row.kind + " / " + row.update + " / " + row.mode + " / " + row.rounding);
    Rng rng(5, "conformance", std::hash<std::string>{}(row.kind + row.update + row.mode + row.rounding));
    const auto s = make_substrate(quiet(row), kRows, kCols);
    s->set_weights(random_matrix(kRows, kCols, 0.4f, rng));
    IdealSubstrate ideal(kRows, kCols);
    ideal.set_weights(s->weights());
    const Matrix x = random_matrix(kCols, 3, 1.0f, rng), y = random_matrix(kRows, 3, 1.0f, rng);
    Matrix got, want;
    s->forward(x, got);
    ideal.forward(x, want);
    expect_close(got, want, "forward");
    s->backward(y, got);
    ideal.backward(y, want);
    expect_close(got, want, "backward");
    const std::vector<int32_t> pre = {0, 3, 4, 17, 31, 49}, post = {1, 2, 16, 39};
    Matrix events(kRows, 1), events_want(kRows, 1), back(kCols, 1), back_want(kCols, 1);
    s->forward_events(pre, events.data());
    ideal.forward_events(pre, events_want.data());
    expect_close(events, events_want, "forward_events");
    s->backward_events(post, back.data());
    ideal.backward_events(post, back_want.data());
    expect_close(back, back_want, "backward_events");
  }
}

TEST(SubstrateConformance, UpdatesRealiseTheRequest) {
  constexpr int kRows = 40, kCols = 50;
  for (const Row& row : table()) {
    SCOPED_TRACE(row.kind + " / " + row.update + " / " + row.mode + " / " + row.rounding);
    Rng rng(6, "conformance-update", std::hash<std::string>{}(row.kind + row.update + row.rounding));
    const auto s = make_substrate(quiet(row), kRows, kCols);
    s->set_weights(random_matrix(kRows, kCols, 0.15f, rng));
    if (row.max_error < 0) {  // inference PCM refuses to be trained
      EXPECT_THROW(s->update(Matrix::Zero(kRows, kCols)), UsageError);
      continue;
    }
    // Requests of about 0 to 6 of a PCM device's pulses, both signs; several writes so the
    // mixed-precision accumulator empties its remainders.
    double sxx = 0, sxy = 0, syy = 0, worst = 0;
    for (int write = 0; write < 4; ++write) {
      const Matrix request = random_matrix(kRows, kCols, 0.2f, rng);
      const Matrix before = s->weights();
      s->update(request);
      const Matrix achieved = s->weights() - before;
      for (Eigen::Index i = 0; i < request.size(); ++i) {
        const double a = achieved.data()[i], r = request.data()[i];
        sxx += r * r;
        sxy += r * a;
        syy += a * a;
        if (std::abs(before.data()[i] + r) < 0.45) worst = std::max(worst, std::abs(a - r));  // inside the range
      }
    }
    if (row.slope_min == 1 && row.slope_max == 1) {
      EXPECT_LE(worst, row.max_error) << "achieved change off the request";
    } else {
      const double slope = sxy / sxx, correlation = sxy / std::sqrt(sxx * syy);
      EXPECT_GE(slope, row.slope_min);
      EXPECT_LE(slope, row.slope_max);
      EXPECT_GE(correlation, row.min_correlation) << "slope " << slope;
      if (row.kind == "quantized") EXPECT_LE(worst, row.max_error);
    }
  }
}

// A substrate that keeps W^T for its backward reads (the EP learner asks every matrix above the first) must give
// what the strided rows of W (events) and the product with the transposed view (dense) give, bit for bit, after
// every kind of weight change. Exact kinds keep
// the copy, the others ignore the hint; both are checked, and quantized also in the loop (program and remap).
TEST(SubstrateConformance, KeptTransposeChangesNoBackwardRead) {
  constexpr int kRows = 40, kCols = 50;
  std::vector<std::pair<Row, bool>> cases;  // (row, hardware in the loop)
  for (const Row& row : table())
    if (row.max_error >= 0) cases.emplace_back(row, false);
  cases.emplace_back(table()[1], true);
  for (const auto& [row, in_the_loop] : cases) {
    SCOPED_TRACE(row.kind + " / " + row.update + " / " + row.rounding + (in_the_loop ? " / in the loop" : ""));
    SubstrateConfig config = quiet(row);
    config.hardware_in_the_loop.enabled = in_the_loop;
    const auto plain = make_substrate(config, kRows, kCols);
    const auto kept = make_substrate(config, kRows, kCols);
    kept->keep_transposed_weights();
    OpCounters plain_counts, kept_counts;
    plain->set_counters(&plain_counts);
    kept->set_counters(&kept_counts);
    const std::vector<int32_t> post = {0, 3, 4, 17, 31, 39, 12};
    Rng rng(7, "conformance-kept-transpose");
    // The dense read too: a batch (Eigen's general product, which takes the copy) and one column (which does not).
    const Matrix batch = random_matrix(kRows, 20, 1.0f, rng), one = random_matrix(kRows, 1, 1.0f, rng);
    const auto expect_same = [&](const char* after) {
      SCOPED_TRACE(after);
      std::vector<Scalar> want(kCols), got(kCols, std::numeric_limits<Scalar>::quiet_NaN());
      plain->backward_events(post, want.data());
      kept->backward_events(post, got.data());
      EXPECT_EQ(std::memcmp(want.data(), got.data(), sizeof(Scalar) * kCols), 0);
      for (const Matrix* y : {&batch, &one}) {
        Matrix want_dense, got_dense;
        plain->backward(*y, want_dense);
        kept->backward(*y, got_dense);
        ASSERT_EQ(got_dense.size(), want_dense.size());
        EXPECT_EQ(std::memcmp(want_dense.data(), got_dense.data(), sizeof(Scalar) * static_cast<size_t>(want_dense.size())), 0)
            << "dense read of " << y->cols() << " column(s)";
        plain->backward_by_column(*y, want_dense);
        kept->backward_by_column(*y, got_dense);
        ASSERT_EQ(got_dense.size(), want_dense.size());
        EXPECT_EQ(std::memcmp(want_dense.data(), got_dense.data(), sizeof(Scalar) * static_cast<size_t>(want_dense.size())), 0)
            << "dense read by column of " << y->cols() << " column(s)";
      }
      EXPECT_EQ(plain_counts.counts(Phase::free), kept_counts.counts(Phase::free));
    };
    const Matrix w = random_matrix(kRows, kCols, 0.3f, rng);
    plain->set_weights(w);
    kept->set_weights(w);
    expect_same("set_weights");
    for (int write = 0; write < 3; ++write) {
      const Matrix request = random_matrix(kRows, kCols, 0.1f, rng);
      plain->update(request);
      kept->update(request);
      expect_same("update");
    }
    Matrix g1 = random_matrix(kRows, kCols, 1.0f, rng), g2 = g1;
    if (plain->update_sgd(g1, 0.5f, -0.1f)) {
      ASSERT_TRUE(kept->update_sgd(g2, 0.5f, -0.1f));
      expect_same("update_sgd");
    }
    NamedTensors saved;
    save_matrix(saved, "w", *plain);
    kept->set_weights(Matrix::Zero(kRows, kCols));
    restore_matrix(saved, "w", *kept);
    expect_same("restore");
  }
}

// The exact kinds' products by column are column_product on their effective weights (W^T for backward; in the loop
// the chip's), bit for bit, on a fresh substrate and after updates, close to forward and backward, and counted as
// the dense products they are; the others fall back to forward and backward.
TEST(SubstrateConformance, ProductsByColumnAreColumnProductsOfTheEffectiveWeights) {
  constexpr int kRows = 40, kCols = 50;
  std::vector<std::pair<Row, bool>> cases;  // (row, hardware in the loop)
  for (const Row& row : table()) cases.emplace_back(row, false);
  cases.emplace_back(table()[1], true);
  for (const auto& [row, in_the_loop] : cases) {
    SCOPED_TRACE(row.kind + " / " + row.update + " / " + row.mode + " / " + row.rounding + (in_the_loop ? " / in the loop" : ""));
    SubstrateConfig config = quiet(row);
    config.hardware_in_the_loop.enabled = in_the_loop;
    const auto s = make_substrate(config, kRows, kCols);
    const bool exact = row.kind == "ideal" || row.kind == "quantized";
    EXPECT_EQ(s->products_by_column(), exact);
    OpCounters by_column, dense;
    Rng rng(9, "conformance-by-column");
    s->set_weights(random_matrix(kRows, kCols, 0.4f, rng));
    for (int round = 0; round < 2; ++round) {
      if (round == 1 && row.max_error >= 0) s->update(random_matrix(kRows, kCols, 0.05f, rng));
      const Matrix x = random_matrix(kCols, 11, 1.0f, rng), y = random_matrix(kRows, 11, 1.0f, rng);
      Matrix got_forward, got_backward, dense_forward, dense_backward;
      s->set_counters(&by_column);
      s->forward_by_column(x, got_forward);
      s->backward_by_column(y, got_backward);
      s->set_counters(&dense);
      s->forward(x, dense_forward);
      s->backward(y, dense_backward);
      s->set_counters(nullptr);
      expect_close(got_forward, dense_forward, "forward_by_column");
      expect_close(got_backward, dense_backward, "backward_by_column");
      if (!exact) continue;
      // In the loop, the reads are the chip's (weights() is the host's master copy).
      const Matrix& effective =
          in_the_loop ? dynamic_cast<const HardwareInTheLoop&>(*s).programmed_weights() : s->weights();
      Matrix want_forward, want_backward;
      column_product(effective, x, want_forward);
      column_product(effective.transpose(), y, want_backward);
      ASSERT_EQ(got_forward.size(), want_forward.size());
      ASSERT_EQ(got_backward.size(), want_backward.size());
      EXPECT_EQ(std::memcmp(got_forward.data(), want_forward.data(), sizeof(Scalar) * static_cast<size_t>(want_forward.size())), 0);
      EXPECT_EQ(std::memcmp(got_backward.data(), want_backward.data(), sizeof(Scalar) * static_cast<size_t>(want_backward.size())), 0);
    }
    EXPECT_EQ(by_column.counts(Phase::free), dense.counts(Phase::free));
  }
}

}  // namespace
}  // namespace plasticore
