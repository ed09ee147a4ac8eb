#include "keys_command.hpp"

#include <cstdio>

#include "train/config_doc.hpp"

namespace plasticore {

KeysCommand::KeysCommand(CLI::App& app) {
  app_ = app.add_subcommand("keys", "every config key with type, default, range and meaning (docs/configuration.md)");
}

int KeysCommand::run() {
  std::fputs(configuration_markdown().c_str(), stdout);
  return 0;
}

}  // namespace plasticore
