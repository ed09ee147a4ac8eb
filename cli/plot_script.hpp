// Runs scripts/plot_run.py (matplotlib) under Debian's /usr/bin/python3 for `plasticore plot` and
// `plasticore stdp`. The script is $PLASTICORE_PLOT_SCRIPT if set, else scripts/plot_run.py found by
// core/data_files.hpp (installed beside the binary, or in the source tree of a build).
// Its standard output passes through; if it fails, RuntimeError carries the last line of its stderr.
#pragma once
#include <string>
#include <vector>

namespace plasticore {

void run_plot_script(const std::vector<std::string>& arguments);

}  // namespace plasticore
