// Which columns of a parameter's gradient sum may be non-zero. A rule that adds to few columns (EqSpike's
// first layer: the columns of the input neurons that spiked, ~19 % of MNIST's 784 for one image) marks the
// ones it writes, and the update then sweeps only those (substrate.hpp, update_sgd): with one sample per
// update the sweep over all of W1 was ~19 % of a run. Anything else that writes into a tracked sum must mark
// its columns or mark_all(). Untracked (the default) means every column may be non-zero.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/tensor.hpp"

namespace plasticore {

class GradientColumns {
 public:
  // From now on only marked columns count as written (the sum must be zero now).
  void track(Eigen::Index cols) {
    marked_.assign(static_cast<size_t>(cols), 0);
    all_ = false;
  }
  bool tracked() const { return !marked_.empty(); }
  void mark(int32_t column) { marked_[static_cast<size_t>(column)] = 1; }  // a store, no branch: per event
  void mark_if(Eigen::Index column, bool written) { marked_[static_cast<size_t>(column)] |= static_cast<uint8_t>(written); }
  // Marks every j < n with x[j] != 0 (a sum x y^T writes only those columns: 0 times anything finite is 0).
  void mark_nonzero(const Scalar* x, Eigen::Index n) {
    uint8_t* m = marked_.data();
    for (Eigen::Index j = 0; j < n; ++j) m[j] |= static_cast<uint8_t>(x[j] != 0);  // vectorises
  }
  void mark_all() { all_ = true; }
  // The columns that may be non-zero, increasing; nullptr: all of them.
  const std::vector<int32_t>* columns() {
    if (all_ || !tracked()) return nullptr;
    list_.resize(marked_.size());
    size_t n = 0;
    for (size_t j = 0; j < marked_.size(); ++j) {  // branch-free compaction, in column order
      list_[n] = static_cast<int32_t>(j);
      n += marked_[j];
    }
    list_.resize(n);
    return &list_;
  }
  // The sum was zeroed.
  void clear() {
    std::fill(marked_.begin(), marked_.end(), uint8_t{0});
    all_ = false;
  }

 private:
  std::vector<uint8_t> marked_;  // per column: 1 if marked (empty: untracked)
  std::vector<int32_t> list_;    // columns()'s answer
  bool all_ = false;
};

}  // namespace plasticore
