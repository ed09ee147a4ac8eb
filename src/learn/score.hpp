// Sums over samples of what the metrics need; a learner adds what it measures while it trains or
// evaluates, the trainer turns the sums into metrics.csv and metrics.json figures:
//   loss         task loss per scored step (learners with a loss: e-prop, BPTT)
//   accuracy     classified samples that were right (classification datasets)
//   nmse         MSE / Var(y*) over scored step x output (regression datasets)
//   rate         spikes per neuron and second (learners that count spikes)
// Sums are added in sample order, so they are the same for any thread count.
#pragma once
#include <cstdint>

namespace plasticore {

struct Score {
  double loss = 0;            // task loss over scored steps
  int64_t scored_steps = 0;   // steps in the loss (all, or the decision window)
  double squared_error = 0, target_sum = 0, target_square_sum = 0;  // regression: over scored step x output
  int64_t samples = 0, correct = 0;                                  // classification
  double spikes = 0, neuron_steps = 0;

  void add(const Score& o) {
    loss += o.loss;
    scored_steps += o.scored_steps;
    squared_error += o.squared_error;
    target_sum += o.target_sum;
    target_square_sum += o.target_square_sum;
    samples += o.samples;
    correct += o.correct;
    spikes += o.spikes;
    neuron_steps += o.neuron_steps;
  }
  double mean_loss() const { return scored_steps > 0 ? loss / static_cast<double>(scored_steps) : 0.0; }
  double accuracy() const { return samples > 0 ? static_cast<double>(correct) / static_cast<double>(samples) : 0.0; }
  double nmse(int outputs) const {
    const double n = static_cast<double>(scored_steps) * outputs, mean = target_sum / n;
    return (squared_error / n) / (target_square_sum / n - mean * mean);
  }
  double rate_hz(double dt_ms) const { return spikes / neuron_steps / dt_ms * 1e3; }
};

}  // namespace plasticore
