#include "train/run_record.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/op_counters.hpp"
#include "train/binary_io.hpp"

namespace plasticore {

namespace {

constexpr char kMagic[8] = {'P', 'L', 'R', 'U', 'N', '0', '0', '1'};
constexpr size_t kMaxNameBytes = 1024, kMaxRank = 4, kMaxTensors = 1 << 20;
constexpr const char* kInProgress = "run/epoch_in_progress/";

std::vector<double> score_values(const Score& s) {
  return {s.loss,       static_cast<double>(s.scored_steps), s.squared_error, s.target_sum, s.target_square_sum,
          static_cast<double>(s.samples), static_cast<double>(s.correct), s.spikes, s.neuron_steps};
}

Score score_of(const std::vector<double>& v) {
  Score s;
  s.loss = v[0];
  s.scored_steps = static_cast<int64_t>(v[1]);
  s.squared_error = v[2];
  s.target_sum = v[3];
  s.target_square_sum = v[4];
  s.samples = static_cast<int64_t>(v[5]);
  s.correct = static_cast<int64_t>(v[6]);
  s.spikes = v[7];
  s.neuron_steps = v[8];
  return s;
}

void put_in_progress(NamedTensors& out, const EpochInProgress& p) {
  const std::string k = kInProgress;
  out.put_int(k + "batches_done", p.batches_done);
  out.put_doubles(k + "train_score", score_values(p.train));
  out.put_double(k + "train_seconds", p.train_seconds);
  Tensor ops{DType::int64, {static_cast<int64_t>(p.training_ops.size())}, {}};
  ops.bytes.assign(reinterpret_cast<const char*>(p.training_ops.data()), p.training_ops.size() * sizeof(int64_t));
  out.put(k + "training_ops", std::move(ops));
}

EpochInProgress read_in_progress(const NamedTensors& all, const std::string& path) {
  const std::string k = kInProgress;
  EpochInProgress p;
  if (!all.has(k + "batches_done")) return p;
  p.batches_done = all.integer(k + "batches_done");
  if (p.batches_done < 1 || p.batches_done > (int64_t{1} << 40))
    throw RuntimeError(path + ": " + k + "batches_done is out of range (" + std::to_string(p.batches_done) + ")");
  const std::vector<double> score = all.doubles(k + "train_score", 9);
  for (const double v : score)
    if (!std::isfinite(v) || v < 0) throw RuntimeError(path + ": " + k + "train_score holds an impossible value");
  p.train = score_of(score);
  p.train_seconds = all.real(k + "train_seconds");
  if (!std::isfinite(p.train_seconds) || p.train_seconds < 0)
    throw RuntimeError(path + ": " + k + "train_seconds holds an impossible value");
  const Tensor& ops = all.at(k + "training_ops");
  const auto length = ops.shape.size() == 1 && ops.shape[0] > 0 ? static_cast<size_t>(ops.shape[0]) : size_t{0};
  std::vector<int64_t> values(length);
  if (ops.dtype == DType::int64 && ops.bytes.size() == length * sizeof(int64_t))
    std::memcpy(values.data(), ops.bytes.data(), ops.bytes.size());
  p.training_ops.resize(OpCounters::kValues);
  // A record of a plasticore before issue 14 counted fewer ops: widened, the new ones 0.
  if (ops.dtype != DType::int64 || length == 0 || !OpCounters::widen(values.data(), length, p.training_ops.data()))
    throw RuntimeError(path + ": " + k + "training_ops has another type or length than this plasticore counts");
  for (const int64_t v : p.training_ops)
    if (v < 0) throw RuntimeError(path + ": " + k + "training_ops holds a negative count");
  return p;
}

}  // namespace

NamedTensors all_tensors(const RunRecord& record) {
  NamedTensors all = record.tensors;
  all.put_text("run/config_toml", record.config_toml);
  all.put_int("run/epochs_done", record.epochs_done);
  all.put_double("run/wall_seconds", record.wall_seconds);
  record.history.save(all);
  if (record.in_progress.batches_done > 0) put_in_progress(all, record.in_progress);
  return all;
}

void write_run_record(const std::string& path, const RunRecord& record) {
  const NamedTensors all = all_tensors(record);
  BinaryWriter w;
  w.put_bytes(kMagic, sizeof kMagic);
  w.put<uint32_t>(static_cast<uint32_t>(all.all().size()));
  for (const auto& [name, t] : all.all()) {
    if (name.empty() || name.size() > kMaxNameBytes || t.shape.size() > kMaxRank)
      throw RuntimeError(path + ": cannot write tensor '" + name.substr(0, 64) + "' (name length or rank out of range)");
    w.put<uint16_t>(static_cast<uint16_t>(name.size()));
    w.put_bytes(name.data(), name.size());
    w.put<uint8_t>(static_cast<uint8_t>(t.dtype));
    w.put<uint8_t>(static_cast<uint8_t>(t.shape.size()));
    for (const int64_t d : t.shape) w.put<int64_t>(d);
    w.put_bytes(t.bytes.data(), t.bytes.size());
  }
  write_file_atomic(path, w.bytes());
}

NamedTensors read_record_tensors(const std::string& path) { return parse_record_tensors(read_file(path), path); }

NamedTensors parse_record_tensors(const std::string& data, const std::string& path) {
  BinaryReader r(data, path);
  if (data.size() >= 8 && (data.compare(0, 8, "PLCKPT01") == 0 || data.compare(0, 8, "PLSEQ001") == 0))
    throw RuntimeError(path + ": a checkpoint of an older plasticore (format " + data.substr(0, 8) +
                       ", before the one run record PLRUN001): it cannot be read; train the run again");
  char magic[sizeof kMagic];
  r.get_bytes(magic, sizeof magic);
  if (std::memcmp(magic, kMagic, sizeof magic) != 0)
    throw RuntimeError(path + ": not a plasticore run record (expected format PLRUN001)");
  NamedTensors out;
  out.set_source(path);
  const auto count = r.get<uint32_t>();
  if (count > kMaxTensors) throw RuntimeError(path + ": run record is corrupt (tensor count)");
  for (uint32_t k = 0; k < count; ++k) {
    const auto name_size = r.get<uint16_t>();
    if (name_size == 0 || name_size > kMaxNameBytes) throw RuntimeError(path + ": run record is corrupt (name length)");
    std::string name(name_size, '\0');
    r.get_bytes(name.data(), name_size);
    if (name.find('\0') != std::string::npos) throw RuntimeError(path + ": run record is corrupt (name)");
    Tensor t;
    const auto dtype = r.get<uint8_t>();
    if (dtype < 1 || dtype > 4) throw RuntimeError(path + ": tensor '" + name + "' has an unknown dtype");
    t.dtype = static_cast<DType>(dtype);
    const auto rank = r.get<uint8_t>();
    if (rank > kMaxRank || (t.dtype == DType::text && rank != 1))
      throw RuntimeError(path + ": tensor '" + name + "' has an unsupported rank");
    // Overflow-safe: no dimension or product may exceed what is left of the file.
    const uint64_t left = data.size();
    uint64_t elements = 1;
    for (uint8_t d = 0; d < rank; ++d) {
      const auto n = r.get<int64_t>();
      if (n < 0 || static_cast<uint64_t>(n) > left || (n > 0 && elements > left / static_cast<uint64_t>(n)))
        throw RuntimeError(path + ": tensor '" + name + "' has an impossible shape");
      elements *= static_cast<uint64_t>(n);
      t.shape.push_back(n);
    }
    const uint64_t bytes = elements * Tensor::element_size(t.dtype);
    if (bytes > left) throw RuntimeError(path + ": tensor '" + name + "' is larger than the file");
    t.bytes.resize(bytes);
    r.get_bytes(t.bytes.data(), bytes);
    if (out.has(name)) throw RuntimeError(path + ": tensor '" + name + "' appears twice");
    out.put(name, std::move(t));
  }
  if (!r.at_end()) throw RuntimeError(path + ": run record has trailing bytes");
  return out;
}

RunRecord read_run_record(const std::string& path) { return parse_run_record(read_file(path), path); }

RunRecord parse_run_record(const std::string& data, const std::string& path) {
  NamedTensors all = parse_record_tensors(data, path);
  RunRecord record;
  record.config_toml = all.text("run/config_toml");
  record.epochs_done = all.integer("run/epochs_done");
  if (record.epochs_done < 0 || record.epochs_done > 1000000)
    throw RuntimeError(path + ": run/epochs_done is out of range (" + std::to_string(record.epochs_done) + ")");
  record.wall_seconds = all.real("run/wall_seconds");
  record.history = History::restore(all, record.epochs_done);
  record.in_progress = read_in_progress(all, path);
  NamedTensors& rest = record.tensors;
  rest.set_source(path);
  for (const auto& [name, t] : all.all())
    if (name.rfind("run/", 0) != 0 && name.rfind("history/", 0) != 0) rest.put(name, t);
  return record;
}

std::string record_path(const std::string& target) {
  namespace fs = std::filesystem;
  const std::string path = fs::is_directory(target) ? target + "/checkpoint.bin" : target;
  if (!fs::exists(path)) throw UsageError(target + ": no checkpoint found");
  return path;
}

}  // namespace plasticore
