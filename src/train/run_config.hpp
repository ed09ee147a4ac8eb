// The typed configuration of a classification run (EP or EqSpike), read from TOML. Keys, defaults and
// ranges are listed in docs/configuration.md; every key not listed there is rejected.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "learn/ep_learner.hpp"
#include "substrate/factory.hpp"
#include "train/config_reader.hpp"

namespace plasticore {

struct DataConfig {
  std::string dataset = "mnist";
  std::string train_images, train_labels, test_images, test_labels;  // IDX paths, ${PLASTICORE_DATA} expanded
  int64_t train_limit = 0;  // first N training samples (0 = all)
  int64_t test_limit = 0;
};

struct TrainConfig {
  int epochs = 1;
  int batch_size = 20;
  std::vector<double> learning_rates = {0.1, 0.05};  // per weight layer, input side first
  std::string lr_schedule = "constant";              // constant | cosine
  double lr_final_factor = 0.1;                      // cosine: last epoch's rate / first epoch's
};

struct RunConfig {
  std::string name = "run";
  std::string algorithm = "ep";  // ep | eqspike
  uint64_t seed = 1;
  int threads = 0;  // 0 = all cores
  DataConfig data;
  std::vector<int> hidden = {500};
  std::vector<double> init_scale = {1.0, 0.5};  // Glorot-uniform multiplier per weight layer
  RelaxationParams relax;
  EPLearningParams learn;
  TrainConfig train;
  SubstrateConfig substrate;
};

// Reads and validates everything; throws UsageError naming the file/override and key.
RunConfig read_run_config(ConfigReader& reader);
// The fully resolved config as TOML (written to the run directory and read back by --resume).
std::string to_toml(const RunConfig& config);

std::string rule_name(EPRule rule);
std::string coding_name(SpikeCoding coding);
std::string expand_path(const std::string& path);  // ${PLASTICORE_DATA}, ${HOME}, leading ~

}  // namespace plasticore
