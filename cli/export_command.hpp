// `plasticore export RUN_DIR --npz FILE`: every tensor of a run record (weights, biases, history,
// optimizer and substrate state, the config as text) as a standard NumPy .npz, the same names that
// plasticore.load_run gives (docs/architecture.md, "The run record").
// `plasticore export RUN_DIR --nir FILE`: the trained recurrent network of an e-prop / BPTT run as a NIR
// graph in HDF5 (io/nir.hpp, docs/nir.md); what NIR cannot express is said on stderr, one line each.
#pragma once
#include <string>

#include "command.hpp"

namespace plasticore {

class ExportCommand final : public Command {
 public:
  explicit ExportCommand(CLI::App& app);
  int run() override;

 private:
  std::string target_, npz_, nir_;
};

}  // namespace plasticore
