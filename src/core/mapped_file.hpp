// A file's bytes mapped read-only into memory: one pass of the kernel's page cache instead of a read()
// into a zero-filled buffer and the copies after it (reading MNIST went from 170 to well under 100 ms).
// The checks are read_file's (core/atomic_file.hpp, open_regular_file): RuntimeError naming the file if it is
// missing, not a regular file (a FIFO does not block the open) or larger than max_bytes. Another process truncating the
// file while it is mapped would fault the reader (SIGBUS): a data cache is not rewritten in place. Image
// sets keep their file mapped for the whole run (data/image_dataset.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace plasticore {

class MappedFile {
 public:
  MappedFile(const std::string& path, uint64_t max_bytes);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace plasticore
