#include "substrate/factory.hpp"

#include "core/error.hpp"
#include "substrate/ideal.hpp"

namespace plasticore {

std::unique_ptr<Substrate> make_substrate(const SubstrateConfig& config, int rows, int cols) {
  if (config.kind == "ideal") return std::make_unique<IdealSubstrate>(rows, cols);
  throw UsageError("substrate.kind: unknown substrate '" + config.kind + "' (available: ideal)");
}

}  // namespace plasticore
