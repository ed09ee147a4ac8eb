// The per-synapse part of e-prop (learn/eprop.hpp), advanced K time steps at a time. The step loop
// records what every synapse of step t needs (eps^v[t] and eps^v[t-1] per presynaptic column, psi[t],
// psi[t-1] and L[t] per postsynaptic row) in a buffer of K columns; once it is full, each tile of
// up to 16 rows x 8 columns of synapses runs through the K steps with its state (eps^a, ebar, the gradient and
// sum_t e) in registers. A per-step pass reads and writes every state matrix once per step (16-28 bytes
// per synapse); here that traffic is paid once per K steps and the K-step inner loop is pure arithmetic.
// Per synapse and step the arithmetic is the per-step loop's, in the same order, so the gradients are
// bit-identical to it (tests/learn/test_eprop_eligibility.cpp holds a plain per-synapse reference).
//
// Pipelined (set_pipelined, inside an OpenMP single region of a sequence run on its own): a full buffer
// is handed to the team as one task per column chunk, and the step loop goes on filling the other one;
// the next full buffer first waits for those tasks (taskwait, where the waiting thread runs the rest
// of them). The chunks hold disjoint state and see the steps in order: the same numbers.
//
// Steps whose learning signal is zero for every neuron (outside a decision window, where err[t] = 0)
// add nothing to the gradient: a block of them skips that multiply-add (exact, as L ebar = 0).
//
// Rows are stored padded: the ALIF rows 0..n_alif-1 and the LIF rows each fill whole 8-row tiles (run
// as 16-row tiles and at most one 8-row tile), the presynaptic columns whole groups of 8 (LIF tiles take
// 8 columns at a time, ALIF tiles, with twice the state, 4); padded rows have psi = L = 0 and padded
// columns eps^v = 0, so their state stays zero.
#pragma once
#include "core/tensor.hpp"

namespace plasticore {

class EpropEligibility {
 public:
  static constexpr Eigen::Index kTileRows = 16;   // one AVX-512 register, two AVX2 registers
  static constexpr Eigen::Index kRowPadding = 8;  // the last tile of a block may be 8 rows
  static constexpr Eigen::Index kColPadding = 8;  // columns sharing each load of psi and L: 8 (LIF), 4 (ALIF)
  static constexpr Eigen::Index kBlockSteps = 32; // K: 16 -> 32 was 3-6 % faster, 64 no better

  struct Decays {
    Scalar rho;    // adaptation decay
    Scalar beta;   // adapt_beta
    Scalar kappa;  // readout (trace filter) decay
  };

  // regularize: also keep sum_t e_ji[t] (firing-rate regularisation).
  EpropEligibility(Eigen::Index n_pre, Eigen::Index n_alif, Eigen::Index n_lif, Decays decays, bool regularize);

  // Step t: eps^v[t] and eps^v[t-1] (n_pre), psi[t] and psi[t-1] (n_alif + n_lif; only the ALIF head of
  // psi[t-1] is read) and the learning signal L[t] (n_alif + n_lif). Advances the synapses when the buffer
  // is full.
  void record(const Vector& trace, const Vector& previous_trace, const Vector& psi, const Vector& previous_psi,
              const Scalar* signal);

  // Advances the synapses through the steps still buffered; then gradient() and trace_sum() are current.
  void flush();

  // Hand full buffers to OpenMP tasks (call only inside a parallel region's single construct).
  void set_pipelined(bool pipelined) { pipelined_ = pipelined; }

  // dLoss/dW and sum_t e, n_rec x n_pre in the network's row order (call flush() first).
  Matrix gradient() const { return unpad(gradient_); }
  Matrix trace_sum() const { return regularize_ ? unpad(trace_sum_) : Matrix(); }

 private:
  // K buffered steps, one column per step.
  struct Block {
    Matrix trace, previous_trace;  // cols_ x K
    Matrix psi, signal;            // rows_ x K
    Matrix previous_psi, decay;    // alif_rows_ x K: psi[t-1], rho - beta psi[t-1]
    Eigen::Index steps = 0;
    bool any_signal = false;  // some buffered L[t] is non-zero
  };

  void advance_block(const Block& block);  // every chunk, in this thread or (pipelined) as tasks
  void advance_chunk(const Block& block, Eigen::Index c0);
  template <bool kAdaptive, bool kRegularize, bool kSignal>
  void advance_rows(const Block& block, Eigen::Index row_begin, Eigen::Index row_end, Eigen::Index c0);
  template <bool kAdaptive, bool kRegularize, bool kSignal, int kRows, int kCols>
  void advance(const Block& block, Eigen::Index r0, Eigen::Index c0);
  Matrix unpad(const Matrix& padded) const;

  Eigen::Index n_pre_, n_alif_, n_lif_, cols_, alif_rows_, rows_;  // cols_, alif_rows_, rows_: padded
  Decays decays_;
  bool regularize_;
  bool pipelined_ = false;
  Block blocks_[2];  // the one being filled, and (pipelined) the one the tasks may still be reading
  int filling_ = 0;
  // State, padded rows x cols_.
  Matrix threshold_eligibility_;  // eps^a, ALIF rows only
  Matrix filtered_trace_, gradient_, trace_sum_;
};

}  // namespace plasticore
