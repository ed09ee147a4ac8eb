// sigma_delta_layer (neuron/sigma_delta_layer.hpp), the one-pass sigma-delta step of a layer, against
// sigma_delta_spike neuron by neuron and plain loops for its lists: every length from 0 to 70 and MNIST's 784
// (partial and whole 16-lane blocks), states from silent to saturated, accumulators near the threshold, with
// and without the lists of started and stopped spikes, with NaN, infinities, -0 and denormals among them, with
// and without quiet vectors to skip; bit for bit, and no write past n. And sigma_delta_layer_steps, a clamped
// input's steps at once, against that many calls of sigma_delta_layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/rng.hpp"
#include "neuron/sigma_delta_layer.hpp"

namespace plasticore {
namespace {

TEST(SigmaDeltaLayer, MatchesTheNeuronByNeuronStepAndPlainLoops) {
  Rng rng(5, "test_sigma_delta_layer");
  std::vector<int> lengths;
  for (int n = 0; n <= 70; ++n) lengths.push_back(n);
  lengths.push_back(784);
  for (const int n : lengths)
    for (const float active : {0.0f, 0.2f, 1.0f})
      for (const bool changes : {false, true})
        for (const bool with_quiet : {false, true}) {
        const auto size = static_cast<size_t>(n);
        std::vector<Scalar> s(size), a(size), S(size);
        // Values a run never makes but a broken state might: NaN, infinities, -0, denormals; in both operands.
        const Scalar odd[] = {std::numeric_limits<Scalar>::quiet_NaN(), -std::numeric_limits<Scalar>::quiet_NaN(),
                              std::numeric_limits<Scalar>::infinity(), -std::numeric_limits<Scalar>::infinity(), -0.0f,
                              std::numeric_limits<Scalar>::denorm_min(), 1.0f, 2.0f};
        for (size_t i = 0; i < size; ++i) {
          s[i] = rng.uniform() < active ? rng.uniform() : 0.0f;
          a[i] = rng.uniform() < 0.1f ? 1.0f - s[i] : rng.uniform();  // some land exactly on the threshold
          S[i] = rng.uniform() < 0.5f ? 1.0f : 0.0f;                  // the last step's spikes
          if (rng.uniform() < 0.05f) s[i] = odd[static_cast<size_t>(rng.uniform() * 8) % 8];
          if (rng.uniform() < 0.05f) a[i] = odd[static_cast<size_t>(rng.uniform() * 8) % 8];
        }
        // Every third 16-neuron vector quiet (s = 0, a < 1, S = 0, as a blank patch of a clamped input), and
        // said to be so: skipping it must change nothing.
        std::vector<uint8_t> quiet(size / 16 + 1, 0);
        if (with_quiet)
          for (size_t v = 0; v * 16 < size; v += 3) {
            quiet[v] = 1;
            for (size_t i = 16 * v; i < std::min(size, 16 * v + 16); ++i) s[i] = 0, a[i] = rng.uniform(), S[i] = 0;
          }
        // Reference: the neuron's own step, then the lists from plain loops.
        const std::vector<Scalar> a_before = a;
        std::vector<Scalar> a_ref = a, S_ref(size);
        std::vector<int32_t> events_ref, started_ref, stopped_ref;
        for (size_t i = 0; i < size; ++i) {
          S_ref[i] = sigma_delta_spike(s[i], a_ref[i]);
          if (S_ref[i] != 0) events_ref.push_back(static_cast<int32_t>(i));
          if (S_ref[i] != 0 && S[i] == 0) started_ref.push_back(static_cast<int32_t>(i));
          if (S_ref[i] == 0 && S[i] != 0) stopped_ref.push_back(static_cast<int32_t>(i));
        }
        // One guard entry past n in each list: it must survive.
        constexpr int32_t kGuard = -77;
        std::vector<int32_t> events(size + 1, kGuard), started(size + 1, kGuard), stopped(size + 1, kGuard);
        const LayerSpikeCounts c = sigma_delta_layer(s.data(), a.data(), S.data(), n, events.data(),
                                                     changes ? started.data() : nullptr, changes ? stopped.data() : nullptr,
                                                     with_quiet ? quiet.data() : nullptr);
        const std::string where = "n = " + std::to_string(n) + ", active " + std::to_string(active) +
                                  (with_quiet ? ", quiet vectors" : "");
        const auto same_bits = [](const std::vector<Scalar>& x, const std::vector<Scalar>& y) {  // memcmp of nothing: a null pointer
          return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(Scalar)) == 0);
        };
        // Bit for bit, but where the add met two NaNs (a and s both NaN before the step): IEEE 754 leaves open which
        // one it returns, and GCC orders the commutative add as it likes in each loop (the build without AVX-512 kept
        // a's where the reference kept s's); either NaN, then.
        const auto same_bits_but_two_nans = [&](const std::vector<Scalar>& x, const std::vector<Scalar>& y) {
          if (x.size() != y.size()) return false;
          for (size_t i = 0; i < x.size(); ++i) {
            const bool two_nans = std::isnan(s[i]) && std::isnan(a_before[i]);
            if (std::memcmp(&x[i], &y[i], sizeof(Scalar)) != 0 && !(two_nans && std::isnan(x[i]) && std::isnan(y[i])))
              return false;
          }
          return true;
        };
        EXPECT_TRUE(same_bits_but_two_nans(a, a_ref)) << where;
        EXPECT_TRUE(same_bits(S, S_ref)) << where;
        EXPECT_EQ(events[size], kGuard) << where;
        events.resize(static_cast<size_t>(c.spikes));
        EXPECT_EQ(events, events_ref) << where;
        if (changes) {
          EXPECT_EQ(started[size], kGuard) << where;
          EXPECT_EQ(stopped[size], kGuard) << where;
          started.resize(static_cast<size_t>(c.started));
          stopped.resize(static_cast<size_t>(c.stopped));
          EXPECT_EQ(started, started_ref) << where;
          EXPECT_EQ(stopped, stopped_ref) << where;
        } else {
          EXPECT_EQ(c.started, 0);
          EXPECT_EQ(c.stopped, 0);
        }
      }
}


