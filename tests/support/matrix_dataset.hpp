// Test helper: a Dataset over given samples, each an input matrix (T x n_in; T = 1 for a static image)
// and a target matrix (T x n_out), the same for both splits; training order = index order.
#pragma once
#include <memory>
#include <vector>

#include "data/dataset.hpp"

namespace plasticore {

class MatrixDataset final : public Dataset {
 public:
  MatrixDataset(std::vector<Matrix> inputs, std::vector<Matrix> targets, Loss loss)
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

 private:
  std::vector<Matrix> inputs_, targets_;
  Loss loss_;
};

}  // namespace plasticore
