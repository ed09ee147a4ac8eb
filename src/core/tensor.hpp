// Dense tensor aliases on Eigen. Column-major: a column is one sample (batch) or one presynaptic
// neuron's outgoing weights (weight matrices are post x pre), so event-driven sums read contiguous memory.
#pragma once
#include <Eigen/Dense>

namespace plasticore {

using Scalar = float;
using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
using MatrixD = Eigen::MatrixXd;

}  // namespace plasticore
