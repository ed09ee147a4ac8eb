// The run record (train/run_record.hpp): write/read round-trip bit for bit for every dtype; damaged
// files are RuntimeErrors naming the file (every truncation, trailing bytes, impossible sizes without
// huge allocations, an old checkpoint format by name); writes are atomic; networks and device
// substrates save and restore exactly, and refuse a record of another shape.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "network/layered_ep.hpp"
#include "network/recurrent_snn.hpp"
#include "substrate/ideal.hpp"
#include "substrate/registry.hpp"
#include "train/run_record.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

class RunRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plasticore-test-record-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::string write_raw(const std::string& name, const std::string& bytes) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

Matrix random_matrix(int rows, int cols, Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform() * 2 - 1;
  return m;
}

// A record with awkward contents: NUL and non-ASCII bytes in the config text, special floats, every dtype.
RunRecord sample_record() {
  RunRecord r;
  r.config_toml = std::string("name = \"x\"\n# \xc3\xa9\n") + std::string(1, '\0') + "[train]\nepochs = 3\n";
  r.epochs_done = 2;
  r.wall_seconds = 12.345678901234567;
  for (int e = 1; e <= 2; ++e)
    r.history.add({{"epoch", e}, {"train_accuracy", 0.1 * e + 1e-17}, {"test_accuracy", 0.2 * e}, {"lr_scale", 1.0 / (e + 2)}});
  Rng rng(5, "record-test");
  Matrix w = random_matrix(7, 5, rng);
  w(0, 0) = -0.0f;
  w(1, 0) = std::numeric_limits<Scalar>::denorm_min();
  w(2, 0) = std::numeric_limits<Scalar>::max();
  w(3, 0) = std::numeric_limits<Scalar>::infinity();
  w(4, 1) = std::numeric_limits<Scalar>::quiet_NaN();
  r.tensors.put_matrix("w1", w);
  r.tensors.put_vector("b1", {0.5f, -0.25f, 1e-30f});
  r.tensors.put_doubles("substrate/w1/written_seconds", {0.0, 38.6, 1e300});
  r.tensors.put_int("optimizer/updates", -42);
  r.tensors.put_double("substrate/w1/clock_seconds", 1.0 / 3.0);
  r.tensors.put_text("substrate/w1/kind", "pcm_statistical");
  r.tensors.put_matrix("empty", Matrix(0, 3));
  return r;
}

void expect_same(const NamedTensors& a, const NamedTensors& b) {
  ASSERT_EQ(a.all().size(), b.all().size());
  for (const auto& [name, t] : a.all()) {
    ASSERT_TRUE(b.has(name)) << name;
    const Tensor& u = b.at(name);
    EXPECT_EQ(t.dtype, u.dtype) << name;
    EXPECT_EQ(t.shape, u.shape) << name;
    EXPECT_EQ(t.bytes, u.bytes) << name << ": not bit-identical";
  }
}

TEST_F(RunRecordTest, RoundTripIsBitIdentical) {
  const RunRecord r = sample_record();
  write_run_record(path("checkpoint.bin"), r);
  const RunRecord back = read_run_record(path("checkpoint.bin"));
  EXPECT_EQ(back.config_toml, r.config_toml);
  EXPECT_EQ(back.epochs_done, 2);
  EXPECT_EQ(back.wall_seconds, r.wall_seconds);
  EXPECT_EQ(back.history.csv(), r.history.csv());
  expect_same(r.tensors, back.tensors);
  expect_same(all_tensors(r), read_record_tensors(path("checkpoint.bin")));
  // The matrix comes back in its own orientation (rows x cols), stored in C order.
  const Matrix w = back.tensors.matrix("w1", 7, 5);
  EXPECT_EQ(std::memcmp(w.data(), r.tensors.matrix("w1", 7, 5).data(), sizeof(Scalar) * 35), 0);
  EXPECT_EQ(back.tensors.text("substrate/w1/kind"), "pcm_statistical");
  EXPECT_EQ(back.tensors.integer("optimizer/updates"), -42);
}

TEST_F(RunRecordTest, EmptyRecordRoundTrips) {
  write_run_record(path("c.bin"), RunRecord{});
  const RunRecord back = read_run_record(path("c.bin"));
  EXPECT_EQ(back.epochs_done, 0);
  EXPECT_TRUE(back.history.empty());
  EXPECT_TRUE(back.tensors.all().empty());
}

TEST_F(RunRecordTest, OverwriteReplacesAtomicallyAndLeavesNoTemporary) {
  RunRecord r = sample_record();
  write_run_record(path("checkpoint.bin"), r);
  r.wall_seconds = 99;
  write_run_record(path("checkpoint.bin"), r);
  EXPECT_EQ(read_run_record(path("checkpoint.bin")).wall_seconds, 99);
  EXPECT_EQ(listing(), std::vector<std::string>{"checkpoint.bin"});
}

