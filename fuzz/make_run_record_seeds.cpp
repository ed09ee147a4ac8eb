// Writes the run-record fuzz target's seed corpus: each network of run_record_kinds.hpp trained for one
// epoch on its tiny data set; DIR/<kind>.bin. Usage: make_run_record_seeds DIR
#include <cstdio>
#include <filesystem>
#include <string>

#include "run_record_kinds.hpp"
#include "train/run.hpp"
#include "train/run_record.hpp"

using namespace plasticore;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  int k = 0;
  for (const fuzz::Kind& kind : fuzz::kKinds) {
    ConfigReader reader = ConfigReader::from_string(kind.config, "seed config");
    RunSpec spec = read_run_spec(reader);
    spec.trainer.epochs = 1;
    const auto data = fuzz::dataset_for(kind.sequences);
    auto learner = spec.learner.build(*data, substrate_factory(spec.substrate));
    learner->initialize();
    RunRecord record;
    record.config_toml = spec.config_toml;
    const std::string dir = std::string(argv[1]) + "/run" + std::to_string(k);
    std::filesystem::create_directories(dir);
    Trainer(spec.trainer, *data, *learner).train(record, dir, false);
    std::filesystem::rename(dir + "/checkpoint.bin", std::string(argv[1]) + "/kind" + std::to_string(k++) + ".bin");
    std::filesystem::remove_all(dir);
  }
  return 0;
}
