#include "analysis/stdp_window.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace plasticore {

double StdpWindow::Bin::standard_error() const {
  if (count < 2) return 0.0;
  const double n = static_cast<double>(count), mean = sum_dw / n;
  return std::sqrt(std::max(0.0, sum_squared_dw / n - mean * mean) / (n - 1));
}

int64_t StdpWindow::count() const {
  int64_t n = 0;
  for (const auto& [dt, bin] : bins_) n += bin.count;
  return n;
}

std::string StdpWindow::csv() const {
  std::ostringstream ss;
  ss.precision(9);
  ss << "dt_steps,mean_dw,count\n";
  for (const auto& [dt, bin] : bins_) ss << dt << ',' << bin.mean_dw() << ',' << bin.count << '\n';
  return ss.str();
}

nlohmann::json StdpWindow::rows() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [dt, bin] : bins_) rows.push_back({dt, bin.mean_dw(), bin.standard_error(), bin.count});
  return rows;
}

}  // namespace plasticore
