#include "plot_script.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "core/data_files.hpp"
#include "core/error.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace plasticore {

namespace {

std::string find_script() {
  if (const char* chosen = std::getenv("PLASTICORE_PLOT_SCRIPT")) {
    if (!fs::is_regular_file(chosen)) throw RuntimeError(std::string("PLASTICORE_PLOT_SCRIPT: no such file: ") + chosen);
    return chosen;
  }
  try {
    return data_file("scripts/plot_run.py");
  } catch (const RuntimeError& e) {
    throw RuntimeError(std::string(e.what()) + "; set PLASTICORE_PLOT_SCRIPT to the path of plot_run.py");
  }
}

std::string last_line(const std::string& text) {
  const size_t end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

}  // namespace

void run_plot_script(const std::vector<std::string>& arguments) {
  const std::string python = PLASTICORE_PLOT_PYTHON, script = find_script();
  if (access(python.c_str(), X_OK) != 0) throw RuntimeError("plotting needs " + python + " with matplotlib (scripts/setup.sh)");
  std::vector<std::string> words = {python, script};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  int err[2];
  if (pipe(err) != 0) throw RuntimeError("plot: cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);  // captured: its last line is the error
  posix_spawn_file_actions_addclose(&actions, err[0]);
  posix_spawn_file_actions_addclose(&actions, err[1]);
  std::fflush(stdout);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(err[1]);
  std::string messages;
  char buffer[4096];
  for (ssize_t n; spawned == 0 && (n = read(err[0], buffer, sizeof buffer)) > 0;) messages.append(buffer, static_cast<size_t>(n));
  close(err[0]);
  if (spawned != 0) throw RuntimeError("plot: cannot start " + python);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string why = last_line(messages);
    throw RuntimeError(why.empty() ? script + " failed" : why);
  }
  std::fputs(messages.c_str(), stderr);  // warnings of a successful run
}

}  // namespace plasticore
