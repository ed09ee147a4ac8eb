#include "data/array_dataset.hpp"

#include <numeric>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/registry.hpp"

namespace plasticore {

namespace {

// Every sample T x n_in / T x n_out with one T for all (UsageError naming the split otherwise).
void check_samples(const std::vector<Matrix>& inputs, const std::vector<Matrix>& targets, int n_in, int n_out,
                   const char* split) {
  if (inputs.size() != targets.size())
    throw UsageError(std::string(split) + ": " + std::to_string(inputs.size()) + " inputs but " +
                     std::to_string(targets.size()) + " targets");
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].cols() != n_in || targets[i].cols() != n_out || inputs[i].rows() != targets[i].rows() ||
        inputs[i].rows() != inputs[0].rows() || inputs[i].rows() < 1)
      throw UsageError(std::string(split) + ": sample " + std::to_string(i) + " is not T x " + std::to_string(n_in) +
                       " inputs with T x " + std::to_string(n_out) + " targets (one T for all)");
  }
}

}  // namespace

ArrayDataset::ArrayDataset(int inputs, int outputs, Loss loss, double step_ms, Samples train, Samples test,
                           std::optional<uint64_t> shuffle_seed)
    : inputs_(inputs), outputs_(outputs), loss_(loss), step_ms_(step_ms), train_(std::move(train)),
      test_(std::move(test)), own_test_(!test_.inputs.empty()), shuffle_seed_(shuffle_seed) {}

ArrayDataset::ArrayDataset(std::vector<Matrix> inputs, std::vector<Matrix> targets, Loss loss)
    : loss_(loss), train_{std::move(inputs), std::move(targets)} {
  inputs_ = train_.inputs.empty() ? 0 : static_cast<int>(train_.inputs[0].cols());
  outputs_ = train_.targets.empty() ? 0 : static_cast<int>(train_.targets[0].cols());
}

ArrayDataset ArrayDataset::shape_only(int inputs, int outputs, Loss loss, double step_ms) {
  return ArrayDataset(inputs, outputs, loss, step_ms, {}, {}, std::nullopt);
}

std::unique_ptr<ArrayDataset> ArrayDataset::with_samples(std::vector<Matrix> train_inputs,
                                                         std::vector<Matrix> train_targets,
                                                         std::vector<Matrix> test_inputs,
                                                         std::vector<Matrix> test_targets,
                                                         std::optional<uint64_t> shuffle_seed) const {
  if (train_inputs.empty()) throw UsageError("training data: no samples");
  check_samples(train_inputs, train_targets, inputs_, outputs_, "training data");
  check_samples(test_inputs, test_targets, inputs_, outputs_, "test data");
  if (!test_inputs.empty() && test_inputs[0].rows() != train_inputs[0].rows())
    throw UsageError("test data: its sequences have another length T than the training data's");
  return std::unique_ptr<ArrayDataset>(new ArrayDataset(inputs_, outputs_, loss_, step_ms_,
                                                        {std::move(train_inputs), std::move(train_targets)},
                                                        {std::move(test_inputs), std::move(test_targets)}, shuffle_seed));
}

int64_t ArrayDataset::train_sample(int64_t epoch, int64_t position) const {
  if (!shuffle_seed_) return position;
  const std::lock_guard<std::mutex> lock(order_mutex_);
  if (epoch != order_epoch_) {
    const auto n = static_cast<int64_t>(train_.inputs.size());
    order_.resize(static_cast<size_t>(n));
    std::iota(order_.begin(), order_.end(), 0);
    Rng shuffle(*shuffle_seed_, "shuffle", static_cast<uint64_t>(epoch));
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(order_[static_cast<size_t>(i)], order_[shuffle.below(static_cast<uint64_t>(i) + 1)]);
    order_epoch_ = epoch;
  }
  return order_[static_cast<size_t>(position)];
}

std::unique_ptr<SequenceStream> ArrayDataset::sequence(Split split, int64_t index) const {
  const Samples& s = split_of(split);
  return std::make_unique<MatrixSequence>(s.inputs[static_cast<size_t>(index)], s.targets[static_cast<size_t>(index)]);
}

ArrayDataset ArrayDataset::images(const Matrix& images, const std::vector<int32_t>& labels, int classes) {
  std::vector<Matrix> x, y;
  for (Eigen::Index b = 0; b < images.cols(); ++b) {
    x.push_back(images.col(b).transpose());
    Matrix target = Matrix::Zero(1, classes);
    target(0, labels[static_cast<size_t>(b)]) = 1;
    y.push_back(target);
  }
  return ArrayDataset(std::move(x), std::move(y), Loss::cross_entropy);
}

DatasetEntry array_dataset_entry() {
  return {"samples given as NumPy arrays from Python (plasticore.Network); the config names their shape", false,
          {},
          [](ConfigReader& r, const DatasetContext&) -> DatasetBuilder {
            if (!r.has("data.inputs") || !r.has("data.outputs"))
              r.fail(r.has("data.inputs") ? "data.outputs" : "data.inputs",
                     "data.dataset = \"arrays\" needs data.inputs and data.outputs (the arrays' n_in and n_out)");
            const int inputs = static_cast<int>(r.get_int("data.inputs", 1, 1, 1 << 24, "arrays (required): n_in, inputs per step"));
            const int outputs = static_cast<int>(
                r.get_int("data.outputs", 1, 1, 1 << 20, "arrays (required): n_out, classes or regression targets"));
            const Loss loss = r.get_choice("data.loss", "cross_entropy", {"cross_entropy", "mse"},
                                           "arrays: what the targets are, classes or regression values") == "mse"
                                  ? Loss::mse
                                  : Loss::cross_entropy;
            const double dt_ms = r.get_double("task.dt_ms", 1.0, 0.0, 1000.0, "arrays: one time step, in ms", true);
            return [=](bool) -> std::unique_ptr<Dataset> {
              return std::unique_ptr<ArrayDataset>(new ArrayDataset(ArrayDataset::shape_only(inputs, outputs, loss, dt_ms)));
            };
          }};
}

}  // namespace plasticore
