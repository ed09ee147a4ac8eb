// RngLanes against Rng streams drawn one after the other: every lane's numbers are its stream's, bit for bit, over
// enough draws to pass through many states, and the states written back continue each stream exactly; with all
// eight lanes and with fewer streams than lanes (a batch's last samples), whose store leaves what follows them. And
// streams seeded in lanes as Rng(key, a, b[k]) draw Rng's numbers, in float and in double.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/rng_lanes.hpp"

namespace plasticore {
namespace {

TEST(RngLanes, EachLaneDrawsItsStreamsNumbers) {
  for (const int count : {RngLanes::kLanes, 3, 1}) {
    std::vector<Rng> streams, reference;
    for (uint64_t k = 0; k <= RngLanes::kLanes; ++k) streams.emplace_back(Rng::Key(7, "test_rng_lanes"), 3, k);
    reference = streams;
    RngLanes lanes(streams.data(), count);
    float u[RngLanes::kLanes];
    for (int draw = 0; draw < 10'000; ++draw) {
      lanes.uniform(u);
      for (int k = 0; k < count; ++k) {
        const float expected = reference[static_cast<size_t>(k)].uniform();
        ASSERT_EQ(std::memcmp(&u[k], &expected, sizeof(float)), 0) << count << " streams, draw " << draw << ", lane " << k;
      }
    }
    lanes.store(streams.data());
    for (size_t k = 0; k < streams.size(); ++k)  // past count: not drawn from, not written
      EXPECT_EQ(streams[k].next(), reference[k].next()) << count << " streams, stream " << k;
  }
}

TEST(RngLanes, SeededInLanesAsRngsConstructor) {
  const Rng::Key key(11, "test_rng_lanes_seeded");
  const uint64_t b[RngLanes::kLanes] = {1, 2, 3, 1000, 0, ~uint64_t{0}, 77, 78};
  for (const uint64_t a : {uint64_t{0}, uint64_t{5}, uint64_t{1} << 40}) {
    RngLanes lanes(key, a, b);
    std::vector<Rng> reference;
    for (const uint64_t bk : b) reference.emplace_back(key, a, bk);
    double d[RngLanes::kLanes];
    float f[RngLanes::kLanes];
    for (int draw = 0; draw < 1000; ++draw) {
      lanes.uniform_double(d);
      lanes.uniform(f);
      for (int k = 0; k < RngLanes::kLanes; ++k) {
        const double expected_d = reference[static_cast<size_t>(k)].uniform_double();
        const float expected_f = reference[static_cast<size_t>(k)].uniform();
        ASSERT_EQ(std::memcmp(&d[k], &expected_d, sizeof(double)), 0) << "a " << a << ", draw " << draw << ", lane " << k;
        ASSERT_EQ(std::memcmp(&f[k], &expected_f, sizeof(float)), 0) << "a " << a << ", draw " << draw << ", lane " << k;
      }
    }
  }
}

}  // namespace
}  // namespace plasticore
