// Puts a global batch back together from the ranks' slices (core/communicator.hpp): each rank adds its
// columns (its samples) of some matrices and per-sample event lists, exchange() shares them, and take()
// returns the full-batch ones, columns in global sample order (the slices are contiguous, in rank order).
// A learner uses it where its rule needs the whole batch in the serial order, so that every rank
// computes the same, bit-identical update as one process would.
#pragma once
#include <string>
#include <vector>

#include "core/communicator.hpp"
#include "core/nonzero_indices.hpp"
#include "core/tensor.hpp"

namespace plasticore {

class BatchExchange {
 public:
  explicit BatchExchange(const Communicator& comm) : comm_(comm) {}
  // Queue local data (rows x local samples), then exchange(), then take() everything in the same order.
  void add(const Matrix& local);
  void add(const std::vector<SpikeEvents>& local_events);
  void add(const std::vector<double>& local_values);
  void exchange();
  void take(Matrix& full);
  void take(std::vector<SpikeEvents>& full_events);
  void take(std::vector<double>& full_values);

 private:
  template <typename T>
  T read(size_t rank);
  void read_bytes(size_t rank, void* out, size_t bytes);

  const Communicator& comm_;
  std::string local_;
  Gathered gathered_;
  std::vector<size_t> offsets_;
};

}  // namespace plasticore
