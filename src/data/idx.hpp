// Reader for the IDX format of LeCun's MNIST files (also Fashion-MNIST): big-endian magic
// 0x00 0x00 type ndims, then ndims big-endian uint32 sizes, then the data. Only unsigned bytes (0x08).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace plasticore {

struct IdxArray {
  std::vector<uint32_t> shape;
  std::vector<uint8_t> data;  // row-major, shape[0] items
};

// The same without a copy: shape and a pointer into the bytes it was parsed from.
struct IdxView {
  std::vector<uint32_t> shape;
  const uint8_t* data = nullptr;
  size_t size = 0;  // the product of shape
};

// Throws RuntimeError naming the file: missing, wrong magic, unsupported type, sizes that do not
// match the file length (truncated or trailing bytes).
IdxArray read_idx(const std::string& path);
// The same from the file's bytes (`path` only names it in errors): the fuzz target's entry point.
IdxArray parse_idx(std::string_view bytes, const std::string& path);
// parse_idx's checks, pointing into `bytes` (which must outlive the view).
IdxView parse_idx_view(std::string_view bytes, const std::string& path);

constexpr uint64_t kMaxIdxBytes = uint64_t{1} << 31;  // 2 GiB: 40x MNIST's training images

}  // namespace plasticore
