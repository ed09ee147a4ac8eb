// Device read noise is fresh for every keyed read (substrate/read_key.hpp): a spike pattern that recurs at
// another step or sample draws new noise, the same key and input draw the same noise (so results do not
// depend on the thread), and the key is back to {0, 0} outside every scope. Before the key existed, a
// recurring pattern drew the same noise for a whole state version (docs/hardware.md, "Crossbar tile").
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "network/recurrent_snn.hpp"
#include "substrate/read_key.hpp"
#include "substrate/registry.hpp"

namespace plasticore {
namespace {

SubstrateConfig noisy_pcm() {
  SubstrateConfig c;
  c.kind = "pcm";
  c.periphery.read_noise = true;
  c.periphery.output_noise = 0;
  c.periphery.dac_bits = c.periphery.adc_bits = 0;
  return c;
}

std::vector<float> read(const Substrate& s, const std::vector<int32_t>& active) {
  std::vector<float> y(static_cast<size_t>(s.rows()));
  s.forward_events(active, y.data());
  return y;
}

TEST(ReadKey, ARecurringPatternDrawsFreshNoisePerKeyAndTheSameNoiseForTheSameKey) {
  const auto s = make_substrate(noisy_pcm(), 4, 6);
  Matrix w(4, 6);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
  s->set_weights(w);
  const std::vector<int32_t> active{1, 3, 4};
  const std::vector<float> unkeyed = read(*s, active);
  std::vector<float> step0, step1, again;
  {
    const ReadKeyScope key({17, 0});
    step0 = read(*s, active);
  }
  {
    const ReadKeyScope key({17, 1});
    step1 = read(*s, active);
  }
  {
    const ReadKeyScope key({17, 0});
    again = read(*s, active);
  }
  EXPECT_EQ(thread_read_key().sample, 0u);
  EXPECT_EQ(thread_read_key().step, 0u);
  EXPECT_EQ(step0, again);
  EXPECT_NE(step0, step1);
  EXPECT_NE(step0, unkeyed);
  EXPECT_EQ(read(*s, active), unkeyed);  // outside the scopes: the unkeyed stream again

  // The transposed read of the same pattern draws its own noise too.
  std::vector<float> x(6);
  s->backward_events(std::vector<int32_t>{1, 3}, x.data());
  std::vector<float> x_keyed(6);
  {
    const ReadKeyScope key({17, 0});
    s->backward_events(std::vector<int32_t>{1, 3}, x_keyed.data());
  }
  EXPECT_NE(x, x_keyed);
}

TEST(ReadKey, ReadNoiseOfOneSpikePatternOverStepsHasTheDeviceSpread) {
  // The same input at 4000 steps: the outputs scatter with the read-noise sd instead of repeating one draw.
  const auto s = make_substrate(noisy_pcm(), 1, 2);
  s->set_weights(Matrix::Constant(1, 2, 0.5f));
  const int n = 4000;
  double sum = 0, sum2 = 0;
  for (int t = 0; t < n; ++t) {
    const ReadKeyScope key({3, static_cast<uint64_t>(t)});
    const float y = read(*s, {0})[0];
    sum += y;
    sum2 += double{y} * y;
  }
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, s->weights()(0, 0), 5 * sd / std::sqrt(n));
  EXPECT_GT(sd, 0.005);  // the read noise of a 0.5 weight: a few percent (test_device_models.cpp has the exact sd)
}

TEST(ReadKey, RecurrentStepsReadTheSameInputWithFreshNoiseAndRepeatUnderTheSameSequenceKey) {
  RecurrentSNNParams p;
  p.lif.v_th = 1e6;  // no recurrent spikes: every step reads the same input pattern and nothing else
  RecurrentSNN net({.inputs = 5, .recurrent = 3, .adaptive = 0, .outputs = 2}, p, substrate_factory(noisy_pcm()));
  Matrix w_in(3, 5), w_rec = Matrix::Zero(3, 3), w_out = Matrix::Constant(2, 3, 0.2f);
  for (Eigen::Index i = 0; i < w_in.size(); ++i) w_in.data()[i] = 0.05f * static_cast<float>(i % 5) + 0.1f;
  net.set_weights(w_in, w_rec, w_out);
  Matrix input(3, 5);
  input << 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0;
  const auto currents = [&](uint64_t sequence) {
    const ReadKeyScope key({sequence, 0});
    RecurrentSNNState s;
    net.start(s);
    std::vector<Matrix> out;
    for (Eigen::Index t = 0; t < input.rows(); ++t) {
      net.step(s, input, t);
      out.push_back(s.synaptic_input);
    }
    return out;
  };
  const std::vector<Matrix> a = currents(5), b = currents(5), c = currents(6);
  EXPECT_FALSE(a[0] == a[1]);  // the same pattern at two steps: fresh noise
  EXPECT_FALSE(a[1] == a[2]);
  for (size_t t = 0; t < a.size(); ++t) {
    EXPECT_TRUE(a[t] == b[t]) << "step " << t;  // the same sequence key: the same numbers, on any thread
    EXPECT_FALSE(a[t] == c[t]) << "step " << t;
  }
}

}  // namespace
}  // namespace plasticore
