// The per-epoch records of a run: one row per epoch, the columns a run has (its learner and dataset
// decide which), always in this order:
//   epoch, train_loss, test_loss, train_accuracy, test_accuracy, test_nmse, mean_rate_hz,
//   epoch_seconds, train_samples_per_second, lr_scale
// In the run record as one float64 array per column ("history/<column>"); in metrics.csv as rows.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/named_tensors.hpp"

namespace plasticore {

using EpochRecord = std::vector<std::pair<std::string, double>>;  // (column, value) in the order above

class History {
 public:
  static const std::vector<std::string>& columns();  // every column there can be, in order

  // Adds a row; its columns must be those of the rows before.
  void add(EpochRecord record);
  size_t size() const { return rows_.size(); }
  bool empty() const { return rows_.empty(); }
  const std::vector<EpochRecord>& rows() const { return rows_; }
  bool has(const std::string& column) const;
  double value(size_t row, const std::string& column) const;  // RuntimeError if the column is missing

  std::string csv() const;
  void save(NamedTensors& out) const;
  // The history of `epochs` rows; RuntimeError naming the source if a column's length differs.
  static History restore(const NamedTensors& in, int64_t epochs);

 private:
  std::vector<EpochRecord> rows_;
};

}  // namespace plasticore
