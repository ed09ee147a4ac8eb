// Test reference for equilibrium propagation, independent of the library's Relaxation: double
// precision, plain Eigen,
//   s_l(t+1) = clip((1-leak) s_l(t) + leak (W_l s_{l-1}(t) + W_{l+1}^T s_{l+1}(t) + b_l
//                                          + [l == L] beta (y - s_L(t))), 0, 1),   s_0 = x clamped,
// from zero states, and BPTT of C = mean_b 1/2 ||s_L(T1) - y||^2 through all T1 steps (clip' = 1
// strictly inside (0, 1), else 0). Checked against central finite differences in test_ep_gradient.cpp.
#pragma once
#include <algorithm>
#include <vector>

#include "core/tensor.hpp"

namespace plasticore {

using VectorD = Eigen::VectorXd;

struct Problem {
  std::vector<MatrixD> W;  // W[k]: layer k -> layer k+1, sizes[k+1] x sizes[k] (the library's weight(k))
  std::vector<VectorD> b;  // b[k]: bias of layer k+1
  MatrixD x;               // n_0 x B, clamped
  MatrixD y;               // n_L x B, one-hot targets
  double leak = 1.0;
  int layers() const { return static_cast<int>(W.size()); }  // L
  Eigen::Index batch() const { return x.cols(); }
};

using States = std::vector<MatrixD>;  // s[0..L], n_l x B

inline States zero_states(const Problem& p) {
  States s(static_cast<size_t>(p.layers() + 1));
  s[0] = p.x;
  for (int l = 1; l <= p.layers(); ++l) s[static_cast<size_t>(l)] = MatrixD::Zero(p.W[static_cast<size_t>(l - 1)].rows(), p.batch());
  return s;
}

// One synchronous step from the time-t states. If pre != nullptr it receives the pre-clip values.
inline States step(const Problem& p, const States& s, double beta, States* pre = nullptr) {
  const int L = p.layers();
  States next(s.size());
  next[0] = s[0];
  if (pre != nullptr) pre->assign(s.size(), MatrixD());
  for (int l = 1; l <= L; ++l) {
    const auto k = static_cast<size_t>(l);
    MatrixD u = p.W[k - 1] * s[k - 1];
    if (l < L) u += p.W[k].transpose() * s[k + 1];
    u.colwise() += p.b[k - 1];
    if (l == L) u += beta * (p.y - s[k]);
    MatrixD a = (1 - p.leak) * s[k] + p.leak * u;
    next[k] = a.cwiseMax(0.0).cwiseMin(1.0);
    if (pre != nullptr) (*pre)[k] = std::move(a);
  }
  return next;
}

inline States relax(const Problem& p, States s, int steps, double beta) {
  for (int t = 0; t < steps; ++t) s = step(p, s, beta);
  return s;
}

inline double max_abs_diff(const States& a, const States& b) {
  double m = 0;
  for (size_t l = 1; l < a.size(); ++l) m = std::max(m, (a[l] - b[l]).cwiseAbs().maxCoeff());
  return m;
}

inline double cost(const Problem& p, const States& s) {
  return 0.5 * (s.back() - p.y).squaredNorm() / static_cast<double>(p.batch());  // mean over the batch
}

struct Gradient {
  std::vector<MatrixD> dW;
  std::vector<VectorD> db;
};

// dC/dW_l, dC/db_l of C = mean_b 1/2 ||s_L(T1) - y||^2 by backpropagation through the T1 free steps.
inline Gradient bptt(const Problem& p, int T1) {
  const int L = p.layers();
  const auto layers = static_cast<size_t>(L + 1);
  std::vector<States> s(static_cast<size_t>(T1 + 1)), a(static_cast<size_t>(T1));
  s[0] = zero_states(p);
  for (int t = 0; t < T1; ++t) s[static_cast<size_t>(t + 1)] = step(p, s[static_cast<size_t>(t)], 0.0, &a[static_cast<size_t>(t)]);

  Gradient g;
  for (int k = 0; k < L; ++k) {
    g.dW.push_back(MatrixD::Zero(p.W[static_cast<size_t>(k)].rows(), p.W[static_cast<size_t>(k)].cols()));
    g.db.push_back(VectorD::Zero(p.W[static_cast<size_t>(k)].rows()));
  }
  States delta(layers);  // dC/ds_l(t+1)
  for (int l = 1; l <= L; ++l) delta[static_cast<size_t>(l)] = MatrixD::Zero(s[0][static_cast<size_t>(l)].rows(), p.batch());
  delta[static_cast<size_t>(L)] = (s.back()[static_cast<size_t>(L)] - p.y) / static_cast<double>(p.batch());
  const double leak = p.leak;
  States ga(layers);  // dC/da_l(t), a = the pre-clip value
  for (int t = T1 - 1; t >= 0; --t) {
    const States& st = s[static_cast<size_t>(t)];
    const States& at = a[static_cast<size_t>(t)];
    for (int l = 1; l <= L; ++l) {
      const auto k = static_cast<size_t>(l);
      const MatrixD inside = ((at[k].array() > 0) && (at[k].array() < 1)).cast<double>().matrix();
      ga[k] = delta[k].cwiseProduct(inside);
    }
    for (int l = 1; l <= L; ++l) {
      const auto k = static_cast<size_t>(l);
      // a_l = (1-leak) s_l + leak (W_l s_{l-1} + W_{l+1}^T s_{l+1} + b_l): W_l enters a_l and, transposed, a_{l-1}.
      g.dW[k - 1] += leak * ga[k] * st[k - 1].transpose();
      if (l >= 2) g.dW[k - 1] += leak * st[k] * ga[k - 1].transpose();
      g.db[k - 1] += leak * ga[k].rowwise().sum();
    }
    for (int l = 1; l <= L; ++l) {
      const auto k = static_cast<size_t>(l);
      MatrixD d = (1 - leak) * ga[k];
      if (l < L) d += leak * p.W[k].transpose() * ga[k + 1];
      if (l >= 2) d += leak * p.W[k - 1] * ga[k - 1];
      delta[k] = std::move(d);
    }
  }
  return g;
}

}  // namespace plasticore
