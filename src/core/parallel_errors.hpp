// An exception thrown inside an OpenMP parallel loop would terminate the program: the loop body runs
// through ParallelErrors::run, which keeps the first exception, and rethrow() raises it after the loop.
#pragma once
#include <exception>
#include <mutex>

namespace plasticore {

class ParallelErrors {
 public:
  template <typename F>
  void run(F&& body) noexcept {
    try {
      body();
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (!first_) first_ = std::current_exception();
    }
  }
  void rethrow() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::mutex mutex_;
  std::exception_ptr first_;
};

}  // namespace plasticore
