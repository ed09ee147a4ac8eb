// The one interface between learning rules and whatever holds a weight matrix (docs/architecture.md, "rule x
// substrate"). Calls are per matrix operation, never per synapse: the hot loops live inside each
// substrate. Shapes: W is post x pre; matrices passed in have one column per sample.
//   forward / forward_events   y = W x (dense input, or the sum of the columns of the active inputs)
//   backward / backward_events x = W^T y (symmetric feedback, learning signals; the same array transposed)
//   update(dW)                 a request: the substrate realises what it can (quantisation, pulses,
//                              saturation); what was achieved is weights() afterwards
//   advance(seconds)           wall-clock time passes (drift on devices)
//   weights()                  the effective matrix, for checkpoints, analysis and rules that need w_ij
//   save_state / restore_state everything beyond weights() that a resumed run needs (device conductances,
//                              write times, accumulators, clocks, random-stream positions)
// Substrates are found by name in substrate/registry.hpp.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/column_sums.hpp"
#include "core/named_tensors.hpp"
#include "core/op_counters.hpp"
#include "core/tensor.hpp"

namespace plasticore {

class Substrate {
 public:
  virtual ~Substrate() = default;
  virtual std::string kind() const = 0;
  virtual int rows() const = 0;  // postsynaptic neurons
  virtual int cols() const = 0;  // presynaptic neurons

  // y = W x for every column of x (dense input).
  virtual void forward(const Matrix& x, Matrix& y) const = 0;
  // y = W x where x is mostly zeros (a clamped image): a substrate with exact reads may add only the weight
  // columns of the non-zero inputs, in another order than forward (the last bits differ) but counted as the
  // same dense product; any other substrate computes forward.
  virtual void forward_nonzero(const Matrix& x, Matrix& y) const { forward(x, y); }
  // Whether forward_nonzero splits a batch among the threads itself (by columns of W: exact_forward_nonzero):
  // a caller then calls it once for the whole batch rather than once per thread's samples.
  virtual bool forward_nonzero_on_team() const { return false; }
  // y = sum of the columns of W named in `active` (one sample's presynaptic spikes, all of weight 1).
  virtual void forward_events(std::span<const int32_t> active, Scalar* y) const = 0;
  // The caller kept y from an identical earlier forward_events (same weights, same `active`) and would use it
  // again: a substrate whose reads are exact and repeatable counts the call as forward_events would and
  // returns true; any other returns false, and the caller calls forward_events.
  virtual bool repeat_forward_events(std::span<const int32_t>) const { return false; }
  // y holds an earlier forward_events on unchanged weights; since then the inputs in `on` started and those in
  // `off` stopped spiking, and `active` inputs spike now: a substrate whose reads are exact adds the columns of
  // `on` and subtracts those of `off` (the sum of the new inputs in another order: the last bits differ),
  // counts the call as forward_events of `active` inputs and returns true; any other returns false, and the
  // caller calls forward_events.
  virtual bool forward_event_changes(std::span<const int32_t> /*on*/, std::span<const int32_t> /*off*/,
                                     size_t /*active*/, Scalar* /*y*/) const {
    return false;
  }
  // forward_event_changes for every step of a phase at once, known before it (a clamped input's spikes): for each
  // step in order, y += its `on` columns - its `off` columns, copied to the step's `out`, counted as the step's
  // `active` events; the same numbers as a call per step. False (nothing done) where the substrate cannot: reads
  // that depend on the step or on the order of calls; the caller then goes step by step.
  virtual bool forward_event_change_steps(std::span<const StepChanges> /*steps*/, Scalar* /*y*/) const { return false; }
  // forward_events for every step of a phase at once, known before it (a clamped input's spikes): each step's `out` =
  // the sum of its `events` columns, counted as forward_events; the same numbers as a call per step. False (nothing
  // done) where the substrate cannot, as forward_event_change_steps; the caller then goes step by step.
  virtual bool forward_event_steps(std::span<const StepEvents> /*steps*/) const { return false; }
  // x = W^T y for every column of y (symmetric feedback).
  virtual void backward(const Matrix& y, Matrix& x) const = 0;
  // forward and backward with every column of the result computed alone (core/column_product.hpp), where
  // products_by_column(): a product split by columns over threads or ranks then gives the numbers of the whole
  // one. Exact substrates do (the last bits differ from forward's and backward's); the others compute forward and
  // backward, whose reads are theirs.
  virtual bool products_by_column() const { return false; }
  virtual void forward_by_column(const Matrix& x, Matrix& y) const { forward(x, y); }
  virtual void backward_by_column(const Matrix& y, Matrix& x) const { backward(y, x); }
  // x = sum of the rows of W named in `active` (postsynaptic spikes sent back through W^T).
  virtual void backward_events(std::span<const int32_t> active, Scalar* x) const = 0;
  // A hint from a caller that will read W^T every step (backward_events of a spiking network's feedback, backward of
  // a rate network's): keep W^T beside W, so that an event reads a contiguous row of W^T instead of a strided row of
  // W (one cache line per weight once W has 16 rows or more) and a dense product packs a column-major operand
  // instead of gathering one. The same sums, bit for bit. Exact substrates take it; the others ignore it.
  virtual void keep_transposed_weights() {}
  // A hint from a caller that will sum columns of W by events at every step (a spiking layer's input): keep a copy of W
  // whose columns start on 64-byte lines, an odd number of lines apart (aligned_column_rows in core/column_sums.hpp),
  // which the event-driven forward sums then read. The same sums, bit for bit. The ideal substrate takes it (then W
  // changes in the copy, and weights() is made from it when read; hardware-in-the-loop passes it to its chip); the
  // others ignore it.
  // The columns start on lines where Eigen allocates on 64 bytes (AVX-512 builds); elsewhere only the stride helps.
  virtual void keep_aligned_columns() {}
  // Request W += delta; the substrate realises what it can (the achieved change shows in weights()).
  virtual void update(const Matrix& delta) = 0;
  // The whole SGD update of a batch in one sweep over the matrix, where the substrate adds a change exactly:
  // gradient *= scale (unless scale is 1), W += step * gradient, gradient = 0, one pass over both matrices; the
  // roundings are those of the separate passes. `columns` (increasing; nullptr: all) names the only columns of
  // the gradient that may be non-zero (learn/gradient_columns.hpp): the others are skipped, which leaves their
  // weights as the sweep would (W + step * scale * 0 = W) but for the sign of a weight of exactly -0. Returns
  // false (nothing done) if this substrate realises updates any other way: the caller then runs update().
  virtual bool update_sgd(Matrix& /*gradient*/, Scalar /*scale*/, Scalar /*step*/,
                          const std::vector<int32_t>* /*columns*/ = nullptr) {
    return false;
  }
  // The matrix update_sgd changes, where a caller may instead apply the SGD step in place, column by column, with
  // update_sgd's roundings (core/sgd_sweep.hpp) as it forms each column's gradient (rate EP's first layer: no
  // gradient matrix written, read and zeroed); nullptr where the substrate cannot (the caller then sums and calls
  // update_sgd). After such an update the caller calls changed_in_place() once, where update_sgd would have run.
  virtual Matrix* sgd_in_place() { return nullptr; }
  virtual void changed_in_place() {}
  // Wall-clock time passes (drift on devices; nothing on digital substrates).
  virtual void advance(double seconds) = 0;
  // The effective weight matrix, for checkpoints, analysis and rules that need w_ij. The reference is current until
  // the next change of W (an update may leave it behind: read weights() again after one).
  virtual const Matrix& weights() const = 0;
  // Program a whole matrix (initialisation, or a run record without this substrate's state).
  virtual void set_weights(const Matrix& w) = 0;
  // Every device conductance in microsiemens, now (empty on digital substrates).
  virtual std::vector<float> conductances_uS() const { return {}; }

