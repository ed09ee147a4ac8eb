// Test reference for the recurrent SNN: an independent double-precision forward pass and loss, straight
// from the equations of network/recurrent_snn.hpp and learn/sequence_loss.hpp (LIF/ALIF, reset by
// subtraction, refractory period, leaky readout; mse or cross-entropy summed over the steps). Finite
// differences of its loss check BPTT (test_eprop_bptt.cpp, test_rule_conformance.cpp).
#pragma once
#include <cmath>
#include <vector>

#include "core/rng.hpp"
#include "data/dataset.hpp"
#include "network/recurrent_snn.hpp"
#include "substrate/ideal.hpp"

namespace plasticore {

// Fixtures of the recurrent-network tests: parameters, random weights, Poisson inputs, targets.
struct Weights {
  Matrix input, recurrent, readout;
};

inline RecurrentSNNParams test_params(SpikeFunction spike_function = SpikeFunction::heaviside, int refractory_steps = 0) {
  RecurrentSNNParams p;
  p.lif.refractory_steps = refractory_steps;
  p.dt_ms = 1.0;
  p.lif.tau_m_ms = 20.0;
  p.lif.v_th = 0.5f;
  p.lif.gamma = 0.3f;
  p.lif.spike_function = spike_function;
  p.lif.sigmoid_width = 0.5f;
  p.alif.tau_a_ms = 100.0;
  p.alif.adapt_beta = 0.15f;
  p.readout.tau_out_ms = 15.0;
  return p;
}

inline Matrix gaussian(int rows, int cols, double scale, Rng& rng) {
  Matrix m(rows, cols);
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = static_cast<Scalar>(scale * rng.normal());
  return m;
}

// N(0, scale^2 / n_pre) entries.
inline Weights random_weights(const RecurrentSNNSizes& n, double input_scale, double recurrent_scale, uint64_t seed) {
  Rng rng(seed, "test_weights");
  Weights w;
  w.input = gaussian(n.recurrent, n.inputs, input_scale / std::sqrt(n.inputs), rng);
  w.recurrent = gaussian(n.recurrent, n.recurrent, recurrent_scale / std::sqrt(n.recurrent), rng);
  w.readout = gaussian(n.outputs, n.recurrent, 1.0 / std::sqrt(n.recurrent), rng);
  return w;
}

// Poisson input spikes (T x n_in).
inline Matrix input_spikes(int steps, int n_in, double probability, uint64_t seed) {
  Rng rng(seed, "test_inputs");
  Matrix x(steps, n_in);
  for (Eigen::Index i = 0; i < x.cols(); ++i)
    for (Eigen::Index t = 0; t < x.rows(); ++t) x(t, i) = rng.uniform_double() < probability ? 1.0f : 0.0f;
  return x;
}

// mse: smooth curves; ce: one-hot labels that change every 10 steps, none in the first 5 (no loss there).
inline Matrix targets_for(Loss loss, int steps, int n_out, uint64_t seed) {
  Matrix y = Matrix::Zero(steps, n_out);
  if (loss == Loss::cross_entropy) {
    for (Eigen::Index t = 5; t < steps; ++t) y(t, (t / 10) % n_out) = 1;
    return y;
  }
  Rng rng(seed, "test_targets");
  for (Eigen::Index k = 0; k < n_out; ++k) {
    const double phase = 6.283 * rng.uniform_double(), amplitude = 0.5 + rng.uniform_double();
    for (Eigen::Index t = 0; t < steps; ++t) y(t, k) = static_cast<Scalar>(amplitude * std::sin(0.1 * t + phase));
  }
  return y;
}

inline RecurrentSNN make_net(const RecurrentSNNSizes& n, const RecurrentSNNParams& p, const Weights& w) {
  RecurrentSNN net(n, p, ideal_substrates());
  net.set_weights(w.input, w.recurrent, w.readout);
  return net;
}

struct ReferenceRun {
  double loss = 0;
  MatrixD readout;  // T x n_out
  MatrixD spikes;   // T x n_rec
};

inline ReferenceRun reference_run(const RecurrentSNNSizes& n, const RecurrentSNNParams& p, const MatrixD& w_in,
                           const MatrixD& w_rec, const MatrixD& w_out, const MatrixD& x, const MatrixD& target,
                           Loss loss) {
  const double alpha = std::exp(-p.dt_ms / p.lif.tau_m_ms), rho = std::exp(-p.dt_ms / p.alif.tau_a_ms);
  const double kappa = std::exp(-p.dt_ms / p.readout.tau_out_ms), v_th = p.lif.v_th;
  const bool smooth = p.lif.spike_function == SpikeFunction::smooth_sigmoid;
  MatrixD w_rec_no_autapses = w_rec;
  w_rec_no_autapses.diagonal().setZero();
  Eigen::VectorXd v = Eigen::VectorXd::Zero(n.recurrent), a = v, z = v, y = Eigen::VectorXd::Zero(n.outputs);
  std::vector<Eigen::Index> last_spike(static_cast<size_t>(n.recurrent), -1000000);  // refractory: no spike within n_ref steps
  ReferenceRun run;
  run.readout.resize(x.rows(), n.outputs);
  run.spikes.resize(x.rows(), n.recurrent);
  for (Eigen::Index t = 0; t < x.rows(); ++t) {
    const Eigen::VectorXd z_before = z;
    v = alpha * v + w_rec_no_autapses * z_before + w_in * x.row(t).transpose() - (smooth ? 0.0 : v_th) * z_before;
    for (int j = 0; j < n.recurrent; ++j) {
      double threshold = v_th;
      if (j < n.adaptive) {
        a(j) = rho * a(j) + z_before(j);
        threshold += p.alif.adapt_beta * a(j);
      }
      const double u = v(j) - threshold;
      z(j) = smooth ? 1.0 / (1.0 + std::exp(-u / p.lif.sigmoid_width)) : (u > 0 ? 1.0 : 0.0);
      if (!smooth && t - last_spike[static_cast<size_t>(j)] <= p.lif.refractory_steps) z(j) = 0;
      if (z(j) == 1.0) last_spike[static_cast<size_t>(j)] = t;
    }
    y = kappa * y + w_out * z;
    run.readout.row(t) = y.transpose();
    run.spikes.row(t) = z.transpose();
    const Eigen::VectorXd y_star = target.row(t).transpose();
    if (loss == Loss::mse) {
      run.loss += 0.5 * (y - y_star).squaredNorm();
    } else {
      const double m = y.maxCoeff(), log_sum_exp = m + std::log((y.array() - m).exp().sum());
      run.loss -= (y_star.array() * (y.array() - log_sum_exp)).sum();
    }
  }
  return run;
}

}  // namespace plasticore
