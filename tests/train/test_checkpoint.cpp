// Checkpoints: write_checkpoint/read_checkpoint round-trip bit for bit; damaged files are
// RuntimeErrors naming the file; writes are atomic (temporary file renamed into place).
#include <gtest/gtest.h>

#include <unistd.h>

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
#include "train/checkpoint.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("plasticore-test-ckpt-" + std::to_string(::getpid()) + "-" +
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

// A checkpoint with awkward contents: NUL and non-ASCII bytes in the config text, special floats.
Checkpoint sample_checkpoint() {
  Checkpoint ck;
  ck.config_toml = std::string("name = \"x\"\n# \xc3\xa9\n", 20) + std::string(1, '\0') + "[train]\nepochs = 3\n";
  ck.epochs_done = 2;
  ck.wall_seconds = 12.345678901234567;
  for (int e = 1; e <= 2; ++e)
    ck.history.push_back({e, 0.1 * e + 1e-17, 0.2 * e, 3.5 * e, 1234.5678 / e, 1.0 / (e + 2)});
  Rng rng(5, "checkpoint-test");
  for (auto [rows, cols] : {std::pair{7, 5}, std::pair{3, 7}}) {
    Matrix w(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) w(i, j) = static_cast<Scalar>(rng.uniform() * 2.0 - 1.0);
    Vector b(rows);
    for (Eigen::Index i = 0; i < rows; ++i) b(i) = static_cast<Scalar>(rng.uniform() - 0.5);
    ck.weights.push_back(w);
    ck.biases.push_back(b);
  }
  ck.weights[0](0, 0) = -0.0f;
  ck.weights[0](1, 0) = std::numeric_limits<Scalar>::denorm_min();
  ck.weights[0](2, 0) = std::numeric_limits<Scalar>::max();
  ck.weights[0](3, 0) = std::numeric_limits<Scalar>::infinity();
  ck.biases[1](0) = std::numeric_limits<Scalar>::quiet_NaN();
  return ck;
}

template <typename M>
bool bits_equal(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<size_t>(a.size())) == 0;
}

bool bits_equal(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same(const Checkpoint& a, const Checkpoint& b) {
  EXPECT_EQ(a.config_toml, b.config_toml);
  EXPECT_EQ(a.epochs_done, b.epochs_done);
  EXPECT_TRUE(bits_equal(a.wall_seconds, b.wall_seconds));
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i) {
    const auto &x = a.history[i], &y = b.history[i];
    EXPECT_EQ(x.epoch, y.epoch);
    EXPECT_TRUE(bits_equal(x.train_accuracy, y.train_accuracy));
    EXPECT_TRUE(bits_equal(x.test_accuracy, y.test_accuracy));
    EXPECT_TRUE(bits_equal(x.epoch_seconds, y.epoch_seconds));
    EXPECT_TRUE(bits_equal(x.train_samples_per_second, y.train_samples_per_second));
    EXPECT_TRUE(bits_equal(x.lr_scale, y.lr_scale));
  }
  ASSERT_EQ(a.weights.size(), b.weights.size());
  ASSERT_EQ(a.biases.size(), b.biases.size());
  for (size_t l = 0; l < a.weights.size(); ++l) {
    EXPECT_TRUE(bits_equal(a.weights[l], b.weights[l])) << "layer " << l;
    EXPECT_TRUE(bits_equal(a.biases[l], b.biases[l])) << "layer " << l;
  }
}

void expect_runtime_error(const std::function<void()>& fn, const std::string& file, const std::string& also = "") {
  try {
    fn();
    ADD_FAILURE() << "expected a RuntimeError, nothing was thrown";
  } catch (const RuntimeError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(file), std::string::npos) << "message '" << what << "' does not name " << file;
    if (!also.empty()) {
      EXPECT_NE(what.find(also), std::string::npos) << "message '" << what << "' lacks '" << also << "'";
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected a RuntimeError, got another exception: " << e.what();
  }
}

// Byte offsets in the format (see checkpoint.cpp): magic, config size + text, epochs, wall, records.
size_t offset_after_config(const Checkpoint& ck) { return 8 + 8 + ck.config_toml.size(); }
size_t offset_of_layer_count(const Checkpoint& ck) { return offset_after_config(ck) + 4 + 8 + 4 + ck.history.size() * 44; }

template <typename T>
void poke(std::string& bytes, size_t offset, T value) {
  ASSERT_LE(offset + sizeof(T), bytes.size());
  std::memcpy(bytes.data() + offset, &value, sizeof(T));
}

TEST_F(CheckpointTest, RoundTripIsBitIdentical) {
  const Checkpoint ck = sample_checkpoint();
  const std::string p = path("checkpoint.bin");
  write_checkpoint(p, ck);
  const Checkpoint back = read_checkpoint(p);
  expect_same(ck, back);
  // Writing what was read gives the same bytes.
  const std::string p2 = path("again.bin");
  write_checkpoint(p2, back);
  EXPECT_EQ(slurp(p), slurp(p2));
}

