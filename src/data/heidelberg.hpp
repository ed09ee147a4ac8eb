// The Heidelberg spiking data sets (Cramer et al., IEEE TNNLS 33:2744, 2022): spoken words turned into
// spikes of 700 input channels by a model of the cochlea. SHD (Spiking Heidelberg Digits): 20 classes, the
// digits 0-9 in English and German; SSC (Spiking Speech Commands): 35 words. Obtaining them:
// docs/datasets.md. Presented as event sequences to recurrent networks (data/event_dataset.hpp).
// The HDF5 file of a split, as Zenke lab publishes it:
//   /spikes/times   (n,) variable-length float  spike times of sample i, in seconds
//   /spikes/units   (n,) variable-length int    their channels, in [0, 700)
//   /labels         (n,) int                    class of sample i
//   /extra/...      speaker, keys, meta_info    (not read)
// Files PATH/shd_train.h5 and PATH/shd_test.h5 (SSC: ssc_train.h5, ssc_test.h5; its ssc_valid.h5 is not
// read). Opening a file reads and checks every sample once (a damaged one stops the run before it starts);
// afterwards a sample's spikes are read again when it is asked for (memory: the labels only).
//
// Parameters (data.*, task.*)
//   name                    unit  default                         meaning
//   path                    path  ${PLASTICORE_DATA}/shd (or ssc)  the folder holding the .h5 files
//   train_limit, test_limit -     0 (all)                         the first N samples of each file
//   task.steps              steps 100                             T (events after T dt are cut off)
//   task.dt_ms              ms    10                              one step: SHD's samples last up to ~1.4 s
//   task.decision_steps     steps T                               D, the scored last steps
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/event_dataset.hpp"

namespace plasticore {

class Hdf5Reader;

constexpr int kHeidelbergChannels = 700;

// One split's file, open for the run. events() reads one sample under a lock (the HDF5 library is not
// thread-safe).
class HeidelbergFile final : public EventSource {
 public:
  // RuntimeError naming the file (saying how to get the data if it is missing): not HDF5, missing or
  // mistyped datasets, counts that disagree, a label outside [0, classes), a damaged sample (events()). UsageError (naming limit_key)
  // if fewer than `limit` samples are there. `how_to_get` ends the missing-file message.
  HeidelbergFile(const std::string& path, int classes, int64_t limit, const std::string& limit_key,
                 const std::string& how_to_get);
  ~HeidelbergFile() override;
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  int label(int64_t index) const override { return labels_[static_cast<size_t>(index)]; }
  // RuntimeError naming the file and the sample: times and units of different lengths, a channel outside
  // [0, 700), a negative or non-finite time, more spikes than the file could hold.
  std::vector<Event> events(int64_t index) const override;
  int channels() const override { return kHeidelbergChannels; }
  int classes() const override { return classes_; }

 private:
  std::string path_;
  int classes_;
  int64_t max_spikes_;  // per sample: bounded by the file's size
  std::unique_ptr<Hdf5Reader> file_;
  std::vector<int> labels_;
  mutable std::mutex mutex_;
};

// Every sample of a Heidelberg file, fully read and checked (the parse entry point: tests, fuzzing).
struct HeidelbergSamples {
  std::vector<int> labels;
  std::vector<std::vector<Event>> events;
};
HeidelbergSamples parse_heidelberg_file(const std::string& path, int classes);

struct DatasetEntry;
DatasetEntry shd_entry();
DatasetEntry ssc_entry();

}  // namespace plasticore
