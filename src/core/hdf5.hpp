// A small, bounded window onto HDF5 files (the C library of Debian's libhdf5-dev) for the formats that
// live in them: NIR graphs (io/nir.hpp) and the Heidelberg spike data sets (data/heidelberg.hpp).
// Objects are named by absolute paths ("/node/nodes/lif/tau").
// Reading never trusts the file: a dataset's rank, shape and element count are checked against the
// caller's limit before anything is allocated; variable-length sequences are read one element at a time
// through an allocator that refuses more than the caller allows; every failure is a one-line
// RuntimeError naming the file and the object. HDF5's own error stack printing is switched off.
// Without HDF5 at configure time (PLASTICORE_HDF5 undefined) the classes exist, and constructing one
// throws a RuntimeError saying that this plasticore was built without HDF5.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace plasticore {

bool hdf5_available();  // built with HDF5

class Hdf5Reader {
 public:
  enum class Kind { integer, floating, string, sequence, other };  // sequence: variable-length numbers

  // RuntimeError naming the file: missing, unreadable, not HDF5, or no HDF5 in this build.
  explicit Hdf5Reader(const std::string& path);
  ~Hdf5Reader();
  Hdf5Reader(const Hdf5Reader&) = delete;
  Hdf5Reader& operator=(const Hdf5Reader&) = delete;

  const std::string& path() const { return path_; }
  bool has(const std::string& name) const;  // the object and every group on its way exist
  bool is_group(const std::string& name) const;
  // The names of a group's members in name order; RuntimeError if there are more than max_members.
  std::vector<std::string> members(const std::string& group, int64_t max_members) const;
  Kind kind(const std::string& dataset) const;
  std::vector<int64_t> shape(const std::string& dataset) const;  // {} for a scalar

  // An integer or floating-point dataset of at most max_elements elements, converted to double, in C order.
  std::vector<double> read_numbers(const std::string& dataset, int64_t max_elements) const;
  // A scalar string (variable or fixed length, as h5py writes str), at most max_length bytes.
  std::string read_string(const std::string& dataset, int64_t max_length) const;
  // A dataset of strings (any shape, C order), each at most max_length bytes, at most max_elements of them.
  std::vector<std::string> read_strings(const std::string& dataset, int64_t max_elements, int64_t max_length) const;
  // Element `index` of a 1-d dataset of variable-length numeric sequences, as double; RuntimeError if it
  // holds more than max_length values.
  std::vector<double> read_sequence(const std::string& dataset, int64_t index, int64_t max_length) const;

 private:
  [[noreturn]] void fail(const std::string& name, const std::string& problem) const;
  int64_t open_dataset(const std::string& name) const;  // hid_t, closed by the caller
  std::string path_;
  int64_t file_ = -1;  // hid_t
};

// Writes a new file (an existing one is replaced only when close() succeeds: the data goes to a temporary
// file beside it, renamed over the target at the end). Groups are created on the way as needed.
class Hdf5Writer {
 public:
  explicit Hdf5Writer(const std::string& path);
  ~Hdf5Writer();  // without close(): the temporary file is removed, the target untouched
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  void group(const std::string& name);
  // A scalar variable-length UTF-8 string (h5py.string_dtype(), what NIR writes for str).
  void string(const std::string& name, const std::string& value);
  // Variable-length UTF-8 strings of the given shape (C order).
  void strings(const std::string& name, const std::vector<std::string>& values, const std::vector<int64_t>& shape);
  void floats(const std::string& name, const std::vector<float>& values, const std::vector<int64_t>& shape);
  void doubles(const std::string& name, const std::vector<double>& values, const std::vector<int64_t>& shape);
  void integers(const std::string& name, const std::vector<int64_t>& values, const std::vector<int64_t>& shape);
  // Flushes, closes and renames the file into place; RuntimeError naming the file on failure.
  void close();

 private:
  void ensure_parent(const std::string& name);
  void write(const std::string& name, int64_t file_type, int64_t memory_type, const void* data,
             const std::vector<int64_t>& shape, size_t count);
  std::string path_, temporary_;
  int64_t file_ = -1;  // hid_t
};

}  // namespace plasticore
