// Test helper: a layered EP network's weights and biases drawn from a stream, layer by layer, each weight
// matrix element by element (weight_scale * (u - 1/2)) and then its biases (bias_scale * u), u uniform in [0, 1).
#pragma once
#include "core/rng.hpp"
#include "network/layered_ep.hpp"

namespace plasticore {

inline void randomize_layers(LayeredEPNetwork& net, Rng& rng, Scalar weight_scale, Scalar bias_scale) {
  for (int l = 0; l < net.weight_layers(); ++l) {
    Matrix w(net.weight(l).rows(), net.weight(l).cols());
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = weight_scale * (rng.uniform() - 0.5f);
    net.weight(l).set_weights(w);
    for (Eigen::Index i = 0; i < net.bias(l).size(); ++i) net.bias(l)[i] = bias_scale * rng.uniform();
  }
}

}  // namespace plasticore
