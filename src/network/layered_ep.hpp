// Layered equilibrium-propagation network: input -> hidden... -> output, each weight matrix W_l
// (layer l post x layer l-1 pre) used forward and, transposed, as symmetric feedback from layer l to
// layer l-1. The input is clamped. Weights live in substrates; biases are digital, on the host.
// Names in the run record: w1, b1 (input -> first hidden), w2, b2, ... and the substrates' state sections.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "substrate/substrate.hpp"

namespace plasticore {

class LayeredEPNetwork {
 public:
  // sizes = {n_input, n_hidden..., n_output}; every weight matrix from `substrates`.
  LayeredEPNetwork(std::vector<int> sizes, const SubstrateFactory& substrates);

  int weight_layers() const { return static_cast<int>(weights_.size()); }
  const std::vector<int>& sizes() const { return sizes_; }
  Substrate& weight(int l) { return *weights_[static_cast<size_t>(l)]; }  // l = 0 is input -> first hidden
  const Substrate& weight(int l) const { return *weights_[static_cast<size_t>(l)]; }
  Vector& bias(int l) { return biases_[static_cast<size_t>(l)]; }
  const Vector& bias(int l) const { return biases_[static_cast<size_t>(l)]; }
  static std::string weight_name(int l) { return "w" + std::to_string(l + 1); }
  static std::string bias_name(int l) { return "b" + std::to_string(l + 1); }

  // Counts every weight matrix's operations into `counters` (nullptr: none).
  void set_counters(OpCounters* counters) {
    for (auto& w : weights_) w->set_counters(counters);
  }

  // Glorot-uniform weights times a per-layer scale, zero biases.
  void initialize(uint64_t seed, const std::vector<double>& init_scale);

  // Weights, biases and substrate state, by name.
  void save(NamedTensors& out) const;
  void restore(const NamedTensors& in);

 private:
  std::vector<int> sizes_;
  std::vector<std::unique_ptr<Substrate>> weights_;
  std::vector<Vector> biases_;
};

}  // namespace plasticore
