#include "learn/batch_exchange.hpp"

#include <cstring>

#include "core/error.hpp"

namespace plasticore {

namespace {

template <typename T>
void append(std::string& s, const T& v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace

void BatchExchange::add(const Matrix& local) {
  append(local_, static_cast<int64_t>(local.rows()));
  append(local_, static_cast<int64_t>(local.cols()));
  local_.append(reinterpret_cast<const char*>(local.data()), sizeof(Scalar) * static_cast<size_t>(local.size()));
}

void BatchExchange::add(const std::vector<SpikeEvents>& local_events) {
  append(local_, static_cast<int64_t>(local_events.size()));
  for (const auto& e : local_events) {
    append(local_, static_cast<int64_t>(e.size()));
    local_.append(reinterpret_cast<const char*>(e.data()), sizeof(int32_t) * e.size());
  }
}

void BatchExchange::add(const std::vector<double>& local_values) {
  append(local_, static_cast<int64_t>(local_values.size()));
  local_.append(reinterpret_cast<const char*>(local_values.data()), sizeof(double) * local_values.size());
}

void BatchExchange::exchange() {
  comm_.allgather(local_, gathered_);
  local_.clear();
  offsets_.assign(gathered_.offsets.size() - 1, 0);
}

void BatchExchange::read_bytes(size_t rank, void* out, size_t bytes) {
  if (offsets_[rank] + bytes > gathered_.size(rank)) throw RuntimeError("batch exchange: a rank sent less than expected");
  if (bytes == 0) return;  // an empty vector's data() may be null, and memcpy's arguments must not be (UBSan)
  std::memcpy(out, gathered_.data(rank) + offsets_[rank], bytes);
  offsets_[rank] += bytes;
}

template <typename T>
T BatchExchange::read(size_t rank) {
  T v;
  read_bytes(rank, &v, sizeof v);
  return v;
}

void BatchExchange::take(Matrix& full) {
  std::vector<int64_t> rows(offsets_.size()), cols(offsets_.size());
  int64_t total = 0;
  for (size_t r = 0; r < offsets_.size(); ++r) {
    rows[r] = read<int64_t>(r);
    cols[r] = read<int64_t>(r);
    total += cols[r];
    if (rows[r] != rows[0]) throw RuntimeError("batch exchange: ranks disagree on a matrix's rows");
  }
  full.resize(rows[0], total);
  int64_t column = 0;
  for (size_t r = 0; r < offsets_.size(); ++r) {  // column-major: a slice of columns is one contiguous block
    read_bytes(r, full.data() + column * rows[0], sizeof(Scalar) * static_cast<size_t>(rows[0] * cols[r]));
    column += cols[r];
  }
}

void BatchExchange::take(std::vector<SpikeEvents>& full_events) {
  full_events.clear();
  for (size_t r = 0; r < offsets_.size(); ++r) {
    const auto samples = read<int64_t>(r);
    for (int64_t b = 0; b < samples; ++b) {
      const auto n = read<int64_t>(r);
      SpikeEvents e(static_cast<size_t>(n));
      read_bytes(r, e.data(), sizeof(int32_t) * e.size());
      full_events.push_back(std::move(e));
    }
  }
}

void BatchExchange::take(std::vector<double>& full_values) {
  full_values.clear();
  for (size_t r = 0; r < offsets_.size(); ++r) {
    const auto n = read<int64_t>(r);
    const size_t at = full_values.size();
    full_values.resize(at + static_cast<size_t>(n));
    read_bytes(r, full_values.data() + at, sizeof(double) * static_cast<size_t>(n));
  }
}

}  // namespace plasticore
