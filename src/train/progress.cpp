#include "train/progress.hpp"

#include <cstdio>

namespace plasticore {

void ProgressBar::begin(const std::string& label, long total) {
  label_ = label;
  total_ = total;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgressBar::update(long done, double running_figure, bool is_accuracy) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const int width = 30;
  const int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(width, '.');
  if (is_accuracy)
    std::fprintf(stderr, "\r%s [%s] %ld/%ld  %.0f samples/s  train acc %.2f%%  ", label_.c_str(), bar.c_str(), done,
                 total_, seconds > 0 ? done / seconds : 0.0, 100.0 * running_figure);
  else
    std::fprintf(stderr, "\r%s [%s] %ld/%ld  %.0f samples/s  train loss %.4f  ", label_.c_str(), bar.c_str(), done,
                 total_, seconds > 0 ? done / seconds : 0.0, running_figure);
  std::fflush(stderr);
}

void ProgressBar::end() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace plasticore
