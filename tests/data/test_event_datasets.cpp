// Event data sets (data/event_dataset.hpp, data/nmnist.hpp, data/heidelberg.hpp): binning against a plain
// reference, N-MNIST's 40-bit events against an encoder written here, SHD files written by h5py
// (tests/data/make_event_files.py) read back exactly, the sequence and static presentations, and bad
// files refused with one-line errors naming the file and the sample.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/heidelberg.hpp"
#include "data/nmnist.hpp"
#include "data/registry.hpp"
#include "core/hdf5.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

// The generator's files, made once per test binary run (nullptr: no h5py).
const fs::path* generated() {
  static const fs::path dir = fs::temp_directory_path() / ("plasticore_events_" + std::to_string(::getpid()));
  static const bool made = [] {
    const std::string cmd = "/usr/bin/python3 " + std::string(PLASTICORE_SOURCE_DIR) + "/tests/data/make_event_files.py " +
                            dir.string() + " --train 40 --test 12 > /dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
  }();
  return made ? &dir : nullptr;
}

struct RemoveGenerated : ::testing::Environment {
  void TearDown() override {
    if (const fs::path* d = generated()) fs::remove_all(*d);
  }
};
const auto* const remove_generated = ::testing::AddGlobalTestEnvironment(new RemoveGenerated);

TEST(BinEvents, CountsEventsPerStepAndChannelAndCutsOffAfterT) {
  // steps of 2 ms: [0, 2) [2, 4) [4, 6); 6.0 is after T and dropped
  const std::vector<Event> events = {{0.0, 3}, {1.9, 3}, {1.0, 1}, {2.0, 3}, {5.99, 0}, {6.0, 2}, {4.5, 0}};
  const BinnedEvents b = bin_events(events, 3, 2.0);
  ASSERT_EQ(b.first, (std::vector<int32_t>{0, 2, 3, 4}));
  EXPECT_EQ(b.channel, (std::vector<int32_t>{1, 3, 3, 0}));
  EXPECT_EQ(b.count, (std::vector<float>{1, 2, 1, 2}));
}

// N-MNIST's event encoding, written independently of the parser: x, y, then p | t >> 16, t >> 8, t.
std::string encode(const std::vector<NmnistEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    out += static_cast<char>(e.x);
    out += static_cast<char>(e.y);
    out += static_cast<char>((e.on ? 0x80 : 0) | ((e.time_us >> 16) & 0x7F));
    out += static_cast<char>((e.time_us >> 8) & 0xFF);
    out += static_cast<char>(e.time_us & 0xFF);
  }
  return out;
}

class EventFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plasticore_nmnist_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
  fs::path dir_;
};

TEST_F(EventFiles, NmnistEventsDecodeBitForBit) {
  const std::vector<NmnistEvent> events = {{0, 0, false, 0}, {33, 17, true, 8388607}, {5, 33, true, 65536 + 258}};
  const auto parsed = parse_nmnist_file(write("a.bin", encode(events)));
  ASSERT_EQ(parsed.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed[i].x, events[i].x);
    EXPECT_EQ(parsed[i].y, events[i].y);
    EXPECT_EQ(parsed[i].on, events[i].on);
    EXPECT_EQ(parsed[i].time_us, events[i].time_us);
  }
  EXPECT_TRUE(parse_nmnist_file(write("empty.bin", "")).empty());
}

TEST_F(EventFiles, BadNmnistFilesNameTheFileAndTheEvent) {
  expect_runtime_error([&] { parse_nmnist_file(write("size.bin", encode({{1, 2, true, 3}}) + "xy")); },
                       {"size.bin", "7 bytes", "5-byte"});
  expect_runtime_error([&] { parse_nmnist_file(write("pixel.bin", encode({{1, 2, true, 3}, {34, 0, false, 9}}))); },
                       {"pixel.bin", "event 1", "(34, 0)", "34 x 34"});
  expect_runtime_error([&] { parse_nmnist_file((dir_ / "none.bin").string()); }, {"none.bin", "no such"});
  // A file larger than any sample is refused before it is read (sparse: no disk space used).
  const std::string huge = write("huge.bin", "");
  fs::resize_file(huge, static_cast<uintmax_t>(kMaxNmnistFileBytes) + 5);
  expect_runtime_error([&] { parse_nmnist_file(huge); }, {"huge.bin", "more than an N-MNIST sample"});
}

