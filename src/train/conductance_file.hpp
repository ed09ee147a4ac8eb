// Writes a device substrate's conductances as RUN_DIR/conductances_<matrix>.npy: a 1-D float32 NumPy
// array of every device conductance in microsiemens. Nothing is written for digital substrates.
#pragma once
#include <string>

#include "substrate/substrate.hpp"

namespace plasticore {

void write_conductances(const std::string& path, const Substrate& substrate);

}  // namespace plasticore
