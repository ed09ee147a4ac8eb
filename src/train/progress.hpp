// Progress of a long run: on a terminal, a bar redrawn at most 5 times a second with samples/s and the
// running training accuracy (or loss); otherwise nothing until the trainer logs one line per epoch.
#pragma once
#include <chrono>
#include <string>

namespace plasticore {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void begin(const std::string& label, long total);
  void update(long done, double running_figure, bool is_accuracy);
  void end();
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
  std::string label_;
  long total_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace plasticore
