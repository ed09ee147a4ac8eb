#include "train/sequence_checkpoint.hpp"

#include <cstring>
#include <fstream>

#include "core/atomic_file.hpp"
#include "train/binary_io.hpp"

namespace plasticore {

namespace {

constexpr char kMagic[8] = {'P', 'L', 'S', 'E', 'Q', '0', '0', '1'};

void put_string(BinaryWriter& w, const std::string& s) {
  w.put<uint64_t>(s.size());
  w.put_bytes(s.data(), s.size());
}

std::string get_string(BinaryReader& r, const std::string& path) {
  const auto size = r.get<uint64_t>();
  if (size > r.size()) throw RuntimeError(path + ": checkpoint is corrupt (string size)");
  std::string s(size, '\0');
  r.get_bytes(s.data(), size);
  return s;
}

void put_matrices(BinaryWriter& w, const std::vector<Matrix>& ms) {
  w.put<uint32_t>(static_cast<uint32_t>(ms.size()));
  for (const Matrix& m : ms) {
    w.put<int64_t>(m.rows());
    w.put<int64_t>(m.cols());
    w.put_bytes(m.data(), sizeof(Scalar) * static_cast<size_t>(m.size()));
  }
}

std::vector<Matrix> get_matrices(BinaryReader& r, const std::string& path) {
  const auto count = r.get<uint32_t>();
  if (count > 1000) throw RuntimeError(path + ": checkpoint is corrupt (matrix count)");
  std::vector<Matrix> ms;
  const auto limit = static_cast<int64_t>(r.size() / sizeof(Scalar));  // no matrix can be larger than the file
  for (uint32_t k = 0; k < count; ++k) {
    const auto rows = r.get<int64_t>(), cols = r.get<int64_t>();
    if (rows <= 0 || cols <= 0 || rows > limit || cols > limit || rows * cols > limit)
      throw RuntimeError(path + ": checkpoint is corrupt (matrix shape)");
    Matrix m(rows, cols);
    r.get_bytes(m.data(), sizeof(Scalar) * static_cast<size_t>(m.size()));
    ms.push_back(std::move(m));
  }
  return ms;
}

}  // namespace

bool is_sequence_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[sizeof kMagic] = {};
  return in.read(magic, sizeof magic) && std::memcmp(magic, kMagic, sizeof magic) == 0;
}

void write_sequence_checkpoint(const std::string& path, const SequenceCheckpoint& ck) {
  BinaryWriter w;
  w.put_bytes(kMagic, sizeof kMagic);
  put_string(w, ck.config_toml);
  w.put<int32_t>(ck.epochs_done);
  w.put<double>(ck.wall_seconds);
  put_string(w, ck.history.dump());
  put_matrices(w, ck.weights);
  w.put<int64_t>(ck.optimizer.updates);
  put_matrices(w, ck.optimizer.first_moment);
  put_matrices(w, ck.optimizer.second_moment);
  write_file_atomic(path, w.bytes());
}

SequenceCheckpoint read_sequence_checkpoint(const std::string& path) {
  const std::string data = read_file(path);
  BinaryReader r(data, path);
  char magic[sizeof kMagic];
  r.get_bytes(magic, sizeof magic);
  if (std::memcmp(magic, kMagic, sizeof magic) != 0)
    throw RuntimeError(path + ": not a plasticore sequence checkpoint (wrong magic)");
  SequenceCheckpoint ck;
  ck.config_toml = get_string(r, path);
  ck.epochs_done = r.get<int32_t>();
  ck.wall_seconds = r.get<double>();
  ck.history = nlohmann::json::parse(get_string(r, path), nullptr, /*allow_exceptions=*/false);
  if (!ck.history.is_array()) throw RuntimeError(path + ": checkpoint is corrupt (history)");
  ck.weights = get_matrices(r, path);
  if (ck.weights.size() != 3 && ck.weights.size() != 4)  // the 4th: B of adaptive e-prop
    throw RuntimeError(path + ": checkpoint is corrupt (expected 3 or 4 weight matrices)");
  ck.optimizer.updates = r.get<int64_t>();
  ck.optimizer.first_moment = get_matrices(r, path);
  ck.optimizer.second_moment = get_matrices(r, path);
  if (!r.at_end()) throw RuntimeError(path + ": checkpoint has trailing bytes");
  return ck;
}

}  // namespace plasticore
