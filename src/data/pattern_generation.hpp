// Pattern generation (Bellec et al. 2020, Nat. Commun. 11:3625, Supplementary Note 1): the network
// reproduces a fixed target curve from a frozen random input pattern.
//   input   x_i[t] = 1 with probability rate dt (channel i, step t), drawn from the stream
//           (seed, "pattern_input", t): the same pattern in every epoch and for every sequence index
//   target  y*[t] = sum_k A_k sin(2 pi t dt / P_k + phi_k),  P = 1000, 500, 333.3, 200 ms (1, 2, 3, 5 Hz),
//           A_k ~ U[0.5, 2], phi_k ~ U[0, 2 pi] from (seed, "pattern_target")
// Loss: mse. Every sequence (train or test, any index) is the same one: the task is to memorise it.
// It is drawn once, at construction, and kept as spike indices and target values (~12 bytes per step at
// 10 Hz): redrawing 100 channels per step cost 5-8 % of an e-prop run.
//
// Parameters
//   name           unit  default  meaning
//   inputs         -     100      input channels
//   input_rate_hz  Hz    10       rate of each input channel (task.input_rate_hz)
//   steps          -     1000     T (task.steps)
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "data/dataset.hpp"
#include "data/sequence_task.hpp"

namespace plasticore {

class PatternGeneration final : public Dataset {
 public:
  static constexpr int kInputs = 100;
  static constexpr int kSines = 4;

  explicit PatternGeneration(const SequenceTaskParams& config);
  int inputs() const override { return kInputs; }
  int outputs() const override { return 1; }
  Loss loss() const override { return Loss::mse; }
  Eigen::Index steps() const override { return config_.steps; }
  double step_ms() const override { return config_.dt_ms; }
  int64_t size(Split split) const override {
    return split == Split::train ? config_.train_sequences : config_.test_sequences;
  }
  int64_t train_sample(int64_t epoch, int64_t position) const override {
    return epoch * config_.train_sequences + position;  // fresh sequences every epoch
  }
  std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const override;

  Scalar target_at(Eigen::Index t) const;
  void input_at(Eigen::Index t, Matrix& input) const;

 private:
  SequenceTaskParams config_;
  double spike_probability_;
  std::array<double, kSines> amplitude_{}, phase_{};
  std::vector<int32_t> spikes_;       // the input channels that spike, step after step
  std::vector<size_t> step_begin_;    // step t's spikes are spikes_[step_begin_[t] .. step_begin_[t + 1])
  std::vector<Scalar> target_;        // y*[t]
};

struct DatasetEntry;
DatasetEntry pattern_generation_entry();

}  // namespace plasticore
