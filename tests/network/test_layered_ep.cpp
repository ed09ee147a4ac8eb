// The layered EP network (network/layered_ep.hpp): Glorot-uniform initialisation within its bound per
// layer, reproducible from the seed and different across seeds; matrices by name on their substrates
// (each matrix asks the factory for its own substrate); save/restore round trip.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "network/layered_ep.hpp"
#include "substrate/ideal.hpp"
#include "substrate/quantized.hpp"

namespace plasticore {
namespace {

TEST(LayeredEPNetwork, GlorotInitialisationPerLayerFromTheSeed) {
  LayeredEPNetwork a({30, 20, 6}, ideal_substrates()), b({30, 20, 6}, ideal_substrates()), c({30, 20, 6}, ideal_substrates());
  a.initialize(5, {1.0, 0.5});
  b.initialize(5, {1.0, 0.5});
  c.initialize(6, {1.0, 0.5});
  for (int l = 0; l < 2; ++l) {
    const Matrix& w = a.weight(l).weights();
    const double bound = (l == 0 ? 1.0 : 0.5) * std::sqrt(6.0 / (a.sizes()[l] + a.sizes()[l + 1]));
    EXPECT_LE(w.cwiseAbs().maxCoeff(), bound);
    EXPECT_GT(w.cwiseAbs().maxCoeff(), 0.8 * bound) << "fills its range";
    EXPECT_NEAR(w.mean(), 0, 4 * bound / std::sqrt(3.0 * static_cast<double>(w.size())));  // 4 sd of the mean
    EXPECT_EQ(w, b.weight(l).weights());
    EXPECT_NE(w, c.weight(l).weights());
    EXPECT_EQ(a.bias(l), Vector::Zero(a.sizes()[l + 1]));
  }
}

TEST(LayeredEPNetwork, EachMatrixGetsItsOwnSubstrateByName) {
  std::vector<std::string> asked;
  LayeredEPNetwork net({4, 3, 2}, [&](const std::string& name, int rows, int cols) -> std::unique_ptr<Substrate> {
    asked.push_back(name);
    if (name == "w2") {
      SubstrateConfig c;
      c.quantized.bits = 2;
      return std::make_unique<QuantizedSubstrate>(rows, cols, c);
    }
    return std::make_unique<IdealSubstrate>(rows, cols);
  });
  EXPECT_EQ(asked, (std::vector<std::string>{"w1", "w2"}));
  EXPECT_EQ(net.weight(0).kind(), "ideal");
  EXPECT_EQ(net.weight(1).kind(), "quantized");
  EXPECT_EQ(net.weight(1).rows(), 2);
  EXPECT_EQ(net.weight(1).cols(), 3);
  EXPECT_EQ(LayeredEPNetwork::weight_name(0), "w1");
  EXPECT_EQ(LayeredEPNetwork::bias_name(1), "b2");
}

TEST(LayeredEPNetwork, SaveAndRestoreByName) {
  LayeredEPNetwork a({5, 4, 3}, ideal_substrates()), b({5, 4, 3}, ideal_substrates());
  a.initialize(2, {1.0});
  a.bias(0).setConstant(0.25f);
  NamedTensors t;
  a.save(t);
  EXPECT_TRUE(t.has("w1") && t.has("b1") && t.has("w2") && t.has("b2"));
  EXPECT_EQ(t.at("b1").shape, (std::vector<int64_t>{4}));
  b.restore(t);
  EXPECT_EQ(b.weight(0).weights(), a.weight(0).weights());
  EXPECT_EQ(b.bias(0), a.bias(0));
  EXPECT_THROW(LayeredEPNetwork({2}, ideal_substrates()), UsageError);
}

}  // namespace
}  // namespace plasticore
