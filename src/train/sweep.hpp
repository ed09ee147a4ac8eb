// A grid of runs of one config: every combination of the values of some keys, each with several seeds,
// trained one after another (or one run per group of MPI ranks), then one table of the final metrics with
// mean ± sd over the seeds (sweep.csv, sweep.md). Runs that finished are kept and a killed run resumes
// from its checkpoint, so a sweep that was stopped is continued by running the same command again.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plasticore {

// One key and the values it takes ("train.learning_rate=0.01,0.02" -> 2 values). Commas inside
// brackets, braces or quotes belong to the value: "network.hidden=[500],[500, 500]".
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};
SweepAxis parse_sweep_axis(const std::string& assignment);
// "1,2,3" or "1-5" or both ("1-3,7"); UsageError naming --seeds on anything else.
std::vector<int64_t> parse_seed_list(const std::string& text);

struct SweepRequest {
  std::string config_path;
  std::vector<std::string> sets;  // key=v1,v2,...
  std::string seeds;              // empty: the config's seed
  std::string out_dir;            // default runs/sweep-<config>-<timestamp>
  std::optional<int> threads;
  int ranks_per_run = 1;          // under MPI: the size of each rank group
  bool progress = false;
};

struct SweepOutcome {
  std::string out_dir;
  int runs = 0, reused = 0, failed = 0;
  std::string table_markdown;  // the content of sweep.md (rank 0)
};

SweepOutcome run_sweep(const SweepRequest& request);

}  // namespace plasticore
