// Test helpers: a batch of images given as a matrix (pixels x B, labels), through the learner seam, as
// the trainer runs it: train_on (accumulate + apply_update) and ep_update (the EP update dW / (beta phases
// B) of the batch, i.e. minus the learner's gradient estimate; weights and biases alternate).
#pragma once
#include <vector>

#include "data/array_dataset.hpp"
#include "learn/ep_learner.hpp"

namespace plasticore {

inline Batch all_of(const Dataset& d, int64_t epoch = 0, int64_t index = 0) {
  Batch b{&d, Split::train, epoch, index, {}};
  for (int64_t i = 0; i < d.size(Split::train); ++i) b.samples.push_back(i);
  return b;
}

inline void train_on(EPLearner& learner, const Matrix& x, const std::vector<int32_t>& labels, int64_t epoch = 0,
                     int64_t index = 0) {
  const ArrayDataset data = ArrayDataset::images(x, labels, learner.network().sizes().back());
  Score ignored;
  learner.accumulate(all_of(data, epoch, index), ignored);
  learner.apply_update(x.cols());
}

inline std::vector<Matrix> ep_update(EPLearner& learner, const Matrix& x, const std::vector<int32_t>& labels) {
  const ArrayDataset data = ArrayDataset::images(x, labels, learner.network().sizes().back());
  std::vector<Matrix> g = learner.gradient_estimate(all_of(data));
  for (Matrix& m : g) m = -m;
  return g;
}

}  // namespace plasticore
