// Recurrent spiking network of e-prop (Bellec et al. 2020, Nat. Commun. 11:3625): n_in inputs, n_rec
// recurrent neurons (neurons 0..n_adaptive-1 are ALIF, neuron/alif.hpp; the rest LIF, neuron/lif.hpp),
// n_out leaky readouts (neuron/leaky_readout.hpp). Three weight matrices, each held by a substrate:
//   W_in  n_rec x n_in,   W_rec n_rec x n_rec (no autapses: its diagonal is stored as zero),
//   W_out n_out x n_rec.
// One step t = 0..T-1 of a sequence, from z[-1] = v[-1] = a[-1] = y[-1] = 0:
//   I[t] = W_in x[t] + W_rec z[t-1]
//   (v, a, z, psi)[t] = ALIF / LIF step of I[t]
//   y[t] = kappa y[t-1] + W_out z[t]
// A sequence is T x n_in (one row per step, the API's layout); each step copies its row into a
// contiguous column. The products are event-driven where their input is spikes: W_rec z[t-1] and
// W_out z[t] always, W_in x[t] when every x_i[t] is 0 or 1 (a spike train); analog inputs are read densely.
// An event sum adds only the columns of the active inputs, in index order (substrate.hpp).
// Op counts (set_counters): the substrates' products, n_rec + n_out neuron updates, the spikes and one time step of every step.
// Names in the run record: w_in, w_rec, w_out and their substrates' state sections.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "neuron/alif.hpp"
#include "neuron/leaky_readout.hpp"
#include "neuron/lif.hpp"
#include "substrate/substrate.hpp"

namespace plasticore {

struct RecurrentSNNSizes {
  int inputs = 1;     // n_in
  int recurrent = 1;  // n_rec
  int adaptive = 0;   // n_adaptive: neurons 0..n_adaptive-1 are ALIF
  int outputs = 1;    // n_out
};

struct RecurrentSNNParams {
  double dt_ms = 1.0;
  LIFParams lif;    // all recurrent neurons
  ALIFParams alif;  // the adaptive ones
  LeakyReadoutParams readout;
};

// The state after step t. Matrix members are single columns that a substrate reads or writes.
struct RecurrentSNNState {
  Matrix input;               // x[t], n_in x 1
  Matrix spikes;              // z[t], n_rec x 1
  Vector membrane_potential;  // v[t]
  Vector adaptation;          // a[t], n_adaptive (ALIF neurons only)
  Vector pseudo_derivative;   // psi[t]
  Vector refractory;          // refractory steps left after step t (neuron/lif.hpp)
  Vector readout;             // y[t], n_out
  Matrix synaptic_input;      // I[t], n_rec x 1
  Matrix recurrent_input;     // W_rec z[t-1], n_rec x 1
  Matrix readout_input;       // W_out z[t], n_out x 1
  std::vector<int32_t> active;  // scratch: indices of the inputs that spiked (n_in)
  std::vector<int32_t> spiked;  // indices of the neurons that spiked in z[t] (n_rec), for the next step's W_rec z
  Eigen::Index n_spiked = 0;    // how many; -1: z is not binary (smooth spike function)
  uint64_t read_sample = 0;     // the sequence's read key (substrate/read_key.hpp), taken from the thread at start()
  uint64_t steps = 0;           // steps taken: the read key's step
};

class RecurrentSNN {
 public:
  // Throws UsageError for sizes or parameters out of range. Weights start at zero.
  RecurrentSNN(RecurrentSNNSizes sizes, RecurrentSNNParams params, const SubstrateFactory& substrates);
  static constexpr std::array<const char*, 3> kMatrixNames = {"w_in", "w_rec", "w_out"};

  const RecurrentSNNSizes& sizes() const { return sizes_; }
  const RecurrentSNNParams& params() const { return params_; }
  Scalar membrane_decay() const { return alpha_; }    // alpha
  Scalar adaptation_decay() const { return rho_; }    // rho
  Scalar readout_decay() const { return kappa_; }     // kappa

  // Programs W_in, W_rec, W_out (UsageError on a wrong shape or a non-finite entry). The diagonal of
  // W_rec is ignored: it is stored as zero.
  void set_weights(const Matrix& input, const Matrix& recurrent, const Matrix& readout);
  const Substrate& input_weights() const { return *input_; }
  const Substrate& recurrent_weights() const { return *recurrent_; }
  const Substrate& readout_weights() const { return *readout_; }
  // For training: update requests go to the substrates (the W_rec diagonal must stay zero).
  Substrate& input_weights() { return *input_; }
  Substrate& recurrent_weights() { return *recurrent_; }
  Substrate& readout_weights() { return *readout_; }
  // W_in, W_rec, W_out in the order of kMatrixNames.
  std::array<Substrate*, 3> matrices() { return {input_.get(), recurrent_.get(), readout_.get()}; }
  std::array<const Substrate*, 3> matrices() const { return {input_.get(), recurrent_.get(), readout_.get()}; }
  // Weights and substrate state, by name.
  void save(NamedTensors& out) const;
  void restore(const NamedTensors& in);

  // Counts the operations of every step into `counters` (nullptr: none), the substrates' included.
  void set_counters(OpCounters* counters);
  OpCounters* counters() const { return counters_; }  // for the learning rules' own counts

  // UsageError unless inputs is T x n_in with T >= 1 and targets (if given) T x n_out, all finite.
  void check_sequence(const Matrix& inputs, const Matrix* targets) const;

  // Sizes the state and sets z[-1] = v[-1] = a[-1] = y[-1] = psi[-1] = 0.
  void start(RecurrentSNNState& s) const;
  // Advances from step t-1 to t with x[t] = row t of inputs (T x n_in). Allocates nothing.
  void step(RecurrentSNNState& s, const Matrix& inputs, Eigen::Index t) const;
  // The same with x[t] already written into s.input (streamed sequences, learn/sequence_stream.hpp).
  void step(RecurrentSNNState& s) const;

  // Runs a whole sequence (checked): readout y (T x n_out) and, if wanted, spikes z (T x n_rec).
  void forward(const Matrix& inputs, Matrix& readout, Matrix* spikes = nullptr) const;

 private:
  RecurrentSNNSizes sizes_;
  RecurrentSNNParams params_;
  Scalar alpha_, rho_, kappa_;
  std::unique_ptr<Substrate> input_, recurrent_, readout_;
  OpCounters* counters_ = nullptr;
};

}  // namespace plasticore
