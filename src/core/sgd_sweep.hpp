// The SGD step of a summed gradient into the weights, in one pass (substrate/ideal.cpp's update, and rate EP's first
// layer straight from its rule's sums, learn/end_of_phase_rule.cpp).
#pragma once
#include <Eigen/Core>

#include "core/tensor.hpp"

namespace plasticore {

// w += step * (scale * g), then g = 0, over n weights. Each product is rounded before it is added, as in the separate
// passes this replaced (g *= scale; delta = step * g; w += delta): bit-identical (with scale 1 the product is g
// itself), and 8 bytes read and written per weight once. w and g must not overlap.
void sgd_sweep(Scalar* w, Scalar* g, Eigen::Index n, Scalar scale, Scalar step);

}  // namespace plasticore
