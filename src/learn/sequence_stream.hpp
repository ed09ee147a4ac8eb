// A sequence delivered step by step, so that online rules (e-prop) never hold a T-length array:
// x[t] and y*[t] are produced on demand, for any t in 0..T-1, in any order and as often as asked
// (tasks in data/ compute them from the seed and the step). MatrixSequence wraps T x n arrays.
// A step is scored (it enters the loss) when it has a non-zero target entry under cross-entropy, and
// always under mse (learn/sequence_loss.hpp).
#pragma once
#include <functional>

#include "network/recurrent_snn.hpp"

namespace plasticore {

class SequenceStream {
 public:
  virtual ~SequenceStream() = default;
  virtual Eigen::Index steps() const = 0;
  // x[t] into input (n_in x 1, already sized) and y*[t] into target (n_out, already sized).
  virtual void input(Eigen::Index t, Matrix& input) const = 0;
  virtual void target(Eigen::Index t, Vector& target) const = 0;
};

// inputs T x n_in, targets T x n_out (the layout of the Python API and the tests).
class MatrixSequence final : public SequenceStream {
 public:
  MatrixSequence(const Matrix& inputs, const Matrix& targets) : inputs_(inputs), targets_(targets) {}
  Eigen::Index steps() const override { return inputs_.rows(); }
  void input(Eigen::Index t, Matrix& input) const override { input.col(0) = inputs_.row(t).transpose(); }
  void target(Eigen::Index t, Vector& target) const override { target = targets_.row(t).transpose(); }

 private:
  const Matrix& inputs_;
  const Matrix& targets_;
};

// Called after every step t with the network's state (readout y[t], spikes z[t]): metrics without
// storing the readout. An empty observer is skipped.
using StepObserver = std::function<void(Eigen::Index t, const RecurrentSNNState& state)>;

}  // namespace plasticore
