// Ctrl-C during training from Python. The trainer runs without the GIL, so Python's own SIGINT handler only
// records the signal; between two batches the trainer calls back here, we take the GIL and let Python run
// its handlers (PyErr_CheckSignals). If one raised (KeyboardInterrupt), the trainer is asked to stop: it
// writes its checkpoint and throws TrainingInterrupted, which raise_interrupt turns back into the Python
// exception, with the trainer's message (where the checkpoint is).
#pragma once
#include <pybind11/pybind11.h>

#include <optional>

#include "core/error.hpp"
#include "train/trainer.hpp"

namespace plasticore_python {

namespace py = pybind11;

class InterruptPoll {
 public:
  explicit InterruptPoll(plasticore::TrainingControl& control) {
    control.between_batches = [this, &control] {
      py::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() == 0) return;
      pending_.emplace();  // takes the exception the handler raised
      control.stop.store(true);
    };
  }
  // KeyboardInterrupt(message), or what else the signal handler raised; a stop without a signal: RuntimeError.
  [[noreturn]] void raise_interrupt(const plasticore::TrainingInterrupted& e) {
    if (pending_ && pending_->matches(PyExc_KeyboardInterrupt)) {
      pending_.reset();
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
      throw py::error_already_set();
    }
    if (pending_) throw *pending_;
    throw plasticore::RuntimeError(e.what());
  }

 private:
  std::optional<py::error_already_set> pending_;
};

}  // namespace plasticore_python
