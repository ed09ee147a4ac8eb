#include "sweep_command.hpp"

#include <unistd.h>

#include <cstdio>

#include "core/communicator.hpp"

namespace plasticore {

SweepCommand::SweepCommand(CLI::App& app) {
  app_ = app.add_subcommand("sweep", "train a grid of configs x seeds and tabulate the final metrics (mean ± sd)");
  app_->add_option("config", request_.config_path, "config file (TOML)")->required();
  app_->add_option("--set", request_.sets,
                   "key=v1,v2,...: the values of one key (repeatable: the grid is every combination); "
                   "commas inside [...], {...} or quotes belong to a value")
      ->allow_extra_args(false);
  app_->add_option("--seeds", request_.seeds, "seeds of every point: 1,2,3 or 1-5 (default: the config's seed)");
  app_->add_option("--out", request_.out_dir,
                   "sweep directory: DIR/<key=value,...>/seed<S>/ per run, DIR/sweep.csv and sweep.md "
                   "(default runs/sweep-<config>-<timestamp>); run again to continue a stopped sweep");
  app_->add_option("--threads", request_.threads, "worker threads of each run")->check(CLI::Range(1, 1024));
  app_->add_option("--ranks-per-run", request_.ranks_per_run,
                   "under mpirun: ranks that train one run together (data-parallel); the others take other runs")
      ->check(CLI::Range(1, 65536));
}

int SweepCommand::run() {
  request_.progress = isatty(STDERR_FILENO) != 0;
  const SweepOutcome outcome = run_sweep(request_);
  if (!world().root()) return 0;
  std::printf("%s\n%d runs (%d kept from before, %d diverged); table in %s/sweep.md and sweep.csv\n",
              outcome.table_markdown.c_str(), outcome.runs, outcome.reused, outcome.failed, outcome.out_dir.c_str());
  return 0;
}

}  // namespace plasticore
