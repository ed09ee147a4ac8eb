#include "export_command.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "io/nir.hpp"
#include "io/npz.hpp"
#include "train/run_record.hpp"
#include "train/saved_network.hpp"

namespace plasticore {

ExportCommand::ExportCommand(CLI::App& app) {
  app_ = app.add_subcommand("export", "write a run's tensors as a NumPy .npz, or its recurrent network as a NIR graph");
  app_->add_option("target", target_, "run directory or checkpoint file")->required();
  app_->add_option("--npz", npz_, "the .npz file to write (every tensor of the run record)");
  app_->add_option("--nir", nir_, "the NIR (HDF5) file to write (e-prop / BPTT runs: docs/nir.md)");
}

int ExportCommand::run() {
  if (npz_.empty() && nir_.empty()) throw UsageError("export: give --npz FILE and/or --nir FILE");
  if (!npz_.empty()) {
    const NamedTensors tensors = read_record_tensors(record_path(target_));
    write_npz(npz_, tensors);
    std::printf("%zu tensors of %s written to %s\n", tensors.all().size(), target_.c_str(), npz_.c_str());
  }
  if (!nir_.empty()) {
    const auto net = saved_recurrent_network(target_);
    for (const std::string& note : write_nir(nir_, *net)) std::fprintf(stderr, "plasticore: note: %s\n", note.c_str());
    const RecurrentSNNSizes& n = net->sizes();
    std::printf("NIR graph of %s (%d inputs, %d recurrent, %d outputs) written to %s\n", target_.c_str(), n.inputs,
                n.recurrent, n.outputs, nir_.c_str());
  }
  return 0;
}

}  // namespace plasticore
