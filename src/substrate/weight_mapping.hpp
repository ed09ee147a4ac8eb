// How a matrix's weights map onto a substrate's range, one piece of every non-ideal substrate
// (docs/hardware.md, "Weight range mapping"): range = the |weight| at full conductance (a device
// substrate) or at the outermost level (quantized); reads are rescaled digitally by range.
//   mapping = "auto" (default)  range = headroom x max|w| of the matrix whenever it is programmed as a
//                               whole (initialisation, set_weights, a hardware-in-the-loop re-mapping);
//                               each matrix gets its own scale, so no shipped config needs a hand-set range
//   mapping = "fixed"           range = substrate.range for every matrix
//   key (substrate.*)  default                                  meaning
//   mapping            auto (fixed when range is given)         auto | fixed
//   range              1.0                                      fixed: |weight| at full conductance
//   headroom           2 (in-memory), 1.25 (hardware in the loop), 1 (inference)   auto: range / max|w|
//   clip_sigmas        3 (hardware in the loop), 0 (off)        auto: range = clip_sigmas x rms(w) instead;
//                                                               weights beyond it saturate (finer steps for
//                                                               the bulk of a Gaussian-like matrix)
#pragma once
#include <string>

#include "core/tensor.hpp"

namespace plasticore {

class ConfigReader;

struct WeightMappingParams {
  bool automatic = true;
  double range = 1.0;     // fixed
  double headroom = 2.0;  // auto
  double clip_sigmas = 0;  // auto: > 0 maps clip_sigmas x rms(w) instead of headroom x max|w| (outliers clip)
};

// The range for programming `w` as a whole (auto: headroom x max|w|, ignoring non-finite entries; 1 for
// an all-zero matrix).
Scalar mapped_range(const WeightMappingParams& params, const Matrix& w);
// mapped_range's value in double precision, within 1e-6 of it relatively (its float rounding, and a headroom
// that is not a float, included; the clip_sigmas mapping's sum of squares in eight partial sums, so that it
// vectorises, where mapped_range sums in order, which fixes its float bits): for a caller that only needs to know
// whether the range is far from a limit.
double mapped_range_estimate(const WeightMappingParams& params, const Matrix& w);
// The keys above under `prefix`, with this substrate's defaults.
void read_weight_mapping(ConfigReader& reader, const std::string& prefix, WeightMappingParams& params,
                         double default_headroom, double default_clip_sigmas = 0);

}  // namespace plasticore
