#include "core/sgd_sweep.hpp"

namespace plasticore {

// GCC fuses a multiply into a later add across statements unless told not to; clang fuses only within one statement,
// and each product here is a statement of its own. Out of line, so that every caller gets these roundings.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void sgd_sweep(Scalar* w, Scalar* g, Eigen::Index n, Scalar scale, Scalar step) {
#pragma GCC ivdep  // w and g are distinct matrices
  for (Eigen::Index i = 0; i < n; ++i) {
    const Scalar scaled = g[i] * scale;
    const Scalar change = step * scaled;
    w[i] += change;
    g[i] = 0;
  }
}

}  // namespace plasticore
