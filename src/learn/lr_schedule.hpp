// Learning-rate schedules over epochs: the factor on the configured rate at epoch e = 0..epochs-1.
//   constant  1
//   cosine    f + (1 - f) (1 + cos(pi e / (epochs - 1))) / 2   (from 1 at the first epoch to f at the last)
#pragma once
#include <cmath>
#include <string>

namespace plasticore {

inline double lr_scale_at(const std::string& schedule, double final_factor, int epoch, int epochs) {
  if (schedule == "constant" || epochs <= 1) return 1.0;
  const double progress = static_cast<double>(epoch) / (epochs - 1);
  return final_factor + (1.0 - final_factor) * 0.5 * (1.0 + std::cos(3.141592653589793 * progress));
}

}  // namespace plasticore
