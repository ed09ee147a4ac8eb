#include "train/thread_choice.hpp"

#include <omp.h>

#include <algorithm>

namespace plasticore {

namespace {

double median(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  const size_t n = x.size();
  return n % 2 == 1 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

}  // namespace

ThreadChoice::ThreadChoice(int most, bool measure) : caller_threads_(omp_get_max_threads()) {
  most = std::max(most, 1);
  for (int c = 1; c < most; c *= 2) candidates_.push_back(c);
  candidates_.push_back(most);
  measure_ = measure && most > 1;
  stage_ = measure_ ? Stage::warm_up : Stage::hold;
  chosen_ = most;
  per_sample_.resize(candidates_.size());
  dropped_.resize(candidates_.size());
}

ThreadChoice::~ThreadChoice() {
  if (applied_ != 0) omp_set_num_threads(caller_threads_);
}

int ThreadChoice::current() const {
  if (stage_ == Stage::probe) return candidates_[candidate_];
  return stage_ == Stage::warm_up ? 1 : chosen_;
}

void ThreadChoice::apply(int threads) {
  if (!measure_ || threads == applied_) return;
  omp_set_num_threads(threads);
  applied_ = threads;
}

int ThreadChoice::next() {
  const int n = current();
  apply(n);
  return n;
}

void ThreadChoice::settle() { apply(chosen_); }

void ThreadChoice::done(double wall_seconds, int64_t samples) {
  seconds_by_threads_[current()] += wall_seconds;
  if (!measure_) return;
  if (stage_ == Stage::hold) {
    hold_left_ -= wall_seconds;
    if (hold_left_ <= 0) start_probe();
    return;
  }
  if (stage_ == Stage::probe) probe_seconds_ += wall_seconds;
  slot_.seconds += wall_seconds;
  slot_.samples += samples;
  if (slot_.seconds < kSlotSeconds) return;
  const Slot slot = slot_;
  slot_ = {};
  if (stage_ == Stage::warm_up) {
    start_probe();
    return;
  }
  per_sample_[candidate_].push_back(slot.seconds / static_cast<double>(std::max<int64_t>(slot.samples, 1)));
  const size_t n = candidates_.size();
  do ++candidate_;
  while (candidate_ < n && dropped_[candidate_]);
  if (candidate_ < n) return;
  if (round_ == 0) {  // a team more than twice as slow as the best cannot win: no more slots for it
    double best = per_sample_[0][0];
    for (size_t c = 1; c < n; ++c) best = std::min(best, per_sample_[c][0]);
    for (size_t c = 0; c < n; ++c) dropped_[c] = per_sample_[c][0] > 2 * best;
  }
  candidate_ = 0;
  while (dropped_[candidate_]) ++candidate_;  // the best is never dropped
  if (++round_ == kRounds || std::count(dropped_.begin(), dropped_.end(), false) == 1) finish_probe();
}

void ThreadChoice::start_probe() {
  stage_ = Stage::probe;
  probe_seconds_ = 0;
  round_ = 0;
  candidate_ = 0;
  slot_ = {};
  for (auto& figures : per_sample_) figures.clear();
  std::fill(dropped_.begin(), dropped_.end(), false);
}

void ThreadChoice::finish_probe() {
  size_t pick = candidates_.size();
  double pick_median = 0;
  for (size_t c = 0; c < candidates_.size(); ++c) {
    if (dropped_[c]) continue;
    const double m = median(per_sample_[c]);
    if (pick == candidates_.size() || m < pick_median * (1 - kMargin)) pick = c, pick_median = m;
  }
  const int before = chosen_;
  chosen_ = candidates_[pick];
  hold_seconds_ = probes_ > 0 && chosen_ == before ? std::min(2 * hold_seconds_, kLongestHoldSeconds) : kFirstHoldSeconds;
  hold_left_ = std::max(hold_seconds_, kHoldPerProbe * probe_seconds_);
  ++probes_;
  stage_ = Stage::hold;
}

}  // namespace plasticore
