#include "substrate/quantized.hpp"

#include <cmath>

#include "core/column_product.hpp"
#include "core/column_runs.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "substrate/hardware_in_the_loop.hpp"

namespace plasticore {

QuantizedSubstrate::QuantizedSubstrate(int rows, int cols, const SubstrateConfig& config)
    : w_(Matrix::Zero(rows, cols)), bits_(config.quantized.bits), mapping_(config.mapping),
      stochastic_(config.quantized.rounding == "stochastic"), seed_(config.seed) {
  set_range(mapping_.automatic ? Scalar(1) : static_cast<Scalar>(mapping_.range));  // until programmed
}

void QuantizedSubstrate::set_range(Scalar range) {
  if (bits_ == 1) {
    levels_ = 2;
    step_ = 2 * range;
  } else {
    const int half = (1 << (bits_ - 1)) - 1;
    levels_ = 2 * half + 1;
    step_ = range / static_cast<Scalar>(half);
  }
  lowest_ = -range;
}

Scalar QuantizedSubstrate::nearest_level(Scalar v) const {
  const Scalar position = std::clamp((v - lowest_) / step_, Scalar(0), static_cast<Scalar>(levels_ - 1));
  return lowest_ + std::nearbyint(position) * step_;
}

void QuantizedSubstrate::program(const Matrix& w, std::span<const int64_t> synapses) {
  int64_t writes = 0;
  for (const int64_t s : synapses) {
    if (std::isnan(w.data()[s])) continue;
    const Scalar level = nearest_level(w.data()[s]);
    if (level != w_.data()[s]) ++writes;
    w_.data()[s] = level;
  }
  count(Op::accumulator_updates, writes);  // one memory write per level that changed
  refresh_transpose(w_);
}

void QuantizedSubstrate::remap(const Matrix& w, Scalar range) {
  set_range(range);
  for (Eigen::Index s = 0; s < w.size(); ++s)
    if (!std::isnan(w.data()[s])) w_.data()[s] = nearest_level(w.data()[s]);
  count(Op::accumulator_updates, w_.size());
  refresh_transpose(w_);
}

namespace {

// nearbyint and floor of 0 <= x < 2^22 in the default rounding mode, written so that the loop below
// vectorises (GCC keeps std::nearbyint/std::floor scalar unless FP exceptions are ignored): adding and
// subtracting 1.5 x 2^23 rounds to the nearest integer, ties to even, exactly as nearbyint does there.
inline Scalar nearest_integer(Scalar x) {
  constexpr Scalar kShift = 12582912.0f;  // 1.5 x 2^23
  return (x + kShift) - kShift;
}
inline Scalar floor_of(Scalar x) {
  const Scalar r = nearest_integer(x);
  return r > x ? r - 1 : r;
}

// The level of each target t[i] (+ d[i] if kDelta), rounded up where the fraction of a step exceeds
// threshold[i] (or one half if threshold is null): w[i] = lowest + level x step. No NaN in the targets.
// kThreshold is threshold != null as a template argument: with a run-time test GCC vectorised the choice as a
// masked load from the null pointer, and each such load (all lanes masked off, on an unmapped page) took a
// microcode assist: deterministic rounding ran 3x slower than stochastic.
template <bool kDelta, bool kThreshold>
void round_to_levels(Eigen::Index n, const Scalar* t, const Scalar* d, const Scalar* threshold, Scalar lowest,
                     Scalar step, Scalar top, Scalar* w) {
  const Scalar inv_step = 1 / step;
  for (Eigen::Index i = 0; i < n; ++i) {
    const Scalar target = kDelta ? t[i] + d[i] : t[i];
    Scalar position = (target - lowest) * inv_step;  // in steps above the lowest level, clamped to [0, top]
    position = position < 0 ? Scalar(0) : position;
    position = top < position ? top : position;
    // A value already on a level (a restored checkpoint) stays there despite float rounding of the division.
    const Scalar nearest = nearest_integer(position);
    position = std::abs(position - nearest) < Scalar(1e-4) ? nearest : position;
    const Scalar below = floor_of(position);
    const Scalar level = position - below > (kThreshold ? threshold[i] : Scalar(0.5)) ? below + 1 : below;
    w[i] = lowest + level * step;
  }
}

// Whether x[0..n) holds a NaN, in one vectorised pass (Eigen's hasNaN is a scalar loop with an early exit:
// 19 % of a 4-bit chip run's rounding).
bool has_nan(const Scalar* x, Eigen::Index n) {
  int nan = 0;
  for (Eigen::Index i = 0; i < n; ++i) nan |= static_cast<int>(x[i] != x[i]);
  return nan != 0;
}

// change[i] = step * (g[i] * scale), rounded after each product as the learner's separate passes round them.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
void sgd_change(const Scalar* g, Eigen::Index n, Scalar scale, Scalar step, Scalar* change) {
  for (Eigen::Index i = 0; i < n; ++i) {
    const Scalar scaled = g[i] * scale;
    change[i] = step * scaled;
  }
}

}  // namespace

bool QuantizedSubstrate::update_sgd(Matrix& gradient, Scalar scale, Scalar step, const std::vector<int32_t>* columns) {
  if (columns == nullptr) return false;
  const Eigen::Index rows = w_.rows();
  for (const int32_t j : *columns)  // a NaN request: update()'s element-by-element path
    if (has_nan(gradient.col(j).data(), rows)) return false;
  count(Op::accumulator_updates, w_.size());  // as update(): one memory write per synapse
  Rng rng(seed_, "quantized_rounding", writes_++);
  if (stochastic_ && column_jump_ == nullptr) column_jump_ = std::make_unique<RngJump>(static_cast<uint64_t>(rows));
  const Scalar top = static_cast<Scalar>(levels_ - 1);
  Eigen::Index drawn_to = 0;  // the stream's position, in columns
  for_column_runs(*columns, [&](Eigen::Index c0, Eigen::Index n) {
    const Eigen::Index size = n * rows;
    change_.resize(static_cast<size_t>(size));
    Scalar* g = gradient.col(c0).data();
    sgd_change(g, size, scale, step, change_.data());
    std::fill(g, g + size, Scalar{0});
    Scalar* w = w_.col(c0).data();
    if (!stochastic_) {
      round_to_levels<true, false>(size, w, change_.data(), nullptr, lowest_, step_, top, w);
      return;
    }
    column_jump_->advance(rng, static_cast<uint64_t>(c0 - drawn_to));  // the skipped columns' numbers
    thresholds_.resize(static_cast<size_t>(size));
    for (Scalar& u : thresholds_) u = rng.uniform();
    drawn_to = c0 + n;
    round_to_levels<true, true>(size, w, change_.data(), thresholds_.data(), lowest_, step_, top, w);
  });
  refresh_transpose(w_);
  return true;
}

void QuantizedSubstrate::quantize(const Matrix& target, const Matrix* delta) {
  Rng rng(seed_, "quantized_rounding", writes_++);
  const Eigen::Index n = w_.size();
  const Scalar* t = target.data();
  const Scalar* d = delta != nullptr ? delta->data() : nullptr;
  Scalar* w = w_.data();
  const Scalar top = static_cast<Scalar>(levels_ - 1);
  // With a delta the target is w_, whose levels are finite: only the request can hold a NaN.
  if (has_nan(delta != nullptr ? delta->data() : t, n)) {
    // Rare: a NaN request leaves its weight as it is and draws no rounding number (one element at a time).
    for (Eigen::Index i = 0; i < n; ++i) {
      const Scalar v = d != nullptr ? t[i] + d[i] : t[i];
      if (std::isnan(v)) continue;
      const Scalar threshold = stochastic_ ? rng.uniform() : Scalar(0.5);
      round_to_levels<false, true>(1, &v, nullptr, &threshold, lowest_, step_, top, w + i);
    }
    return;
  }
  const Scalar* threshold = nullptr;
  if (stochastic_) {  // the stream's numbers in element order, as one draw per element would take them
    thresholds_.resize(static_cast<size_t>(n));
    for (Scalar& u : thresholds_) u = rng.uniform();
    threshold = thresholds_.data();
  }
  if (d != nullptr && threshold != nullptr) round_to_levels<true, true>(n, t, d, threshold, lowest_, step_, top, w);
  else if (d != nullptr) round_to_levels<true, false>(n, t, d, nullptr, lowest_, step_, top, w);
  else if (threshold != nullptr) round_to_levels<false, true>(n, t, nullptr, threshold, lowest_, step_, top, w);
  else round_to_levels<false, false>(n, t, nullptr, nullptr, lowest_, step_, top, w);
}

void QuantizedSubstrate::count_dense(Eigen::Index batch) const {
  count(Op::dense_macs, w_.size() * batch);
  count(Op::dense_equivalent_macs, w_.size() * batch);
}

void QuantizedSubstrate::forward(const Matrix& x, Matrix& y) const {
  y.noalias() = w_ * x;
  count_dense(x.cols());
}

void QuantizedSubstrate::backward(const Matrix& y, Matrix& x) const {
  exact_backward(w_, y, x);
  count_dense(y.cols());
}

void QuantizedSubstrate::forward_by_column(const Matrix& x, Matrix& y) const {
  column_product(w_, x, y);
  count_dense(x.cols());
}

void QuantizedSubstrate::backward_by_column(const Matrix& y, Matrix& x) const {
  exact_backward_by_column(w_, y, x);
  count_dense(y.cols());
}

void QuantizedSubstrate::update(const Matrix& delta) {
  count(Op::accumulator_updates, w_.size());  // digital weights: one memory write per synapse
  quantize(w_, &delta);
  refresh_transpose(w_);
}

void QuantizedSubstrate::set_weights(const Matrix& w) {
  if (w.rows() != w_.rows() || w.cols() != w_.cols()) throw RuntimeError("substrate: weight matrix has the wrong shape");
  set_range(mapped_range(mapping_, w));
  quantize(w);
  refresh_transpose(w_);
}

void QuantizedSubstrate::save_state(NamedTensors& out, const std::string& prefix) const {
  out.put_text(prefix + "kind", "quantized");
  out.put_matrix(prefix + "levels", w_);  // exactly on the levels: restored without rounding again
  out.put_int(prefix + "writes", static_cast<int64_t>(writes_));
  out.put_double(prefix + "range", -lowest_);
}

bool QuantizedSubstrate::restore_state(const NamedTensors& in, const std::string& prefix) {
  if (!has_state(in, prefix, "quantized")) return false;
  if (in.has(prefix + "range")) {  // records from before the weight mapping kept the configured range
    const double range = in.real(prefix + "range");
    if (!(std::isfinite(range) && range > 0 && range <= 1e6)) throw RuntimeError(in.source() + ": " + prefix + "range is out of range");
    set_range(static_cast<Scalar>(range));
  }
  const Matrix levels = in.matrix(prefix + "levels", w_.rows(), w_.cols());
  const int64_t writes = in.integer(prefix + "writes");
  for (Eigen::Index i = 0; i < levels.size(); ++i) {
    const Scalar position = (levels.data()[i] - lowest_) / step_;  // in steps above the lowest level
    if (!(position >= -1e-3f && position <= static_cast<Scalar>(levels_ - 1) + 1e-3f &&
          std::abs(position - std::nearbyint(position)) < 1e-3f))
      throw RuntimeError(in.source() + ": " + prefix + "levels holds a value that is not a level of this substrate");
  }
  if (writes < 0) throw RuntimeError(in.source() + ": " + prefix + "writes is negative");
  w_ = levels;
  refresh_transpose(w_);
  writes_ = static_cast<uint64_t>(writes);
  return true;
}

SubstrateEntry quantized_substrate_entry() {
  return {"n-bit uniform digital weights",
          [](ConfigReader& r, const std::string& p, SubstrateConfig& c) {
            read_hardware_in_the_loop(r, p, c.hardware_in_the_loop, ReprogramPolicy::every_update);
            const bool hil = c.hardware_in_the_loop.enabled;
            read_weight_mapping(r, p, c.mapping, hil ? 1.25 : 2.0, hil ? 3.0 : 0.0);  // as device_substrate.cpp
            c.quantized.bits = static_cast<int>(r.get_int(p + "bits", 8, 1, 8, "bits per weight (sign included)"));
            if (hil) c.quantized.rounding = "deterministic";  // the host programs the nearest level
            else
              c.quantized.rounding = r.get_choice(p + "rounding", "stochastic", {"deterministic", "stochastic"},
                                                  "how a write rounds W + dW to a level (stochastic is unbiased)");
          },
          [](const SubstrateConfig& c, int rows, int cols) -> std::unique_ptr<Substrate> {
            auto chip = std::make_unique<QuantizedSubstrate>(rows, cols, c);
            if (!c.hardware_in_the_loop.enabled) return chip;
            return std::make_unique<HardwareInTheLoop>(std::move(chip), c.hardware_in_the_loop, c.mapping);
          }};
}

}  // namespace plasticore
