#include "data/heidelberg.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include "core/error.hpp"
#include "data/registry.hpp"
#include "core/hdf5.hpp"

namespace plasticore {

namespace {

constexpr int64_t kMaxSamples = 10000000;  // SSC's training file has 75466

bool is_integer(double x) { return std::isfinite(x) && x == std::floor(x); }

std::string number(double x) {  // 700, 0.25, nan: as short as exact
  std::ostringstream s;
  s << x;
  return s.str();
}

}  // namespace

HeidelbergFile::HeidelbergFile(const std::string& path, int classes, int64_t limit, const std::string& limit_key,
                               const std::string& how_to_get)
    : path_(path), classes_(classes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw RuntimeError(path + ": no such file: " + how_to_get);
  file_ = std::make_unique<Hdf5Reader>(path);
  for (const char* name : {"/spikes/times", "/spikes/units", "/labels"})
    if (!file_->has(name)) throw RuntimeError(path + ": " + name + " is missing (not a Heidelberg spike data file)");
  if (file_->kind("/spikes/times") != Hdf5Reader::Kind::sequence || file_->kind("/spikes/units") != Hdf5Reader::Kind::sequence)
    throw RuntimeError(path + ": /spikes/times and /spikes/units must hold variable-length numbers, one list per sample");
  const std::vector<int64_t> shape = file_->shape("/labels");
  if (shape.size() != 1) throw RuntimeError(path + ": /labels must be 1-d");
  if (file_->shape("/spikes/times") != shape || file_->shape("/spikes/units") != shape)
    throw RuntimeError(path + ": /spikes/times, /spikes/units and /labels must hold the same number of samples");
  if (file_->kind("/labels") != Hdf5Reader::Kind::integer) throw RuntimeError(path + ": /labels must be integers");
  const int64_t n = shape[0];
  // Each sample takes bytes of the file (its label and two references to its spike lists): a header that
  // declares more samples than the file could hold is refused before anything is allocated for them.
  const auto file_bytes = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  if (n > std::min(kMaxSamples, file_bytes))
    throw RuntimeError(path + ": declares " + std::to_string(n) + " samples, more than a file of " + std::to_string(file_bytes) +
                       " bytes can hold");
  if (limit > n)
    throw UsageError(limit_key + ": " + std::to_string(limit) + " requested but " + path + " holds only " +
                     std::to_string(n) + " samples");
  if (n == 0) throw RuntimeError(path + ": holds no samples");
  const std::vector<double> labels = file_->read_numbers("/labels", kMaxSamples);
  const int64_t kept = limit > 0 ? limit : n;
  for (int64_t i = 0; i < kept; ++i) {
    const double label = labels[static_cast<size_t>(i)];
    if (!(label >= 0 && label < classes))
      throw RuntimeError(path + ": label " + std::to_string(static_cast<int64_t>(label)) + " of sample " + std::to_string(i) +
                         " is outside [0, " + std::to_string(classes) + ")");
    labels_.push_back(static_cast<int>(label));
  }
  // Every spike takes at least a byte of the file (variable-length data is stored uncompressed).
  max_spikes_ = std::max<int64_t>(1, file_bytes);
  // One checking pass, so that a damaged sample stops the run before it starts.
  for (int64_t i = 0; i < kept; ++i) events(i);
}

HeidelbergFile::~HeidelbergFile() = default;

std::vector<Event> HeidelbergFile::events(int64_t index) const {
  std::vector<double> times, units;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    times = file_->read_sequence("/spikes/times", index, max_spikes_);
    units = file_->read_sequence("/spikes/units", index, max_spikes_);
  }
  const std::string where = path_ + ": sample " + std::to_string(index) + ": ";
  if (times.size() != units.size())
    throw RuntimeError(where + std::to_string(times.size()) + " spike times but " + std::to_string(units.size()) + " units");
  std::vector<Event> out(times.size());
  for (size_t k = 0; k < times.size(); ++k) {
    if (!is_integer(units[k]) || units[k] < 0 || units[k] >= kHeidelbergChannels)
      throw RuntimeError(where + "unit " + number(units[k]) + " is outside [0, 700)");
    if (!std::isfinite(times[k]) || times[k] < 0) throw RuntimeError(where + "spike time " + number(times[k]) + " s is negative or not finite");
    out[k] = {times[k] * 1e3, static_cast<int32_t>(units[k])};
  }
  return out;
}

