// The recurrent network of a saved e-prop / BPTT run, rebuilt from its run record alone (the config and
// the weights; no data file is read, so a run can be exported without its data): what
// `plasticore export --nir` and plasticore.to_nir write (io/nir.hpp). A device run gives the effective
// weights its substrate held (Substrate::weights()), on ideal substrates.
#pragma once
#include <memory>
#include <string>

#include "network/recurrent_snn.hpp"

namespace plasticore {

// UsageError naming the run if it has no recurrent network (rate EP and EqSpike: docs/nir.md says why);
// the run record's errors otherwise.
std::unique_ptr<RecurrentSNN> saved_recurrent_network(const std::string& run_dir_or_file);

}  // namespace plasticore
