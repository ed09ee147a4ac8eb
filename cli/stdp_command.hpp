// `plasticore stdp CONFIG --out DIR`: the EqSpike rule's STDP window (docs/stdp.md), measured from a
// short training run (DIR/stdp.csv) and from the controlled two-neuron protocol (DIR/stdp_protocol.csv),
// with DIR/stdp.json (how it was measured) and DIR/stdp.png (both windows).
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plasticore {

class StdpCommand {
 public:
  explicit StdpCommand(CLI::App& app);
  bool chosen() const { return command_->parsed(); }
  int run() const;

 private:
  CLI::App* command_;
  std::string config_path_, out_dir_;
  std::vector<std::string> overrides_;
  int64_t samples_ = 2000;
  int synapses_ = 1000;
  std::optional<int64_t> seed_;
  std::optional<int> threads_;
};

}  // namespace plasticore
