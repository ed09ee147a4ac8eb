// Evidence accumulation (Bellec et al. 2020, Nat. Commun. 11:3625, Fig. 3; Morcos & Harvey 2016): 7
// cues, each on the left or the right, then a delay, then a recall cue; the network must answer the
// side that had more cues. 40 input channels in 4 groups of 10:
//   0-9 left cues, 10-19 right cues, 20-29 recall, 30-39 background noise.
// Timeline of a sequence of T steps (in ms, dt = 1 ms):
//   cue k = 0..6 on [150 k, 150 k + 100): its side's 10 channels fire at input_rate_hz
//   delay until T - 150; recall window [T - 150, T): the recall channels fire at input_rate_hz
//   the noise channels fire at 10 Hz throughout
// Sides are drawn per sequence from (seed, "evidence_train" | "evidence_validation" | "evidence_test",
// index; data.validation = N evaluates N validation sequences instead of the test ones), spikes from the
// same stream key plus the step. Target: the one-hot majority side (0 = left, 1 = right) on the recall
// window, 0 elsewhere, so cross-entropy is scored on the recall (decision) window only.
//
// Parameters
//   name           unit  default  meaning
//   input_rate_hz  Hz    40       rate of an active cue / recall channel (task.input_rate_hz)
//   steps          -     2250     T (task.steps), at least 1200 ms (7 cues + recall) / dt
#pragma once
#include <array>

#include "data/dataset.hpp"
#include "data/sequence_task.hpp"

namespace plasticore {

class EvidenceAccumulation final : public Dataset {
 public:
  static constexpr int kCues = 7;
  static constexpr int kGroup = 10;  // channels per group
  static constexpr double kCuePeriodMs = 150, kCueMs = 100, kRecallMs = 150, kNoiseRateHz = 10;

  explicit EvidenceAccumulation(const SequenceTaskParams& config);  // UsageError if T is too short
  int inputs() const override { return 4 * kGroup; }
  int outputs() const override { return 2; }
  Loss loss() const override { return Loss::cross_entropy; }
  Eigen::Index steps() const override { return config_.steps; }
  double step_ms() const override { return config_.dt_ms; }
  int64_t size(Split split) const override {
    return split == Split::train ? config_.train_sequences : config_.test_sequences;
  }
  int64_t train_sample(int64_t epoch, int64_t position) const override {
    return epoch * config_.train_sequences + position;  // fresh sequences every epoch
  }
  std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const override;

  // Cue sides of one sequence (0 = left, 1 = right).
  std::array<int, kCues> cue_sides(Split split, int64_t index) const;
  const SequenceTaskParams& config() const { return config_; }
  const char* evaluation_set() const override { return config_.validation ? "validation" : "test"; }

 private:
  SequenceTaskParams config_;
};

struct DatasetEntry;
DatasetEntry evidence_accumulation_entry();

}  // namespace plasticore
