#include "data/image_dataset.hpp"

#include <cstdint>
#include <numeric>

#include "core/error.hpp"
#include "core/mapped_file.hpp"
#include "core/rng.hpp"
#include "data/idx.hpp"
#include "data/registry.hpp"
#include "data/sequential_images.hpp"

namespace plasticore {

namespace {

// Image `index` of the set, moved by (dx, dy) pixels (right, down) with zeros where nothing moved in.
class ImageSample final : public SequenceStream {
 public:
  ImageSample(const ClassificationSet& set, int64_t index, int dx = 0, int dy = 0)
      : set_(set), index_(index), dx_(dx), dy_(dy) {}
  Eigen::Index steps() const override { return 1; }
  void input(Eigen::Index, Matrix& input) const override {
    Scalar* out = input.col(0).data();
    if (dx_ == 0 && dy_ == 0) {
      set_.image(index_, out);
      return;
    }
    const int h = set_.height, w = set_.width;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const int from_x = x - dx_, from_y = y - dy_;
        out[y * w + x] = from_x >= 0 && from_x < w && from_y >= 0 && from_y < h ? set_.pixel(from_y * w + from_x, index_) : Scalar{0};
      }
  }
  void target(Eigen::Index, Vector& target) const override {
    target.setZero();
    target(set_.labels[static_cast<size_t>(index_)]) = 1;
  }

 private:
  const ClassificationSet& set_;
  int64_t index_;
  int dx_, dy_;
};

DatasetBuilder read_images(ConfigReader& r, const DatasetContext& context, const std::string& dir) {
  ImageFiles f;
  f.train_images = r.get_path("data.train_images", dir + "train-images-idx3-ubyte", "IDX file of the training images");
  f.train_labels = r.get_path("data.train_labels", dir + "train-labels-idx1-ubyte", "IDX file of the training labels");
  f.test_images = r.get_path("data.test_images", dir + "t10k-images-idx3-ubyte", "IDX file of the test images");
  f.test_labels = r.get_path("data.test_labels", dir + "t10k-labels-idx1-ubyte", "IDX file of the test labels");
  f.validation = r.get_int("data.validation", 0, 0, 2147483647,
                           "hold out the last N training images as the evaluation set, to choose hyper-parameters on "
                           "(test_* figures are then validation figures; the test files are not read)");
  const uint64_t seed = context.seed;
  if (!context.sequences) {
    constexpr int64_t kMaxInt = 2147483647;
    const int shift = static_cast<int>(r.get_int("data.shift_pixels", 0, 0, 8,
                                                 "augmentation: every training image of an epoch moved by up to N pixels "
                                                 "in x and y (drawn from the seed; 0 = none; evaluation images never move)"));
    f.train_limit = r.get_int("data.train_limit", 0, 0, kMaxInt, "use only the first N training images (0 = all)");
    f.test_limit = r.get_int("data.test_limit", 0, 0, kMaxInt, "use only the first N test images (0 = all)");
    if (f.validation > 0 && f.test_limit > 0)
      r.fail("data.test_limit", "with data.validation the evaluation set is the held-out training images (its size is data.validation)");
    return [f, seed, shift](bool need_train) -> std::unique_ptr<Dataset> {
      ClassificationSet train, test;
      load_image_files(f, need_train, train, test);
      return std::make_unique<ImageDataset>(std::move(train), std::move(test), seed, shift);
    };
  }
  SequenceTaskParams defaults;  // data/sequential_images.hpp
  defaults.steps = 140;
  defaults.input_rate_hz = 1000;
  defaults.train_sequences = defaults.test_sequences = 0;
  SequenceTaskParams p = read_sequence_task(r, context, defaults, /*minimum_limit=*/0);
  p.decision_steps = r.get_int("task.decision_steps", 28, 1, std::max<int64_t>(1, p.steps - 1),
                               "the last D steps, without input, scored with cross-entropy");
  f.train_limit = p.train_sequences;
  f.test_limit = p.test_sequences;
  if (f.validation > 0 && f.test_limit > 0)
    r.fail("data.test_limit", "with data.validation the evaluation set is the held-out training images (its size is data.validation)");
  return [f, p](bool need_train) -> std::unique_ptr<Dataset> {
    ClassificationSet train, test;
    load_image_files(f, need_train, train, test);
    return std::make_unique<SequentialImages>(std::move(train), std::move(test), p);
  };
}

}  // namespace

