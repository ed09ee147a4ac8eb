// Global drift compensation, one piece of a device substrate (aihwkit's GlobalDriftCompensation; Joshi et
// al., Nat. Commun. 11:2473, 2020): right after a matrix is programmed the chip reads it once with an
// all-ones input through the periphery (a noisy read like any other); whenever time has passed it repeats
// that read and scales every output by alpha = reference / now, a reading being the mean |y_i| over the
// output lines. Key: substrate.drift_compensation (default false).
#pragma once
#include <algorithm>

#include "core/tensor.hpp"

namespace plasticore {

struct DriftCompensationParams {
  bool enabled = false;
};

class GlobalDriftCompensation {
 public:
  void calibrate(Scalar reading) {
    reference_ = reading;
    factor_ = 1;
  }
  void compensate(Scalar reading) {
    factor_ = reference_ > 0 ? reference_ / std::max(reading, kSmallestReading) : Scalar(1);
  }
  void reset() { reference_ = 0, factor_ = 1; }
  Scalar factor() const { return factor_; }
  Scalar reference() const { return reference_; }
  // From a run record (both already validated: reference >= 0, factor > 0).
  void restore(Scalar reference, Scalar factor) { reference_ = reference, factor_ = factor; }

 private:
  static constexpr Scalar kSmallestReading = 1e-4f;  // aihwkit's clamp: a dead array is not divided by 0
  Scalar reference_ = 0, factor_ = 1;
};

}  // namespace plasticore
