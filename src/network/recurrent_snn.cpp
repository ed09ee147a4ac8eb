#include "network/recurrent_snn.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/nonzero_indices.hpp"
#include "substrate/read_key.hpp"

namespace plasticore {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw UsageError("recurrent SNN: " + what);
}

bool positive_finite(double x) { return std::isfinite(x) && x > 0; }

std::string shape(const Matrix& m) { return std::to_string(m.rows()) + " x " + std::to_string(m.cols()); }

void require_shape(const Matrix& m, Eigen::Index rows, Eigen::Index cols, const char* name) {
  require(m.rows() == rows && m.cols() == cols, std::string(name) + " must be " + std::to_string(rows) + " x " +
                                                    std::to_string(cols) + ", got " + shape(m));
}

void require_finite(const Matrix& m, const char* name) {
  require(m.allFinite(), std::string(name) + " has a NaN or infinite entry");
}

}  // namespace

RecurrentSNN::RecurrentSNN(RecurrentSNNSizes sizes, RecurrentSNNParams params, const SubstrateFactory& substrates)
    : sizes_(sizes), params_(params) {
  require(sizes_.inputs >= 1 && sizes_.recurrent >= 1 && sizes_.outputs >= 1,
          "n_in, n_rec and n_out must be at least 1");
  require(sizes_.adaptive >= 0 && sizes_.adaptive <= sizes_.recurrent, "n_adaptive must be in [0, n_rec]");
  require(positive_finite(params_.dt_ms), "dt must be positive");
  require(positive_finite(params_.lif.tau_m_ms), "tau_m must be positive");
  require(positive_finite(params_.alif.tau_a_ms), "tau_a must be positive");
  require(positive_finite(params_.readout.tau_out_ms), "tau_out must be positive");
  require(positive_finite(params_.lif.v_th), "v_th must be positive");
  require(std::isfinite(params_.lif.gamma) && params_.lif.gamma >= 0, "gamma must be finite and >= 0");
  require(std::isfinite(params_.alif.adapt_beta), "adapt_beta must be finite");
  require(positive_finite(params_.lif.sigmoid_width), "sigmoid_width must be positive");
  require(params_.lif.refractory_steps >= 0, "refractory_steps must be >= 0");
  alpha_ = plasticore::membrane_decay(params_.lif, params_.dt_ms);
  rho_ = plasticore::adaptation_decay(params_.alif, params_.dt_ms);
  kappa_ = plasticore::readout_decay(params_.readout, params_.dt_ms);
  input_ = substrates(kMatrixNames[0], sizes_.recurrent, sizes_.inputs);
  recurrent_ = substrates(kMatrixNames[1], sizes_.recurrent, sizes_.recurrent);
  readout_ = substrates(kMatrixNames[2], sizes_.outputs, sizes_.recurrent);
}

void RecurrentSNN::set_weights(const Matrix& input, const Matrix& recurrent, const Matrix& readout) {
  require_shape(input, sizes_.recurrent, sizes_.inputs, "w_in");
  require_shape(recurrent, sizes_.recurrent, sizes_.recurrent, "w_rec");
  require_shape(readout, sizes_.outputs, sizes_.recurrent, "w_out");
  require_finite(input, "w_in");
  require_finite(recurrent, "w_rec");
  require_finite(readout, "w_out");
  Matrix no_autapses = recurrent;
  no_autapses.diagonal().setZero();
  input_->set_weights(input);
  recurrent_->set_weights(no_autapses);
  readout_->set_weights(readout);
}

void RecurrentSNN::save(NamedTensors& out) const {
  const auto m = matrices();
  for (size_t k = 0; k < m.size(); ++k) save_matrix(out, kMatrixNames[k], *m[k]);
}

void RecurrentSNN::restore(const NamedTensors& in) {
  const auto m = matrices();
  for (size_t k = 0; k < m.size(); ++k) {
    const std::string name = kMatrixNames[k];
    Matrix w = saved_weights(in, name, m[k]->rows(), m[k]->cols());
    if (m[k]->restore_state(in, "substrate/" + name + "/")) continue;
    if (m[k] == recurrent_.get()) w.diagonal().setZero();  // as set_weights: a device's noise there is not a weight
    m[k]->set_weights(w);
  }
}

void RecurrentSNN::set_counters(OpCounters* counters) {
  counters_ = counters;
  for (Substrate* w : {input_.get(), recurrent_.get(), readout_.get()}) w->set_counters(counters);
}

