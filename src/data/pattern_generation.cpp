#include "data/pattern_generation.hpp"

#include <cmath>

#include "core/rng.hpp"
#include "data/registry.hpp"

namespace plasticore {

namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr std::array<double, PatternGeneration::kSines> kPeriodsMs = {1000.0, 500.0, 1000.0 / 3.0, 200.0};

class PatternSequence final : public SequenceStream {
 public:
  explicit PatternSequence(const PatternGeneration& task) : task_(task) {}
  Eigen::Index steps() const override { return task_.steps(); }
  void input(Eigen::Index t, Matrix& input) const override { task_.input_at(t, input); }
  void target(Eigen::Index t, Vector& target) const override { target(0) = task_.target_at(t); }

 private:
  const PatternGeneration& task_;
};

}  // namespace

PatternGeneration::PatternGeneration(const SequenceTaskParams& config)
    : config_(config), spike_probability_(spike_probability(config.input_rate_hz, config.dt_ms)) {
  Rng rng(config.seed, "pattern_target");
  for (int k = 0; k < kSines; ++k) {
    amplitude_[static_cast<size_t>(k)] = 0.5 + 1.5 * rng.uniform_double();
    phase_[static_cast<size_t>(k)] = kTwoPi * rng.uniform_double();
  }
  const auto steps = static_cast<size_t>(config.steps);
  step_begin_.reserve(steps + 1);
  target_.reserve(steps);
  for (size_t t = 0; t < steps; ++t) {
    step_begin_.push_back(spikes_.size());
    Rng input(config.seed, "pattern_input", t);  // frozen: a function of t only
    for (int32_t i = 0; i < kInputs; ++i)
      if (input.uniform_double() < spike_probability_) spikes_.push_back(i);
    double y = 0;
    const double time_ms = static_cast<double>(t) * config.dt_ms;
    for (size_t k = 0; k < kSines; ++k) y += amplitude_[k] * std::sin(kTwoPi * time_ms / kPeriodsMs[k] + phase_[k]);
    target_.push_back(static_cast<Scalar>(y));
  }
  step_begin_.push_back(spikes_.size());
}

Scalar PatternGeneration::target_at(Eigen::Index t) const { return target_[static_cast<size_t>(t)]; }

void PatternGeneration::input_at(Eigen::Index t, Matrix& input) const {
  input.col(0).setZero();
  const auto step = static_cast<size_t>(t);
  for (size_t n = step_begin_[step]; n < step_begin_[step + 1]; ++n) input(spikes_[n], 0) = 1.0f;
}

std::unique_ptr<SequenceStream> PatternGeneration::sequence(Split, int64_t) const {
  return std::make_unique<PatternSequence>(*this);
}

DatasetEntry pattern_generation_entry() {
  return {"pattern generation: reproduce a sum of 4 sines from a frozen Poisson input (mse)", true,
          {1, 3e-3, 0},
          [](ConfigReader& r, const DatasetContext& context) -> DatasetBuilder {
            SequenceTaskParams defaults;
            defaults.steps = 1000;
            defaults.input_rate_hz = 10;
            const SequenceTaskParams p = read_sequence_task(r, context, defaults);
            return [p](bool) { return std::make_unique<PatternGeneration>(p); };
          }};
}

}  // namespace plasticore