TEST_F(EventFiles, MissingNmnistFoldersSayHowToGetTheData) {
  expect_runtime_error([&] { NmnistFolder((dir_ / "Train").string(), 0, "data.train_limit"); },
                       {"Train", "no such folder", "download", "n-mnist", "docs/datasets.md"});
  write("Train/0/00001.bin", encode({{1, 1, true, 1}}));
  expect_runtime_error([&] { NmnistFolder((dir_ / "Train").string(), 0, "data.train_limit"); }, {"Train/1", "no such folder"});
}

TEST(NmnistFolderFromGenerator, SamplesInNameOrderWithChannelsFromPixelAndPolarity) {
  const fs::path* d = generated();
  if (d == nullptr) GTEST_SKIP() << "no h5py for the generator";
  const NmnistFolder folder((*d / "nmnist" / "Test").string(), 0, "data.test_limit");
  std::ifstream expected(*d / "expected_nmnist_test.txt");
  std::string line;
  int64_t index = 0;
  while (std::getline(expected, line)) {
    std::istringstream in(line);
    std::string path, event;
    int label = 0;
    in >> path >> label;
    EXPECT_EQ(folder.label(index), label);
    const std::vector<Event> events = folder.events(index);
    size_t k = 0;
    while (in >> event) {
      int x, y, p;
      long long t;
      ASSERT_EQ(std::sscanf(event.c_str(), "%d,%d,%d,%lld", &x, &y, &p, &t), 4);
      ASSERT_LT(k, events.size());
      EXPECT_EQ(events[k].channel, p * 34 * 34 + y * 34 + x);
      EXPECT_DOUBLE_EQ(events[k].time_ms, static_cast<double>(t) * 1e-3);
      ++k;
    }
    EXPECT_EQ(k, events.size());
    ++index;
  }
  EXPECT_EQ(index, 12);
  EXPECT_EQ(folder.size(), 12);
  expect_usage_error([&] { NmnistFolder((*d / "nmnist" / "Test").string(), 13, "data.test_limit"); },
                     {"data.test_limit", "13", "only 12"});
}

TEST(HeidelbergFromGenerator, SpikesAndLabelsReadBackExactly) {
  const fs::path* d = generated();
  if (d == nullptr || !hdf5_available()) GTEST_SKIP() << "no h5py or no HDF5";
  const HeidelbergSamples s = parse_heidelberg_file((*d / "shd" / "shd_test.h5").string(), 20);
  std::ifstream expected(*d / "expected_shd_test.txt");
  std::string line;
  size_t i = 0;
  while (std::getline(expected, line)) {
    ASSERT_LT(i, s.labels.size());
    std::istringstream in(line);
    int label = 0;
    in >> label;
    EXPECT_EQ(s.labels[i], label);
    std::string spike;
    size_t k = 0;
    while (in >> spike) {
      const size_t colon = spike.find(':');
      ASSERT_LT(k, s.events[i].size());
      EXPECT_EQ(s.events[i][k].time_ms, std::stod(spike.substr(0, colon)) * 1e3);  // float16 values are exact
      EXPECT_EQ(s.events[i][k].channel, std::stoi(spike.substr(colon + 1)));
      ++k;
    }
    EXPECT_EQ(k, s.events[i].size());
    ++i;
  }
  EXPECT_EQ(i, s.labels.size());
  EXPECT_EQ(i, 12u);
}

