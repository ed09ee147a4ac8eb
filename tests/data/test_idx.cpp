// IDX reading (read_idx) and images/labels pairs (load_idx_classification): valid files round-trip
// exactly; every kind of bad file is a RuntimeError whose message names the offending file.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "data/image_dataset.hpp"
#include "data/idx.hpp"
#include "../support/expect_error.hpp"

namespace plasticore {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> bytes(const ClassificationSet& set) { return {set.pixels.begin(), set.pixels.end()}; }

class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("plasticore-test-idx-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static void put_u32(std::string& s, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>((v >> shift) & 0xff));
  }

  // Header (magic 0 0 type ndims, big-endian sizes) followed by `data`.
  static std::string idx_bytes(const std::vector<uint32_t>& shape, const std::vector<uint8_t>& data, uint8_t type = 0x08,
                               uint8_t b0 = 0, uint8_t b1 = 0) {
    std::string s;
    s.push_back(static_cast<char>(b0));
    s.push_back(static_cast<char>(b1));
    s.push_back(static_cast<char>(type));
    s.push_back(static_cast<char>(shape.size()));
    for (uint32_t d : shape) put_u32(s, d);
    s.append(data.begin(), data.end());
    return s;
  }

  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string p = path(name);
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good());
    return p;
  }

  // n images of rows x cols with pixel (s, i) = (s * 37 + i * 11) % 256; labels s % 10 (or `labels`).
  static std::vector<uint8_t> pixels(uint32_t n, uint32_t rows, uint32_t cols) {
    std::vector<uint8_t> px(static_cast<size_t>(n) * rows * cols);
    for (uint32_t s = 0; s < n; ++s)
      for (uint32_t i = 0; i < rows * cols; ++i) px[static_cast<size_t>(s) * rows * cols + i] = static_cast<uint8_t>((s * 37 + i * 11) % 256);
    return px;
  }
  static std::vector<uint8_t> digit_labels(uint32_t n) {
    std::vector<uint8_t> l(n);
    for (uint32_t s = 0; s < n; ++s) l[s] = static_cast<uint8_t>((s * 3) % 10);
    return l;
  }

  fs::path dir_;
};

TEST_F(IdxTest, ReadsShapeAndBytesExactly) {
  const auto px = pixels(3, 4, 5);
  const std::string p = write("img-idx3-ubyte", idx_bytes({3, 4, 5}, px));
  const IdxArray a = read_idx(p);
  EXPECT_EQ(a.shape, (std::vector<uint32_t>{3, 4, 5}));
  EXPECT_EQ(a.data, px);
}

TEST_F(IdxTest, ReadsOneDimensionalAndBigSizes) {
  // A size above 255 checks that all four big-endian size bytes are used.
  std::vector<uint8_t> data(300);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(255 - i % 256);
  const IdxArray a = read_idx(write("lab-idx1-ubyte", idx_bytes({300}, data)));
  ASSERT_EQ(a.shape.size(), 1u);
  EXPECT_EQ(a.shape[0], 300u);
  EXPECT_EQ(a.data, data);
}

TEST_F(IdxTest, EmptyArrayIsValid) {
  const IdxArray a = read_idx(write("empty-idx1-ubyte", idx_bytes({0}, {})));
  EXPECT_EQ(a.shape, (std::vector<uint32_t>{0}));
  EXPECT_TRUE(a.data.empty());
}

TEST_F(IdxTest, MissingFileNamesTheFile) {
  const std::string p = path("does-not-exist-idx3-ubyte");
  expect_runtime_error([&] { read_idx(p); }, {p});
}

TEST_F(IdxTest, WrongMagicNamesTheFile) {
  const std::string p1 = write("magic1", idx_bytes({2}, {1, 2}, 0x08, 0x01, 0x00));
  expect_runtime_error([&] { read_idx(p1); }, {p1, "magic"});
  const std::string p2 = write("magic2", idx_bytes({2}, {1, 2}, 0x08, 0x00, 0x7f));
  expect_runtime_error([&] { read_idx(p2); }, {p2, "magic"});
  // A PNG-like header.
  const std::string p3 = write("png", std::string("\x89PNG\r\n\x1a\n", 8));
  expect_runtime_error([&] { read_idx(p3); }, {p3});
}

TEST_F(IdxTest, NonUnsignedByteTypeNamesTheFile) {
  for (uint8_t type : {uint8_t{0x09}, uint8_t{0x0B}, uint8_t{0x0C}, uint8_t{0x0D}, uint8_t{0x0E}}) {
    SCOPED_TRACE(static_cast<int>(type));
    const std::string p = write("type-" + std::to_string(type), idx_bytes({4}, {1, 2, 3, 4}, type));
    expect_runtime_error([&] { read_idx(p); }, {p, "unsigned byte"});
  }
}