DatasetEntry mnist_entry() {
  return {"MNIST handwritten digits (IDX files, cached by scripts/setup.sh)", false, {32, 5e-3, 0},
          [](ConfigReader& r, const DatasetContext& context) {
            return read_images(r, context, "${PLASTICORE_DATA}/mnist/");
          }};
}

DatasetEntry fashion_mnist_entry() {
  return {"Fashion-MNIST (Debian's dataset-fashion-mnist, unpacked by scripts/setup.sh)", false, {32, 5e-3, 0},
          [](ConfigReader& r, const DatasetContext& context) {
            return read_images(r, context, "${PLASTICORE_DATA}/fashion_mnist/");
          }};
}

void ClassificationSet::image(int64_t s, Scalar* out) const {
  const int64_t n = pixel_count();
  const uint8_t* __restrict bytes = pixels.data() + s * n;  // restrict: a byte may alias a float, which blocks vectorising
  Scalar* __restrict to = out;
  for (int64_t i = 0; i < n; ++i) to[i] = unit(bytes[i]);
}

void ClassificationSet::own(std::vector<uint8_t> bytes) {
  auto held = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  pixels = std::span<const uint8_t>(held->data(), held->size());
  pixel_owner = std::move(held);
}

ClassificationSet ClassificationSet::slice(int64_t first, int64_t count) const {
  ClassificationSet part;
  part.n_classes = n_classes, part.height = height, part.width = width, part.held_out = held_out;
  part.pixels = pixels.subspan(static_cast<size_t>(first * pixel_count()), static_cast<size_t>(count * pixel_count()));
  part.pixel_owner = pixel_owner;
  part.labels.assign(labels.begin() + first, labels.begin() + first + count);
  return part;
}

ClassificationSet load_idx_classification(const std::string& images_path, const std::string& labels_path,
                                          int64_t limit, int n_classes, const std::string& limit_key) {
  auto image_file = std::make_shared<const MappedFile>(images_path, kMaxIdxBytes);
  const MappedFile label_file(labels_path, kMaxIdxBytes);
  const IdxView images = parse_idx_view(image_file->bytes(), images_path);
  const IdxView labels = parse_idx_view(label_file.bytes(), labels_path);
  if (images.shape.size() != 3) throw RuntimeError(images_path + ": expected a 3-d image array (count x rows x cols)");
  if (labels.shape.size() != 1) throw RuntimeError(labels_path + ": expected a 1-d label array");
  if (images.shape[0] != labels.shape[0])
    throw RuntimeError(images_path + ": holds " + std::to_string(images.shape[0]) + " images but " + labels_path +
                       " holds " + std::to_string(labels.shape[0]) + " labels");
  int64_t n = images.shape[0];
  if (limit > n)
    throw UsageError(limit_key + ": " + std::to_string(limit) + " requested but " + images_path + " holds only " +
                     std::to_string(n) + " images");
  if (limit > 0) n = limit;
  if (n == 0) throw RuntimeError(images_path + ": holds no images");
  const int64_t pixels = int64_t{images.shape[1]} * images.shape[2];
  ClassificationSet set;
  set.n_classes = n_classes;
  set.height = static_cast<int>(images.shape[1]);
  set.width = static_cast<int>(images.shape[2]);
  set.pixels = std::span<const uint8_t>(images.data, static_cast<size_t>(n * pixels));  // the mapped file itself
  set.pixel_owner = std::move(image_file);
  set.labels.resize(static_cast<size_t>(n));
  for (int64_t s = 0; s < n; ++s) {
    const uint8_t label = labels.data[s];
    if (label >= n_classes)
      throw RuntimeError(labels_path + ": label " + std::to_string(label) + " at index " + std::to_string(s) +
                         " is outside [0, " + std::to_string(n_classes) + ")");
    set.labels[static_cast<size_t>(s)] = label;
  }
  return set;
}

