// The one dataset interface (docs/architecture.md): every sample is a sequence of steps, x[t] and y*[t] produced
// on demand, so static images (one step), synthetic tasks and streamed event data look alike to the
// trainer and the learners. A static sample has steps() == 1; a learner that needs sequences gets
// static images through an encoder (data/sequential_images.hpp). Datasets are found by name in
// data/registry.hpp.
//   sequence(split, i)      sample i of a split; the same (seed, split, i) gives the same sample, always
//   size(split)             samples per epoch (train) and evaluated (test)
//   train_sample(e, k)      which training sample sits at position k of epoch e (the dataset owns the
//                           order: a shuffle of the images, fresh synthetic sequences, ...)
//   loss()                  what the targets mean: mse (regression) or cross_entropy (classes); a step is
//                           scored when a target entry is non-zero under cross-entropy, always under mse
#pragma once
#include <cstdint>
#include <memory>

#include "core/tensor.hpp"

namespace plasticore {

enum class Split { train, test };
enum class Loss { mse, cross_entropy };

// A sequence delivered step by step, so that online rules (e-prop) never hold a T-length array.
class SequenceStream {
 public:
  virtual ~SequenceStream() = default;
  virtual Eigen::Index steps() const = 0;
  // x[t] into input (n_in x 1, already sized) and y*[t] into target (n_out, already sized). A stream may keep a cache
  // (evidence accumulation draws blocks of steps): one object is read by one thread at a time.
  virtual void input(Eigen::Index t, Matrix& input) const = 0;
  virtual void target(Eigen::Index t, Vector& target) const = 0;
};

// inputs T x n_in, targets T x n_out (the layout of the Python API and the tests).
class MatrixSequence final : public SequenceStream {
 public:
  // It keeps references: the matrices must outlive it (no temporaries).
  MatrixSequence(const Matrix& inputs, const Matrix& targets) : inputs_(inputs), targets_(targets) {}
  MatrixSequence(Matrix&&, const Matrix&) = delete;
  MatrixSequence(const Matrix&, Matrix&&) = delete;
  Eigen::Index steps() const override { return inputs_.rows(); }
  void input(Eigen::Index t, Matrix& input) const override { input.col(0) = inputs_.row(t).transpose(); }
  void target(Eigen::Index t, Vector& target) const override { target = targets_.row(t).transpose(); }

 private:
  const Matrix& inputs_;
  const Matrix& targets_;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int inputs() const = 0;   // n_in
  virtual int outputs() const = 0;  // n_out: classes, or regression targets
  virtual Loss loss() const = 0;
  virtual Eigen::Index steps() const = 0;  // T; 1 for static samples
  virtual double step_ms() const { return 1.0; }  // dt of one step
  virtual int64_t size(Split split) const = 0;
  virtual int64_t train_sample(int64_t epoch, int64_t position) const = 0;
  virtual std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const = 0;
  // A hint: sample `index` (as train_sample returns it) will be read soon, so its bytes may start on their way to
  // the cache (the trainer names the next batch's while one trains). Changes nothing else.
  virtual void prefetch(Split /*split*/, int64_t /*index*/) const {}
  // What the test split is: "test", or "validation" when it was carved from the training data
  // (data.validation) to choose hyper-parameters on; metrics.json says which (evaluated_on).
  virtual const char* evaluation_set() const { return "test"; }
};

// Probability that a Poisson channel of rate_hz spikes in one step of dt_ms.
inline double spike_probability(double rate_hz, double dt_ms) { return rate_hz * dt_ms * 1e-3; }

}  // namespace plasticore
