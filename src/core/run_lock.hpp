// One writer per run directory: RUN_DIR/.lock held with flock(2) for as long as a process writes the run.
// A second `plasticore train --out DIR` (or --resume DIR) gets a UsageError naming the directory and the
// pid that holds it. The kernel drops the lock when its holder dies, so a killed run (kill -9) never
// leaves a stale lock behind: the file stays, the lock does not.
#pragma once
#include <string>

namespace plasticore {

class RunDirectoryLock {
 public:
  RunDirectoryLock() = default;
  explicit RunDirectoryLock(const std::string& run_dir);  // run_dir must exist
  ~RunDirectoryLock();
  RunDirectoryLock(RunDirectoryLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunDirectoryLock& operator=(RunDirectoryLock&& other) noexcept;
  RunDirectoryLock(const RunDirectoryLock&) = delete;
  RunDirectoryLock& operator=(const RunDirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace plasticore