  // The state beyond weights() under `prefix` (e.g. "substrate/w1/"). restore_state returns false when
  // `in` holds no state of this kind and shape: the caller then programs the saved weights instead.
  virtual void save_state(NamedTensors& out, const std::string& prefix) const = 0;
  virtual bool restore_state(const NamedTensors& in, const std::string& prefix) = 0;

  // Where this substrate counts the cost of its matrix operations (nullptr: not counted).
  virtual void set_counters(OpCounters* counters) { counters_ = counters; }

 protected:
  void count(Op op, int64_t n) const {
    if (counters_ != nullptr) counters_->add(op, n);
  }
  // Exact event-driven reads on stored digital weights w (ideal, quantized): y = the columns of w named in
  // `active`, x = its rows, each output's additions in list order; one synaptic event per weight summed.
  void exact_forward_events(const Matrix& w, std::span<const int32_t> active, Scalar* y) const;
  // From the kept W^T if keep_transpose_of(w) was called: the same additions in the same order.
  void exact_backward_events(const Matrix& w, std::span<const int32_t> active, Scalar* x) const;
  // x = w^T y by column_product, from the kept W^T if there is one.
  void exact_backward_by_column(const Matrix& w, const Matrix& y, Matrix& x) const;
  // x = w^T y (dense). From the kept W^T where Eigen's product is the general one (blocked matrix-matrix), which packs
  // a column-major operand the same as the row-major view w^T but without gathering it (Eigen packing w^T was 5 % of
  // rate EP); the same bits (tests/substrate/test_ideal_substrate.cpp).
  void exact_backward(const Matrix& w, const Matrix& y, Matrix& x) const;
  // keep_transposed_weights of an exact substrate whose weights are w: W^T is kept from now on, and the substrate
  // calls refresh_transpose(w) after every change of w (else backward_events would read stale weights).
  void keep_transpose_of(const Matrix& w) {
    keep_transpose_ = true;
    refresh_transpose(w);
  }
  void refresh_transpose(const Matrix& w) {
    if (keep_transpose_) transposed_ = w.transpose();
  }
  // The same from the aligned copy's top `rows` rows (a substrate whose W changes there).
  void refresh_transpose_from_aligned(Eigen::Index rows) {
    if (keep_transpose_) transposed_ = aligned_.topRows(rows).transpose();
  }
  // keep_aligned_columns of an exact substrate whose weights are w (a no-op where the columns are aligned so already or
  // too short to gain); the substrate then changes W in the copy (aligned_columns(), else the event sums would read
  // stale weights), or calls refresh_copies after a change of all of w.
  void keep_aligned_columns_of(const Matrix& w);
  // The aligned copy (keep_aligned_columns_of): W in its top rows; null if none is kept.
  Matrix* aligned_columns() { return aligned_.size() > 0 ? &aligned_ : nullptr; }
  const Matrix* aligned_columns() const { return aligned_.size() > 0 ? &aligned_ : nullptr; }
  void refresh_aligned(const Matrix& w) {
    if (aligned_.size() > 0) aligned_.topRows(w.rows()) = w;
  }
  void refresh_copies(const Matrix& w) {
    refresh_transpose(w);
    refresh_aligned(w);
  }
  // The columns of w as the event-driven forward sums read them: from the aligned copy if one is kept. Chosen once
  // per sum, so that the sum's loop computes each column's address without a branch.
  struct EventColumns {
    const Scalar* first;
    Eigen::Index stride;  // floats from one column to the next
    const Scalar* operator()(Eigen::Index j) const { return first + j * stride; }
  };
  EventColumns event_columns(const Matrix& w) const {
    return aligned_.size() > 0 ? EventColumns{aligned_.data(), aligned_.rows()} : EventColumns{w.data(), w.rows()};
  }
  // y += the columns of w in `on` - those in `off` (forward_event_changes), counted as `active` events.
  void exact_forward_event_changes(const Matrix& w, std::span<const int32_t> on, std::span<const int32_t> off,
                                   size_t active, Scalar* y) const;
  void exact_forward_event_change_steps(const Matrix& w, std::span<const StepChanges> steps, Scalar* y) const;
  void exact_forward_event_steps(const Matrix& w, std::span<const StepEvents> steps) const;
  // y = w x from the non-zero entries of each column of x (forward_nonzero), each output's additions in the
  // order of the inputs; counted as the dense product it stands for.
  void exact_forward_nonzero(const Matrix& w, const Matrix& x, Matrix& y) const;
  // What exact_forward_events counts, for a read the caller kept (repeat_forward_events).
  void count_forward_events(const Matrix& w, size_t active) const {
    count(Op::synaptic_events, static_cast<int64_t>(active) * w.rows());
    count(Op::dense_equivalent_macs, static_cast<int64_t>(w.size()));
  }
  // True if `in` has a state section of kind `kind` under prefix (the tag save_state writes first).
  static bool has_state(const NamedTensors& in, const std::string& prefix, const std::string& kind) {
    return in.has(prefix + "kind") && in.at(prefix + "kind").dtype == DType::text && in.text(prefix + "kind") == kind;
  }

 private:
  OpCounters* counters_ = nullptr;
  bool keep_transpose_ = false;
  Matrix transposed_;  // W^T, if keep_transpose_
  Matrix aligned_;     // W in its top rows (keep_aligned_columns_of), else empty; Eigen starts it on a 64-byte line
};

// Builds the substrate of one named matrix ("w1", "w_rec", ...) of a network: rows x cols.
using SubstrateFactory = std::function<std::unique_ptr<Substrate>(const std::string& matrix, int rows, int cols)>;

// A network matrix in the run record: its weights under `name`, its substrate's state under
// "substrate/<name>/"; restore prefers the state and falls back to programming the weights.
void save_matrix(NamedTensors& out, const std::string& name, const Substrate& substrate);
void restore_matrix(const NamedTensors& in, const std::string& name, Substrate& substrate);
// The weights `name` of a record, rows x cols and finite (RuntimeError naming the tensor otherwise).
Matrix saved_weights(const NamedTensors& in, const std::string& name, int rows, int cols);

}  // namespace plasticore
