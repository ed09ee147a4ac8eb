// The typed configuration of a sequence run (a recurrent SNN trained with e-prop or BPTT on a task of
// data/sequence_task.hpp), read from TOML. Keys, defaults and ranges: docs/configuration.md, "Sequence
// tasks"; defaults depend on task.name (Bellec et al. 2020's settings); every other key is rejected.
#pragma once
#include <cstdint>
#include <string>

#include "data/sequence_task.hpp"
#include "learn/optimizer.hpp"
#include "network/recurrent_snn.hpp"
#include "train/config_reader.hpp"

namespace plasticore {

struct SequenceNetworkConfig {
  int recurrent = 100;  // n_rec
  int adaptive = 0;     // n_adaptive (ALIF neurons, the first ones)
  RecurrentSNNParams neuron;
  // w ~ N(0, 1) scale / sqrt(n_pre) for W_in, W_rec, W_out
  double input_scale = 1.0, recurrent_scale = 0.5, readout_scale = 1.0;
};

struct SequenceTrainConfig {
  int epochs = 1;
  int batch_size = 1;
  OptimizerConfig optimizer;
  std::string lr_schedule = "constant";  // constant | cosine (learn/lr_schedule.hpp), per epoch
  double lr_final_factor = 0.1;          // cosine: last epoch's rate / first epoch's
  RateRegularization regularization;  // target_rate_per_ms = target_rate_hz / 1000
  double target_rate_hz = 10.0;         // as configured, so that config.toml round-trips exactly
  std::string feedback = "symmetric";   // e-prop learning signal: symmetric (B = W_out^T) | random (fixed B)
                                        // | adaptive (Kolen-Pollack, learn/adaptive_feedback.hpp)
  double feedback_decay = 0.01;         // adaptive: lambda per update, on W_out and B
};

struct SequenceRunConfig {
  std::string name = "run";
  std::string algorithm = "eprop";  // eprop | bptt
  uint64_t seed = 1;
  int threads = 0;
  SequenceTaskConfig task;
  int64_t train_limit = 1;  // sequences per epoch
  int64_t test_limit = 1;
  SequenceNetworkConfig network;
  SequenceTrainConfig train;
  SubstrateConfig substrate;
};

bool is_sequence_algorithm(const std::string& algorithm);  // eprop | bptt
// Reads and validates everything; throws UsageError naming the file/override and key.
SequenceRunConfig read_sequence_config(ConfigReader& reader);
std::string to_toml(const SequenceRunConfig& config);

}  // namespace plasticore
