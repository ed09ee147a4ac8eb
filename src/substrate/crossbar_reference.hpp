// Plain reference of the crossbar product of crossbar.hpp: one output line at a time, one input at a
// time, no gathering, no scratch. It exists to check the optimised version (tests/substrate).
#pragma once
#include "substrate/crossbar.hpp"

namespace plasticore {

void reference_crossbar_matvec(const Matrix& w, const Matrix& variance, const Scalar* x, Scalar* y,
                               const PeripheryParams& p, Rng& rng);

}  // namespace plasticore
