// Datasets by name (`data.dataset`). Each entry owns its parameter reader (data.* and task.* keys, with
// defaults and validation) and returns the builder that loads or generates the data; it lives in the
// file of what it builds:
//   mnist, fashion_mnist   data/image_dataset.cpp         IDX images: static samples, or row spikes for
//                                                         recurrent networks (data/sequential_images.hpp)
//   pattern_generation     data/pattern_generation.cpp    synthetic sequence task (mse)
//   evidence_accumulation  data/evidence_accumulation.cpp synthetic sequence task (cross-entropy)
//   nmnist                 data/nmnist.cpp                N-MNIST event files: event sequences, or event
//                                                         counts for layered EP networks
//   shd, ssc               data/heidelberg.cpp            Heidelberg spike data sets (HDF5): event sequences
//   arrays                 data/array_dataset.cpp         NumPy arrays from Python (plasticore.Network)
// A new dataset is its own file plus one line in dataset_registry() (docs/architecture.md).
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "core/config_reader.hpp"
#include "core/registry.hpp"
#include "data/dataset.hpp"
#include "data/sequence_task.hpp"

namespace plasticore {

// What a dataset's reader may depend on.
struct DatasetContext {
  uint64_t seed = 1;
  bool sequences = false;  // the learner consumes sequences (recurrent networks), not static samples
};

// Bellec et al.'s settings for a recurrent network on a dataset: the defaults of train.batch_size,
// train.learning_rate and network.adaptive for e-prop and BPTT.
struct RecurrentDefaults {
  int batch_size = 32;
  double learning_rate = 5e-3;
  int adaptive = 0;
};

// Loads (need_train: also the training split) or generates the dataset; errors name the file or key.
using DatasetBuilder = std::function<std::unique_ptr<Dataset>(bool need_train)>;

struct DatasetEntry {
  std::string description;
  bool sequence_task;  // only as sequences (no static presentation for layered EP networks)
  RecurrentDefaults recurrent;
  DatasetBuilder (*read)(ConfigReader& reader, const DatasetContext& context);
};

const Registry<DatasetEntry>& dataset_registry();

// The keys every sequence task reads (task.steps, task.dt_ms, task.input_rate_hz, data.train_limit,
// data.test_limit) with the task's defaults; `minimum_limit` 0 allows "0 = all".
SequenceTaskParams read_sequence_task(ConfigReader& reader, const DatasetContext& context,
                                      const SequenceTaskParams& defaults, int64_t minimum_limit = 1);

}  // namespace plasticore
