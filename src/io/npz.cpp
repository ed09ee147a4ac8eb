#include "io/npz.hpp"

#include <array>
#include <cstdint>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace plasticore {

namespace {

// UTF-8 to UTF-32LE code points (invalid bytes become U+FFFD), for NumPy's '<U' strings.
std::u32string utf32(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + static_cast<size_t>(n) > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (int k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
    out.push_back(cp);
    i += static_cast<size_t>(n);
  }
  return out;
}

uint32_t crc32(const std::string& data) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  for (const char b : data) c = table[(c ^ static_cast<unsigned char>(b)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

template <typename T>
void put(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF));
}

// The fields a zip entry's local header and its central-directory record share: version needed, flags,
// method 0 (stored), no time stamp, the CRC, both sizes, the name's length, no extra field.
void put_entry_fields(std::string& out, uint32_t crc, uint32_t size, uint16_t name_size) {
  put<uint16_t>(out, 20);
  put<uint16_t>(out, 0);
  put<uint16_t>(out, 0);
  put<uint16_t>(out, 0);
  put<uint16_t>(out, 0x21);
  put<uint32_t>(out, crc);
  put<uint32_t>(out, size);
  put<uint32_t>(out, size);
  put<uint16_t>(out, name_size);
  put<uint16_t>(out, 0);
}

}  // namespace

std::string npy_bytes(const Tensor& t) {
  std::string descr, data = t.bytes, shape;
  switch (t.dtype) {
    case DType::float32: descr = "<f4"; break;
    case DType::float64: descr = "<f8"; break;
    case DType::int64: descr = "<i8"; break;
    case DType::text: {
      const std::u32string text = utf32(t.bytes);
      descr = "<U" + std::to_string(std::max<size_t>(text.size(), 1));
      data.assign(reinterpret_cast<const char*>(text.data()), 4 * text.size());
      if (text.empty()) data.assign(4, '\0');
      break;
    }
  }
  if (t.dtype != DType::text) {  // "(3, 4)", "(3,)" and "()"
    for (size_t d = 0; d < t.shape.size(); ++d) shape += (d ? ", " : "") + std::to_string(t.shape[d]);
    if (t.shape.size() == 1) shape += ",";
  }
  // NPY 1.0: magic, version, little-endian header length, a dict padded with spaces to 64 bytes + '\n'.
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  put<uint16_t>(bytes, static_cast<uint16_t>(header.size()));
  return bytes + header + data;
}

void write_npz(const std::string& path, const NamedTensors& tensors) {
  std::string zip, directory;
  uint16_t entries = 0;
  for (const auto& [name, tensor] : tensors.all()) {
    const std::string member = name + ".npy", content = npy_bytes(tensor);
    if (content.size() >= 0xFFFFFFFFu || zip.size() >= 0xFFFFFFFFu)
      throw RuntimeError(path + ": tensor '" + name + "' is too large for a zip without ZIP64");
    const uint32_t crc = crc32(content), offset = static_cast<uint32_t>(zip.size());
    const auto size = static_cast<uint32_t>(content.size());
    const auto name_size = static_cast<uint16_t>(member.size());
    put<uint32_t>(zip, 0x04034b50);  // local file header
    put_entry_fields(zip, crc, size, name_size);
    zip += member;
    zip += content;
    put<uint32_t>(directory, 0x02014b50);  // its central-directory record
    put<uint16_t>(directory, 20);          // version made by
    put_entry_fields(directory, crc, size, name_size);
    put<uint16_t>(directory, 0);  // comment length
    put<uint16_t>(directory, 0);  // disk number
    put<uint16_t>(directory, 0);  // internal attributes
    put<uint32_t>(directory, 0);  // external attributes
    put<uint32_t>(directory, offset);
    directory += member;
    if (++entries == 0xFFFF) throw RuntimeError(path + ": too many tensors for a zip without ZIP64");
  }
  if (zip.size() >= 0xFFFFFFFFu || directory.size() >= 0xFFFFFFFFu - zip.size())
    throw RuntimeError(path + ": the archive is too large for a zip without ZIP64");
  const auto directory_offset = static_cast<uint32_t>(zip.size());
  zip += directory;
  put<uint32_t>(zip, 0x06054b50);  // end of central directory
  put<uint16_t>(zip, 0);
  put<uint16_t>(zip, 0);
  put<uint16_t>(zip, entries);
  put<uint16_t>(zip, entries);
  put<uint32_t>(zip, static_cast<uint32_t>(directory.size()));
  put<uint32_t>(zip, directory_offset);
  put<uint16_t>(zip, 0);
  write_file_atomic(path, zip);
}

}  // namespace plasticore
