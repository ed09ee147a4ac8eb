#include "data/idx.hpp"

#include <cstdio>
#include <cstring>

#include "core/error.hpp"
#include "core/mapped_file.hpp"

namespace plasticore {

IdxArray read_idx(const std::string& path) {
  const MappedFile file(path, kMaxIdxBytes);
  return parse_idx(file.bytes(), path);
}

IdxArray parse_idx(std::string_view bytes, const std::string& path) {
  const IdxView view = parse_idx_view(bytes, path);
  return {view.shape, std::vector<uint8_t>(view.data, view.data + view.size)};
}

IdxView parse_idx_view(std::string_view bytes, const std::string& path) {
  auto fail = [&](const std::string& why) { return RuntimeError(path + ": not a valid IDX file: " + why); };
  if (bytes.size() < 4) throw fail("shorter than the 4-byte header");
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  if (p[0] != 0 || p[1] != 0) throw fail("wrong magic number (first two bytes must be zero)");
  if (p[2] != 0x08) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02X", p[2]);
    throw fail(std::string("element type ") + type + " is not unsigned byte (0x08)");
  }
  const int ndims = p[3];
  if (ndims < 1 || ndims > 4) throw fail("unsupported number of dimensions " + std::to_string(ndims));
  const size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (bytes.size() < header) throw fail("truncated header");
  IdxView out;
  uint64_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    const unsigned char* q = p + 4 + 4 * d;
    const uint32_t n = (uint32_t{q[0]} << 24) | (uint32_t{q[1]} << 16) | (uint32_t{q[2]} << 8) | q[3];
    out.shape.push_back(n);
    // Checked before multiplying: the product of four uint32 sizes can overflow 64 bits.
    if (n != 0 && count > kMaxIdxBytes / n) throw fail("sizes are implausibly large");
    count *= n;
  }
  if (bytes.size() - header != count)
    throw fail("header says " + std::to_string(count) + " data bytes, file has " +
               std::to_string(bytes.size() - header) + (bytes.size() - header < count ? " (truncated)" : " (trailing bytes)"));
  out.data = p + header;
  out.size = static_cast<size_t>(count);
  return out;
}

}  // namespace plasticore
