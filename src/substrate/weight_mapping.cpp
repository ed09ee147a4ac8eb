#include "substrate/weight_mapping.hpp"

#include <cmath>

#include "core/config_reader.hpp"

namespace plasticore {

Scalar mapped_range(const WeightMappingParams& p, const Matrix& w) {
  if (!p.automatic) return static_cast<Scalar>(p.range);
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