HeidelbergSamples parse_heidelberg_file(const std::string& path, int classes) {
  const HeidelbergFile file(path, classes, 0, "limit", "");
  HeidelbergSamples samples;
  for (int64_t i = 0; i < file.size(); ++i) {
    samples.labels.push_back(file.label(i));
    samples.events.push_back(file.events(i));
  }
  return samples;
}

namespace {

struct HeidelbergSet {
  const char* name;        // file prefix and data folder: "shd", "ssc"
  int classes;
  const char* md5_train;   // of the published .h5.zip archives
  const char* md5_test;
};

DatasetBuilder read_heidelberg(ConfigReader& r, const DatasetContext& context, const HeidelbergSet& set) {
  const std::string name = set.name;
  const std::string path = r.get_path("data.path", "${PLASTICORE_DATA}/" + name, "the folder holding the " + name + "_train.h5 and " + name + "_test.h5 files");
  constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
  const int64_t train_limit = r.get_int("data.train_limit", 0, 0, kMaxInt, "the first N training samples (0 = all)");
  const int64_t test_limit = r.get_int("data.test_limit", 0, 0, kMaxInt, "the first N test samples (0 = all)");
  EventPresentation p;
  p.seed = context.seed;
  p.steps = r.get_int("task.steps", 100, 1, 1000000, "sequence length T in steps (spikes after T dt are cut off)");
  p.dt_ms = r.get_double("task.dt_ms", 10.0, 0.0, 1000.0, "one time step, in ms: the spikes of each dt are counted", true);
  p.decision_steps = r.get_int("task.decision_steps", p.steps, 1, p.steps, "the last D steps, scored with cross-entropy");
  const std::string how_to_get = "download " + name + "_train.h5.zip (MD5 " + set.md5_train + ") and " + name +
                                 "_test.h5.zip (MD5 " + set.md5_test + ") from https://zenkelab.org/datasets/, unzip them into " +
                                 path + " or set data.path (docs/datasets.md)";
  const int classes = set.classes;
  return [path, name, classes, train_limit, test_limit, p, how_to_get](bool need_train) -> std::unique_ptr<Dataset> {
    std::unique_ptr<EventSource> train;
    if (need_train)
      train = std::make_unique<HeidelbergFile>(path + "/" + name + "_train.h5", classes, train_limit, "data.train_limit", how_to_get);
    auto test = std::make_unique<HeidelbergFile>(path + "/" + name + "_test.h5", classes, test_limit, "data.test_limit", how_to_get);
    return std::make_unique<EventDataset>(std::move(train), std::move(test), p);
  };
}

}  // namespace

DatasetEntry shd_entry() {
  return {"Spiking Heidelberg Digits, 20 classes (HDF5: docs/datasets.md)", true, {32, 1e-3, 0},
          [](ConfigReader& r, const DatasetContext& context) {
            return read_heidelberg(r, context, {"shd", 20, "f3252aeb598ac776c1b526422d90eecb", "1503a5064faa34311c398fb0a1ed0a6f"});
          }};
}

DatasetEntry ssc_entry() {
  return {"Spiking Speech Commands, 35 classes (HDF5: docs/datasets.md)", true, {32, 1e-3, 0},
          [](ConfigReader& r, const DatasetContext& context) {
            return read_heidelberg(r, context, {"ssc", 35, "d102be95e7144fcc0553d1f45ba94170", "a35ff1e9cffdd02a20eb850c17c37748"});
          }};
}

}  // namespace plasticore
