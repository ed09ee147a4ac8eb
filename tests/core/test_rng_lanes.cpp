// RngLanes against Rng streams drawn one after the other: every lane's numbers are its stream's, bit for bit, over
// enough draws to pass through many states, and the states written back continue each stream exactly; with all
// eight lanes and with fewer streams than lanes (a batch's last samples), whose store leaves what follows them.
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

}  // namespace
}  // namespace plasticore
