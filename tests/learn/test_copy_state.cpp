// Relaxation::copy_state, which copies a batch's state sample by sample on the team's threads, gives the state
// the assignment gives: every member, bit for bit, for every coding (rate, sigma-delta with the input as spikes
// and as changes and with a learning trace, Bernoulli), on 1, 2 and 3 threads, into an empty state and into one
// left from a batch of another size; and with states_only, exactly the states into a state left from another batch.
#include <gtest/gtest.h>

#include <omp.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "learn/relaxation.hpp"
#include "substrate/ideal.hpp"
#include "../support/ep_networks.hpp"

namespace plasticore {
namespace {

constexpr int kInputs = 40, kBatch = 7;

LayeredEPNetwork random_network(Rng& rng) {
  LayeredEPNetwork net({kInputs, 20, 12, 4}, ideal_substrates());
  randomize_layers(net, rng, 0.8f, 0.3f);
  return net;
}

Matrix random_input(Rng& rng, Eigen::Index batch) {
  Matrix x(kInputs, batch);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const float u = rng.uniform();
    x.data()[i] = u < 0.4f ? 0.0f : rng.uniform();
  }
  for (Eigen::Index j = 0; j < 16; ++j) x.row(j).setZero();  // a blank 16-pixel vector: quiet_input has marks
  return x;
}

bool same_bits(const Matrix& a, const Matrix& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  // An empty matrix has no data pointer, which memcmp must not be given even for 0 bytes.
  return a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<size_t>(a.size())) == 0;
}

void expect_same(const std::vector<Matrix>& a, const std::vector<Matrix>& b, const char* name) {
  ASSERT_EQ(a.size(), b.size()) << name;
  for (size_t l = 0; l < a.size(); ++l) EXPECT_TRUE(same_bits(a[l], b[l])) << name << "[" << l << "]";
}

void expect_same_state(const RelaxationState& got, const RelaxationState& want) {
  expect_same(got.state, want.state, "state");
  expect_same(got.accumulator, want.accumulator, "accumulator");
  expect_same(got.spikes, want.spikes, "spikes");
  expect_same(got.trace, want.trace, "trace");
  expect_same(got.delta, want.delta, "delta");
  expect_same(got.previous, want.previous, "previous");
  EXPECT_TRUE(same_bits(got.input_drive, want.input_drive)) << "input_drive";
  EXPECT_EQ(got.events, want.events);
  EXPECT_EQ(got.input_on, want.input_on);
  EXPECT_EQ(got.input_off, want.input_off);
  EXPECT_EQ(got.read_sample, want.read_sample);
  EXPECT_EQ(got.quiet_input, want.quiet_input);
  ASSERT_EQ(got.rng.size(), want.rng.size());
  for (size_t b = 0; b < got.rng.size(); ++b) {
    Rng g = got.rng[b], w = want.rng[b];  // copies: the states compared again are left as they are
    EXPECT_EQ(g.next(), w.next()) << "rng " << b;
  }
}

TEST(CopyState, GivesTheAssignmentsState) {
  struct Variant {
    const char* name;
    RelaxationParams params;
  };
  std::vector<Variant> variants = {{"rate", {SpikeCoding::rate, 0.5f}},
                                   {"sigma-delta, spikes", {SpikeCoding::sigma_delta, 0.5f, 0.3f}},
                                   {"sigma-delta, changes", {SpikeCoding::sigma_delta, 0.5f, 0.3f}},
                                   {"sigma-delta, trace", {SpikeCoding::sigma_delta, 0.5f, 0.3f}},
                                   {"Bernoulli", {SpikeCoding::bernoulli, 0.5f}}};
  variants[2].params.input_changes = true;
  variants[3].params.trace_rate = 0.3f;
  const int outer = omp_get_max_threads();
  for (const Variant& v : variants)
    for (const int threads : {1, 2, 3}) {
      SCOPED_TRACE(std::string(v.name) + ", " + std::to_string(threads) + " thread(s)");
      omp_set_num_threads(threads);
      Rng rng(7, "test_copy_state");
      const LayeredEPNetwork net = random_network(rng);
      const Relaxation relax(net, v.params);
      Matrix y = Matrix::Zero(4, kBatch);
      for (Eigen::Index b = 0; b < kBatch; ++b) y(b % 4, b) = 1;
      std::vector<int64_t> ids(kBatch);
      for (int b = 0; b < kBatch; ++b) ids[static_cast<size_t>(b)] = 10 + b;
      // A state of another batch size first, so that the copy into it must reshape every member.
      RelaxationState st, earlier;
      relax.start(earlier, random_input(rng, 3), 1, "test", 0, {0, 1, 2});
      relax.run(earlier, 4, nullptr, 0, 0);
      relax.start(st, random_input(rng, kBatch), 1, "test", 0, ids);
      relax.run(st, 6, nullptr, 0, 0);
      relax.run(st, 3, &y, 0.5f, 1);
      ASSERT_GT(st.state.back().norm(), 0);  // not vacuous: the output moved
      RelaxationState want = st;
      RelaxationState fresh;
      relax.copy_state(fresh, st);
      expect_same_state(fresh, want);
      // states_only: the states copied, every other member as it was (a batch of another size here).
      RelaxationState other;
      relax.start(other, random_input(rng, 3), 2, "test", 0, {3, 4, 5});
      relax.run(other, 2, nullptr, 0, 0);
      const RelaxationState before = other;
      relax.copy_state(other, st, true);
      expect_same(other.state, want.state, "states_only: state");
      RelaxationState rest = before;
      rest.state = other.state;
      expect_same_state(other, rest);
      relax.copy_state(earlier, st);
      expect_same_state(earlier, want);
    }
  omp_set_num_threads(outer);
}

}  // namespace
}  // namespace plasticore
