// Error types that map to the CLI's exit codes: usage errors (bad arguments, configs) exit 2,
// runtime errors (bad data files, I/O) exit 1. Messages are one line and name the file or key.
#pragma once
#include <stdexcept>
#include <string>

namespace plasticore {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Training produced non-finite weights: an outcome of the hyper-parameters (a sweep records it and goes on).
class DivergedError : public RuntimeError {
 public:
  using RuntimeError::RuntimeError;
};

// Training stopped on request (SIGINT, KeyboardInterrupt) between two batches, after writing a checkpoint
// that --resume continues from; the message says where. The CLI exits 130, Python raises KeyboardInterrupt.
class TrainingInterrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace plasticore
