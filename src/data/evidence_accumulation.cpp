#include "data/evidence_accumulation.hpp"

#include <array>
#include <cmath>
#include <string>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/rng_lanes.hpp"
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

  // Step t's input: each step's spikes from its own stream (Rng(stream, index, t + 1)), the noise group's first, then
  // the active group's. Drawn for a block of RngLanes::kLanes steps at a time, the steps' streams side by side (one
  // stream per step made seeding and drawing 6-7 % of an e-prop run); a sequence is read by one thread.
  void input(Eigen::Index t, Matrix& input) const override {
    if (t < block_start_ || t >= block_start_ + RngLanes::kLanes) draw_block(t - t % RngLanes::kLanes);
    const uint64_t spiking = spiking_[static_cast<size_t>(t - block_start_)];
    constexpr int n = 4 * EvidenceAccumulation::kGroup;
    eigen_assert(input.rows() == n && input.cols() == 1);  // every entry is written below
    Scalar* x = input.data();
#if defined(__AVX512F__)
    for (int i = 0; i < n; i += 16) {  // 1.0 where the pattern's bit is set, 16 inputs to a masked move
      const auto rows = static_cast<__mmask16>(n - i >= 16 ? 0xFFFFU : (1U << (n - i)) - 1);
      _mm512_mask_storeu_ps(x + i, rows, _mm512_maskz_mov_ps(static_cast<__mmask16>(spiking >> i), _mm512_set1_ps(1.0f)));
    }
#else
    for (int i = 0; i < n; ++i) x[i] = ((spiking >> i) & 1) != 0 ? 1.0f : 0.0f;
#endif
  }

  void target(Eigen::Index t, Vector& target) const override {
    target.setZero();
    if (t >= recall_start_) target(answer_) = 1;
  }

 private:
  int active_group(Eigen::Index t) const {  // 0 left, 1 right, 2 recall, -1 none
    const auto& c = task_.config();
    const double time_ms = static_cast<double>(t) * c.dt_ms;
    const auto cue = static_cast<int>(time_ms / EvidenceAccumulation::kCuePeriodMs);
    int group = -1;
    if (cue < EvidenceAccumulation::kCues &&
        time_ms - cue * EvidenceAccumulation::kCuePeriodMs < EvidenceAccumulation::kCueMs)
      group = sides_[static_cast<size_t>(cue)];
    if (t >= recall_start_) group = 2;
    return group;
  }

  void draw_block(Eigen::Index t0) const {
    constexpr int group = EvidenceAccumulation::kGroup, lanes = RngLanes::kLanes;
    uint64_t b[lanes];
    int active[lanes];
    for (int k = 0; k < lanes; ++k) {
      b[k] = static_cast<uint64_t>(t0 + k) + 1;  // b = 0 drew the sides
      active[k] = active_group(t0 + k);
    }
    RngLanes rng(stream_, index_, b);
    spiking_.fill(0);
    double u[lanes];
    for (int i = 0; i < group; ++i) {
      rng.uniform_double(u);
      for (int k = 0; k < lanes; ++k) spiking_[static_cast<size_t>(k)] |= uint64_t{u[k] < noise_probability_} << (3 * group + i);
    }
    for (int i = 0; i < group; ++i) {
      rng.uniform_double(u);  // a step without an active group draws no more: these numbers go unused
      for (int k = 0; k < lanes; ++k)
        if (active[k] >= 0) spiking_[static_cast<size_t>(k)] |= uint64_t{u[k] < cue_probability_} << (active[k] * group + i);
    }
    block_start_ = t0;
  }

  const EvidenceAccumulation& task_;
  uint64_t index_;
  Rng::Key stream_;  // hashed once: input() opens a stream per step
  std::array<int, EvidenceAccumulation::kCues> sides_;
  int answer_ = 0;
  Eigen::Index recall_start_ = 0;
  double cue_probability_ = 0, noise_probability_ = 0;
  static_assert(4 * EvidenceAccumulation::kGroup <= 64, "a step's inputs are one 64-bit pattern");
  mutable std::array<uint64_t, RngLanes::kLanes> spiking_{};  // bit i: input i spikes, for each step of the block
  mutable Eigen::Index block_start_ = -RngLanes::kLanes;        // the block's first step
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
