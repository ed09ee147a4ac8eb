#include "core/hdf5.hpp"

#include <cstdio>
#include <filesystem>

#include "core/error.hpp"

#ifdef PLASTICORE_HDF5
#include <hdf5.h>

#include <cstdlib>
#include <cstring>
#endif

namespace plasticore {

#ifdef PLASTICORE_HDF5

namespace {

// Our errors are one line each: HDF5's stack traces on stderr would bury them.
void silence_hdf5() {
  static const bool silenced = [] { return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0; }();
  (void)silenced;
}

// Closes an HDF5 handle when it goes out of scope.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

hid_t utf8_string_type() {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

// The variable-length allocator of read_sequence and read_strings: refuses a sequence or string longer than
// the caller allows, so a corrupt length in the file cannot make HDF5 allocate gigabytes.
struct SequenceBudget {
  size_t max_bytes;
  bool refused = false;
};

void* budgeted_alloc(size_t size, void* info) {
  auto* budget = static_cast<SequenceBudget*>(info);
  if (size > budget->max_bytes) {
    budget->refused = true;
    return nullptr;
  }
  return std::malloc(size == 0 ? 1 : size);
}

void budgeted_free(void* memory, void*) { std::free(memory); }

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

bool hdf5_available() { return true; }

Hdf5Reader::Hdf5Reader(const std::string& path) : path_(path) {
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw RuntimeError(path + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw RuntimeError(path + ": not a regular file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw RuntimeError(path + ": not an HDF5 file");
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) throw RuntimeError(path + ": cannot open as HDF5");
}

Hdf5Reader::~Hdf5Reader() {
  if (file_ >= 0) H5Fclose(file_);
}

void Hdf5Reader::fail(const std::string& name, const std::string& problem) const {
  throw RuntimeError(path_ + ": " + name + ": " + problem);
}

bool Hdf5Reader::has(const std::string& name) const {
  // H5Lexists needs every group on the way to exist: check the path one component at a time.
  std::string prefix;
  size_t start = 1;
  while (start <= name.size()) {
    const size_t slash = name.find('/', start);
    prefix = name.substr(0, slash);
    if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) break;
    if (!is_group(prefix)) return false;
    start = slash + 1;
  }
  return H5Oexists_by_name(file_, name.c_str(), H5P_DEFAULT) > 0;
}

namespace {

// What kind of object `name` is (H5I_GROUP, H5I_DATASET, ...), H5I_BADID if there is none.
H5I_type_t object_type(hid_t file, const std::string& name) {
  const Handle object(H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose);
  return object.valid() ? H5Iget_type(object.get()) : H5I_BADID;
}

}  // namespace

bool Hdf5Reader::is_group(const std::string& name) const { return object_type(file_, name) == H5I_GROUP; }

std::vector<std::string> Hdf5Reader::members(const std::string& group, int64_t max_members) const {
  if (!has(group) || !is_group(group)) fail(group, "no such group");
  const Handle g(H5Gopen2(file_, group.c_str(), H5P_DEFAULT), H5Gclose);
  H5G_info_t info;
  if (!g.valid() || H5Gget_info(g.get(), &info) < 0) fail(group, "cannot read the group");
  if (info.nlinks > static_cast<hsize_t>(max_members))
    fail(group, "has " + std::to_string(info.nlinks) + " members, more than the " + std::to_string(max_members) + " allowed");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n = H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (n < 0 || n > 1024) fail(group, "member " + std::to_string(i) + " has no readable name");
    std::string name(static_cast<size_t>(n), '\0');
    H5Lget_name_by_idx(g.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), static_cast<size_t>(n) + 1, H5P_DEFAULT);
    names.push_back(name);
  }
  return names;
}

int64_t Hdf5Reader::open_dataset(const std::string& name) const {
  if (!has(name)) fail(name, "missing");
  if (object_type(file_, name) != H5I_DATASET) fail(name, "is not a dataset");
  const hid_t d = H5Dopen2(file_, name.c_str(), H5P_DEFAULT);
  if (d < 0) fail(name, "cannot open the dataset");
  return d;
}

Hdf5Reader::Kind Hdf5Reader::kind(const std::string& dataset) const {
  const Handle d(open_dataset(dataset), H5Dclose);
  const Handle t(H5Dget_type(d.get()), H5Tclose);
  switch (H5Tget_class(t.get())) {
    case H5T_INTEGER: return Kind::integer;
    case H5T_FLOAT: return Kind::floating;
    case H5T_STRING: return Kind::string;
    case H5T_VLEN: {
      const Handle base(H5Tget_super(t.get()), H5Tclose);
      const H5T_class_t c = H5Tget_class(base.get());
      return c == H5T_INTEGER || c == H5T_FLOAT ? Kind::sequence : Kind::other;
    }
    default: return Kind::other;
  }
}

std::vector<int64_t> Hdf5Reader::shape(const std::string& dataset) const {
  const Handle d(open_dataset(dataset), H5Dclose);
  const Handle space(H5Dget_space(d.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > 8) fail(dataset, "unreadable or unsupported dataspace (rank " + std::to_string(rank) + ")");
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  std::vector<int64_t> out;
  for (hsize_t n : dims) {
    if (n > (hsize_t{1} << 40)) fail(dataset, "implausible dimension " + std::to_string(n));
    out.push_back(static_cast<int64_t>(n));
  }
  return out;
}

namespace {

// Elements of a shape, or -1 past max_elements (no overflow).
int64_t bounded_count(const std::vector<int64_t>& shape, int64_t max_elements) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d != 0 && n > max_elements / d) return -1;
    n *= d;
  }
  return n <= max_elements ? n : -1;
}

}  // namespace

