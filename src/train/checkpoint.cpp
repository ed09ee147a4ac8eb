#include "train/checkpoint.hpp"

#include <cstring>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "train/binary_io.hpp"

namespace plasticore {

namespace {

constexpr char kMagic[8] = {'P', 'L', 'C', 'K', 'P', 'T', '0', '1'};

}  // namespace

Checkpoint capture_checkpoint(const LayeredEPNetwork& net) {
  Checkpoint ck;
  for (int l = 0; l < net.weight_layers(); ++l) {
    ck.weights.push_back(net.weight(l).weights());
    ck.biases.push_back(net.bias(l));
  }
  return ck;
}

void restore_checkpoint(const Checkpoint& ck, LayeredEPNetwork& net) {
  if (static_cast<int>(ck.weights.size()) != net.weight_layers())
    throw RuntimeError("checkpoint has " + std::to_string(ck.weights.size()) + " weight layers, the network " +
                       std::to_string(net.weight_layers()));
  for (int l = 0; l < net.weight_layers(); ++l) {
    const auto k = static_cast<size_t>(l);
    if (ck.weights[k].rows() != net.weight(l).rows() || ck.weights[k].cols() != net.weight(l).cols() ||
        ck.biases[k].size() != net.bias(l).size())
      throw RuntimeError("checkpoint layer " + std::to_string(l) + " does not match the network's shape");
    net.weight(l).set_weights(ck.weights[k]);
    net.bias(l) = ck.biases[k];
  }
}

void write_checkpoint(const std::string& path, const Checkpoint& ck) {
  BinaryWriter w;
  w.put_bytes(kMagic, sizeof kMagic);
  w.put<uint64_t>(ck.config_toml.size());
  w.put_bytes(ck.config_toml.data(), ck.config_toml.size());
  w.put<int32_t>(ck.epochs_done);
  w.put<double>(ck.wall_seconds);
  w.put<uint32_t>(static_cast<uint32_t>(ck.history.size()));
  for (const auto& r : ck.history) {
    w.put<int32_t>(r.epoch);
    for (double v : {r.train_accuracy, r.test_accuracy, r.epoch_seconds, r.train_samples_per_second, r.lr_scale}) w.put(v);
  }
  w.put<uint32_t>(static_cast<uint32_t>(ck.weights.size()));
  for (size_t l = 0; l < ck.weights.size(); ++l) {
    w.put<int64_t>(ck.weights[l].rows());
    w.put<int64_t>(ck.weights[l].cols());
    w.put_bytes(ck.weights[l].data(), sizeof(Scalar) * static_cast<size_t>(ck.weights[l].size()));
    w.put<int64_t>(ck.biases[l].size());
    w.put_bytes(ck.biases[l].data(), sizeof(Scalar) * static_cast<size_t>(ck.biases[l].size()));
  }
  write_file_atomic(path, w.bytes());
}

Checkpoint read_checkpoint(const std::string& path) {
  const std::string data = read_file(path);
  BinaryReader r(data, path);
  char magic[8];
  r.get_bytes(magic, sizeof magic);
  if (std::memcmp(magic, kMagic, sizeof magic) != 0) throw RuntimeError(path + ": not a plasticore checkpoint (wrong magic)");
  Checkpoint ck;
  const auto config_size = r.get<uint64_t>();
  if (config_size > data.size()) throw RuntimeError(path + ": checkpoint is corrupt (config size)");
  ck.config_toml.resize(config_size);
  r.get_bytes(ck.config_toml.data(), config_size);
  ck.epochs_done = r.get<int32_t>();
  ck.wall_seconds = r.get<double>();
  const auto records = r.get<uint32_t>();
  if (records > 10000000) throw RuntimeError(path + ": checkpoint is corrupt (history size)");
  for (uint32_t i = 0; i < records; ++i) {
    EpochRecord e;
    e.epoch = r.get<int32_t>();
    for (double* v : {&e.train_accuracy, &e.test_accuracy, &e.epoch_seconds, &e.train_samples_per_second, &e.lr_scale})
      *v = r.get<double>();
    ck.history.push_back(e);
  }
  const auto layers = r.get<uint32_t>();
  if (layers > 1000) throw RuntimeError(path + ": checkpoint is corrupt (layer count)");
  for (uint32_t l = 0; l < layers; ++l) {
    const auto rows = r.get<int64_t>(), cols = r.get<int64_t>();
    const auto limit = static_cast<int64_t>(data.size() / sizeof(Scalar));  // no matrix can be larger than the file
    if (rows <= 0 || cols <= 0 || rows > limit || cols > limit || rows * cols > limit)
      throw RuntimeError(path + ": checkpoint is corrupt (matrix shape)");
    Matrix w(rows, cols);
    r.get_bytes(w.data(), sizeof(Scalar) * static_cast<size_t>(w.size()));
    const auto n = r.get<int64_t>();
    if (n != rows) throw RuntimeError(path + ": checkpoint is corrupt (bias size)");
    Vector b(n);
    r.get_bytes(b.data(), sizeof(Scalar) * static_cast<size_t>(n));
    ck.weights.push_back(std::move(w));
    ck.biases.push_back(std::move(b));
  }
  if (!r.at_end()) throw RuntimeError(path + ": checkpoint has trailing bytes");
  return ck;
}

}  // namespace plasticore
