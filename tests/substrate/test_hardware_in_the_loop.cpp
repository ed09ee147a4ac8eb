// Hardware-in-the-loop substrates (substrate/hardware_in_the_loop.hpp): the host's master weights are the
// exact sum of the requested updates; the chip holds their programmed copy (nearest level, or
// program-and-verify) and every read uses it; each reprogramming policy programs exactly the synapses it
// names, with the pulses counted; automatic mapping follows the weights; a saved and restored substrate
// goes on bit-identical to one that never stopped; per-matrix substrates through the factory; the
// threshold policy against the chip read back.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "substrate/hardware_in_the_loop.hpp"
#include "substrate/quantized.hpp"
#include "substrate/registry.hpp"

namespace plasticore {
namespace {

Matrix random_matrix(int rows, int cols, uint64_t seed, Scalar scale) {
  Rng rng(seed, "hil_test");
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * static_cast<Scalar>(rng.normal());
  return m;
}

SubstrateConfig hil(const std::string& kind, ReprogramPolicy policy) {
  SubstrateConfig c;
  c.kind = kind;
  c.seed = 5;
  c.quantized.bits = 4;
  c.quantized.rounding = "deterministic";
  c.hardware_in_the_loop.enabled = true;
  c.hardware_in_the_loop.policy = policy;
  c.hardware_in_the_loop.every_n = 3;
  c.mapping.headroom = 1.25;
  c.update.seconds_per_update = 38.6;
  return c;
}

Scalar nearest_level(Scalar w, Scalar range, int bits) {
  const Scalar step = range / static_cast<Scalar>((1 << (bits - 1)) - 1);
  return std::clamp(std::nearbyint(w / step) * step, -range, range);
}

int64_t pulses(const OpCounters& c) {
  return c.counts(Phase::forward)[static_cast<size_t>(Op::programming_pulses)];
}

TEST(HardwareInTheLoop, MasterIsTheExactSumAndReadsUseTheNearestLevel) {
  const SubstrateConfig c = hil("quantized", ReprogramPolicy::every_update);
  auto s = make_substrate(c, 6, 5);
  const Matrix w0 = random_matrix(6, 5, 1, 0.3f);
  s->set_weights(w0);
  Matrix master = w0;
  for (int u = 0; u < 20; ++u) {
    const Matrix d = random_matrix(6, 5, 100 + u, 0.01f);  // far below one 4-bit level
    s->update(d);
    master += d;
  }
  EXPECT_EQ(s->weights(), master);  // the tiny updates accumulate on the host, none is lost to rounding
  const auto& h = dynamic_cast<const HardwareInTheLoop&>(*s);
  const auto& chip = dynamic_cast<const QuantizedSubstrate&>(h.chip());
  for (Eigen::Index i = 0; i < master.size(); ++i)
    EXPECT_EQ(h.programmed_weights().data()[i], nearest_level(master.data()[i], chip.range(), 4)) << i;
  Matrix y;
  s->forward(Matrix::Identity(5, 5), y);  // the reads see the chip, not the master
  EXPECT_EQ(y, h.programmed_weights());
}

TEST(HardwareInTheLoop, EveryNReprogramsOnlyOnTheNthUpdate) {
  const SubstrateConfig c = hil("pcm", ReprogramPolicy::every_n);
  auto s = make_substrate(c, 4, 4);
  OpCounters counters;
  s->set_counters(&counters);
  s->set_weights(random_matrix(4, 4, 2, 0.3f));
  const auto& h = dynamic_cast<const HardwareInTheLoop&>(*s);
  Matrix programmed = h.programmed_weights();
  for (int u = 1; u <= 6; ++u) {
    const int64_t before = pulses(counters);
    s->update(random_matrix(4, 4, 200 + u, 0.005f));
    if (u % 3 != 0) {
      EXPECT_EQ(pulses(counters), before) << "update " << u;
      EXPECT_EQ(h.programmed_weights(), programmed) << "update " << u;  // (no drift within t0 of a write)
    } else {
      EXPECT_GE(pulses(counters), before + 2 * 16) << "update " << u;  // a RESET per device, at least
      programmed = h.programmed_weights();
    }
    s->advance(1.0);
  }
}

TEST(HardwareInTheLoop, ThresholdReprogramsExactlyTheSynapsesThatMovedFarEnough) {
  SubstrateConfig c = hil("pcm", ReprogramPolicy::threshold);
  c.hardware_in_the_loop.threshold = 1.0;
  c.hardware_in_the_loop.read_back = false;  // against the programmed target: the read-back test is below
  auto s = make_substrate(c, 3, 3);
  OpCounters counters;
  s->set_counters(&counters);
  Matrix w = Matrix::Constant(3, 3, 0.2f);
  w(0, 0) = 1.0f;  // range = 1.25
  s->set_weights(w);
  const auto& h = dynamic_cast<const HardwareInTheLoop&>(*s);
  const auto& array = dynamic_cast<const ProgrammableArray&>(h.chip());
  const Scalar eps = array.resolution();
  const Matrix before = h.programmed_weights();
  Matrix d = Matrix::Zero(3, 3);
  d(1, 2) = 1.5f * eps;  // beyond the threshold
  d(2, 1) = 0.5f * eps;  // within it
  const int64_t start = pulses(counters);
  s->update(d);
  EXPECT_GT(pulses(counters), start);
  for (Eigen::Index i = 0; i < 3; ++i)
    for (Eigen::Index j = 0; j < 3; ++j)
      if (i == 1 && j == 2) EXPECT_NE(h.programmed_weights()(i, j), before(i, j));
      else EXPECT_EQ(h.programmed_weights()(i, j), before(i, j)) << i << "," << j;
  EXPECT_NEAR(h.programmed_weights()(1, 2), 0.2f + 1.5f * eps, eps);  // program-and-verify: within a step
  d.setZero();
  d(2, 1) = 0.6f * eps;  // now 1.1 eps from what was programmed there
  s->update(d);
  EXPECT_NE(h.programmed_weights()(2, 1), before(2, 1));
}

// reprogram_reference = chip (the default): the threshold compares the master with what the chip holds now
// (programming error and drift included), so synapses that drifted are reprogrammed although the host's
// target never moved; against the target nothing is, since the master did not change.
TEST(HardwareInTheLoop, ReadBackReprogramsWhatDriftedAwayAndNothingElse) {
  for (const bool read_back : {false, true}) {
    SubstrateConfig c = hil("pcm", ReprogramPolicy::threshold);
    c.hardware_in_the_loop.read_back = read_back;
    auto s = make_substrate(c, 8, 8);
    OpCounters counters;
    s->set_counters(&counters);
    s->set_weights(random_matrix(8, 8, 3, 0.3f));
    const auto& h = dynamic_cast<const HardwareInTheLoop&>(*s);
    // The threshold: the default fraction (half) of the chip's resolution.
    const Scalar limit = static_cast<Scalar>(c.hardware_in_the_loop.threshold) *
                         dynamic_cast<const ProgrammableArray&>(h.chip()).resolution();
    s->advance(1e6);  // 11 days: drift takes conductances well over a step away
    const Matrix master = s->weights(), drifted = h.programmed_weights();
    int far = 0;
    for (Eigen::Index i = 0; i < master.size(); ++i) far += std::abs(master.data()[i] - drifted.data()[i]) > limit;
    ASSERT_GT(far, 0);
    const int64_t start = pulses(counters);
    s->update(Matrix::Zero(8, 8));
    if (!read_back) {
      EXPECT_EQ(pulses(counters), start);
      EXPECT_EQ(h.programmed_weights(), drifted);
      continue;
    }
    EXPECT_GT(pulses(counters), start);
    for (Eigen::Index i = 0; i < master.size(); ++i) {
      const bool off = std::abs(master.data()[i] - drifted.data()[i]) > limit;
      if (off) EXPECT_NE(h.programmed_weights().data()[i], drifted.data()[i]) << i;
      else EXPECT_EQ(h.programmed_weights().data()[i], drifted.data()[i]) << i;
    }
  }
}

TEST(HardwareInTheLoop, AutomaticMappingFollowsTheMasterWeights) {
  const SubstrateConfig c = hil("quantized", ReprogramPolicy::every_update);
  auto s = make_substrate(c, 2, 2);
  s->set_weights(Matrix::Constant(2, 2, 0.4f));
  const auto& h = dynamic_cast<const HardwareInTheLoop&>(*s);
  const auto& array = dynamic_cast<const ProgrammableArray&>(h.chip());
  EXPECT_FLOAT_EQ(array.range(), 1.25f * 0.4f);
  s->update(Matrix::Constant(2, 2, 0.6f));  // max|w| = 1.0 > the range: re-mapped
  EXPECT_FLOAT_EQ(array.range(), 1.25f);
  EXPECT_FLOAT_EQ(h.programmed_weights()(0, 0), nearest_level(1.0f, 1.25f, 4));
  s->update(Matrix::Constant(2, 2, -0.9f));  // max|w| = 0.1: under half the range, mapped again
  EXPECT_FLOAT_EQ(array.range(), 1.25f * 0.1f);
}

TEST(HardwareInTheLoop, ProgramBitsAimsEveryDeviceAtALevelOfTheMaster) {
  SubstrateConfig c = hil("pcm", ReprogramPolicy::threshold);
  c.hardware_in_the_loop.program_bits = 4;
  auto s = make_substrate(c, 6, 6);
  const Matrix w0 = random_matrix(6, 6, 7, 0.3f);
  s->set_weights(w0);
  Matrix master = w0;
  for (int u = 0; u < 10; ++u) {
    const Matrix d = random_matrix(6, 6, 700 + u, 0.02f);
    s->update(d);
    s->advance(c.update.seconds_per_update);
    master += d;
  }
  EXPECT_TRUE(s->weights().isApprox(master, 1e-6f));  // the host keeps the exact sum, not the levels
  const Scalar range = dynamic_cast<const ProgrammableArray&>(dynamic_cast<const HardwareInTheLoop&>(*s).chip()).range();
  NamedTensors saved;
  s->save_state(saved, "w/");
  const Matrix target = saved.matrix("w/programmed_target", 6, 6);
  int moved = 0;
  for (Eigen::Index i = 0; i < target.size(); ++i) {
    EXPECT_FLOAT_EQ(target.data()[i], nearest_level(target.data()[i], range, 4)) << i;  // a 4-bit level, always
    moved += target.data()[i] != nearest_level(w0.data()[i], range, 4);
  }
  EXPECT_GT(moved, 0);  // some synapses moved to another level and were programmed there
}

TEST(HardwareInTheLoop, ProgramBitsSendsTheLevelsToTheChip) {
  // A 7-bit array (63 steps per sign) holds every 4-bit level (7 steps) exactly, so what the chip holds is
  // what the host sent: the 4-bit level of each master weight, not the master rounded to 7 bits.
  SubstrateConfig c = hil("quantized", ReprogramPolicy::every_update);
  c.quantized.bits = 7;
  c.hardware_in_the_loop.program_bits = 4;
  auto s = make_substrate(c, 5, 4);
  s->set_weights(random_matrix(5, 4, 9, 0.3f));
  const auto& h = dynamic_cast<const HardwareInTheLoop&>(*s);
  const auto& array = dynamic_cast<const ProgrammableArray&>(h.chip());
  for (int u = 0; u < 6; ++u) {
    s->update(random_matrix(5, 4, 900 + u, 0.02f));
    for (Eigen::Index i = 0; i < s->weights().size(); ++i)
      EXPECT_NEAR(h.programmed_weights().data()[i], nearest_level(s->weights().data()[i], array.range(), 4), 1e-6f) << u << " " << i;
  }
}

TEST(HardwareInTheLoop, RestoredStateGoesOnBitIdentical) {
  for (const std::string kind : {"pcm", "quantized", "memristor", "pcm levels"}) {
    SubstrateConfig c = hil(kind.substr(0, kind.find(' ')), kind == "quantized" ? ReprogramPolicy::every_update : ReprogramPolicy::threshold);
    if (kind == "pcm levels") c.hardware_in_the_loop.program_bits = 4;
    auto a = make_substrate(c, 5, 7), b = make_substrate(c, 5, 7);
    a->set_weights(random_matrix(5, 7, 3, 0.2f));
    for (int u = 0; u < 5; ++u) {
      a->update(random_matrix(5, 7, 300 + u, 0.03f));
      a->advance(c.update.seconds_per_update);
    }
    NamedTensors saved;
    save_matrix(saved, "w", *a);
    restore_matrix(saved, "w", *b);
    for (int u = 5; u < 10; ++u) {
      const Matrix d = random_matrix(5, 7, 300 + u, 0.03f);
      a->update(d);
      b->update(d);
      a->advance(c.update.seconds_per_update);
      b->advance(c.update.seconds_per_update);
    }
    EXPECT_EQ(a->weights(), b->weights()) << kind;
    const auto& ha = dynamic_cast<const HardwareInTheLoop&>(*a);
    const auto& hb = dynamic_cast<const HardwareInTheLoop&>(*b);
    EXPECT_EQ(ha.programmed_weights(), hb.programmed_weights()) << kind;
    Matrix ya, yb;
    const Matrix x = random_matrix(7, 3, 9, 1.0f);
    a->forward(x, ya);
    b->forward(x, yb);
    EXPECT_EQ(ya, yb) << kind;
  }
}

TEST(HardwareInTheLoop, IdealSubstrateCannotBeTheChip) {
  SubstrateConfig c;
  c.hardware_in_the_loop.enabled = true;
  EXPECT_THROW(HardwareInTheLoop(make_substrate(c, 2, 2), c.hardware_in_the_loop, c.mapping), UsageError);
}

}  // namespace
}  // namespace plasticore
