#include "analysis/stdp_window.hpp"

#include <sstream>

namespace plasticore {

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

}  // namespace plasticore
