// Writes that never leave a half-written file: write to DIR/.name.tmp, fsync, rename over the target.
#pragma once
#include <string>

namespace plasticore {

void write_file_atomic(const std::string& path, const std::string& contents);
std::string read_file(const std::string& path);  // throws RuntimeError naming the file

}  // namespace plasticore
