// Property test for every substrate (and update scheme): random update requests — tiny, huge,
// signed, zero, infinite and NaN — with time advancing between them never give a NaN or infinite
// weight, a conductance outside the device's range, or a quantized weight outside its range; reads
// stay finite.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/rng.hpp"
#include "substrate/registry.hpp"
#include "substrate/memristor_device.hpp"
#include "substrate/pcm_device.hpp"
#include "substrate/pcm_inference_device.hpp"

namespace plasticore {
namespace {

struct Case {
  std::string kind, update, rounding = "stochastic";
  int devices = 1;
  float g_max;
};

TEST(SubstrateProperties, RandomUpdatesNeverGiveNaNOrOutOfRangeConductances) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<Case> cases = {{"quantized", "", "deterministic", 1, 0}, {"quantized", "", "stochastic", 1, 0}};
  for (const std::string u : {"mixed_precision", "stochastic", "sign", "multi_device"}) {
    const int n = u == "multi_device" ? 3 : 1;
    cases.push_back({"pcm", u, "", n, PcmDevice::g_max_uS});
    cases.push_back({"memristor", u, "", n, MemristorDevice::g_max_uS});
  }
  for (const Case& k : cases) {
    SubstrateConfig c;
    c.kind = k.kind;
    c.quantized.bits = 3;
    c.mapping.automatic = false, c.mapping.range = 0.5;
    c.quantized.rounding = k.rounding;
    c.update.scheme = update_scheme_from_name(k.update.empty() ? "mixed_precision" : k.update);
    c.update.devices_per_sign = k.devices;
    c.periphery.tile_size = 4;
    c.update.seconds_per_update = 100;
    const auto s = make_substrate(c, 5, 7);
    Rng rng(7, "property", std::hash<std::string>{}(k.kind + k.update + k.rounding));
    s->set_weights(Matrix::Constant(5, 7, 0.2f));
    Matrix d(5, 7), x(7, 2), y;
    for (int step = 0; step < 80; ++step) {
      for (Eigen::Index i = 0; i < d.size(); ++i) {
        const float u = rng.uniform();
        const float magnitude = std::pow(10.0f, -6.0f + 9.0f * rng.uniform());  // 1e-6 .. 1e3
        d.data()[i] = u < 0.02f ? nan : u < 0.04f ? inf : u < 0.06f ? -inf : u < 0.2f ? 0.0f
                                                                                   : (rng.uniform() < 0.5f ? -magnitude : magnitude);
      }
      s->update(d);
      s->advance(c.update.seconds_per_update);
      ASSERT_TRUE(s->weights().allFinite()) << k.kind << " " << k.update << " step " << step;
      if (k.kind == "quantized") {
        ASSERT_LE(s->weights().cwiseAbs().maxCoeff(), 0.5f + 1e-6f) << k.rounding;
      } else {
        for (const float g : s->conductances_uS()) {
          ASSERT_GE(g, 0.0f) << k.kind << " " << k.update;  // drift may take a device below g_min, never below 0
          ASSERT_LE(g, k.g_max) << k.kind << " " << k.update;
          ASSERT_TRUE(std::isfinite(g));
        }
      }
    }
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform() - 0.5f;
    s->forward(x, y);
    ASSERT_TRUE(y.allFinite()) << k.kind;
    s->backward(y.topRows(5), x);
    ASSERT_TRUE(x.allFinite()) << k.kind;
  }
}

}  // namespace
}  // namespace plasticore
