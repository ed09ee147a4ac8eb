// An STDP window: weight changes binned by the spike-time difference dt = t_post - t_pre (time steps),
// as `plasticore stdp` writes it (docs/stdp.md). A bin keeps the number of its changes and the sums of
// them and of their squares (for the standard error of the mean).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace plasticore {

class StdpWindow {
 public:
  struct Bin {
    double sum_dw = 0, sum_squared_dw = 0;
    int64_t count = 0;
    double mean_dw() const { return count > 0 ? sum_dw / static_cast<double>(count) : 0.0; }
    double standard_error() const;  // of mean_dw; 0 for fewer than two changes
  };

  void add(int dt_steps, double dw) {
    Bin& bin = bins_[dt_steps];
    bin.sum_dw += dw;
    bin.sum_squared_dw += dw * dw;
    ++bin.count;
  }
  const std::map<int, Bin>& bins() const { return bins_; }
  int64_t count() const;
  // "dt_steps,mean_dw,count" and one row per non-empty bin, in increasing dt.
  std::string csv() const;
  // [[dt_steps, mean_dw, standard_error, count], ...] in increasing dt.
  nlohmann::json rows() const;

 private:
  std::map<int, Bin> bins_;
};

}  // namespace plasticore
