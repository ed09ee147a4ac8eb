// Scores one sequence step by step (a StepObserver of e-prop, BPTT or a forward pass), holding nothing
// per step: the loss per scored step, and
//   classification (cross-entropy)  argmax of the readout summed over the scored (decision) steps
//                                   against the target's class
//   regression (mse)                the squared error and target moments, for NMSE = MSE / Var(y*)
// and the spikes of the recurrent neurons (for the mean rate).
#pragma once
#include "learn/score.hpp"
#include "learn/sequence_loss.hpp"

namespace plasticore {

class SequenceScorer {
 public:
  SequenceScorer(const SequenceStream& sequence, Loss loss, int outputs)
      : sequence_(sequence), loss_(loss), target_(outputs), error_(outputs, 1),
        readout_sum_(Vector::Zero(outputs)), target_class_sum_(Vector::Zero(outputs)) {}

  void operator()(Eigen::Index t, const RecurrentSNNState& s) {
    sequence_.target(t, target_);
    score_.spikes += static_cast<double>(s.spikes.sum());
    score_.neuron_steps += static_cast<double>(s.spikes.size());
    const double step = step_loss(loss_, s.readout, target_, error_);
    if (loss_ == Loss::cross_entropy) {
      if (target_.sum() <= 0) return;  // outside the decision window
      readout_sum_ += s.readout;
      target_class_sum_ += target_;
    } else {
      score_.squared_error += static_cast<double>(error_.squaredNorm());
      score_.target_sum += static_cast<double>(target_.sum());
      score_.target_square_sum += static_cast<double>(target_.squaredNorm());
    }
    score_.loss += step;
    ++score_.scored_steps;
  }

  Score finish() {
    if (loss_ == Loss::cross_entropy && score_.scored_steps > 0) {
      Eigen::Index predicted = 0, label = 0;
      readout_sum_.maxCoeff(&predicted);
      target_class_sum_.maxCoeff(&label);
      score_.samples = 1;
      score_.correct = predicted == label ? 1 : 0;
    }
    return score_;
  }

 private:
  const SequenceStream& sequence_;
  Loss loss_;
  Vector target_;
  Matrix error_;
  Vector readout_sum_, target_class_sum_;
  Score score_;
};

}  // namespace plasticore