TEST_F(IdxTest, TooShortHeadersNameTheFile) {
  const std::string empty = write("empty", "");
  expect_runtime_error([&] { read_idx(empty); }, {empty});
  const std::string three = write("three", std::string("\0\0\x08", 3));
  expect_runtime_error([&] { read_idx(three); }, {three});
  // Says 3 dimensions but only one size follows.
  const std::string header = write("header", std::string("\0\0\x08\x03\0\0\0\x05", 8));
  expect_runtime_error([&] { read_idx(header); }, {header, "truncated"});
  const std::string zero_dims = write("zero-dims", std::string("\0\0\x08\0", 4));
  expect_runtime_error([&] { read_idx(zero_dims); }, {zero_dims});
}

TEST_F(IdxTest, TruncatedDataNamesTheFile) {
  auto px = pixels(3, 4, 5);
  std::string bytes = idx_bytes({3, 4, 5}, px);
  bytes.pop_back();
  const std::string p = write("trunc-idx3-ubyte", bytes);
  expect_runtime_error([&] { read_idx(p); }, {p, "truncated"});
  // Header only, no data at all.
  const std::string h = write("header-only-idx3-ubyte", idx_bytes({3, 4, 5}, {}));
  expect_runtime_error([&] { read_idx(h); }, {h, "truncated"});
}

TEST_F(IdxTest, TrailingBytesNameTheFile) {
  std::string bytes = idx_bytes({2, 2, 2}, pixels(2, 2, 2));
  bytes.push_back('\x01');
  const std::string p = write("trailing-idx3-ubyte", bytes);
  expect_runtime_error([&] { read_idx(p); }, {p, "trailing"});
}

TEST_F(IdxTest, ImplausibleSizesAreRejectedWithoutAllocating) {
  const std::string p = write("huge-idx3-ubyte", idx_bytes({0xffffffffu, 0xffffffffu, 0xffffffffu}, {1, 2, 3}));
  expect_runtime_error([&] { read_idx(p); }, {p});
}

// 2^17 * 2^17 * 2^30 = 2^64 wraps to 0 in 64 bits: a header that would pass as "no data" if the sizes
// were multiplied before they were checked (found by reading the code for the fuzz target).
TEST_F(IdxTest, SizesWhoseProductOverflowsAreRejected) {
  const std::string p = write("wrap-idx3-ubyte", idx_bytes({1u << 17, 1u << 17, 1u << 30}, {}));
  expect_runtime_error([&] { read_idx(p); }, {p, "implausibly large"});
}

TEST_F(IdxTest, ClassificationRoundTripScalesPixels) {
  const uint32_t n = 12, rows = 3, cols = 4;
  const auto px = pixels(n, rows, cols);
  const auto lab = digit_labels(n);
  const std::string ip = write("train-images-idx3-ubyte", idx_bytes({n, rows, cols}, px));
  const std::string lp = write("train-labels-idx1-ubyte", idx_bytes({n}, lab));
  const ClassificationSet set = load_idx_classification(ip, lp, 0);
  ASSERT_EQ(set.size(), static_cast<int>(n));
  EXPECT_EQ(set.n_classes, 10);
  ASSERT_EQ(set.pixel_count(), rows * cols);
  ASSERT_EQ(set.pixels.size(), static_cast<size_t>(n) * rows * cols);
  EXPECT_EQ(bytes(set), px) << "the file's bytes, image after image";
  Vector image(rows * cols);
  for (uint32_t s = 0; s < n; ++s) {
    EXPECT_EQ(set.labels[s], lab[s]);
    set.image(s, image.data());
    for (uint32_t i = 0; i < rows * cols; ++i) {
      const float want = static_cast<float>(px[static_cast<size_t>(s) * rows * cols + i]) / 255.0f;
      EXPECT_NEAR(set.pixel(i, s), want, 1e-6f) << "sample " << s << " pixel " << i;
      EXPECT_EQ(image(i), set.pixel(i, s)) << "sample " << s << " pixel " << i;
    }
    EXPECT_GE(image.minCoeff(), 0.0f);
    EXPECT_LE(image.maxCoeff(), 1.0f);
  }
}

