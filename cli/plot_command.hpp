// `plasticore plot RUN_DIR [--out DIR]`: PNGs that explain a run (docs/plots.md): training curves, a
// spike raster and state / membrane traces of one test sample re-run from the final checkpoint, and,
// where the run directory has them, the STDP window, drift curves and conductance histograms.
#pragma once
#include "command.hpp"
#include <string>

namespace plasticore {

class PlotCommand final : public Command {
 public:
  explicit PlotCommand(CLI::App& app);
  int run() override;

 private:
  std::string run_dir_, out_dir_;
};

}  // namespace plasticore
