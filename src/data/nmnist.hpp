// N-MNIST (Orchard et al., Front. Neurosci. 9:437, 2015): the MNIST digits recorded by an ATIS event camera
// making three saccades (about 300 ms in all), 34 x 34 pixels, ON and OFF events. Obtaining it:
// docs/datasets.md.
// Files: one per sample, PATH/Train/<digit>/<name>.bin and PATH/Test/<digit>/<name>.bin; each event is 5
// bytes (40 bits, most significant first): bits 39-32 x, 31-24 y, 23 polarity (1 = ON), 22-0 the
// timestamp in microseconds. Input channel of an event: polarity * 34 * 34 + y * 34 + x (2312 channels).
// Presented as event sequences or as static event counts (data/event_dataset.hpp). Loading a split parses
// every file once (a damaged one stops the run before it starts); a sample is parsed again when asked for.
//
// Parameters (data.*, task.*)
//   name                    unit  default                  meaning
//   path                    path  ${PLASTICORE_DATA}/nmnist  the folder holding Train/ and Test/
//   train_limit, test_limit -     0 (all)                  the first N samples in file-name order (N-MNIST
//                                                          names a file by its MNIST index: classes mix)
//   task.steps              steps 60                       T (sequences)
//   task.dt_ms              ms    5                        one step (sequences)
//   task.decision_steps     steps T                        D, the scored last steps (sequences)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/event_dataset.hpp"

namespace plasticore {

constexpr int kNmnistSide = 34;
constexpr int64_t kMaxNmnistFileBytes = int64_t{64} << 20;  // a real sample is tens of kB

struct NmnistEvent {
  int x = 0, y = 0;  // pixel, in [0, 34)
  bool on = false;   // polarity
  int64_t time_us = 0;
};

// Parses one N-MNIST .bin file. RuntimeError naming the file: missing, larger than kMaxNmnistFileBytes,
// a size that is not a whole number of 5-byte events, or an event outside the 34 x 34 sensor (its index).
std::vector<NmnistEvent> parse_nmnist_file(const std::string& path);

// One split's files (PATH/Train or PATH/Test), read when a sample is asked for.
class NmnistFolder final : public EventSource {
 public:
  // RuntimeError naming the folder, saying how to get the data, if it or a digit folder is missing, or
  // naming a damaged file (parse_nmnist_file); UsageError (naming limit_key) if fewer than `limit` are there.
  NmnistFolder(const std::string& folder, int64_t limit, const std::string& limit_key);
  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  int label(int64_t index) const override { return labels_[static_cast<size_t>(index)]; }
  std::vector<Event> events(int64_t index) const override;
  int channels() const override { return 2 * kNmnistSide * kNmnistSide; }
  int classes() const override { return 10; }

 private:
  std::vector<std::string> files_;
  std::vector<int> labels_;
};

struct DatasetEntry;
DatasetEntry nmnist_entry();

}  // namespace plasticore
