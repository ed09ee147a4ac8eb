#include "plot_command.hpp"

#include <omp.h>

#include <cstdio>
#include <filesystem>

#include "analysis/sample_activity.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "plot_script.hpp"

namespace fs = std::filesystem;

namespace plasticore {

PlotCommand::PlotCommand(CLI::App& app) {
  app_ = app.add_subcommand("plot", "PNG figures of a run: training curves, spike raster, traces, STDP, drift, conductances");
  app_->add_option("run_dir", run_dir_, "run directory (from plasticore train)")->required();
  app_->add_option("--out", out_dir_, "where the PNGs go (default RUN_DIR)");
}

int PlotCommand::run() {
  if (!fs::is_directory(run_dir_)) throw UsageError(run_dir_ + ": no such run directory");
  if (!fs::is_regular_file(run_dir_ + "/metrics.csv"))
    throw UsageError(run_dir_ + ": not a run directory (no metrics.csv; runs are made by plasticore train)");
  const std::string out = out_dir_.empty() ? run_dir_ : out_dir_;
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw RuntimeError(out + ": cannot create the directory: " + ec.message());
  std::vector<std::string> arguments = {run_dir_, "--out", out};
  const std::string checkpoint = run_dir_ + "/checkpoint.bin";
  if (fs::is_regular_file(checkpoint)) {
    omp_set_num_threads(1);  // one sample: more threads would only spin
    const std::string activity = out + "/sample_activity.json";
    write_file_atomic(activity, record_sample_activity(checkpoint).dump() + "\n");
    arguments.insert(arguments.end(), {"--activity", activity});
  } else {
    std::fprintf(stderr, "plasticore: plot: %s has no checkpoint.bin: no spike raster or traces\n", run_dir_.c_str());
  }
  run_plot_script(arguments);
  return 0;
}

}  // namespace plasticore
