#include "stdp_command.hpp"

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "analysis/stdp_protocol.hpp"
#include "analysis/stdp_training.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "plot_script.hpp"
#include "train/run.hpp"

namespace fs = std::filesystem;

namespace plasticore {

StdpCommand::StdpCommand(CLI::App& app) {
  app_ = app.add_subcommand("stdp", "STDP window of the EqSpike rule: from training and from a two-neuron protocol");
  app_->add_option("config", config_path_, "EqSpike config (TOML)")->required();
  app_->add_option("--out", out_dir_, "directory for stdp.csv, stdp_protocol.csv, stdp.json, stdp.png")->required();
  app_->add_option("--samples", samples_, "training samples of the short run (default 2000)")->check(CLI::Range(int64_t{1}, int64_t{1} << 31));
  app_->add_option("--synapses", synapses_, "synapses logged per weight matrix (default 1000)")->check(CLI::Range(1, 1 << 24));
  app_->add_option("--set", overrides_, "override a config key: key=value (repeatable)")->allow_extra_args(false);
  app_->add_option("--seed", seed_, "random seed");
  app_->add_option("--threads", threads_, "worker threads")->check(CLI::Range(1, 1024));
}

int StdpCommand::run() {
  ConfigReader reader = ConfigReader::from_file(config_path_);
  for (const auto& o : overrides_) reader.set_override(o);
  if (seed_) reader.set_override("seed=" + std::to_string(*seed_));
  if (threads_) reader.set_override("threads=" + std::to_string(*threads_));
  const RunSpec spec = read_run_spec(reader);
  set_threads(spec.threads);
  // Before anything is written: bad data leaves no output directory.
  BuiltRun run = build_run(spec, /*need_train=*/true);
  EPLearner& learner = require_two_factor_learner(*run.learner, spec.algorithm, config_path_);
  learner.initialize();
  const RelaxationParams relax = learner.relaxation();
  const StdpProtocolResult protocol = run_stdp_protocol({relax.leak, relax.trace_rate, 0, 20, relax.trace_of_spikes});
  std::fprintf(stderr, "plasticore: stdp %s: training on %lld samples, logging %d synapses per weight matrix\n",
               spec.name.c_str(), static_cast<long long>(std::min<int64_t>(samples_, run.dataset->size(Split::train))), synapses_);
  const StdpTrainingResult training = measure_stdp_in_training(learner, *run.dataset, samples_, synapses_, spec.seed,
                                                                 spec.trainer.seconds_per_update);

  std::error_code ec;
  fs::create_directories(out_dir_, ec);
  if (ec) throw RuntimeError(out_dir_ + ": cannot create the directory: " + ec.message());
  write_file_atomic(out_dir_ + "/stdp.csv", training.window.csv());
  write_file_atomic(out_dir_ + "/stdp_protocol.csv", protocol.window.csv());
  const nlohmann::json info = {
      {"config", config_path_},
      {"name", spec.name},
      {"leak", relax.leak},
      {"trace_rate", relax.trace_rate},
      {"post_trace", relax.trace_of_spikes ? "spikes" : "state"},
      {"training", {{"samples", training.samples},
                    {"synapses_logged", training.synapses},
                    {"pairings", training.window.count()},
                    {"unpaired", training.unpaired},
                    {"beta", learner.learning().beta},
                    {"learning_rates", learner.learning().learning_rates},
                    {"seed", spec.seed},
                    {"columns", {"dt_steps", "mean_dw", "standard_error", "count"}},
                    {"window", training.window.rows()},
                    {"plus_beta_phases", training.plus_beta.rows()},
                    {"minus_beta_phases", training.minus_beta.rows()}}},
      {"protocol", {{"drive", protocol.drive}, {"latency_steps", protocol.latency}, {"pre_post_weight", 0}}}};
  write_file_atomic(out_dir_ + "/stdp.json", info.dump(2) + "\n");
  run_plot_script({"--stdp", out_dir_});
  std::printf("stdp: %lld pairings on %lld synapses over %lld training samples (%lld without a spike of the paired "
              "neuron); protocol: post spike %d steps after its drive starts -> %s/stdp.csv, stdp_protocol.csv, stdp.png\n",
              static_cast<long long>(training.window.count()), static_cast<long long>(training.synapses),
              static_cast<long long>(training.samples), static_cast<long long>(training.unpaired), protocol.latency,
              out_dir_.c_str());
  return 0;
}

}  // namespace plasticore
