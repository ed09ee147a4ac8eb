// `plasticore stdp CONFIG --out DIR`: the EqSpike rule's STDP window (docs/stdp.md), measured from a
// short training run (DIR/stdp.csv) and from the controlled two-neuron protocol (DIR/stdp_protocol.csv),
// with DIR/stdp.json (how it was measured) and DIR/stdp.png (both windows).
#pragma once
#include "command.hpp"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plasticore {

class StdpCommand final : public Command {
 public:
  explicit StdpCommand(CLI::App& app);
  int run() override;

 private:
  std::string config_path_, out_dir_;
  std::vector<std::string> overrides_;
  int64_t samples_ = 2000;
  int synapses_ = 1000;
  std::optional<int64_t> seed_;
  std::optional<int> threads_;
};

}  // namespace plasticore
