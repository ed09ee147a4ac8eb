// Writes that never leave a half-written file: write to DIR/.name.tmp, fsync, rename over the target.
#pragma once
#include <cstdint>
#include <string>

namespace plasticore {

void write_file_atomic(const std::string& path, const std::string& contents);
// Reads a whole regular file of at most max_bytes (RuntimeError naming the file otherwise: missing, a FIFO,
// device or directory — refused without blocking —, or larger than the format can be).
constexpr uint64_t kMaxConfigBytes = uint64_t{1} << 24;  // 16 MiB: TOML configs and cost tables
std::string read_file(const std::string& path, uint64_t max_bytes = uint64_t{1} << 34);
// read_file's checks: an open read-only descriptor of the regular file (the caller closes it) and its size.
int open_regular_file(const std::string& path, uint64_t max_bytes, uint64_t& size);

}  // namespace plasticore