TEST_F(CheckpointTest, EmptyCheckpointRoundTrips) {
  const Checkpoint ck;
  const std::string p = path("empty.bin");
  write_checkpoint(p, ck);
  const Checkpoint back = read_checkpoint(p);
  expect_same(ck, back);
  EXPECT_TRUE(back.weights.empty());
}

TEST_F(CheckpointTest, OverwriteReplacesAtomicallyAndLeavesNoTemporary) {
  const std::string p = path("checkpoint.bin");
  Checkpoint ck = sample_checkpoint();
  write_checkpoint(p, ck);
  EXPECT_EQ(listing(), (std::vector<std::string>{"checkpoint.bin"}));
  ck.epochs_done = 3;
  ck.history.push_back({3, 0.5, 0.6, 1, 2, 0.1});
  ck.weights[1](2, 6) = 42.0f;
  write_checkpoint(p, ck);
  EXPECT_EQ(listing(), (std::vector<std::string>{"checkpoint.bin"}));  // no .checkpoint.bin.tmp
  expect_same(ck, read_checkpoint(p));
}

TEST_F(CheckpointTest, WriteIntoMissingDirectoryFailsCleanly) {
  const std::string p = path("no-such-dir/checkpoint.bin");
  expect_runtime_error([&] { write_checkpoint(p, sample_checkpoint()); }, "no-such-dir");
  EXPECT_FALSE(fs::exists(p));
  EXPECT_TRUE(listing().empty());
}

TEST_F(CheckpointTest, MissingFileNamesIt) {
  const std::string p = path("missing.bin");
  expect_runtime_error([&] { read_checkpoint(p); }, p);
}

TEST_F(CheckpointTest, WrongMagicNamesTheFile) {
  const std::string p = path("checkpoint.bin");
  write_checkpoint(p, sample_checkpoint());
  std::string bytes = slurp(p);
  bytes[7] = '2';  // PLCKPT02
  const std::string bad = write_raw("magic.bin", bytes);
  expect_runtime_error([&] { read_checkpoint(bad); }, bad, "magic");
  // An IDX file or a text file is not a checkpoint either.
  const std::string text = write_raw("text.bin", "name = \"not a checkpoint, just text\"\n");
  expect_runtime_error([&] { read_checkpoint(text); }, text, "magic");
}

TEST_F(CheckpointTest, EveryTruncationIsDetected) {
  const std::string p = path("checkpoint.bin");
  write_checkpoint(p, sample_checkpoint());
  const std::string bytes = slurp(p);
  ASSERT_GT(bytes.size(), 100u);
  const std::string t = path("truncated.bin");
  for (size_t len = 0; len < bytes.size(); ++len) {
    SCOPED_TRACE("length " + std::to_string(len) + " of " + std::to_string(bytes.size()));
    write_raw("truncated.bin", bytes.substr(0, len));
    expect_runtime_error([&] { read_checkpoint(t); }, t);
  }
}

TEST_F(CheckpointTest, TrailingBytesAreDetected) {
  const std::string p = path("checkpoint.bin");
  write_checkpoint(p, sample_checkpoint());
  const std::string bad = write_raw("trailing.bin", slurp(p) + std::string("\0", 1));
  expect_runtime_error([&] { read_checkpoint(bad); }, bad, "trailing");
}