TEST(SigmaDeltaLayerSteps, EqualsOneCallPerStep) {
  Rng rng(6, "test_sigma_delta_layer_steps");
  std::vector<int> lengths;
  for (int n = 0; n <= 40; ++n) lengths.push_back(n);
  for (int n = 63; n <= 81; ++n) lengths.push_back(n);  // a second group of four vectors, partial vectors in it
  for (const int n : {100, 784, 785}) lengths.push_back(n);
  const Scalar odd[] = {std::numeric_limits<Scalar>::quiet_NaN(), std::numeric_limits<Scalar>::infinity(),
                        -std::numeric_limits<Scalar>::infinity(), -0.0f, std::numeric_limits<Scalar>::denorm_min(), 2.0f};
  for (const int n : lengths)
    for (const int steps : {0, 1, 2, 7, 20})
      for (const bool changes : {false, true})
        for (const bool with_quiet : {false, true}) {
          const auto size = static_cast<size_t>(n);
          std::vector<Scalar> s(size), a(size), S(size);
          for (size_t i = 0; i < size; ++i) {
            s[i] = rng.uniform() < 0.6f ? rng.uniform() : (rng.uniform() < 0.5f ? 1.0f : 0.0f);
            a[i] = rng.uniform() < 0.1f ? 1.0f - s[i] : rng.uniform();
            S[i] = rng.uniform() < 0.5f ? 1.0f : 0.0f;
            if (rng.uniform() < 0.05f) s[i] = odd[static_cast<size_t>(rng.uniform() * 6) % 6];
            if (rng.uniform() < 0.05f) a[i] = odd[static_cast<size_t>(rng.uniform() * 6) % 6];
            if (rng.uniform() < 0.05f) S[i] = odd[static_cast<size_t>(rng.uniform() * 6) % 6];
          }
          std::vector<uint8_t> quiet(size / 16 + 1, 0);
          if (with_quiet)
            for (size_t v = 1; v * 16 < size; v += 3) {
              quiet[v] = 1;
              for (size_t i = 16 * v; i < std::min(size, 16 * v + 16); ++i) s[i] = 0, a[i] = rng.uniform(), S[i] = 0;
            }
          const uint8_t* q = with_quiet ? quiet.data() : nullptr;
          constexpr int32_t kGuard = -77;
          const auto lists = [&] { return std::vector<std::vector<int32_t>>(static_cast<size_t>(steps), std::vector<int32_t>(size + 1, kGuard)); };
          // Reference: one call per step.
          std::vector<Scalar> a_ref = a, S_ref = S;
          auto events_ref = lists(), started_ref = lists(), stopped_ref = lists();
          std::vector<LayerSpikeCounts> counts_ref(static_cast<size_t>(steps));
          for (size_t t = 0; t < static_cast<size_t>(steps); ++t)
            counts_ref[t] = sigma_delta_layer(s.data(), a_ref.data(), S_ref.data(), n, events_ref[t].data(),
                                              changes ? started_ref[t].data() : nullptr, changes ? stopped_ref[t].data() : nullptr, q);
          auto events = lists(), started = lists(), stopped = lists();
          std::vector<int32_t*> events_at, started_at, stopped_at;
          for (size_t t = 0; t < static_cast<size_t>(steps); ++t) {
            events_at.push_back(events[t].data());
            started_at.push_back(started[t].data());
            stopped_at.push_back(stopped[t].data());
          }
          std::vector<LayerSpikeCounts> counts(static_cast<size_t>(steps), LayerSpikeCounts{-1, -1, -1});
          sigma_delta_layer_steps(s.data(), a.data(), S.data(), n, steps, events_at.data(), changes ? started_at.data() : nullptr,
                                  changes ? stopped_at.data() : nullptr, counts.data(), q);
          const std::string where = "n = " + std::to_string(n) + ", " + std::to_string(steps) + " steps" +
                                    (changes ? ", changes" : "") + (with_quiet ? ", quiet vectors" : "");
          EXPECT_TRUE(size == 0 || std::memcmp(a.data(), a_ref.data(), size * sizeof(Scalar)) == 0) << where;
          EXPECT_TRUE(size == 0 || std::memcmp(S.data(), S_ref.data(), size * sizeof(Scalar)) == 0) << where;
          for (size_t t = 0; t < static_cast<size_t>(steps); ++t) {
            const LayerSpikeCounts& c = counts[t];
            const LayerSpikeCounts& r = counts_ref[t];
            EXPECT_EQ(c.spikes, r.spikes) << where << ", step " << t;
            EXPECT_EQ(c.started, r.started) << where << ", step " << t;
            EXPECT_EQ(c.stopped, r.stopped) << where << ", step " << t;
            const auto head = [](const std::vector<int32_t>& x, Eigen::Index k) {
              return std::vector<int32_t>(x.begin(), x.begin() + std::max<Eigen::Index>(0, k));
            };
            EXPECT_EQ(head(events[t], c.spikes), head(events_ref[t], r.spikes)) << where << ", step " << t;
            EXPECT_EQ(head(started[t], c.started), head(started_ref[t], r.started)) << where << ", step " << t;
            EXPECT_EQ(head(stopped[t], c.stopped), head(stopped_ref[t], r.stopped)) << where << ", step " << t;
            EXPECT_EQ(events[t][size], kGuard) << where;  // nothing written past n
            EXPECT_EQ(started[t][size], kGuard) << where;
            EXPECT_EQ(stopped[t][size], kGuard) << where;
          }
        }
}

}  // namespace
}  // namespace plasticore
