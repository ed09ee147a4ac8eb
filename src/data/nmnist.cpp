#include "data/nmnist.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "data/registry.hpp"

namespace fs = std::filesystem;

namespace plasticore {

namespace {

const char* const kHowToGet =
    "download Train.zip and Test.zip of N-MNIST (https://www.garrickorchard.com/datasets/n-mnist) and unzip them "
    "there, or set data.path (docs/datasets.md)";

}  // namespace

std::vector<NmnistEvent> parse_nmnist_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw RuntimeError(path + ": no such N-MNIST file");
  const auto bytes_on_disk = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) throw RuntimeError(path + ": cannot read its size: " + ec.message());
  if (bytes_on_disk > kMaxNmnistFileBytes)
    throw RuntimeError(path + ": " + std::to_string(bytes_on_disk) + " bytes, more than an N-MNIST sample can hold (" +
                       std::to_string(kMaxNmnistFileBytes) + ")");
  const std::string bytes = read_file(path);
  if (bytes.size() % 5 != 0)
    throw RuntimeError(path + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of 5-byte N-MNIST events");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::vector<NmnistEvent> events(bytes.size() / 5);
  for (size_t i = 0; i < events.size(); ++i, p += 5) {
    NmnistEvent& e = events[i];
    e.x = p[0];
    e.y = p[1];
    e.on = (p[2] & 0x80) != 0;
    e.time_us = (int64_t{p[2] & 0x7F} << 16) | (int64_t{p[3]} << 8) | p[4];
    if (e.x >= kNmnistSide || e.y >= kNmnistSide)
      throw RuntimeError(path + ": event " + std::to_string(i) + " at pixel (" + std::to_string(e.x) + ", " +
                         std::to_string(e.y) + ") is outside the 34 x 34 sensor");
  }
  return events;
}

NmnistFolder::NmnistFolder(const std::string& folder, int64_t limit, const std::string& limit_key) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw RuntimeError(folder + ": no such folder: " + kHowToGet);
  // (file name, digit): sorted by name, so that the first N mix the classes as MNIST's order does.
  std::vector<std::pair<std::string, int>> found;
  for (int digit = 0; digit < 10; ++digit) {
    const fs::path dir = fs::path(folder) / std::to_string(digit);
    if (!fs::is_directory(dir, ec)) throw RuntimeError(dir.string() + ": no such folder: " + kHowToGet);
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".bin") found.emplace_back(entry.path().string(), digit);
  }
  if (found.empty()) throw RuntimeError(folder + ": holds no .bin files: " + kHowToGet);
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    const std::string na = fs::path(a.first).filename().string(), nb = fs::path(b.first).filename().string();
    return na != nb ? na < nb : a.second < b.second;
  });
  if (limit > static_cast<int64_t>(found.size()))
    throw UsageError(limit_key + ": " + std::to_string(limit) + " requested but " + folder + " holds only " +
                     std::to_string(found.size()) + " samples");
  if (limit > 0) found.resize(static_cast<size_t>(limit));
  for (const auto& [file, digit] : found) {
    parse_nmnist_file(file);  // one checking pass, so that a damaged file stops the run before it starts
    files_.push_back(file);
    labels_.push_back(digit);
  }
}

std::vector<Event> NmnistFolder::events(int64_t index) const {
  const std::vector<NmnistEvent> raw = parse_nmnist_file(files_[static_cast<size_t>(index)]);
  std::vector<Event> out;
  out.reserve(raw.size());
  for (const NmnistEvent& e : raw)
    out.push_back({static_cast<double>(e.time_us) * 1e-3, (e.on ? kNmnistSide * kNmnistSide : 0) + e.y * kNmnistSide + e.x});
  return out;
}

DatasetEntry nmnist_entry() {
  return {"N-MNIST event-camera digits (binary event files: docs/datasets.md)", false, {32, 1e-3, 0},
          [](ConfigReader& r, const DatasetContext& context) -> DatasetBuilder {
            const std::string path = r.get_path("data.path", "${PLASTICORE_DATA}/nmnist", "the folder holding N-MNIST's Train/ and Test/");
            constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
            const int64_t train_limit = r.get_int("data.train_limit", 0, 0, kMaxInt, "the first N training samples (0 = all)");
            const int64_t test_limit = r.get_int("data.test_limit", 0, 0, kMaxInt, "the first N test samples (0 = all)");
            EventPresentation p;
            p.sequences = context.sequences;
            p.seed = context.seed;
            if (p.sequences) {
              p.steps = r.get_int("task.steps", 60, 1, 1000000, "sequence length T in steps (events after T dt are cut off)");
              p.dt_ms = r.get_double("task.dt_ms", 5.0, 0.0, 1000.0, "one time step, in ms: the events of each dt are counted", true);
              p.decision_steps = r.get_int("task.decision_steps", p.steps, 1, p.steps, "the last D steps, scored with cross-entropy");
            }
            return [path, train_limit, test_limit, p](bool need_train) -> std::unique_ptr<Dataset> {
              std::unique_ptr<EventSource> train;
              if (need_train) train = std::make_unique<NmnistFolder>(path + "/Train", train_limit, "data.train_limit");
              auto test = std::make_unique<NmnistFolder>(path + "/Test", test_limit, "data.test_limit");
              return std::make_unique<EventDataset>(std::move(train), std::move(test), p);
            };
          }};
}

}  // namespace plasticore
