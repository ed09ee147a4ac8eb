// The sweep's parsers: --set key=v1,v2,... splits at commas outside brackets, braces and quotes, and
// --seeds takes lists and ranges; bad lists are usage errors naming the option.
#include <gtest/gtest.h>

#include "train/sweep.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

TEST(SweepAxis, SplitsAtTopLevelCommasOnly) {
  const SweepAxis a = parse_sweep_axis("train.learning_rate = 0.01, 0.02,1e-3");
  EXPECT_EQ(a.key, "train.learning_rate");
  EXPECT_EQ(a.values, (std::vector<std::string>{"0.01", "0.02", "1e-3"}));
  const SweepAxis b = parse_sweep_axis("network.hidden=[500],[500, 500],[1000,1000,1000]");
  EXPECT_EQ(b.values, (std::vector<std::string>{"[500]", "[500, 500]", "[1000,1000,1000]"}));
  const SweepAxis c = parse_sweep_axis("network.init_scale={w1 = 1, w2 = 2},{w1 = 3, w2 = [4, 5]}");
  EXPECT_EQ(c.values, (std::vector<std::string>{"{w1 = 1, w2 = 2}", "{w1 = 3, w2 = [4, 5]}"}));
  const SweepAxis d = parse_sweep_axis("name=\"a,b\",'c,[d'");
  EXPECT_EQ(d.values, (std::vector<std::string>{"\"a,b\"", "'c,[d'"}));
  EXPECT_EQ(parse_sweep_axis("seedless=7").values, std::vector<std::string>{"7"});
}

TEST(SweepAxis, BadListsAreUsageErrors) {
  expect_usage_error([] { parse_sweep_axis("no_equals_sign"); }, {"key=value1,value2"});
  expect_usage_error([] { parse_sweep_axis("=1,2"); }, {"key=value1,value2"});
  expect_usage_error([] { parse_sweep_axis("k=1,,2"); }, {"k", "empty value"});
  expect_usage_error([] { parse_sweep_axis("k=[1,2"); }, {"k", "unbalanced"});
  expect_usage_error([] { parse_sweep_axis("k=\"1,2"); }, {"k", "unbalanced"});
  expect_usage_error([] { parse_sweep_axis("k=1,2,1"); }, {"k", "'1' is given twice"});
}

TEST(SeedList, ListsAndRanges) {
  EXPECT_EQ(parse_seed_list("1,2,3"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(parse_seed_list("1-4"), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(parse_seed_list("0-1, 7 ,10-10"), (std::vector<int64_t>{0, 1, 7, 10}));
  for (const char* bad : {"", "x", "1,", "1.5", "3-1", "-1", "1,1", "1-3,2", "1-100000"})
    expect_usage_error([&] { parse_seed_list(bad); }, {"--seeds"});
}

}  // namespace
}  // namespace plasticore