void RecurrentSNN::check_sequence(const Matrix& inputs, const Matrix* targets) const {
  require(inputs.rows() >= 1, "the input sequence is empty (T = 0)");
  require(inputs.cols() == sizes_.inputs, "inputs must be T x n_in = T x " + std::to_string(sizes_.inputs) +
                                              ", got " + shape(inputs));
  require_finite(inputs, "inputs");
  if (targets == nullptr) return;
  require_shape(*targets, inputs.rows(), sizes_.outputs, "targets (T x n_out)");
  require_finite(*targets, "targets");
}

void RecurrentSNN::start(RecurrentSNNState& s) const {
  s.input.setZero(sizes_.inputs, 1);
  s.spikes.setZero(sizes_.recurrent, 1);
  s.membrane_potential.setZero(sizes_.recurrent);
  s.adaptation.setZero(sizes_.adaptive);
  s.pseudo_derivative.setZero(sizes_.recurrent);
  s.refractory.setZero(sizes_.recurrent);
  s.readout.setZero(sizes_.outputs);
  s.synaptic_input.setZero(sizes_.recurrent, 1);
  s.recurrent_input.setZero(sizes_.recurrent, 1);
  s.readout_input.setZero(sizes_.outputs, 1);
  s.active.resize(static_cast<size_t>(sizes_.inputs));  // no allocation in step()
  s.spiked.resize(static_cast<size_t>(sizes_.recurrent));
  s.n_spiked = 0;  // z = 0
  s.read_sample = thread_read_key().sample;
  s.steps = 0;
}

void RecurrentSNN::step(RecurrentSNNState& s, const Matrix& inputs, Eigen::Index t) const {
  s.input.col(0) = inputs.row(t).transpose();
  step(s);
}

namespace {

// The indices of the entries equal to 1, in `buffer` (sized by start()); -1 if some entry is neither 0
// nor 1. z is checked too: the spike function smooth_sigmoid (gradient checks) makes it analog.
Eigen::Index spike_indices(const Matrix& x, std::vector<int32_t>& buffer) {
  return binary_indices(x.data(), x.size(), buffer.data());
}

}  // namespace

void RecurrentSNN::step(RecurrentSNNState& s) const {
  const ReadKeyScope key({s.read_sample, s.steps++});  // this step's reads
  const auto events = [](const std::vector<int32_t>& list, Eigen::Index n) {
    return std::span<const int32_t>(list.data(), static_cast<size_t>(n));
  };
  if (const Eigen::Index n = spike_indices(s.input, s.active); n >= 0)
    input_->forward_events(events(s.active, n), s.synaptic_input.data());
  else
    input_->forward(s.input, s.synaptic_input);
  if (s.n_spiked >= 0)  // z[t-1], listed by the step before (or start())
    recurrent_->forward_events(events(s.spiked, s.n_spiked), s.recurrent_input.data());
  else
    recurrent_->forward(s.spikes, s.recurrent_input);
  s.synaptic_input += s.recurrent_input;
  const int n_adaptive = sizes_.adaptive;
  Scalar* v = s.membrane_potential.data();
  Scalar* z = s.spikes.data();
  Scalar* psi = s.pseudo_derivative.data();
  const Scalar* current = s.synaptic_input.data();
  Scalar* r = s.refractory.data();
  alif_step(params_.lif, params_.alif, alpha_, rho_, current, v, s.adaptation.data(), z, psi, r, n_adaptive);
  lif_step(params_.lif, alpha_, current + n_adaptive, v + n_adaptive, z + n_adaptive, psi + n_adaptive,
           r + n_adaptive, sizes_.recurrent - n_adaptive);
  const Eigen::Index spikes = s.n_spiked = spike_indices(s.spikes, s.spiked);  // z[t]
  if (spikes >= 0) readout_->forward_events(events(s.spiked, spikes), s.readout_input.data());
  else readout_->forward(s.spikes, s.readout_input);
  s.readout = kappa_ * s.readout + s.readout_input.col(0);
  if (counters_ != nullptr) {
    counters_->add(Op::neuron_updates, sizes_.recurrent + sizes_.outputs);
    counters_->add(Op::time_steps, 1);
    counters_->add(Op::spikes, spikes >= 0 ? static_cast<int64_t>(spikes) : static_cast<int64_t>(s.spikes.sum()));
  }
}

void RecurrentSNN::forward(const Matrix& inputs, Matrix& readout, Matrix* spikes) const {
  check_sequence(inputs, nullptr);
  const Eigen::Index steps = inputs.rows();
  readout.resize(steps, sizes_.outputs);
  if (spikes != nullptr) spikes->resize(steps, sizes_.recurrent);
  RecurrentSNNState s;
  start(s);
  for (Eigen::Index t = 0; t < steps; ++t) {
    step(s, inputs, t);
    readout.row(t) = s.readout.transpose();
    if (spikes != nullptr) spikes->row(t) = s.spikes.col(0).transpose();
  }
}

}  // namespace plasticore