void load_image_files(const ImageFiles& f, bool need_train, ClassificationSet& train, ClassificationSet& test) {
  if (f.validation > 0) {
    ClassificationSet all = load_idx_classification(f.train_images, f.train_labels, f.train_limit, 10, "data.train_limit");
    const int64_t n = all.size(), kept = n - f.validation;
    if (kept < 1)
      throw UsageError("data.validation: " + std::to_string(f.validation) + " held-out images of the " + std::to_string(n) +
                       " training images leave none to train on");
    train = all.slice(0, kept);
    test = all.slice(kept, f.validation);
    test.held_out = true;
    return;
  }
  if (need_train) train = load_idx_classification(f.train_images, f.train_labels, f.train_limit, 10, "data.train_limit");
  test = load_idx_classification(f.test_images, f.test_labels, f.test_limit, 10, "data.test_limit");
  if (need_train && (train.height != test.height || train.width != test.width))
    throw RuntimeError(f.test_images + ": images are " + std::to_string(test.height) + " x " + std::to_string(test.width) +
                       ", the training images " + std::to_string(train.height) + " x " + std::to_string(train.width));
}

ImageDataset::ImageDataset(ClassificationSet train, ClassificationSet test, uint64_t seed, int shift_pixels)
    : train_(std::move(train)), test_(std::move(test)), seed_(seed), shift_(shift_pixels) {}


int64_t ImageDataset::train_sample(int64_t epoch, int64_t position) const {
  const std::lock_guard<std::mutex> lock(order_mutex_);
  if (epoch != order_epoch_) {
    const int64_t n = train_.size();
    order_.resize(static_cast<size_t>(n));
    std::iota(order_.begin(), order_.end(), 0);
    Rng shuffle(seed_, "shuffle", static_cast<uint64_t>(epoch));
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(order_[static_cast<size_t>(i)], order_[shuffle.below(static_cast<uint64_t>(i) + 1)]);
    order_epoch_ = epoch;
  }
  const int64_t image = order_[static_cast<size_t>(position)];
  if (shift_ == 0) return image;
  // The shift is part of the sample index: image + n * (which of the (2 shift + 1)^2 shifts).
  Rng draw(seed_, "shift", static_cast<uint64_t>(epoch), static_cast<uint64_t>(position));
  const auto shifts = static_cast<uint64_t>(2 * shift_ + 1);
  return image + train_.size() * static_cast<int64_t>(draw.below(shifts * shifts));
}

// An image's 784 bytes are 13 cache lines of a 47 MB file read in shuffled order: each batch waited for its 20
// images from memory (4 % of a rate-EP run in ClassificationSet::image before this hint).
void ImageDataset::prefetch(Split split, int64_t index) const {
  const ClassificationSet& images = set(split);
  const int64_t n = images.pixel_count();
  const uint8_t* bytes = images.pixels.data() + (index % images.size()) * n;
  for (int64_t i = 0; i < n; i += 64) __builtin_prefetch(bytes + i);
  __builtin_prefetch(bytes + n - 1);
}

std::unique_ptr<SequenceStream> ImageDataset::sequence(Split split, int64_t index) const {
  const ClassificationSet& images = set(split);
  if (split == Split::test || index < images.size()) return std::make_unique<ImageSample>(images, index);
  // Decodes train_sample's index: shift number q = side * b + a, a and b in [0, side) meaning 0, 1, .., N,
  // -N, .., -1 pixels (q = 0: not moved, so plain indices below size() are the images themselves).
  const int64_t q = index / images.size(), side = 2 * shift_ + 1;
  const auto pixels = [&](int64_t a) { return static_cast<int>(a <= shift_ ? a : a - side); };
  return std::make_unique<ImageSample>(images, index % images.size(), pixels(q % side), pixels(q / side));
}

}  // namespace plasticore
