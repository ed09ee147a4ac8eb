// The [substrate] section: classification and sequence configs read the same keys through one reader,
// the resolved config written to a run directory reads back to the same values, and bad values name
// their key.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "train/config_reader.hpp"
#include "train/run_config.hpp"
#include "train/sequence_config.hpp"

namespace plasticore {
namespace {

ConfigReader reader(const std::string& text, const std::vector<std::string>& overrides) {
  ConfigReader r = ConfigReader::from_string(text, "test.toml");
  for (const auto& o : overrides) r.set_override(o);
  return r;
}

const std::vector<std::string> kDeviceRun = {
    "substrate.kind=pcm",           "substrate.update=multi_device", "substrate.devices_per_sign=3",
    "substrate.tile_size=128",      "substrate.adc_bits=8",          "substrate.dac_bits=6",
    "substrate.seconds_per_update=2.5", "substrate.range=0.4",       "substrate.refresh=false"};

void expect_device_run(const SubstrateConfig& s, uint64_t seed) {
  EXPECT_EQ(s.kind, "pcm");
  EXPECT_EQ(s.update, "multi_device");
  EXPECT_EQ(s.devices_per_sign, 3);
  EXPECT_EQ(s.tile_size, 128);
  EXPECT_EQ(s.adc_bits, 8);
  EXPECT_EQ(s.dac_bits, 6);
  EXPECT_DOUBLE_EQ(s.seconds_per_update, 2.5);
  EXPECT_DOUBLE_EQ(s.range, 0.4);
  EXPECT_FALSE(s.refresh);
  EXPECT_EQ(s.seed, seed);
}

TEST(SubstrateConfig, SameKeysForClassificationAndSequenceRunsAndRoundTrip) {
  ConfigReader a = reader("seed = 7\n", kDeviceRun);
  const RunConfig run = read_run_config(a);
  expect_device_run(run.substrate, 7);
  ConfigReader a2 = ConfigReader::from_string(to_toml(run), "config.toml");
  expect_device_run(read_run_config(a2).substrate, 7);

  ConfigReader b = reader("algorithm = \"eprop\"\nseed = 9\n", kDeviceRun);
  const SequenceRunConfig seq = read_sequence_config(b);
  expect_device_run(seq.substrate, 9);
  ConfigReader b2 = ConfigReader::from_string(to_toml(seq), "config.toml");
  expect_device_run(read_sequence_config(b2).substrate, 9);
}

TEST(SubstrateConfig, BadValuesNameTheirKey) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"substrate.bits=0"}, "substrate.bits"},
      {{"substrate.bits=9"}, "substrate.bits"},
      {{"substrate.update=manhattan"}, "substrate.update"},
      {{"substrate.kind=pcm", "substrate.update=multi_device", "substrate.devices_per_sign=1"}, "substrate.devices_per_sign"},
      {{"substrate.adc_bits=1"}, "substrate.adc_bits"},
      {{"substrate.range=0"}, "substrate.range"},
      {{"substrate.kind=memristor", "substrate.mode=inference"}, "substrate.mode"},
      {{"substrate.tile_sise=64"}, "substrate.tile_sise"},
  };
  for (const auto& [overrides, key] : bad) {
    ConfigReader r = reader("", overrides);
    try {
      read_run_config(r);
      ADD_FAILURE() << "no error for " << key;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace plasticore
