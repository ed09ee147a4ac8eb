#include "substrate/factory.hpp"

#include "core/error.hpp"
#include "substrate/device_substrate.hpp"
#include "substrate/ideal.hpp"
#include "substrate/memristor_device.hpp"
#include "substrate/pcm_device.hpp"
#include "substrate/pcm_inference_device.hpp"
#include "substrate/quantized.hpp"

namespace plasticore {

std::unique_ptr<Substrate> make_substrate(const SubstrateConfig& config, int rows, int cols) {
  if (config.kind == "ideal") return std::make_unique<IdealSubstrate>(rows, cols);
  if (config.kind == "quantized") return std::make_unique<QuantizedSubstrate>(rows, cols, config);
  if (config.kind == "pcm" && config.mode == "inference")
    return std::make_unique<DeviceSubstrate<PcmInferenceDevice>>(rows, cols, config, "pcm");
  if (config.kind == "pcm") return std::make_unique<DeviceSubstrate<PcmDevice>>(rows, cols, config, "pcm");
  if (config.kind == "memristor") return std::make_unique<DeviceSubstrate<MemristorDevice>>(rows, cols, config, "memristor");
  throw UsageError("substrate.kind: unknown substrate '" + config.kind + "' (available: ideal, quantized, pcm, memristor)");
}

}  // namespace plasticore
