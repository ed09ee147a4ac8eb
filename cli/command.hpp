// One subcommand of the `plasticore` tool: it registers its options with CLI11 in its constructor and
// runs when chosen. Every command is one class in its own file (cli/<name>_command.cpp), listed once in
// cli/main.cpp. Errors are UsageError (exit 2) or RuntimeError (exit 1), caught in main.
#pragma once
#include <CLI/CLI.hpp>

namespace plasticore {

class Command {
 public:
  virtual ~Command() = default;
  bool chosen() const { return app_->parsed(); }
  virtual int run() = 0;

 protected:
  CLI::App* app_ = nullptr;
};

}  // namespace plasticore
