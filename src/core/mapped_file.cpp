#include "core/mapped_file.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace plasticore {

MappedFile::MappedFile(const std::string& path, uint64_t max_bytes) {
  uint64_t size = 0;
  const int fd = open_regular_file(path, max_bytes, size);
  size_ = static_cast<size_t>(size);
  if (size_ > 0) {
    // MAP_POPULATE: map every page now, in one call, rather than one fault per 4 KB as the parser reads.
    data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (data_ == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      data_ = nullptr;
      throw RuntimeError(path + ": cannot map: " + std::string(std::strerror(err)));
    }
  }
  ::close(fd);  // the mapping keeps the file
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace plasticore
