#include "data/event_dataset.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace plasticore {

BinnedEvents bin_events(const std::vector<Event>& events, int64_t steps, double dt_ms) {
  // (step, channel) of every event inside the T steps, sorted, then runs of equal pairs counted.
  std::vector<std::pair<int64_t, int32_t>> keys;
  keys.reserve(events.size());
  for (const Event& e : events) {
    const double step = std::floor(e.time_ms / dt_ms);
    if (step >= 0 && step < static_cast<double>(steps)) keys.emplace_back(static_cast<int64_t>(step), e.channel);
  }
  std::sort(keys.begin(), keys.end());
  BinnedEvents b;
  b.first.assign(static_cast<size_t>(steps) + 1, 0);
  for (size_t k = 0; k < keys.size();) {
    size_t end = k;
    while (end < keys.size() && keys[end] == keys[k]) ++end;
    b.channel.push_back(keys[k].second);
    b.count.push_back(static_cast<float>(end - k));
    ++b.first[static_cast<size_t>(keys[k].first) + 1];
    k = end;
  }
  std::partial_sum(b.first.begin(), b.first.end(), b.first.begin());
  return b;
}

namespace {

class BinnedSequence final : public SequenceStream {
 public:
  BinnedSequence(BinnedEvents binned, int label, int64_t steps, int64_t decision_start)
      : binned_(std::move(binned)), label_(label), steps_(steps), decision_start_(decision_start) {}
  Eigen::Index steps() const override { return steps_; }
  void input(Eigen::Index t, Matrix& input) const override {
    input.setZero();
    for (int32_t k = binned_.first[static_cast<size_t>(t)]; k < binned_.first[static_cast<size_t>(t) + 1]; ++k)
      input(binned_.channel[static_cast<size_t>(k)], 0) = binned_.count[static_cast<size_t>(k)];
  }
  void target(Eigen::Index t, Vector& target) const override {
    target.setZero();
    if (t >= decision_start_) target(label_) = 1;
  }

 private:
  BinnedEvents binned_;
  int label_;
  int64_t steps_, decision_start_;
};

class EventCounts final : public SequenceStream {
 public:
  EventCounts(const std::vector<Event>& events, int channels, int label) : counts_(Vector::Zero(channels)), label_(label) {
    for (const Event& e : events) counts_(e.channel) += 1;
    const Scalar largest = counts_.maxCoeff();
    if (largest > 0) counts_ /= largest;
  }
  Eigen::Index steps() const override { return 1; }
  void input(Eigen::Index, Matrix& input) const override { input.col(0) = counts_; }
  void target(Eigen::Index, Vector& target) const override {
    target.setZero();
    target(label_) = 1;
  }

 private:
  Vector counts_;
  int label_;
};

}  // namespace

EventDataset::EventDataset(std::unique_ptr<EventSource> train, std::unique_ptr<EventSource> test,
                           EventPresentation presentation)
    : train_(std::move(train)), test_(std::move(test)), presentation_(presentation) {
  if (train_ && (train_->channels() != test_->channels() || train_->classes() != test_->classes()))
    throw UsageError("the training and test files disagree on the number of input channels or classes");
  if (presentation_.sequences && (presentation_.decision_steps < 1 || presentation_.decision_steps > presentation_.steps))
    throw UsageError("task.decision_steps: must be in [1, task.steps = " + std::to_string(presentation_.steps) + "]");
}

int64_t EventDataset::size(Split split) const {
  if (split == Split::test) return test_->size();
  return train_ ? train_->size() : 0;
}

int64_t EventDataset::train_sample(int64_t epoch, int64_t position) const {
  const std::lock_guard<std::mutex> lock(order_mutex_);
  if (epoch != order_epoch_) {
    const int64_t n = size(Split::train);
    order_.resize(static_cast<size_t>(n));
    std::iota(order_.begin(), order_.end(), 0);
    Rng shuffle(presentation_.seed, "shuffle", static_cast<uint64_t>(epoch));
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(order_[static_cast<size_t>(i)], order_[shuffle.below(static_cast<uint64_t>(i) + 1)]);
    order_epoch_ = epoch;
  }
  return order_[static_cast<size_t>(position)];
}

std::unique_ptr<SequenceStream> EventDataset::sequence(Split split, int64_t index) const {
  const EventSource& source = split == Split::train ? *train_ : *test_;
  const std::vector<Event> events = source.events(index);
  if (!presentation_.sequences) return std::make_unique<EventCounts>(events, source.channels(), source.label(index));
  return std::make_unique<BinnedSequence>(bin_events(events, presentation_.steps, presentation_.dt_ms), source.label(index),
                                          presentation_.steps, presentation_.steps - presentation_.decision_steps);
}

}  // namespace plasticore
