// An image classification data set in memory: pixels scaled to [0, 1], one column per image.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.hpp"

namespace plasticore {

struct ClassificationSet {
  Matrix images;                // n_pixels x n_samples, values in [0, 1]
  std::vector<int32_t> labels;  // n_samples, in [0, n_classes)
  int n_classes = 10;
  int size() const { return static_cast<int>(labels.size()); }
};

// Reads an images/labels IDX pair (MNIST layout), keeping the first `limit` samples (0 = all).
// Errors name the file: mismatched counts, labels out of range, wrong dimensionality.
ClassificationSet load_idx_classification(const std::string& images_path, const std::string& labels_path,
                                          int64_t limit, int n_classes = 10);

}  // namespace plasticore
