// plasticore: command-line tool. One class per subcommand, in its own file (cli/command.hpp):
//   train   cli/train_command.cpp   train (or --resume) any algorithm from a TOML config
//   eval    cli/eval_command.cpp    test figures of a saved run
//   energy  cli/energy_command.cpp  joules per sample on each technology
//   plot    cli/plot_command.cpp    PNG figures of a run
//   stdp    cli/stdp_command.cpp    the EqSpike rule's STDP window
//   drift   cli/drift_command.cpp   a trained model on drifting PCM
//   export  cli/export_command.cpp  a run's tensors as .npz
//   keys    cli/keys_command.cpp    every config key (docs/configuration.md)
//   sweep   cli/sweep_command.cpp   a grid of runs x seeds, one table of their final metrics
// Exit codes: 0 success, 1 runtime error, 2 usage error, 130 training interrupted (SIGINT; a checkpoint
// to resume from is written).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <vector>

#include "core/communicator.hpp"
#include "core/error.hpp"
#include "drift_command.hpp"
#include "energy_command.hpp"
#include "eval_command.hpp"
#include "export_command.hpp"
#include "keys_command.hpp"
#include "plot_command.hpp"
#include "stdp_command.hpp"
#include "sweep_command.hpp"
#include "train_command.hpp"

using namespace plasticore;

namespace {

// A failed rank stops the others: they would wait in the next collective forever.
int fail(int code) {
  if (world().size() > 1) world().abort(code);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  init_world(&argc, &argv);  // MPI under mpirun (docs/scaling.md); serial otherwise
  struct FinishWorld {
    ~FinishWorld() { finish_world(); }
  } finish;
  CLI::App app{"plasticore: spiking networks trained with local learning rules on models of neuromorphic hardware"};
  app.set_version_flag("--version", std::string("plasticore ") + PLASTICORE_VERSION);
  app.require_subcommand(1);
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(std::make_unique<TrainCommand>(app));
  commands.push_back(std::make_unique<EvalCommand>(app));
  commands.push_back(std::make_unique<EnergyCommand>(app));
  commands.push_back(std::make_unique<PlotCommand>(app));
  commands.push_back(std::make_unique<StdpCommand>(app));
  commands.push_back(std::make_unique<DriftCommand>(app));
  commands.push_back(std::make_unique<ExportCommand>(app));
  commands.push_back(std::make_unique<KeysCommand>(app));
  commands.push_back(std::make_unique<SweepCommand>(app));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return fail(rc == 0 ? 0 : 2);
  }
  int rc = 2;
  try {
    for (const auto& command : commands)
      if (command->chosen()) {
        rc = command->run();
        break;
      }
  } catch (const TrainingInterrupted& e) {
    std::fprintf(stderr, "plasticore: %s\n", e.what());
    return fail(130);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "plasticore: error: %s\n", e.what());
    return fail(2);
  } catch (const RuntimeError& e) {
    std::fprintf(stderr, "plasticore: error: %s\n", e.what());
    return fail(1);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "plasticore: error: %s\n", e.what());
    return fail(1);
  }
  return rc;
}
