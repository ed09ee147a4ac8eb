#include "substrate/crossbar.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace plasticore {

namespace {

constexpr int kMaxBoundHalvings = 10;  // aihwkit's max_bm_factor 1000 ~ 2^10

// Standard normals two at a time (Box-Muller, both the cosine and the sine branch, in float): the
// noise draws are most of a noisy read's cost. 24-bit uniforms cut the tails at about 5.8 sigma.
class NormalPairs {
 public:
  explicit NormalPairs(Rng& rng) : rng_(rng) {}
  Scalar next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const float radius = std::sqrt(-2.0f * std::log(1.0f - rng_.uniform()));
    const float angle = 6.2831853f * rng_.uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  Rng& rng_;
  float spare_ = 0;
  bool has_spare_ = false;
};

// Per-thread scratch: reads come from several OpenMP threads at once and must not allocate per call.
struct TileScratch {
  std::vector<int32_t> index;  // the tile's non-zero inputs (local column) ...
  std::vector<Scalar> value;   // ... and their values
  std::vector<Scalar> input, line, variance;
  void reserve(int tile) {
    if (static_cast<int>(line.size()) >= tile) return;
    index.reserve(static_cast<size_t>(tile));
    value.reserve(static_cast<size_t>(tile));
    input.resize(static_cast<size_t>(tile));
    line.resize(static_cast<size_t>(tile));
    variance.resize(static_cast<size_t>(tile));
  }
};

TileScratch& scratch(int tile) {
  thread_local TileScratch s;
  s.reserve(tile);
  return s;
}

// One tile read: rows [r0, r0 + nr) of w against the gathered inputs; adds the converted outputs to y.
void read_tile(const Matrix& w, const Matrix& variance, Eigen::Index r0, int nr, Scalar alpha, TileScratch& s,
               Scalar* y, const PeripheryParams& p, Rng& rng, CrossbarReads& reads) {
  const size_t n_in = s.index.size();
  const Eigen::Index ld = w.rows();
  const bool noisy_devices = variance.size() != 0;
  Scalar* line = s.line.data();
  Scalar* var = s.variance.data();
  Scalar scale = alpha;
  NormalPairs normal(rng);
  for (int halvings = 0;; ++halvings) {
    for (size_t k = 0; k < n_in; ++k) s.input[k] = quantize_symmetric(s.value[k] / scale, 1, p.dac_bits);
    std::fill(line, line + nr, Scalar(0));
    for (size_t k = 0; k < n_in; ++k) {  // column axpys: contiguous, vectorised over the output lines
      const Scalar* col = w.data() + s.index[k] * ld + r0;
      const Scalar xk = s.input[k];
      for (int i = 0; i < nr; ++i) line[i] += col[i] * xk;
    }
    if (noisy_devices) {
      std::fill(var, var + nr, Scalar(0));
      for (size_t k = 0; k < n_in; ++k) {
        const Scalar* col = variance.data() + s.index[k] * ld + r0;
        const Scalar xk2 = s.input[k] * s.input[k];
        for (int i = 0; i < nr; ++i) var[i] += col[i] * xk2;
      }
    }
    bool saturated = false;
    for (int i = 0; i < nr; ++i) {
      if (noisy_devices) line[i] += std::sqrt(var[i]) * normal.next();
      if (p.output_noise > 0) line[i] += p.output_noise * normal.next();
      saturated |= std::abs(line[i]) > p.output_bound;
    }
    reads.device_reads += static_cast<int64_t>(nr) * static_cast<int64_t>(n_in);
    reads.dac_conversions += static_cast<int64_t>(n_in);
    reads.adc_conversions += nr;
    if (!saturated || halvings == kMaxBoundHalvings) break;
    scale *= 2;
  }
  for (int i = 0; i < nr; ++i) y[r0 + i] += scale * quantize_symmetric(line[i], p.output_bound, p.adc_bits);
}

// Reads every row tile of one column block whose inputs are gathered in s.
void read_column_block(const Matrix& w, const Matrix& variance, TileScratch& s, Scalar* y, const PeripheryParams& p,
                       Rng& rng, CrossbarReads& reads) {
  if (s.index.empty()) return;  // no input drives this block: its tiles are not read
  Scalar alpha = 0;
  for (const Scalar v : s.value) alpha = std::max(alpha, std::abs(v));
  for (Eigen::Index r0 = 0; r0 < w.rows(); r0 += p.tile_size) {
    const int nr = static_cast<int>(std::min<Eigen::Index>(p.tile_size, w.rows() - r0));
    read_tile(w, variance, r0, nr, alpha, s, y, p, rng, reads);
  }
}

// Reads w block by block of tile_size columns; gather(c0, c1, s) puts the block's non-zero inputs into s.
template <class Gather>
CrossbarReads read_blocks(const Matrix& w, const Matrix& variance, Scalar* y, const PeripheryParams& p, Rng& rng,
                          Gather gather) {
  TileScratch& s = scratch(p.tile_size);
  CrossbarReads reads;
  std::fill(y, y + w.rows(), Scalar(0));
  for (Eigen::Index c0 = 0; c0 < w.cols(); c0 += p.tile_size) {
    s.index.clear();
    s.value.clear();
    gather(c0, std::min<Eigen::Index>(c0 + p.tile_size, w.cols()), s);
    read_column_block(w, variance, s, y, p, rng, reads);
  }
  return reads;
}

}  // namespace

CrossbarReads crossbar_matvec(const Matrix& w, const Matrix& variance, const Scalar* x, Scalar* y,
                              const PeripheryParams& p, Rng& rng) {
  return read_blocks(w, variance, y, p, rng, [x](Eigen::Index c0, Eigen::Index c1, TileScratch& s) {
    for (Eigen::Index j = c0; j < c1; ++j)
      if (x[j] != 0) {
        s.index.push_back(static_cast<int32_t>(j));
        s.value.push_back(x[j]);
      }
  });
}

CrossbarReads crossbar_matvec_events(const Matrix& w, const Matrix& variance, std::span<const int32_t> active, Scalar* y,
                                     const PeripheryParams& p, Rng& rng) {
  return read_blocks(w, variance, y, p, rng, [active](Eigen::Index c0, Eigen::Index c1, TileScratch& s) {
    for (const int32_t j : active)
      if (j >= c0 && j < c1) {
        s.index.push_back(j);
        s.value.push_back(1);
      }
  });
}

}  // namespace plasticore
