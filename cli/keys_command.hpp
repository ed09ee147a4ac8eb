// `plasticore keys`: every config key of every registered algorithm, dataset and substrate, with type,
// default, range and meaning, as Markdown (the content of docs/configuration.md, train/config_doc.hpp).
#pragma once
#include "command.hpp"

namespace plasticore {

class KeysCommand final : public Command {
 public:
  explicit KeysCommand(CLI::App& app);
  int run() override;
};

}  // namespace plasticore