TEST_F(CheckpointTest, CorruptSizesAreDetectedWithoutHugeAllocations) {
  const Checkpoint ck = sample_checkpoint();
  const std::string p = path("checkpoint.bin");
  write_checkpoint(p, ck);
  const std::string good = slurp(p);
  const size_t layers_at = offset_of_layer_count(ck);
  const size_t rows_at = layers_at + 4, cols_at = rows_at + 8;
  const size_t bias_n_at = cols_at + 8 + sizeof(Scalar) * 7 * 5;
  struct Case {
    const char* name;
    std::function<void(std::string&)> damage;
  };
  const std::vector<Case> cases = {
      {"config-size", [](std::string& b) { poke<uint64_t>(b, 8, uint64_t{1} << 62); }},
      {"config-size-off-by-one", [&](std::string& b) { poke<uint64_t>(b, 8, ck.config_toml.size() + 1); }},
      {"history-size", [&](std::string& b) { poke<uint32_t>(b, offset_after_config(ck) + 12, 0xffffffffu); }},
      {"history-size-plus-one", [&](std::string& b) { poke<uint32_t>(b, offset_after_config(ck) + 12, 3); }},
      {"layer-count", [&](std::string& b) { poke<uint32_t>(b, layers_at, 0xffffffffu); }},
      {"layer-count-plus-one", [&](std::string& b) { poke<uint32_t>(b, layers_at, 3); }},
      {"layer-count-minus-one", [&](std::string& b) { poke<uint32_t>(b, layers_at, 1); }},
      {"rows-negative", [&](std::string& b) { poke<int64_t>(b, rows_at, -7); }},
      {"rows-zero", [&](std::string& b) { poke<int64_t>(b, rows_at, 0); }},
      {"rows-huge", [&](std::string& b) { poke<int64_t>(b, rows_at, int64_t{1} << 40); }},
      {"cols-huge", [&](std::string& b) { poke<int64_t>(b, cols_at, int64_t{1} << 40); }},
      {"bias-size", [&](std::string& b) { poke<int64_t>(b, bias_n_at, 6); }},
  };
  // Sanity: the offsets really point at the fields they name.
  int64_t rows = 0, bias_n = 0;
  std::memcpy(&rows, good.data() + rows_at, 8);
  std::memcpy(&bias_n, good.data() + bias_n_at, 8);
  ASSERT_EQ(rows, 7);
  ASSERT_EQ(bias_n, 7);
  const std::string bad = path("corrupt.bin");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string bytes = good;
    c.damage(bytes);
    write_raw("corrupt.bin", bytes);
    expect_runtime_error([&] { read_checkpoint(bad); }, bad);
  }
}

// BUG (reported, not fixed): read_checkpoint checks `rows * cols > data.size()` in int64_t, which
// overflows for rows = cols = 2^32 (product wraps to 0), so Eigen is asked for 2^64 floats and throws
// std::bad_alloc instead of a RuntimeError naming the file. Enable once fixed.
TEST_F(CheckpointTest, OverflowingMatrixShapeIsCorruptNotBadAlloc) {
  Checkpoint ck;
  ck.weights.push_back(Matrix::Zero(2, 2));
  ck.biases.push_back(Vector::Zero(2));
  const std::string p = path("checkpoint.bin");
  write_checkpoint(p, ck);
  std::string bytes = slurp(p);
  const size_t rows_at = offset_of_layer_count(ck) + 4;
  poke<int64_t>(bytes, rows_at, int64_t{1} << 32);
  poke<int64_t>(bytes, rows_at + 8, int64_t{1} << 32);
  const std::string bad = write_raw("overflow.bin", bytes);
  expect_runtime_error([&] { read_checkpoint(bad); }, bad);
}

TEST_F(CheckpointTest, CaptureAndRestoreCopyTheNetwork) {
  SubstrateConfig ideal;
  LayeredEPNetwork a({6, 4, 3}, ideal), b({6, 4, 3}, ideal);
  a.initialize(1, {1.0, 0.5});
  a.bias(0).setLinSpaced(-1.0f, 1.0f);
  a.bias(1).setConstant(0.25f);
  b.initialize(2, {1.0, 0.5});
  ASSERT_FALSE(bits_equal(a.weight(0).weights(), b.weight(0).weights()));
  Checkpoint ck = capture_checkpoint(a);
  ASSERT_EQ(ck.weights.size(), 2u);
  EXPECT_EQ(ck.weights[0].rows(), 4);
  EXPECT_EQ(ck.weights[0].cols(), 6);
  EXPECT_EQ(ck.weights[1].rows(), 3);
  // Through a file and back into the other network.
  const std::string p = path("net.bin");
  write_checkpoint(p, ck);
  restore_checkpoint(read_checkpoint(p), b);
  for (int l = 0; l < 2; ++l) {
    EXPECT_TRUE(bits_equal(a.weight(l).weights(), b.weight(l).weights())) << l;
    EXPECT_TRUE(bits_equal(a.bias(l), b.bias(l))) << l;
  }
}

TEST_F(CheckpointTest, RestoreRejectsAnotherShape) {
  SubstrateConfig ideal;
  LayeredEPNetwork a({6, 4, 3}, ideal);
  a.initialize(1, {1.0, 0.5});
  const Checkpoint ck = capture_checkpoint(a);
  LayeredEPNetwork wider({6, 5, 3}, ideal), deeper({6, 4, 4, 3}, ideal), other_input({7, 4, 3}, ideal);
  EXPECT_THROW(restore_checkpoint(ck, wider), RuntimeError);
  EXPECT_THROW(restore_checkpoint(ck, deeper), RuntimeError);
  EXPECT_THROW(restore_checkpoint(ck, other_input), RuntimeError);
  Checkpoint bad_bias = ck;
  bad_bias.biases[1] = Vector::Zero(2);
  LayeredEPNetwork same({6, 4, 3}, ideal);
  EXPECT_THROW(restore_checkpoint(bad_bias, same), RuntimeError);
}

}  // namespace
}  // namespace plasticore