TEST_F(IdxTest, ExtremePixelsMapToZeroAndOne) {
  const std::string ip = write("i", idx_bytes({2, 1, 2}, {0, 255, 255, 0}));
  const std::string lp = write("l", idx_bytes({2}, {9, 0}));
  const ClassificationSet set = load_idx_classification(ip, lp, 0);
  EXPECT_EQ(set.pixel(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(set.pixel(1, 0), 1.0f);
  EXPECT_FLOAT_EQ(set.pixel(0, 1), 1.0f);
  EXPECT_EQ(set.pixel(1, 1), 0.0f);
  EXPECT_EQ(set.labels, (std::vector<int32_t>{9, 0}));
}

TEST_F(IdxTest, LimitKeepsTheFirstSamples) {
  const uint32_t n = 10;
  const auto px = pixels(n, 2, 2);
  const auto lab = digit_labels(n);
  const std::string ip = write("i", idx_bytes({n, 2, 2}, px));
  const std::string lp = write("l", idx_bytes({n}, lab));
  const ClassificationSet four = load_idx_classification(ip, lp, 4);
  ASSERT_EQ(four.size(), 4);
  ASSERT_EQ(four.pixels.size(), 4 * static_cast<size_t>(four.pixel_count()));
  const ClassificationSet all = load_idx_classification(ip, lp, 0);
  EXPECT_EQ(bytes(four), std::vector<uint8_t>(all.pixels.begin(), all.pixels.begin() + 4 * all.pixel_count()));
  EXPECT_EQ(four.labels, std::vector<int32_t>(all.labels.begin(), all.labels.begin() + 4));
  // A limit equal to the size keeps everything; one above it asks for images that are not there.
  EXPECT_EQ(load_idx_classification(ip, lp, n).size(), static_cast<int>(n));
  EXPECT_EQ(load_idx_classification(ip, lp, 1).size(), 1);
  EXPECT_EQ(four.height, 2);
  EXPECT_EQ(four.width, 2);
  try {
    load_idx_classification(ip, lp, 1000, 10, "data.train_limit");
    FAIL() << "a limit above the file's images was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("data.train_limit: 1000 requested"), std::string::npos) << e.what();
  }
}

// data.validation: the last N of the (limited) training images are the evaluation set, the rest train;
// the test files are not read (they do not even exist here).
TEST_F(IdxTest, ValidationHoldsOutTheLastTrainingImages) {
  const uint32_t n = 10;
  const std::string ip = write("i", idx_bytes({n, 2, 2}, pixels(n, 2, 2)));
  const std::string lp = write("l", idx_bytes({n}, digit_labels(n)));
  const ClassificationSet all = load_idx_classification(ip, lp, 0);
  ImageFiles f{ip, lp, path("no-test-images"), path("no-test-labels"), /*train_limit=*/8, /*test_limit=*/0, /*validation=*/3};
  ClassificationSet train, validation;
  load_image_files(f, /*need_train=*/false, train, validation);  // eval of a validation run needs the training file too
  ASSERT_EQ(train.size(), 5);
  ASSERT_EQ(validation.size(), 3);
  EXPECT_FALSE(train.held_out);
  EXPECT_TRUE(validation.held_out);
  EXPECT_EQ(bytes(train), std::vector<uint8_t>(all.pixels.begin(), all.pixels.begin() + 5 * all.pixel_count()));
  EXPECT_EQ(bytes(validation), std::vector<uint8_t>(all.pixels.begin() + 5 * all.pixel_count(), all.pixels.begin() + 8 * all.pixel_count()));
  EXPECT_EQ(validation.labels, std::vector<int32_t>(all.labels.begin() + 5, all.labels.begin() + 8));
  EXPECT_STREQ(ImageDataset(train, validation, 1).evaluation_set(), "validation");
  f.validation = 8;
  expect_usage_error([&] { load_image_files(f, true, train, validation); }, {"data.validation", "8", "none to train on"});
}

// data.shift_pixels: every training sample of an epoch is its image moved by (dx, dy) in [-N, N]^2, drawn
// from (seed, epoch, position), with zeros moved in; each shift occurs; evaluation images never move; N = 0
// is the plain shuffle.
TEST_F(IdxTest, ShiftAugmentationMovesTrainingImagesOnly) {
  const uint32_t n = 6, h = 4, w = 5;
  const std::string ip = write("i", idx_bytes({n, h, w}, pixels(n, h, w)));
  const std::string lp = write("l", idx_bytes({n}, digit_labels(n)));
  const ClassificationSet set = load_idx_classification(ip, lp, 0);
  const ImageDataset plain(set, set, 7), shifted(set, set, 7, 1);
  Matrix x(h * w, 1), moved(h * w, 1);
  Vector y(10), y_moved(10);
  std::vector<int> seen(9, 0);
  for (int64_t epoch = 0; epoch < 20; ++epoch)
    for (int64_t k = 0; k < n; ++k) {
      const int64_t image = plain.train_sample(epoch, k), index = shifted.train_sample(epoch, k);
      ASSERT_EQ(index % n, image) << "the same shuffle underneath";
      ASSERT_LT(index, 9 * n);
      ++seen[static_cast<size_t>(index / n)];
      const auto pixels = [](int64_t a) { return a == 2 ? -1 : static_cast<int>(a); };  // 0, 1, -1
      const int dx = pixels(index / n % 3), dy = pixels(index / n / 3);
      shifted.sequence(Split::train, index)->input(0, moved);
      shifted.sequence(Split::train, index)->target(0, y_moved);
      plain.sequence(Split::train, image)->target(0, y);
      EXPECT_EQ(y_moved, y);
      for (int r = 0; r < static_cast<int>(h); ++r)
        for (int c = 0; c < static_cast<int>(w); ++c) {
          const int fr = r - dy, fc = c - dx;
          const Scalar expected = fr >= 0 && fr < static_cast<int>(h) && fc >= 0 && fc < static_cast<int>(w)
                                      ? set.pixel(fr * static_cast<int>(w) + fc, image) : Scalar{0};
          ASSERT_EQ(moved(r * static_cast<int>(w) + c, 0), expected) << "image " << image << " shift " << dx << "," << dy;
        }
    }
  for (int s = 0; s < 9; ++s) EXPECT_GT(seen[static_cast<size_t>(s)], 0) << "shift number " << s << " never drawn";
  for (int64_t i = 0; i < n; ++i) {
    shifted.sequence(Split::test, i)->input(0, moved);
    Vector image(set.pixel_count());
    set.image(i, image.data());
    EXPECT_EQ(moved.col(0), image) << "evaluation images do not move";
  }
}

TEST_F(IdxTest, CountMismatchNamesBothFiles) {
  const std::string ip = write("imgs", idx_bytes({5, 2, 2}, pixels(5, 2, 2)));
  const std::string lp = write("labs", idx_bytes({4}, digit_labels(4)));
  expect_runtime_error([&] { load_idx_classification(ip, lp, 0); }, {ip, lp, "5", "4"});
  // Even with a limit below both counts, the files disagree and are rejected.
  expect_runtime_error([&] { load_idx_classification(ip, lp, 2); }, {ip, lp});
}

TEST_F(IdxTest, LabelOutOfRangeNamesTheLabelFile) {
  auto lab = digit_labels(6);
  lab[3] = 10;
  const std::string ip = write("imgs", idx_bytes({6, 2, 2}, pixels(6, 2, 2)));
  const std::string lp = write("labs", idx_bytes({6}, lab));
  expect_runtime_error([&] { load_idx_classification(ip, lp, 0); }, {lp, "10", "index 3"});
  lab[3] = 255;
  const std::string lp2 = write("labs2", idx_bytes({6}, lab));
  expect_runtime_error([&] { load_idx_classification(ip, lp2, 0); }, {lp2, "255"});
  // A smaller class count makes label 9 out of range too.
  const std::string lp3 = write("labs3", idx_bytes({6}, {0, 1, 2, 3, 4, 9}));
  expect_runtime_error([&] { load_idx_classification(ip, lp3, 0, 5); }, {lp3, "9"});
  EXPECT_EQ(load_idx_classification(ip, lp3, 0, 10).size(), 6);
}

TEST_F(IdxTest, WrongDimensionalityNamesTheFile) {
  const std::string img3 = write("imgs", idx_bytes({4, 2, 2}, pixels(4, 2, 2)));
  const std::string lab1 = write("labs", idx_bytes({4}, digit_labels(4)));
  const std::string img2 = write("imgs2d", idx_bytes({4, 4}, pixels(4, 2, 2)));
  const std::string lab2 = write("labs2d", idx_bytes({4, 1}, digit_labels(4)));
  expect_runtime_error([&] { load_idx_classification(img2, lab1, 0); }, {img2});
  expect_runtime_error([&] { load_idx_classification(img3, lab2, 0); }, {lab2});
  // Images and labels swapped.
  expect_runtime_error([&] { load_idx_classification(lab1, img3, 0); }, {lab1});
}

TEST_F(IdxTest, BadFileInAPairIsNamed) {
  const std::string ip = write("imgs", idx_bytes({4, 2, 2}, pixels(4, 2, 2)));
  const std::string lp = write("labs", idx_bytes({4}, digit_labels(4)));
  const std::string missing = path("missing-labels");
  expect_runtime_error([&] { load_idx_classification(ip, missing, 0); }, {missing});
  expect_runtime_error([&] { load_idx_classification(missing, lp, 0); }, {missing});
  std::string bad = idx_bytes({4}, digit_labels(4));
  bad.pop_back();
  const std::string tl = write("trunc-labels", bad);
  expect_runtime_error([&] { load_idx_classification(ip, tl, 0); }, {tl, "truncated"});
}

TEST_F(IdxTest, EmptySetIsAnError) {
  const std::string ip = write("imgs", idx_bytes({0, 28, 28}, {}));
  const std::string lp = write("labs", idx_bytes({0}, {}));
  expect_runtime_error([&] { load_idx_classification(ip, lp, 0); }, {ip});
}

}  // namespace
}  // namespace plasticore
