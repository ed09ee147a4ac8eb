// Sequential MNIST (data/sequential_images.hpp) without the MNIST files: the row-by-row spike encoder on a
// synthetic image (deterministic per stream key, the row timeline, spike frequencies matching the
// intensities within Monte-Carlo error), and the task on tiny synthetic IDX files (decision-window
// targets, every training image once per epoch, bad limits as UsageErrors).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.hpp"
#include "data/sequential_images.hpp"
#include "../support/datasets.hpp"

namespace plasticore {
namespace {

constexpr int kSide = 28;

// Pixel (r, c) = ((7 r + c) mod 11) / 10: intensities 0, 0.1, ..., 1 in every row.
Matrix synthetic_image() {
  Matrix image(kSide * kSide, 1);
  for (int r = 0; r < kSide; ++r)
    for (int c = 0; c < kSide; ++c) image(r * kSide + c, 0) = static_cast<Scalar>((7 * r + c) % 11) / 10.0f;
  return image;
}

TEST(SequentialMnist, EncoderTimelineAndDeterminism) {
  const RowSpikeEncoder encoder(kSide, kSide, 56, 1.0);  // 2 steps per row
  EXPECT_EQ(encoder.inputs(), kSide);
  EXPECT_EQ(encoder.row(0), 0);
  EXPECT_EQ(encoder.row(1), 0);
  EXPECT_EQ(encoder.row(2), 1);
  EXPECT_EQ(encoder.row(55), 27);
  EXPECT_EQ(encoder.row(56), -1);
  const Matrix image = synthetic_image();
  Matrix a(kSide, 1), b(kSide, 1), other(kSide, 1);
  Rng ra(3, "mnist_train", 5, 9), rb(3, "mnist_train", 5, 9);
  encoder.encode(image.data(), 9, ra, a);
  encoder.encode(image.data(), 9, rb, b);
  EXPECT_EQ(a, b) << "same stream key, same spikes";
  bool differs = false;
  for (uint64_t k = 6; k < 26 && !differs; ++k) {  // other keys give other spikes (p = 0.5 pixels flip)
    Rng r(3, "mnist_train", k, 9);
    encoder.encode(image.data(), 9, r, other);
    differs = other != a;
  }
  EXPECT_TRUE(differs);
  EXPECT_TRUE(((a.array() == 0) || (a.array() == 1)).all());
  // Black pixels of row 4 (intensity 0 where (28 + c) mod 11 == 0) never spike; white ones (1.0) always do.
  for (int c = 0; c < kSide; ++c) {
    const int level = (7 * 4 + c) % 11;
    if (level == 0) EXPECT_EQ(a(c, 0), 0) << c;
    if (level == 10) EXPECT_EQ(a(c, 0), 1) << c;
  }
  // The decision window has no input.
  Rng rd(3, "mnist_train", 5, 60);
  encoder.encode(image.data(), 60, rd, a);
  EXPECT_EQ(a.sum(), 0);
}

TEST(SequentialMnist, SpikeFrequencyMatchesIntensity) {
  const double full = 0.8;  // input_rate_hz 800 at dt 1 ms
  const RowSpikeEncoder encoder(kSide, kSide, 28, full);  // one step per row
  const Matrix image = synthetic_image();
  const int draws = 4000;
  Matrix counts = Matrix::Zero(kSide * kSide, 1), x(kSide, 1);
  for (int n = 0; n < draws; ++n)
    for (int t = 0; t < kSide; ++t) {
      Rng rng(11, "mnist_test", static_cast<uint64_t>(n), static_cast<uint64_t>(t) + 1);
      encoder.encode(image.data(), t, rng, x);
      counts.block(t * kSide, 0, kSide, 1) += x;
    }
  for (int p = 0; p < kSide * kSide; ++p) {
    const double expected = full * image(p, 0);
    const double sigma = std::sqrt(expected * (1 - expected) / draws);
    EXPECT_NEAR(counts(p, 0) / draws, expected, 5 * sigma + 1e-12) << "pixel " << p;
  }
}

TEST(SequentialMnist, EncoderNeedsAStepPerRow) {
  EXPECT_THROW(RowSpikeEncoder(kSide, kSide, 27, 1.0), UsageError);
}

// Tiny IDX files: n images whose pixel value encodes the image index (all pixels = index + 1), labels index mod 10.
void write_idx(const std::string& dir, const std::string& prefix, int n) {
  const auto be32 = [](std::ofstream& f, uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
    f.write(b, 4);
  };
  std::ofstream images(dir + "/" + prefix + "-images", std::ios::binary), labels(dir + "/" + prefix + "-labels", std::ios::binary);
  be32(images, 0x803);
  be32(images, static_cast<uint32_t>(n));
  be32(images, kSide);
  be32(images, kSide);
  be32(labels, 0x801);
  be32(labels, static_cast<uint32_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string pixels(kSide * kSide, static_cast<char>(i + 1));
    images.write(pixels.data(), static_cast<std::streamsize>(pixels.size()));
    labels.put(static_cast<char>(i % 10));
  }
}

// The mnist dataset presented to a recurrent network, on the tiny files.
std::unique_ptr<Dataset> tiny_task(const std::string& dir, int64_t train_limit, int64_t test_limit, int64_t steps = 40) {
  const std::string toml = "[task]\nsteps = " + std::to_string(steps) + "\ndecision_steps = 12\ninput_rate_hz = 1000.0\n" +
                           "[data]\ntrain_images = \"" + dir + "/train-images\"\ntrain_labels = \"" + dir +
                           "/train-labels\"\ntest_images = \"" + dir + "/test-images\"\ntest_labels = \"" + dir +
                           "/test-labels\"\ntrain_limit = " + std::to_string(train_limit) +
                           "\ntest_limit = " + std::to_string(test_limit) + "\n";
  return dataset_from("mnist", toml, /*sequences=*/true, /*seed=*/5);
}

TEST(SequentialMnist, TaskTargetsAndEpochOrder) {
  const std::string dir = testing::TempDir() + "/plasticore_seq_mnist";
  std::filesystem::create_directories(dir);
  write_idx(dir, "train", 20);
  write_idx(dir, "test", 8);
  const auto task = tiny_task(dir, 12, 8);
  EXPECT_EQ(task->size(Split::train), 12);
  EXPECT_EQ(task->train_sample(1, 3), 15) << "fresh spikes: epoch e, position k is sequence e n + k";
  EXPECT_EQ(task->inputs(), 28);
  EXPECT_EQ(task->outputs(), 10);
  EXPECT_EQ(task->steps(), 40);
  Vector target(10);
  Matrix x(28, 1);
  // Test sequence k shows test image k: label k mod 10 on the last 12 steps only.
  for (int64_t k = 0; k < 8; ++k) {
    const auto s = task->sequence(Split::test, k);
    for (Eigen::Index t = 0; t < 40; ++t) {
      s->target(t, target);
      EXPECT_EQ(target.sum(), t >= 28 ? 1 : 0);
      if (t >= 28) EXPECT_EQ(target(k % 10), 1);
    }
  }
  // Each epoch shows the 12 loaded training images once each, in an order that changes between epochs.
  const auto label_sequence = [&](int64_t epoch) {
    std::vector<int> labels;
    std::multiset<int> seen;
    for (int64_t k = 0; k < 12; ++k) {
      task->sequence(Split::train, epoch * 12 + k)->target(39, target);
      Eigen::Index label = 0;
      target.maxCoeff(&label);
      labels.push_back(static_cast<int>(label));
      seen.insert(static_cast<int>(label));
    }
    EXPECT_EQ(seen, (std::multiset<int>{0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << "images 0..11, labels mod 10";
    return labels;
  };
  EXPECT_NE(label_sequence(0), label_sequence(1));
  EXPECT_EQ(label_sequence(0), label_sequence(0)) << "deterministic";

  EXPECT_THROW(tiny_task(dir, 21, 8), UsageError) << "more training images than the file holds";
  EXPECT_THROW(tiny_task(dir, 12, 9), UsageError) << "more test images than the file holds";
  EXPECT_THROW(tiny_task(dir, 12, 8, 39), UsageError) << "27 image steps < 28 rows";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace plasticore