TEST_F(RunRecordTest, WriteIntoMissingDirectoryFailsCleanly) {
  const std::string missing = path("no-such-dir/checkpoint.bin");
  expect_runtime_error([&] { write_run_record(missing, sample_record()); }, {"no-such-dir"});
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(RunRecordTest, MissingAndNonRegularFilesNameThemselves) {
  expect_runtime_error([&] { read_run_record(path("nope.bin")); }, {"nope.bin"});
  expect_runtime_error([&] { read_run_record(dir_.string()); }, {dir_.string(), "not a regular file"});
  const std::string fifo = path("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_runtime_error([&] { read_run_record(fifo); }, {"fifo", "not a regular file"});  // refused, not read (no hang)
}

TEST_F(RunRecordTest, WrongMagicAndOldFormatsNameTheFile) {
  expect_runtime_error([&] { read_run_record(write_raw("text.bin", "hello, this is not a record")); }, {"text.bin", "PLRUN001"});
  for (const char* old : {"PLCKPT01", "PLSEQ001"})
    expect_runtime_error([&] { read_run_record(write_raw("old.bin", std::string(old) + std::string(64, '\0'))); }, {"old.bin",
                         std::string("format ") + old});
}

TEST_F(RunRecordTest, EveryTruncationIsDetected) {
  write_run_record(path("full.bin"), sample_record());
  const std::string bytes = slurp(path("full.bin"));
  for (size_t n = 0; n < bytes.size(); ++n) {
    const std::string p = write_raw("cut.bin", bytes.substr(0, n));
    EXPECT_THROW(read_run_record(p), RuntimeError) << "truncated to " << n << " of " << bytes.size() << " bytes";
  }
}

TEST_F(RunRecordTest, TrailingBytesAreDetected) {
  write_run_record(path("full.bin"), sample_record());
  expect_runtime_error([&] { read_run_record(write_raw("long.bin", slurp(path("full.bin")) + "x")); }, {"long.bin", "trailing"});
}

// A record with one float32 tensor "w" of shape (2, 3): byte offsets of its fields.
std::string one_tensor_record() {
  std::string b = "PLRUN001";
  const auto put = [&](const auto v) { b.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(uint32_t{1});
  put(uint16_t{1});
  b += "w";
  put(uint8_t{1});
  put(uint8_t{2});
  put(int64_t{2});
  put(int64_t{3});
  b.append(24, '\0');
  return b;
}
constexpr size_t kCount = 8, kNameSize = 12, kDtype = 15, kRank = 16, kRows = 17, kCols = 25;

template <typename T>
std::string poked(std::string bytes, size_t offset, T value) {
  std::memcpy(bytes.data() + offset, &value, sizeof value);
  return bytes;
}

TEST_F(RunRecordTest, CorruptSizesAreDetectedWithoutHugeAllocations) {
  const std::string good = one_tensor_record();
  EXPECT_EQ(read_record_tensors(write_raw("good.bin", good)).matrix("w", 2, 3), Matrix::Zero(2, 3));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"count", poked(good, kCount, uint32_t{0xFFFFFFFF})},
      {"count2", poked(good, kCount, uint32_t{2})},
      {"name", poked(good, kNameSize, uint16_t{0})},
      {"name2", poked(good, kNameSize, uint16_t{60000})},
      {"dtype", poked(good, kDtype, uint8_t{9})},
      {"rank", poked(good, kRank, uint8_t{200})},
      {"rows", poked(good, kRows, int64_t{-1})},
      {"rows2", poked(good, kRows, std::numeric_limits<int64_t>::max())},
      {"cols", poked(good, kCols, int64_t{1} << 40)},
      {"overflow", poked(poked(good, kRows, int64_t{1} << 32), kCols, int64_t{1} << 33)}};
  for (const auto& [what, bytes] : cases) {
    const std::string p = write_raw(what + ".bin", bytes);
    EXPECT_THROW(read_record_tensors(p), RuntimeError) << what;
  }
  // The same tensor twice, and a record whose epochs_done is impossible.
  std::string twice = poked(good, kCount, uint32_t{2}) + good.substr(12);
  expect_runtime_error([&] { read_record_tensors(write_raw("twice.bin", twice)); }, {"twice.bin", "twice"});
  RunRecord r = sample_record();
  NamedTensors all = all_tensors(r);
  all.put_int("run/epochs_done", std::numeric_limits<int64_t>::min());
  RunRecord forged;
  forged.config_toml = r.config_toml;
  forged.tensors = all;
  write_run_record(path("forged.bin"), forged);  // the forged run/ entries are overwritten by the real ones...
  std::string bytes = slurp(path("forged.bin"));
  // ...so forge the int64 in the file itself: find the value 0 of run/epochs_done and make it INT64_MIN.
  const std::string key = "run/epochs_done";
  const size_t at = bytes.find(key) + key.size() + 2;  // dtype, rank 0, then the 8 bytes
  std::memcpy(bytes.data() + at, "\x00\x00\x00\x00\x00\x00\x00\x80", 8);
  expect_runtime_error([&] { read_run_record(write_raw("min.bin", bytes)); }, {"min.bin", "epochs_done"});
}

TEST_F(RunRecordTest, HistoryMustMatchTheEpochsDone) {
  RunRecord r = sample_record();
  r.epochs_done = 3;  // two rows of history
  write_run_record(path("c.bin"), r);
  expect_runtime_error([&] { read_run_record(path("c.bin")); }, {"c.bin", "3 epochs done"});
  r.epochs_done = 2;
  r.history = History();
  write_run_record(path("d.bin"), r);
  expect_runtime_error([&] { read_run_record(path("d.bin")); }, {"d.bin", "no history"});
}

TEST_F(RunRecordTest, LayeredNetworkSavesAndRestoresAndRejectsAnotherShape) {
  LayeredEPNetwork a({6, 4, 3}, ideal_substrates()), b({6, 4, 3}, ideal_substrates());
  a.initialize(3, {1.0, 0.5});
  a.bias(1) << 0.5f, -1, 2;
  NamedTensors saved;
  a.save(saved);
  b.restore(saved);
  for (int l = 0; l < 2; ++l) {
    EXPECT_EQ(b.weight(l).weights(), a.weight(l).weights());
    EXPECT_EQ(b.bias(l), a.bias(l));
  }
  LayeredEPNetwork wider({6, 5, 3}, ideal_substrates()), other_input({7, 4, 3}, ideal_substrates());
  EXPECT_THROW(wider.restore(saved), RuntimeError);
  EXPECT_THROW(other_input.restore(saved), RuntimeError);
  LayeredEPNetwork deeper({6, 4, 4, 3}, ideal_substrates());
  EXPECT_THROW(deeper.restore(saved), RuntimeError) << "no w3 in the record";
}

// A device substrate's state restored into a fresh one gives the same weights now and after the same
// further updates and drift: resuming a device run is exact.
TEST_F(RunRecordTest, DeviceStateRestoresExactly) {
  for (const std::string kind : {"pcm", "memristor", "quantized"}) {
    SubstrateConfig c;
    c.kind = kind;
    c.seed = 9;
    c.mapping.automatic = false, c.mapping.range = 0.5;
    c.quantized.bits = 4;
    c.update.seconds_per_update = 38.6;
    Rng rng(4, "device-restore");
    const Matrix w0 = 0.3f * random_matrix(5, 6, rng);
    std::vector<Matrix> updates;
    for (int k = 0; k < 6; ++k) updates.push_back(0.05f * random_matrix(5, 6, rng));
    auto a = make_substrate(c, 5, 6);
    a->set_weights(w0);
    for (int k = 0; k < 3; ++k) {
      a->update(updates[static_cast<size_t>(k)]);
      a->advance(c.update.seconds_per_update);
    }
    NamedTensors saved;
    save_matrix(saved, "w", *a);
    auto b = make_substrate(c, 5, 6);
    b->set_weights(Matrix::Zero(5, 6));  // whatever it held is replaced
    restore_matrix(saved, "w", *b);
    EXPECT_EQ(b->weights(), a->weights()) << kind;
    EXPECT_EQ(b->conductances_uS(), a->conductances_uS()) << kind;
    for (int k = 3; k < 6; ++k)
      for (Substrate* s : {a.get(), b.get()}) {
        s->update(updates[static_cast<size_t>(k)]);
        s->advance(c.update.seconds_per_update);
      }
    EXPECT_EQ(b->weights(), a->weights()) << kind << ": diverged after the restore";
    Matrix x = random_matrix(6, 2, rng), ya, yb;
    a->forward(x, ya);
    b->forward(x, yb);
    EXPECT_EQ(ya, yb) << kind << ": reads (noise streams) differ";
    // Another substrate kind finds no state of its own and is programmed from the weights instead.
    IdealSubstrate ideal(5, 6);
    restore_matrix(saved, "w", ideal);
    EXPECT_EQ(ideal.weights(), saved.matrix("w", 5, 6)) << kind;
  }
}

}  // namespace
}  // namespace plasticore
