#include "substrate/ideal.hpp"

#include "core/error.hpp"

namespace plasticore {

void IdealSubstrate::forward_events(std::span<const int32_t> active, Scalar* y) const {
  const Eigen::Index n = w_.rows();
  count(Op::synaptic_events, static_cast<int64_t>(active.size()) * n);
  count(Op::dense_equivalent_macs, static_cast<int64_t>(w_.size()));
  Eigen::Map<Vector> out(y, n);
  out.setZero();
  for (const int32_t j : active) out += w_.col(j);  // contiguous column: one synaptic event per entry
}

void IdealSubstrate::backward_events(std::span<const int32_t> active, Scalar* x) const {
  count(Op::synaptic_events, static_cast<int64_t>(active.size()) * w_.cols());
  count(Op::dense_equivalent_macs, static_cast<int64_t>(w_.size()));
  Eigen::Map<Vector> out(x, w_.cols());
  out.setZero();
  for (const int32_t i : active) out += w_.row(i).transpose();
}

void IdealSubstrate::update(const Matrix& delta) {
  count(Op::accumulator_updates, w_.size());  // digital weights: one memory write per synapse
  w_ += delta;
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
