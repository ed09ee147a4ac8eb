#include "data/sequential_images.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/error.hpp"

namespace plasticore {

RowSpikeEncoder::RowSpikeEncoder(int rows, int cols, int64_t image_steps, double full_intensity_probability)
    : rows_(rows), cols_(cols), image_steps_(image_steps), full_probability_(std::min(1.0, full_intensity_probability)) {
  if (image_steps < rows)
    throw UsageError("task.steps: the image needs at least one step per row (" + std::to_string(rows) +
                     ") before the decision window, got " + std::to_string(image_steps));
}

int RowSpikeEncoder::row(int64_t t) const {
  if (t < 0 || t >= image_steps_) return -1;
  return static_cast<int>(t * rows_ / image_steps_);
}

void RowSpikeEncoder::encode(const Scalar* image, int64_t t, Rng& rng, Matrix& input) const {
  input.setZero();
  const int r = row(t);
  if (r < 0) return;
  const Scalar* pixels = image + static_cast<ptrdiff_t>(r) * cols_;
  for (int c = 0; c < cols_; ++c)
    input(c, 0) = rng.uniform_double() < full_probability_ * pixels[c] ? 1.0f : 0.0f;
}

namespace {

class MnistSequence final : public SequenceStream {
 public:
  MnistSequence(const RowSpikeEncoder& encoder, Eigen::Index steps, const ClassificationSet& set, int image, uint64_t seed,
                const char* stream, uint64_t index)
      : encoder_(encoder), steps_(steps), image_(set.pixel_count()), label_(set.labels[static_cast<size_t>(image)]), seed_(seed),
        stream_(stream), index_(index) {
    set.image(image, image_.data());
  }
  Eigen::Index steps() const override { return steps_; }

  void input(Eigen::Index t, Matrix& input) const override {
    Rng rng(seed_, stream_, index_, static_cast<uint64_t>(t) + 1);
    encoder_.encode(image_.data(), t, rng, input);
  }

  void target(Eigen::Index t, Vector& target) const override {
    target.setZero();
    if (t >= encoder_.image_steps()) target(label_) = 1;
  }

 private:
  const RowSpikeEncoder& encoder_;
  Eigen::Index steps_;
  Vector image_;  // pixels in [0, 1]
  int label_;
  uint64_t seed_;
  const char* stream_;
  uint64_t index_;
};

}  // namespace

SequentialImages::SequentialImages(ClassificationSet train, ClassificationSet test, const SequenceTaskParams& params)
    : params_(params),
      train_(std::move(train)),
      test_(std::move(test)),
      encoder_(test_.height, test_.width, params.steps - params.decision_steps,
               spike_probability(params.input_rate_hz, params.dt_ms)) {
  if (params.decision_steps < 1) throw UsageError("task.decision_steps: must be at least 1");
}

int SequentialImages::image_of(int64_t index) const {
  const int64_t n = train_.size(), epoch = index / n;
  std::lock_guard<std::mutex> lock(order_mutex_);
  if (epoch != order_epoch_) {
    order_.resize(static_cast<size_t>(n));
    std::iota(order_.begin(), order_.end(), 0);
    Rng shuffle(params_.seed, "mnist_order", static_cast<uint64_t>(epoch));
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(order_[static_cast<size_t>(i)], order_[shuffle.below(static_cast<uint64_t>(i) + 1)]);
    order_epoch_ = epoch;
  }
  return order_[static_cast<size_t>(index % n)];
}

std::unique_ptr<SequenceStream> SequentialImages::sequence(Split split, int64_t index) const {
  const bool train = split == Split::train;
  const ClassificationSet& set = train ? train_ : test_;
  const int image = train ? image_of(index) : static_cast<int>(index % set.size());
  return std::make_unique<MnistSequence>(encoder_, params_.steps, set, image, params_.seed, train ? "mnist_train" : "mnist_test",
                                         static_cast<uint64_t>(index));
}

}  // namespace plasticore
