// The real MNIST files, when `make demo` (scripts/setup.sh) has cached them: sizes, value range and a
// few well-known labels. Skipped on a machine without the cache; `make test` does not download data.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "data/image_dataset.hpp"
#include "core/config_reader.hpp"

namespace plasticore {
namespace {

TEST(MnistFiles, CachedMnistHasTheKnownShapeAndLabels) {
  const std::string dir = expand_path("${PLASTICORE_DATA}/mnist/");
  if (!std::filesystem::exists(dir + "t10k-labels-idx1-ubyte")) GTEST_SKIP() << "no MNIST cache in " << dir;
  const ClassificationSet train = load_idx_classification(dir + "train-images-idx3-ubyte", dir + "train-labels-idx1-ubyte", 0);
  const ClassificationSet test = load_idx_classification(dir + "t10k-images-idx3-ubyte", dir + "t10k-labels-idx1-ubyte", 0);
  EXPECT_EQ(train.size(), 60000);
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(train.pixel_count(), 784);
  EXPECT_EQ(train.labels[0], 5);  // the first training digit of MNIST is a 5, the first test digit a 7
  EXPECT_EQ(test.labels[0], 7);
  double sum = 0;
  Vector image(train.pixel_count());
  for (int s = 0; s < train.size(); ++s) {
    train.image(s, image.data());
    ASSERT_GE(image.minCoeff(), 0.0f);
    ASSERT_LE(image.maxCoeff(), 1.0f);
    sum += image.cast<double>().sum();
  }
  EXPECT_NEAR(sum / (60000.0 * 784), 0.1307, 1e-3);  // the usual normalisation constant
}

}  // namespace
}  // namespace plasticore
