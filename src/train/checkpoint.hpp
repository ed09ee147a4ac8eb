// Binary checkpoint of a classification run: the resolved config, the epochs done, the per-epoch
// records and every weight matrix and bias. Written atomically (temporary file + rename) at the end
// of every epoch, so a run killed at any moment resumes from its last complete epoch.
#pragma once
#include <string>
#include <vector>

#include "network/layered_ep.hpp"

namespace plasticore {

struct EpochRecord {
  int epoch = 0;
  double train_accuracy = 0, test_accuracy = 0, epoch_seconds = 0, train_samples_per_second = 0, lr_scale = 1;
};

struct Checkpoint {
  std::string config_toml;
  int epochs_done = 0;
  double wall_seconds = 0;
  std::vector<EpochRecord> history;
  std::vector<Matrix> weights;
  std::vector<Vector> biases;
};

Checkpoint capture_checkpoint(const LayeredEPNetwork& net);
void restore_checkpoint(const Checkpoint& ck, LayeredEPNetwork& net);  // throws RuntimeError on shape mismatch
void write_checkpoint(const std::string& path, const Checkpoint& ck);
Checkpoint read_checkpoint(const std::string& path);  // throws RuntimeError naming the file

}  // namespace plasticore
