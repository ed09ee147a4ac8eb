#include "substrate/ideal.hpp"

#include "core/error.hpp"
#include "core/product_chunks.hpp"

namespace plasticore {

void IdealSubstrate::update(const Matrix& delta) {
  count(Op::accumulator_updates, w_.size());  // digital weights: one memory write per synapse
  for_column_chunks(w_.rows(), w_.cols(), [&](Eigen::Index c0, Eigen::Index n) { w_.middleCols(c0, n) += delta.middleCols(c0, n); });
}

bool IdealSubstrate::update_sgd(Matrix& gradient, Scalar scale, Scalar step) {
  count(Op::accumulator_updates, w_.size());  // as update(): one memory write per synapse
  constexpr Eigen::Index kBlock = 8;  // columns: the gradient, change and weight blocks stay in L1
  for_column_chunks(w_.rows(), w_.cols(), [&](Eigen::Index c0, Eigen::Index n) {
    Matrix change(w_.rows(), kBlock);
    for (Eigen::Index c = c0; c < c0 + n; c += kBlock) {
      const Eigen::Index m = std::min(kBlock, c0 + n - c);
      auto g = gradient.middleCols(c, m);
      auto delta = change.leftCols(m);
      // Separate statements, as the separate passes: no multiply fused into the add (bit-identical).
      if (scale != 1) g *= scale;
      delta = step * g;
      w_.middleCols(c, m) += delta;
      g.setZero();
    }
  });
  return true;
}

void IdealSubstrate::set_weights(const Matrix& w) {
  if (w.rows() != w_.rows() || w.cols() != w_.cols())
    throw RuntimeError("substrate: weight matrix has the wrong shape");
  w_ = w;
}

SubstrateEntry ideal_substrate_entry() {
  return {"exact fp32 weights and products",
          [](ConfigReader&, const std::string&, SubstrateConfig&) {},
          [](const SubstrateConfig&, int rows, int cols) -> std::unique_ptr<Substrate> {
            return std::make_unique<IdealSubstrate>(rows, cols);
          }};
}

SubstrateFactory ideal_substrates() { return substrate_factory(SubstrateConfig{}); }

}  // namespace plasticore
