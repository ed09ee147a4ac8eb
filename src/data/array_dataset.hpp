// A dataset over arrays held in memory: each sample an input matrix (T x n_in; T = 1 for a static image)
// and a target matrix (T x n_out: one-hot labels for classification). The test split is its own samples,
// or (none given) the training samples again. Training order: index order, or a shuffle per epoch drawn
// from (seed, "shuffle", epoch). For tests, analyses and the Python API's own-data training
// (python/network.cpp).
//
// As `data.dataset = "arrays"` (Python's plasticore.Network) the config names only the shape:
//   name          unit  default        meaning
//   data.inputs   -     (required)     n_in
//   data.outputs  -     (required)     n_out: classes, or regression targets
//   data.loss     -     cross_entropy  cross_entropy (classes) | mse (regression)
//   task.dt_ms    ms    1              one time step (recurrent networks)
// and the builder gives a dataset with that shape and no samples: the samples come from Python.
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "data/dataset.hpp"

namespace plasticore {

class ArrayDataset final : public Dataset {
 public:
  // The same samples for both splits, in index order.
  ArrayDataset(std::vector<Matrix> inputs, std::vector<Matrix> targets, Loss loss);
  // No samples yet (the shape of `data.dataset = "arrays"`); with_samples() gives one with samples.
  static ArrayDataset shape_only(int inputs, int outputs, Loss loss, double step_ms);
  // This shape with samples: train (and test, if not empty) inputs/targets, each T x n_in / T x n_out with
  // this dataset's n_in, n_out (UsageError otherwise); shuffle_seed: a new order every epoch (else index order).
  std::unique_ptr<ArrayDataset> with_samples(std::vector<Matrix> train_inputs, std::vector<Matrix> train_targets,
                            std::vector<Matrix> test_inputs, std::vector<Matrix> test_targets,
                            std::optional<uint64_t> shuffle_seed) const;

  int inputs() const override { return inputs_; }
  int outputs() const override { return outputs_; }
  Loss loss() const override { return loss_; }
  Eigen::Index steps() const override { return train_.inputs.empty() ? 1 : train_.inputs[0].rows(); }
  double step_ms() const override { return step_ms_; }
  int64_t size(Split split) const override { return static_cast<int64_t>(split_of(split).inputs.size()); }
  int64_t train_sample(int64_t epoch, int64_t position) const override;
  std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const override;
  // "train" when the test split is the training samples again.
  const char* evaluation_set() const override { return own_test_ ? "test" : "train"; }

  // Static images: one column of `images` (n_in x n) per sample, with its class label (one-hot target).
  static ArrayDataset images(const Matrix& images, const std::vector<int32_t>& labels, int classes);

 private:
  struct Samples {
    std::vector<Matrix> inputs, targets;
  };
  ArrayDataset(int inputs, int outputs, Loss loss, double step_ms, Samples train, Samples test,
               std::optional<uint64_t> shuffle_seed);
  const Samples& split_of(Split split) const { return split == Split::test && own_test_ ? test_ : train_; }

  int inputs_ = 0, outputs_ = 0;
  Loss loss_ = Loss::cross_entropy;
  double step_ms_ = 1.0;
  Samples train_, test_;
  bool own_test_ = false;
  std::optional<uint64_t> shuffle_seed_;
  mutable std::mutex order_mutex_;  // the shuffle of the epoch last asked for
  mutable int64_t order_epoch_ = -1;
  mutable std::vector<int64_t> order_;
};

struct DatasetEntry;
DatasetEntry array_dataset_entry();

}  // namespace plasticore
