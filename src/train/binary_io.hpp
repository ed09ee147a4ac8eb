// Little helpers for the binary checkpoint files: append plain values to a byte string, and read them
// back with bounds checks (a truncated file is a RuntimeError naming it, never a crash).
#pragma once
#include <cstring>
#include <string>

#include "core/error.hpp"

namespace plasticore {

class BinaryWriter {
 public:
  template <typename T>
  void put(const T& v) { out_.append(reinterpret_cast<const char*>(&v), sizeof(T)); }
  void put_bytes(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class BinaryReader {
 public:
  BinaryReader(const std::string& data, const std::string& path) : data_(data), path_(path) {}
  template <typename T>
  T get() {
    T v;
    get_bytes(&v, sizeof(T));
    return v;
  }
  void get_bytes(void* p, size_t n) {
    if (pos_ + n > data_.size()) throw RuntimeError(path_ + ": checkpoint is truncated");
    std::memcpy(p, data_.data() + pos_, n);
    pos_ += n;
  }
  bool at_end() const { return pos_ == data_.size(); }
  size_t size() const { return data_.size(); }

 private:
  const std::string& data_;
  const std::string& path_;
  size_t pos_ = 0;
};

}  // namespace plasticore
