#include "train/conductance_file.hpp"

#include <cstring>

#include "core/atomic_file.hpp"

namespace plasticore {

void write_conductances(const std::string& path, const Substrate& substrate) {
  const std::vector<float> g = substrate.conductances_uS();
  if (g.empty()) return;
  // NPY 1.0: magic, version, little-endian header length, a dict padded with spaces to 64 bytes + '\n'.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(g.size()) + ",), }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  const size_t start = bytes.size();
  bytes.resize(start + sizeof(float) * g.size());
  std::memcpy(bytes.data() + start, g.data(), sizeof(float) * g.size());
  write_file_atomic(path, bytes);
}

}  // namespace plasticore
