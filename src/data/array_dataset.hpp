// A dataset over arrays held in memory: each sample an input matrix (T x n_in; T = 1 for a static image)
// and a target matrix (T x n_out: one-hot labels for classification), the same samples for both splits,
// in index order. For tests, analyses and the Python API's own-data training.
#pragma once
#include <memory>
#include <vector>

#include "data/dataset.hpp"

namespace plasticore {

class ArrayDataset final : public Dataset {
 public:
  ArrayDataset(std::vector<Matrix> inputs, std::vector<Matrix> targets, Loss loss)
      : inputs_(std::move(inputs)), targets_(std::move(targets)), loss_(loss) {}
  int inputs() const override { return static_cast<int>(inputs_[0].cols()); }
  int outputs() const override { return static_cast<int>(targets_[0].cols()); }
  Loss loss() const override { return loss_; }
  Eigen::Index steps() const override { return inputs_[0].rows(); }
  int64_t size(Split) const override { return static_cast<int64_t>(inputs_.size()); }
  int64_t train_sample(int64_t, int64_t position) const override { return position; }
  std::unique_ptr<SequenceStream> sequence(Split, int64_t index) const override {
    return std::make_unique<MatrixSequence>(inputs_[static_cast<size_t>(index)], targets_[static_cast<size_t>(index)]);
  }

  // Static images: one column of `images` (n_in x n) per sample, with its class label (one-hot target).
  static ArrayDataset images(const Matrix& images, const std::vector<int32_t>& labels, int classes) {
    std::vector<Matrix> x, y;
    for (Eigen::Index b = 0; b < images.cols(); ++b) {
      x.push_back(images.col(b).transpose());
      Matrix target = Matrix::Zero(1, classes);
      target(0, labels[static_cast<size_t>(b)]) = 1;
      y.push_back(target);
    }
    return ArrayDataset(std::move(x), std::move(y), Loss::cross_entropy);
  }

 private:
  std::vector<Matrix> inputs_, targets_;
  Loss loss_;
};

}  // namespace plasticore
