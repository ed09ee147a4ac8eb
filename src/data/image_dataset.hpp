// Image classification data from IDX files (MNIST, Fashion-MNIST): the files' bytes, read as pixels in
// [0, 1] (byte / 255) when a sample is taken. As a Dataset every image is a one-step sample (x = its
// pixels, y* = its one-hot label) for the layered EP networks; recurrent networks see the same images row by row as spikes
// (data/sequential_images.hpp). The training order of epoch e is a permutation of the images drawn from
// (seed, "shuffle", e).
//
// Parameters (data.*)
//   name                          unit  default                 meaning
//   train_images, train_labels,   path  the dataset's files     IDX files; ${PLASTICORE_DATA}, ${HOME}, ~ expanded
//   test_images, test_labels
//   train_limit, test_limit       -     0 (all)                 use only the first N images
//   validation                    -     0 (none)                the last N training images (of the first
//                                                               train_limit) become the test split
//   shift_pixels                  px    0 (none)                augmentation (EP): each training image of an
//                                                               epoch moved by up to N pixels in x and y, zeros
//                                                               moved in; drawn from (seed, "shift", e, k)
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "data/dataset.hpp"

namespace plasticore {

struct ClassificationSet {
  // The pixel bytes, image after image (pixel_count() each, row-major), read where the IDX file is mapped:
  // no copy. Converting all 60,000 MNIST images to floats up front wrote and page-faulted 188 MB, 0.4 s of
  // CPU in a fresh process (16 % of a one-epoch rate EP run); a copy of the bytes still faulted 47 MB.
  std::span<const uint8_t> pixels;
  std::shared_ptr<const void> pixel_owner;  // keeps `pixels` alive: the mapped file, or bytes given to own()
  std::vector<int32_t> labels;  // n_samples, in [0, n_classes)
  int n_classes = 10;
  int height = 0, width = 0;    // of one image (rows x columns of pixels)
  bool held_out = false;        // the last images of the training file (data.validation), not the test file
  int size() const { return static_cast<int>(labels.size()); }
  int64_t pixel_count() const { return int64_t{height} * width; }
  static Scalar unit(uint8_t byte) { return static_cast<Scalar>(byte) * (1.0f / 255.0f); }  // a pixel in [0, 1]
  // Pixel i of image s.
  Scalar pixel(int64_t i, int64_t s) const { return unit(pixels[static_cast<size_t>(s * pixel_count() + i)]); }
  // Image s as pixel_count() values in [0, 1].
  void image(int64_t s, Scalar* out) const;
  // Images [first, first + count) with their labels, sharing the bytes.
  ClassificationSet slice(int64_t first, int64_t count) const;
  // Holds `bytes` as the pixels (sets built in memory).
  void own(std::vector<uint8_t> bytes);
};

// Reads an images/labels IDX pair (MNIST layout), keeping the first `limit` samples (0 = all; more than
// the files hold is an error). Errors name the file: mismatched counts, labels out of range, wrong
// dimensionality.
ClassificationSet load_idx_classification(const std::string& images_path, const std::string& labels_path,
                                          int64_t limit, int n_classes = 10, const std::string& limit_key = "limit");

struct ImageFiles {
  std::string train_images, train_labels, test_images, test_labels;
  int64_t train_limit = 0, test_limit = 0;
  int64_t validation = 0;  // > 0: the last N of the training images are the test split; the test files are not read
};
// Both splits (the training split only if need_train or validation > 0); RuntimeError if their image
// sizes differ.
void load_image_files(const ImageFiles& files, bool need_train, ClassificationSet& train, ClassificationSet& test);

class ImageDataset final : public Dataset {
 public:
  // shift_pixels > 0: train_sample's indices carry a shift (index + size * shift number; sequence() decodes).
  ImageDataset(ClassificationSet train, ClassificationSet test, uint64_t seed, int shift_pixels = 0);
  int inputs() const override { return static_cast<int>(test_.pixel_count()); }
  int outputs() const override { return test_.n_classes; }
  Loss loss() const override { return Loss::cross_entropy; }
  Eigen::Index steps() const override { return 1; }
  int64_t size(Split split) const override { return set(split).size(); }
  int64_t train_sample(int64_t epoch, int64_t position) const override;
  std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const override;
  void prefetch(Split split, int64_t index) const override;
  const char* evaluation_set() const override { return test_.held_out ? "validation" : "test"; }
  const ClassificationSet& set(Split split) const { return split == Split::train ? train_ : test_; }

 private:
  ClassificationSet train_, test_;
  uint64_t seed_;
  int shift_ = 0;  // data.shift_pixels
  mutable std::mutex order_mutex_;     // the permutation of the epoch last asked for
  mutable int64_t order_epoch_ = -1;
  mutable std::vector<int64_t> order_;
};

struct DatasetEntry;
DatasetEntry mnist_entry();
DatasetEntry fashion_mnist_entry();

}  // namespace plasticore
