#include "substrate/weight_mapping.hpp"

#include <cmath>
#include <limits>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "core/config_reader.hpp"

namespace plasticore {

namespace {

// max |w| over the finite weights, in one vectorised pass (a maximum does not depend on the order): hardware in
// the loop asks for the range after every update, and a scalar loop here was 27 % of a 4-bit chip run.
Scalar largest_finite(const Matrix& w) {
  const Scalar* x = w.data();
  const Eigen::Index n = w.size();
  Scalar largest = 0;
  Eigen::Index s = 0;
#if defined(__AVX512F__)
  // GCC keeps a float maximum scalar (it does not reorder a reduction without -ffast-math): 16 lanes by hand.
  const __m512 top = _mm512_set1_ps(std::numeric_limits<Scalar>::max());
  __m512 m = _mm512_setzero_ps();
  for (; s + 16 <= n; s += 16) {
    const __m512 a = _mm512_abs_ps(_mm512_loadu_ps(x + s));
    m = _mm512_mask_max_ps(m, _mm512_cmp_ps_mask(a, top, _CMP_LE_OQ), m, a);  // NaN and inf are left out
  }
  largest = _mm512_reduce_max_ps(m);
#endif
  for (; s < n; ++s) {
    const Scalar a = std::abs(x[s]);
    largest = std::max(largest, a <= std::numeric_limits<Scalar>::max() ? a : Scalar(0));  // NaN and inf: 0
  }
  return largest;
}

}  // namespace

Scalar mapped_range(const WeightMappingParams& p, const Matrix& w) {
  if (!p.automatic) return static_cast<Scalar>(p.range);
  if (p.clip_sigmas <= 0) {
    const Scalar largest = largest_finite(w);
    return largest == 0 ? Scalar(1) : static_cast<Scalar>(p.headroom) * largest;
  }
  Scalar largest = 0;
  double squares = 0;
  int64_t finite = 0;
  for (Eigen::Index s = 0; s < w.size(); ++s)
    if (std::isfinite(w.data()[s])) {
      largest = std::max(largest, std::abs(w.data()[s]));
      squares += static_cast<double>(w.data()[s]) * w.data()[s];
      ++finite;
    }
  if (largest == 0) return 1;
  if (p.clip_sigmas > 0) return static_cast<Scalar>(std::min(p.clip_sigmas * std::sqrt(squares / static_cast<double>(finite)),
                                                             static_cast<double>(largest)));
  return static_cast<Scalar>(p.headroom) * largest;
}

double mapped_range_estimate(const WeightMappingParams& p, const Matrix& w) {
  if (!p.automatic) return p.range;
  const Scalar largest = largest_finite(w);
  if (largest == 0) return 1;
  if (p.clip_sigmas <= 0) return p.headroom * static_cast<double>(largest);
  // The finite weights' sum of squares and their count, in another order than mapped_range's.
  const Scalar* x = w.data();
  const Eigen::Index n = w.size();
  double sum = 0;
  int64_t count = 0;
  Eigen::Index s = 0;
#if defined(__AVX512F__)
  const __m256 top = _mm256_set1_ps(std::numeric_limits<Scalar>::max());
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m512d squares = _mm512_setzero_pd();
  for (; s + 8 <= n; s += 8) {
    const __m256 v = _mm256_loadu_ps(x + s);
    const __mmask8 ok = _mm256_cmp_ps_mask(_mm256_andnot_ps(sign, v), top, _CMP_LE_OQ);
    const __m512d d = _mm512_cvtps_pd(v);
    squares = _mm512_mask3_fmadd_pd(d, d, squares, ok);
    count += __builtin_popcount(static_cast<unsigned>(ok));
  }
  sum = _mm512_reduce_add_pd(squares);
#endif
  for (; s < n; ++s)
    if (std::abs(x[s]) <= std::numeric_limits<Scalar>::max()) sum += static_cast<double>(x[s]) * x[s], ++count;
  return std::min(p.clip_sigmas * std::sqrt(sum / static_cast<double>(count)), static_cast<double>(largest));
}

void read_weight_mapping(ConfigReader& r, const std::string& prefix, WeightMappingParams& p, double default_headroom,
                         double default_clip_sigmas) {
  // A config that sets a range (as before mapping existed) means a fixed one.
  p.automatic = r.get_choice(prefix + "mapping", r.has(prefix + "range") ? "fixed" : "auto", {"auto", "fixed"},
                             "auto: range = headroom x max|w| of each matrix when programmed; fixed: substrate.range") == "auto";
  if (p.automatic) {
    p.headroom = r.get_double(prefix + "headroom", default_headroom, 0.0, 1e3,
                              "auto mapping: range / max|w| (room for the weights to grow)", true);
    p.clip_sigmas = r.get_double(prefix + "clip_sigmas", default_clip_sigmas, 0.0, 1e3,
                                 "auto mapping: > 0 maps clip_sigmas x rms(w) instead of headroom x max|w| (outliers saturate)");
  }
  else
    p.range = r.get_double(prefix + "range", 1.0, 0.0, 1e6, "fixed mapping: |weight| at full conductance / the outermost level", true);
}

}  // namespace plasticore