std::vector<double> Hdf5Reader::read_numbers(const std::string& dataset, int64_t max_elements) const {
  const Kind k = kind(dataset);
  if (k != Kind::integer && k != Kind::floating) fail(dataset, "expected numbers, found another type");
  const std::vector<int64_t> dims = shape(dataset);
  const int64_t n = bounded_count(dims, max_elements);
  if (n < 0) fail(dataset, "shape " + shape_text(dims) + " exceeds the limit of " + std::to_string(max_elements) + " elements");
  std::vector<double> values(static_cast<size_t>(n));
  const Handle d(open_dataset(dataset), H5Dclose);
  if (n > 0 && H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    fail(dataset, "cannot read the values (corrupt data or an unsupported filter)");
  return values;
}

std::vector<std::string> Hdf5Reader::read_strings(const std::string& dataset, int64_t max_elements,
                                                  int64_t max_length) const {
  if (kind(dataset) != Kind::string) fail(dataset, "expected a string");
  const std::vector<int64_t> dims = shape(dataset);
  const int64_t n = bounded_count(dims, max_elements);
  if (n < 0) fail(dataset, "shape " + shape_text(dims) + " exceeds the limit of " + std::to_string(max_elements) + " strings");
  const Handle d(open_dataset(dataset), H5Dclose);
  const Handle file_type(H5Dget_type(d.get()), H5Tclose);
  std::vector<std::string> out;
  if (H5Tis_variable_str(file_type.get()) > 0) {
    const Handle memory_type(utf8_string_type(), H5Tclose);
    std::vector<char*> raw(static_cast<size_t>(n), nullptr);
    SequenceBudget budget{static_cast<size_t>(max_length) + 1};  // HDF5 allocates each string: capped
    const Handle transfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
    H5Pset_vlen_mem_manager(transfer.get(), budgeted_alloc, &budget, budgeted_free, nullptr);
    const Handle space(H5Dget_space(d.get()), H5Sclose);
    if (n > 0 && H5Dread(d.get(), memory_type.get(), H5S_ALL, H5S_ALL, transfer.get(), raw.data()) < 0) {
      H5Dvlen_reclaim(memory_type.get(), space.get(), transfer.get(), raw.data());  // the strings read before the failure
      fail(dataset, budget.refused ? "a string is longer than " + std::to_string(max_length) + " bytes" : "cannot read the strings");
    }
    bool too_long = false;
    for (const char* s : raw) {
      const std::string text = s == nullptr ? "" : s;
      too_long = too_long || static_cast<int64_t>(text.size()) > max_length;
      out.push_back(text);
    }
    if (n > 0) H5Dvlen_reclaim(memory_type.get(), space.get(), transfer.get(), raw.data());
    if (too_long) fail(dataset, "a string is longer than " + std::to_string(max_length) + " bytes");
    return out;
  }
  const size_t size = H5Tget_size(file_type.get());
  if (size == 0 || static_cast<int64_t>(size) > max_length) fail(dataset, "fixed-length strings of " + std::to_string(size) + " bytes");
  const Handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(memory_type.get(), size);
  std::vector<char> raw(static_cast<size_t>(n) * size);
  if (n > 0 && H5Dread(d.get(), memory_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0)
    fail(dataset, "cannot read the strings");
  for (int64_t i = 0; i < n; ++i) {
    const char* s = raw.data() + i * static_cast<int64_t>(size);
    out.emplace_back(s, strnlen(s, size));  // null-padded or null-terminated
  }
  return out;
}

std::string Hdf5Reader::read_string(const std::string& dataset, int64_t max_length) const {
  if (!shape(dataset).empty()) fail(dataset, "expected a scalar string, found an array");
  return read_strings(dataset, 1, max_length).at(0);
}

std::vector<double> Hdf5Reader::read_sequence(const std::string& dataset, int64_t index, int64_t max_length) const {
  if (kind(dataset) != Kind::sequence) fail(dataset, "expected variable-length sequences of numbers");
  const std::vector<int64_t> dims = shape(dataset);
  if (dims.size() != 1) fail(dataset, "expected a 1-d dataset, got shape " + shape_text(dims));
  if (index < 0 || index >= dims[0]) fail(dataset, "element " + std::to_string(index) + " is out of range");
  const Handle d(open_dataset(dataset), H5Dclose);
  const Handle file_space(H5Dget_space(d.get()), H5Sclose);
  const hsize_t start = static_cast<hsize_t>(index), one = 1;
  H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &one, nullptr);
  const Handle memory_space(H5Screate_simple(1, &one, nullptr), H5Sclose);
  const Handle memory_type(H5Tvlen_create(H5T_NATIVE_DOUBLE), H5Tclose);
  SequenceBudget budget{static_cast<size_t>(max_length) * sizeof(double)};
  const Handle transfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  H5Pset_vlen_mem_manager(transfer.get(), budgeted_alloc, &budget, budgeted_free, nullptr);
  hvl_t element{0, nullptr};
  const herr_t status = H5Dread(d.get(), memory_type.get(), memory_space.get(), file_space.get(), transfer.get(), &element);
  if (status < 0) {
    if (budget.refused) fail(dataset, "element " + std::to_string(index) + " holds more than " + std::to_string(max_length) + " values");
    fail(dataset, "cannot read element " + std::to_string(index) + " (corrupt data)");
  }
  const auto* values = static_cast<const double*>(element.p);
  std::vector<double> out(values, values + element.len);
  H5Dvlen_reclaim(memory_type.get(), memory_space.get(), transfer.get(), &element);
  return out;
}

Hdf5Writer::Hdf5Writer(const std::string& path) : path_(path) {
  silence_hdf5();
  const std::filesystem::path target(path);
  temporary_ = (target.parent_path() / ("." + target.filename().string() + ".tmp")).string();
  file_ = H5Fcreate(temporary_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw RuntimeError(path + ": cannot create (is the directory there and writable?)");
}

Hdf5Writer::~Hdf5Writer() {
  if (file_ < 0) return;
  H5Fclose(file_);
  std::remove(temporary_.c_str());
}

void Hdf5Writer::ensure_parent(const std::string& name) {
  const size_t slash = name.rfind('/');
  if (slash == 0 || slash == std::string::npos) return;
  group(name.substr(0, slash));
}

void Hdf5Writer::group(const std::string& name) {
  if (H5Lexists(file_, name.c_str(), H5P_DEFAULT) > 0) return;
  ensure_parent(name);
  const Handle g(H5Gcreate2(file_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
  if (!g.valid()) throw RuntimeError(path_ + ": cannot create group " + name);
}

void Hdf5Writer::write(const std::string& name, int64_t file_type, int64_t memory_type, const void* data,
                       const std::vector<int64_t>& shape, size_t count) {
  size_t expected = 1;
  for (int64_t d : shape) expected *= static_cast<size_t>(d);
  if (expected != count) throw RuntimeError(path_ + ": " + name + ": " + std::to_string(count) + " values for shape " + shape_text(shape));
  ensure_parent(name);
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  const Handle space(shape.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                     H5Sclose);
  const Handle d(H5Dcreate2(file_, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
  if (!d.valid() || (count > 0 && H5Dwrite(d.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0))
    throw RuntimeError(path_ + ": cannot write " + name);
}

void Hdf5Writer::string(const std::string& name, const std::string& value) { strings(name, {value}, {}); }

void Hdf5Writer::strings(const std::string& name, const std::vector<std::string>& values, const std::vector<int64_t>& shape) {
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  const Handle type(utf8_string_type(), H5Tclose);
  write(name, type.get(), type.get(), pointers.data(), shape, values.size());
}

void Hdf5Writer::floats(const std::string& name, const std::vector<float>& values, const std::vector<int64_t>& shape) {
  write(name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, values.data(), shape, values.size());
}

void Hdf5Writer::doubles(const std::string& name, const std::vector<double>& values, const std::vector<int64_t>& shape) {
  write(name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(), shape, values.size());
}

void Hdf5Writer::integers(const std::string& name, const std::vector<int64_t>& values, const std::vector<int64_t>& shape) {
  write(name, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), shape, values.size());
}

void Hdf5Writer::close() {
  const herr_t flushed = H5Fflush(file_, H5F_SCOPE_GLOBAL);
  const herr_t closed = H5Fclose(file_);
  file_ = -1;
  if (flushed < 0 || closed < 0) {
    std::remove(temporary_.c_str());
    throw RuntimeError(path_ + ": cannot finish writing the HDF5 file");
  }
  if (std::rename(temporary_.c_str(), path_.c_str()) != 0) {
    std::remove(temporary_.c_str());
    throw RuntimeError(path_ + ": cannot rename into place");
  }
}

#else  // built without HDF5

namespace {
[[noreturn]] void no_hdf5(const std::string& path) {
  throw RuntimeError(path + ": this plasticore was built without HDF5 (install libhdf5-dev, e.g. with scripts/setup.sh, "
                            "and configure again)");
}
}  // namespace

bool hdf5_available() { return false; }
Hdf5Reader::Hdf5Reader(const std::string& path) : path_(path) { no_hdf5(path); }
Hdf5Reader::~Hdf5Reader() = default;
void Hdf5Reader::fail(const std::string&, const std::string&) const { no_hdf5(path_); }
bool Hdf5Reader::has(const std::string&) const { no_hdf5(path_); }
bool Hdf5Reader::is_group(const std::string&) const { no_hdf5(path_); }
std::vector<std::string> Hdf5Reader::members(const std::string&, int64_t) const { no_hdf5(path_); }
int64_t Hdf5Reader::open_dataset(const std::string&) const { no_hdf5(path_); }
Hdf5Reader::Kind Hdf5Reader::kind(const std::string&) const { no_hdf5(path_); }
std::vector<int64_t> Hdf5Reader::shape(const std::string&) const { no_hdf5(path_); }
std::vector<double> Hdf5Reader::read_numbers(const std::string&, int64_t) const { no_hdf5(path_); }
std::string Hdf5Reader::read_string(const std::string&, int64_t) const { no_hdf5(path_); }
std::vector<std::string> Hdf5Reader::read_strings(const std::string&, int64_t, int64_t) const { no_hdf5(path_); }
std::vector<double> Hdf5Reader::read_sequence(const std::string&, int64_t, int64_t) const { no_hdf5(path_); }
Hdf5Writer::Hdf5Writer(const std::string& path) : path_(path) { no_hdf5(path); }
Hdf5Writer::~Hdf5Writer() = default;
void Hdf5Writer::ensure_parent(const std::string&) { no_hdf5(path_); }
void Hdf5Writer::group(const std::string&) { no_hdf5(path_); }
void Hdf5Writer::write(const std::string&, int64_t, int64_t, const void*, const std::vector<int64_t>&, size_t) { no_hdf5(path_); }
void Hdf5Writer::string(const std::string&, const std::string&) { no_hdf5(path_); }
void Hdf5Writer::strings(const std::string&, const std::vector<std::string>&, const std::vector<int64_t>&) { no_hdf5(path_); }
void Hdf5Writer::floats(const std::string&, const std::vector<float>&, const std::vector<int64_t>&) { no_hdf5(path_); }
void Hdf5Writer::doubles(const std::string&, const std::vector<double>&, const std::vector<int64_t>&) { no_hdf5(path_); }
void Hdf5Writer::integers(const std::string&, const std::vector<int64_t>&, const std::vector<int64_t>&) { no_hdf5(path_); }
void Hdf5Writer::close() { no_hdf5(path_); }

#endif

}  // namespace plasticore
