#include "export_command.hpp"

#include <cstdio>

#include "io/npz.hpp"
#include "train/run_record.hpp"

namespace plasticore {

ExportCommand::ExportCommand(CLI::App& app) {
  app_ = app.add_subcommand("export", "write a run's tensors (weights, history, device state) as a NumPy .npz");
  app_->add_option("target", target_, "run directory or checkpoint file")->required();
  app_->add_option("--npz", npz_, "the .npz file to write")->required();
}

int ExportCommand::run() {
  const NamedTensors tensors = read_record_tensors(record_path(target_));
  write_npz(npz_, tensors);
  std::printf("%zu tensors of %s written to %s\n", tensors.all().size(), target_.c_str(), npz_.c_str());
  return 0;
}

}  // namespace plasticore