TEST(HeidelbergFromGenerator, DamagedFilesNameTheFileAndTheSample) {
  const fs::path* d = generated();
  if (d == nullptr || !hdf5_available()) GTEST_SKIP() << "no h5py or no HDF5";
  const fs::path bad = *d / "bad";
  expect_runtime_error([&] { parse_heidelberg_file((bad / "shd_unit" / "shd_test.h5").string(), 20); },
                       {"shd_unit/shd_test.h5", "sample 1", "unit 700"});
  expect_runtime_error([&] { parse_heidelberg_file((bad / "shd_label" / "shd_test.h5").string(), 20); },
                       {"shd_label/shd_test.h5", "label 99", "sample 1"});
  expect_runtime_error([&] { parse_heidelberg_file((bad / "shd_lengths" / "shd_test.h5").string(), 20); },
                       {"shd_lengths/shd_test.h5", "sample 1", "spike times but"});
  expect_runtime_error([&] { parse_heidelberg_file((bad / "shd_no_labels" / "shd_test.h5").string(), 20); },
                       {"shd_test.h5", "/labels is missing"});
  expect_runtime_error([&] { parse_heidelberg_file((bad / "shd_huge" / "shd_test.h5").string(), 20); },
                       {"shd_huge/shd_test.h5", "declares 5000000 samples", "bytes can hold"});
  expect_runtime_error([&] { parse_heidelberg_file((*d / "nmnist" / "Test" / "3").string(), 20); }, {"not a regular file"});
  expect_runtime_error([&] { HeidelbergFile((*d / "nowhere.h5").string(), 20, 0, "data.test_limit", "download it"); },
                       {"nowhere.h5", "no such file", "download it"});
}

// The registry entries: keys, presentation, sizes; sequences carry the label on the decision steps.
TEST(EventDatasetEntries, ShdAsSequencesAndNmnistAsCounts) {
  const fs::path* d = generated();
  if (d == nullptr || !hdf5_available()) GTEST_SKIP() << "no h5py or no HDF5";
  ConfigReader r = ConfigReader::from_string("[data]\npath = \"" + (*d / "shd").string() +
                                                 "\"\ntrain_limit = 30\n[task]\nsteps = 70\ndt_ms = 10.0\ndecision_steps = 20\n",
                                             "test");
  const auto shd = dataset_registry().at("shd", "data.dataset").read(r, {1, true})(true);
  EXPECT_EQ(shd->inputs(), 700);
  EXPECT_EQ(shd->outputs(), 20);
  EXPECT_EQ(shd->steps(), 70);
  EXPECT_EQ(shd->size(Split::train), 30);
  EXPECT_EQ(shd->size(Split::test), 12);
  const HeidelbergSamples ref = parse_heidelberg_file((*d / "shd" / "shd_test.h5").string(), 20);
  const auto seq = shd->sequence(Split::test, 2);
  Matrix x(700, 1);
  Vector y(20);
  double total = 0;
  for (Eigen::Index t = 0; t < 70; ++t) {
    seq->input(t, x);
    total += x.sum();
    seq->target(t, y);
    EXPECT_EQ(y.sum(), t >= 50 ? 1 : 0) << t;
    if (t >= 50) {
      EXPECT_EQ(y(ref.labels[2]), 1);
    }
  }
  size_t within = 0;
  for (const Event& e : ref.events[2]) within += e.time_ms < 700.0;
  EXPECT_EQ(total, static_cast<double>(within));
  // training order: a permutation of the 30 samples
  std::vector<int64_t> order;
  for (int64_t k = 0; k < 30; ++k) order.push_back(shd->train_sample(0, k));
  std::sort(order.begin(), order.end());
  for (int64_t k = 0; k < 30; ++k) EXPECT_EQ(order[static_cast<size_t>(k)], k);

  ConfigReader rn = ConfigReader::from_string("[data]\npath = \"" + (*d / "nmnist").string() + "\"\n", "test");
  const auto nmnist = dataset_registry().at("nmnist", "data.dataset").read(rn, {1, false})(true);
  EXPECT_EQ(nmnist->inputs(), 2312);
  EXPECT_EQ(nmnist->steps(), 1);
  const auto still = nmnist->sequence(Split::test, 0);
  Matrix counts(2312, 1);
  still->input(0, counts);
  EXPECT_EQ(counts.maxCoeff(), 1.0f);
  EXPECT_GT(counts(33 * 34 + 0, 0), 0);  // the generator's OFF event at (0, 33)
}

}  // namespace
}  // namespace plasticore
