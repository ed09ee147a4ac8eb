#include "core/data_files.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <vector>

#include "core/error.hpp"

namespace fs = std::filesystem;

namespace plasticore {

namespace {

// The directory of the executable or shared object this function was linked into.
fs::path object_directory() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&object_directory), &info) != 0 && info.dli_fname != nullptr &&
      info.dli_fname[0] != '\0') {
    std::error_code ec;
    const fs::path p = fs::canonical(info.dli_fname, ec);
    if (!ec) return p.parent_path();
  }
  std::error_code ec;  // the main program: dladdr may name it as it was started (relative, or bare)
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

}  // namespace

std::string data_file(const std::string& source_path) {
  const fs::path here = object_directory();
  std::vector<fs::path> candidates;
  if (!here.empty()) {
    candidates.push_back(here / ".." / "share" / "plasticore" / source_path);
    candidates.push_back(here / "share" / source_path);
  }
  candidates.push_back(fs::path(PLASTICORE_SOURCE_DIR) / source_path);
  std::string looked;
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (fs::exists(c, ec)) return c.lexically_normal().string();
    looked += (looked.empty() ? "" : ", ") + c.lexically_normal().string();
  }
  throw RuntimeError(source_path + ": data file not found (looked in " + looked + ")");
}

}  // namespace plasticore
