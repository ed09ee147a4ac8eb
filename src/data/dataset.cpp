#include "data/dataset.hpp"

#include "core/error.hpp"
#include "data/idx.hpp"

namespace plasticore {

ClassificationSet load_idx_classification(const std::string& images_path, const std::string& labels_path,
                                          int64_t limit, int n_classes) {
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (images.shape.size() != 3) throw RuntimeError(images_path + ": expected a 3-d image array (count x rows x cols)");
  if (labels.shape.size() != 1) throw RuntimeError(labels_path + ": expected a 1-d label array");
  if (images.shape[0] != labels.shape[0])
    throw RuntimeError(images_path + ": holds " + std::to_string(images.shape[0]) + " images but " + labels_path +
                       " holds " + std::to_string(labels.shape[0]) + " labels");
  int64_t n = images.shape[0];
  if (limit > 0 && limit < n) n = limit;
  if (n == 0) throw RuntimeError(images_path + ": holds no images");
  const int64_t pixels = int64_t{images.shape[1]} * images.shape[2];
  ClassificationSet set;
  set.n_classes = n_classes;
  set.images.resize(pixels, n);
  set.labels.resize(static_cast<size_t>(n));
  for (int64_t s = 0; s < n; ++s) {
    const uint8_t label = labels.data[static_cast<size_t>(s)];
    if (label >= n_classes)
      throw RuntimeError(labels_path + ": label " + std::to_string(label) + " at index " + std::to_string(s) +
                         " is outside [0, " + std::to_string(n_classes) + ")");
    set.labels[static_cast<size_t>(s)] = label;
    const uint8_t* px = images.data.data() + s * pixels;
    for (int64_t p = 0; p < pixels; ++p) set.images(p, s) = static_cast<Scalar>(px[p]) * (1.0f / 255.0f);
  }
  return set;
}

}  // namespace plasticore
