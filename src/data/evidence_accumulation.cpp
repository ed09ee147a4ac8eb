#include "data/evidence_accumulation.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "data/registry.hpp"

namespace plasticore {

namespace {

// Three disjoint streams: training, validation (data.validation: held out from the training generator,
// to choose hyper-parameters on) and test (touched only for the reported figure).
const char* stream_name(Split split, bool validation) {
  if (split == Split::train) return "evidence_train";
  return validation ? "evidence_validation" : "evidence_test";
}

class EvidenceSequence final : public SequenceStream {
 public:
  EvidenceSequence(const EvidenceAccumulation& task, Split split, int64_t index)
      : task_(task),
        index_(static_cast<uint64_t>(index)),
        stream_(task.config().seed, stream_name(split, task.config().validation)),
        sides_(task.cue_sides(split, index)) {
    const auto& c = task.config();
    int right = 0;
    for (const int side : sides_) right += side;
    answer_ = right > EvidenceAccumulation::kCues / 2 ? 1 : 0;
    recall_start_ = c.steps - std::lround(EvidenceAccumulation::kRecallMs / c.dt_ms);
    cue_probability_ = spike_probability(c.input_rate_hz, c.dt_ms);
    noise_probability_ = spike_probability(EvidenceAccumulation::kNoiseRateHz, c.dt_ms);
  }
  Eigen::Index steps() const override { return task_.steps(); }

  void input(Eigen::Index t, Matrix& input) const override {
    constexpr int group = EvidenceAccumulation::kGroup;
    const auto& c = task_.config();
    const double time_ms = static_cast<double>(t) * c.dt_ms;
    const auto cue = static_cast<int>(time_ms / EvidenceAccumulation::kCuePeriodMs);
    int active_group = -1;  // 0 left, 1 right, 2 recall
    if (cue < EvidenceAccumulation::kCues &&
        time_ms - cue * EvidenceAccumulation::kCuePeriodMs < EvidenceAccumulation::kCueMs)
      active_group = sides_[static_cast<size_t>(cue)];
    if (t >= recall_start_) active_group = 2;
    Rng rng(stream_, index_, static_cast<uint64_t>(t) + 1);  // b = 0 drew the sides
    input.setZero();
    for (int i = 0; i < group; ++i) input(3 * group + i, 0) = rng.uniform_double() < noise_probability_ ? 1.0f : 0.0f;
    if (active_group < 0) return;
    for (int i = 0; i < group; ++i)
      input(active_group * group + i, 0) = rng.uniform_double() < cue_probability_ ? 1.0f : 0.0f;
  }

  void target(Eigen::Index t, Vector& target) const override {
    target.setZero();
    if (t >= recall_start_) target(answer_) = 1;
  }

 private:
  const EvidenceAccumulation& task_;
  uint64_t index_;
  Rng::Key stream_;  // hashed once: input() opens a stream per step
  std::array<int, EvidenceAccumulation::kCues> sides_;
  int answer_ = 0;
  Eigen::Index recall_start_ = 0;
  double cue_probability_ = 0, noise_probability_ = 0;
};

}  // namespace

EvidenceAccumulation::EvidenceAccumulation(const SequenceTaskParams& config) : config_(config) {
  const double minimum_ms = kCues * kCuePeriodMs + kRecallMs;
  if (static_cast<double>(config.steps) * config.dt_ms < minimum_ms)
    throw UsageError("task.steps: evidence_accumulation needs at least " +
                     std::to_string(std::lround(minimum_ms / config.dt_ms)) + " steps (7 cues + recall), got " +
                     std::to_string(config.steps));
}

std::array<int, EvidenceAccumulation::kCues> EvidenceAccumulation::cue_sides(Split split, int64_t index) const {
  Rng rng(config_.seed, stream_name(split, config_.validation), static_cast<uint64_t>(index), 0);
  std::array<int, kCues> sides{};
  for (auto& side : sides) side = static_cast<int>(rng.below(2));
  return sides;
}

std::unique_ptr<SequenceStream> EvidenceAccumulation::sequence(Split split, int64_t index) const {
  return std::make_unique<EvidenceSequence>(*this, split, index);
}

DatasetEntry evidence_accumulation_entry() {
  return {"evidence accumulation: 7 left/right cues, a delay, answer the majority side (cross-entropy)", true,
          {32, 5e-3, 50},
          [](ConfigReader& r, const DatasetContext& context) -> DatasetBuilder {
            SequenceTaskParams defaults;
            defaults.steps = 2250;
            defaults.input_rate_hz = 40;
            defaults.train_sequences = defaults.test_sequences = 64;
            SequenceTaskParams p = read_sequence_task(r, context, defaults);
            const int64_t validation = r.get_int("data.validation", 0, 0, 2147483647,
                                                 "evaluate on N sequences of a validation stream instead of the test stream, "
                                                 "to choose hyper-parameters on (test_* figures are then validation "
                                                 "figures; data.test_limit is not used)");
            if (validation > 0) {
              p.validation = true;
              p.test_sequences = validation;
            }
            EvidenceAccumulation check(p);  // a too-short T is a usage error now, before anything is written
            return [p](bool) { return std::make_unique<EvidenceAccumulation>(p); };
          }};
}

}  // namespace plasticore
