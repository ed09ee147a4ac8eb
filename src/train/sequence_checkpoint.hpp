// Binary checkpoint of a sequence run (train/sequence_trainer.hpp): the resolved config, the epochs
// done, the per-epoch records (as JSON text), W_in, W_rec, W_out and the optimizer state (update count,
// Adam moments), so `train --resume` continues exactly. Written atomically at the end of every epoch.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "learn/optimizer.hpp"

namespace plasticore {

struct SequenceCheckpoint {
  std::string config_toml;
  int epochs_done = 0;
  double wall_seconds = 0;
  nlohmann::json history = nlohmann::json::array();  // one object per epoch (the metrics.csv rows)
  std::vector<Matrix> weights;                       // W_in, W_rec, W_out (and B with adaptive feedback)
  OptimizerState optimizer;
};

bool is_sequence_checkpoint(const std::string& path);  // by its magic; false if unreadable
void write_sequence_checkpoint(const std::string& path, const SequenceCheckpoint& ck);
SequenceCheckpoint read_sequence_checkpoint(const std::string& path);  // RuntimeError naming the file

}  // namespace plasticore
