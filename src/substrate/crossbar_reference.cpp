#include "substrate/crossbar_reference.hpp"

#include <cmath>
#include <vector>

namespace plasticore {

void reference_crossbar_matvec(const Matrix& w, const Matrix& variance, const Scalar* x, Scalar* y,
                               const PeripheryParams& p, Rng& rng) {
  const Eigen::Index T = p.tile_size;
  for (Eigen::Index i = 0; i < w.rows(); ++i) y[i] = 0;
  for (Eigen::Index c0 = 0; c0 < w.cols(); c0 += T) {
    const Eigen::Index c1 = std::min(c0 + T, w.cols());
    Scalar alpha = 0;
    for (Eigen::Index j = c0; j < c1; ++j) alpha = std::max(alpha, std::abs(x[j]));
    if (alpha == 0) continue;
    for (Eigen::Index r0 = 0; r0 < w.rows(); r0 += T) {
      const Eigen::Index r1 = std::min(r0 + T, w.rows());
      std::vector<Scalar> line(static_cast<size_t>(r1 - r0));
      Scalar scale = alpha;
      for (int halvings = 0;; ++halvings) {
        bool saturated = false;
        for (Eigen::Index i = r0; i < r1; ++i) {
          Scalar sum = 0, var = 0;
          for (Eigen::Index j = c0; j < c1; ++j) {
            if (x[j] == 0) continue;
            const Scalar xq = quantize_symmetric(x[j] / scale, 1, p.dac_bits);
            sum += w(i, j) * xq;
            if (variance.size() != 0) var += variance(i, j) * (xq * xq);
          }
          if (variance.size() != 0) sum += std::sqrt(var) * static_cast<Scalar>(rng.normal());
          if (p.output_noise > 0) sum += p.output_noise * static_cast<Scalar>(rng.normal());
          saturated = saturated || std::abs(sum) > p.output_bound;
          line[static_cast<size_t>(i - r0)] = sum;
        }
        if (!saturated || halvings == 10) break;
        scale *= 2;
      }
      for (Eigen::Index i = r0; i < r1; ++i)
        y[i] += scale * quantize_symmetric(line[static_cast<size_t>(i - r0)], p.output_bound, p.adc_bits);
    }
  }
}

}  // namespace plasticore
