// Images as spike sequences for recurrent networks ("sequential MNIST", also Fashion-MNIST): an image
// of H x W pixels is shown row by row to W input channels, one per pixel column, then the network
// answers in a decision window. Timeline of a sequence of T steps with a decision window of D steps
// (image_steps = T - D):
//   t < image_steps   row r = floor(H t / image_steps) is shown: channel c spikes with probability
//                     min(1, intensity(r, c) * input_rate_hz * dt)  (Bernoulli, pixel intensity in [0, 1])
//   t >= image_steps  no input; target = the one-hot label, so cross-entropy is scored on these D steps
// With the defaults (T = 140, D = 28, input_rate_hz = 1000 at dt = 1 ms) each row of a 28 x 28 image lasts
// 4 steps and a white pixel spikes at every one of them. Spikes come from the stream (seed, "mnist_train" |
// "mnist_test", sequence index, t + 1): a training image seen again in a later epoch gets new spikes.
// Training sequence `index` shows image order_e[index mod n] of epoch e = index / n, a permutation of the
// n loaded training images drawn from (seed, "mnist_order", e); test sequence k shows test image k.
//
// Parameters
//   name            unit  default  meaning
//   steps           -     140      T (task.steps), at least H + D
//   decision_steps  -     28       D (task.decision_steps)
//   input_rate_hz   Hz    1000     spike rate of a white pixel (task.input_rate_hz)
//   data.*          -              the image files and limits of data/image_dataset.hpp
#pragma once
#include <mutex>
#include <vector>

#include "core/rng.hpp"
#include "data/image_dataset.hpp"
#include "data/sequence_task.hpp"

namespace plasticore {

// The pixel-to-spike code of one image, separated from the files so that it can be tested alone.
class RowSpikeEncoder {
 public:
  // UsageError (naming task.steps) unless image_steps >= rows.
  RowSpikeEncoder(int rows, int cols, int64_t image_steps, double full_intensity_probability);
  int inputs() const { return cols_; }
  int64_t image_steps() const { return image_steps_; }
  // Row shown at step t, or -1 once the image is over.
  int row(int64_t t) const;
  // x[t] (cols x 1, already sized) for image (rows * cols pixels in [0, 1], row-major), spikes from rng.
  void encode(const Scalar* image, int64_t t, Rng& rng, Matrix& input) const;

 private:
  int rows_, cols_;
  int64_t image_steps_;
  double full_probability_;
};

class SequentialImages final : public Dataset {
 public:
  // UsageError for a bad T / D. An empty train set (evaluation only) is allowed.
  SequentialImages(ClassificationSet train, ClassificationSet test, const SequenceTaskParams& params);
  int inputs() const override { return encoder_.inputs(); }
  int outputs() const override { return test_.n_classes; }
  Loss loss() const override { return Loss::cross_entropy; }
  Eigen::Index steps() const override { return params_.steps; }
  double step_ms() const override { return params_.dt_ms; }
  int64_t size(Split split) const override { return split == Split::train ? train_.size() : test_.size(); }
  const char* evaluation_set() const override { return test_.held_out ? "validation" : "test"; }
  int64_t train_sample(int64_t epoch, int64_t position) const override { return epoch * train_.size() + position; }
  std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const override;

 private:
  // Training image of sequence `index` (see the header comment).
  int image_of(int64_t index) const;

  SequenceTaskParams params_;
  ClassificationSet train_, test_;
  RowSpikeEncoder encoder_;
  // The permutation of the epoch last asked for; sequences of a batch run in parallel.
  mutable std::mutex order_mutex_;
  mutable int64_t order_epoch_ = -1;
  mutable std::vector<int> order_;
};

}  // namespace plasticore
