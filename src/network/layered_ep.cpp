#include "network/layered_ep.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/rng.hpp"

namespace plasticore {

LayeredEPNetwork::LayeredEPNetwork(std::vector<int> sizes, const SubstrateFactory& substrates) : sizes_(std::move(sizes)) {
  if (sizes_.size() < 2) throw UsageError("network: needs at least an input and an output layer");
  for (size_t l = 1; l < sizes_.size(); ++l) {
    weights_.push_back(substrates(weight_name(static_cast<int>(l) - 1), sizes_[l], sizes_[l - 1]));
    biases_.push_back(Vector::Zero(sizes_[l]));
  }
}

void LayeredEPNetwork::initialize(uint64_t seed, const std::vector<double>& init_scale) {
  for (int l = 0; l < weight_layers(); ++l) {
    Rng rng(seed, "init_weights", static_cast<uint64_t>(l));
    const int post = sizes_[static_cast<size_t>(l) + 1], pre = sizes_[static_cast<size_t>(l)];
    const double scale = init_scale.empty() ? 1.0 : init_scale[std::min(init_scale.size() - 1, static_cast<size_t>(l))];
    const double limit = scale * std::sqrt(6.0 / (pre + post));
    Matrix w(post, pre);
    for (Eigen::Index j = 0; j < w.cols(); ++j)
      for (Eigen::Index i = 0; i < w.rows(); ++i) w(i, j) = static_cast<Scalar>((2.0 * rng.uniform_double() - 1.0) * limit);
    weights_[static_cast<size_t>(l)]->set_weights(w);
    biases_[static_cast<size_t>(l)].setZero();
  }
}

void LayeredEPNetwork::save(NamedTensors& out) const {
  for (int l = 0; l < weight_layers(); ++l) {
    save_matrix(out, weight_name(l), weight(l));
    out.put_vector(bias_name(l), std::vector<float>(bias(l).data(), bias(l).data() + bias(l).size()));
  }
}

void LayeredEPNetwork::restore(const NamedTensors& in) {
  for (int l = 0; l < weight_layers(); ++l) {
    restore_matrix(in, weight_name(l), weight(l));
    const std::vector<float> b = in.floats(bias_name(l), bias(l).size());
    bias(l) = Eigen::Map<const Vector>(b.data(), bias(l).size());
    if (!bias(l).allFinite()) throw RuntimeError(in.source() + ": " + bias_name(l) + " has a NaN or infinite bias");
  }
}

}  // namespace plasticore
