#include "substrate/hardware_in_the_loop.hpp"

#include <algorithm>
#include <cmath>

#include "core/config_reader.hpp"
#include "core/error.hpp"
#include "substrate/crossbar.hpp"  // quantize_symmetric

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace plasticore {

void read_hardware_in_the_loop(ConfigReader& r, const std::string& prefix, HardwareInTheLoopParams& p,
                               ReprogramPolicy default_policy) {
  p.enabled = r.get_choice(prefix + "training", "in_memory", {"in_memory", "hardware_in_the_loop"},
                           "in_memory: the update scheme writes the devices; hardware_in_the_loop: fp32 master "
                           "weights on the host, the chip reprogrammed by substrate.reprogram") == "hardware_in_the_loop";
  if (!p.enabled) return;
  const std::vector<std::string> policies = {"every_update", "every_n", "threshold"};
  const std::string name = r.get_choice(prefix + "reprogram", policies[static_cast<size_t>(default_policy)], policies,
                                        "hardware in the loop: when the host reprograms a synapse");
  p.policy = static_cast<ReprogramPolicy>(std::find(policies.begin(), policies.end(), name) - policies.begin());
  p.program_bits = static_cast<int>(r.get_int(prefix + "program_bits", 0, 0, 16,
                                              "hardware in the loop: program the master weights rounded to this "
                                              "many bits' levels over +-range (0: as they are; 2 or more: a sign bit and levels)"));
  if (p.program_bits == 1) r.fail(prefix + "program_bits", "1 bit holds only the sign, no level: use 0 (off) or 2-16");
  if (p.policy == ReprogramPolicy::every_n)
    p.every_n = static_cast<int>(r.get_int(prefix + "reprogram_every", 10, 1, 1000000, "every_n: reprogram after every N-th update"));
  if (p.policy == ReprogramPolicy::threshold) {
    p.threshold = r.get_double(prefix + "reprogram_threshold", 0.5, 0.0, 1e6,
                               "threshold: reprogram a synapse off by more than this x the chip's resolution "
                               "(0.5: chosen on held-out data, docs/hardware.md)");
    p.read_back = r.get_choice(prefix + "reprogram_reference", "chip", {"chip", "target"},
                               "threshold: off from what the host last programmed (target) or from what the chip "
                               "holds now, read back (chip: programming error and drift count; chosen on held-out "
                               "data, docs/hardware.md)") == "chip";
  }
}

HardwareInTheLoop::HardwareInTheLoop(std::unique_ptr<Substrate> chip, HardwareInTheLoopParams params,
                                     WeightMappingParams mapping)
    : chip_(std::move(chip)), array_(dynamic_cast<ProgrammableArray*>(chip_.get())), params_(params), mapping_(mapping) {
  if (array_ == nullptr) throw UsageError("substrate.training = hardware_in_the_loop needs a device or quantized substrate");
  if (params_.program_bits == 1 || params_.program_bits < 0 || params_.program_bits > 16)
    throw UsageError("substrate.program_bits must be 0 (off) or 2-16, got " + std::to_string(params_.program_bits));
  master_ = target_ = Matrix::Zero(chip_->rows(), chip_->cols());
}

void HardwareInTheLoop::set_counters(OpCounters* counters) {
  Substrate::set_counters(counters);
  chip_->set_counters(counters);
}

void HardwareInTheLoop::set_weights(const Matrix& w) {
  if (w.rows() != master_.rows() || w.cols() != master_.cols()) throw RuntimeError("substrate: weight matrix has the wrong shape");
  master_ = w.unaryExpr([](Scalar v) { return std::isnan(v) ? Scalar(0) : v; });
  if (params_.program_bits == 0) {
    target_ = master_;
    chip_->set_weights(master_);  // the chip maps its range itself (mapping = auto)
    return;
  }
  const Scalar range = mapped_range(mapping_, master_);
  target_ = goal(range);
  array_->remap(target_, range);
}

void HardwareInTheLoop::update(const Matrix& delta) {
  if (delta.rows() != master_.rows() || delta.cols() != master_.cols()) throw RuntimeError("substrate: update has the wrong shape");
  master_ += delta.unaryExpr([](Scalar d) { return std::isfinite(d) ? d : Scalar(0); });  // a non-finite request is ignored
  count(Op::accumulator_updates, master_.size());
  ++updates_;
  reprogram();
}

const Matrix& HardwareInTheLoop::goal(Scalar range) {
  if (params_.program_bits == 0) return master_;
  levels_ = master_.unaryExpr([&](Scalar m) { return quantize_symmetric(m, range, params_.program_bits); });
  return levels_;
}

// The synapses s < n with selected(s), in increasing order, into selected_. Few are selected after an update, so
// each block of 16 is first tested as a whole by block(s0) (a scalar test per synapse was 14 % of a 4-bit chip run).
template <typename Block, typename Selected>
void HardwareInTheLoop::select_synapses(Eigen::Index n, Block block, Selected selected) {
  constexpr Eigen::Index kBlock = 16;
  for (Eigen::Index s0 = 0; s0 < n; s0 += kBlock) {
    if (s0 + kBlock <= n && !block(s0)) continue;
    for (Eigen::Index s = s0; s < std::min(n, s0 + kBlock); ++s)
      if (selected(s)) selected_.push_back(s);
  }
}

void HardwareInTheLoop::reprogram() {
  if (mapping_.automatic) {
    // The mapping the master weights want now, against the chip's: re-map when it has grown by more than
    // a quarter (with headroom 1.25 x max|w|: the weights would clip) or shrunk to under half. A fast estimate
    // (within 1e-6) settles it when it is 1e-5 inside both limits; otherwise the exact range decides,
    // so every decision and every range is the exact one's (its in-order sum was 27 % of a 4-bit chip run).
    const Scalar range = array_->range();
    const double estimate = mapped_range_estimate(mapping_, master_), margin = 1e-5 * estimate;
    const bool stays = estimate + margin < static_cast<double>(Scalar(1.25) * range) &&
                       2 * (estimate - margin) > static_cast<double>(range);
    const Scalar wanted = stays ? range : mapped_range(mapping_, master_);
    if (!stays && (wanted > Scalar(1.25) * range || 2 * wanted < range)) {
      target_ = goal(wanted);
      array_->remap(target_, wanted);
      return;
    }
  }
  if (params_.policy == ReprogramPolicy::every_n && updates_ % params_.every_n != 0) return;
  selected_.clear();
  const Matrix& programmed = goal(array_->range());
  const Eigen::Index n = master_.size();
  const Scalar* m = programmed.data();
  const Scalar* t = target_.data();
  switch (params_.policy) {
    case ReprogramPolicy::every_n:
    case ReprogramPolicy::every_update:
      select_synapses(
          n,
          [&](Eigen::Index s0) {
#if defined(__AVX512F__)
            return _mm512_cmp_ps_mask(_mm512_loadu_ps(m + s0), _mm512_loadu_ps(t + s0), _CMP_NEQ_UQ) != 0;  // NaN: !=
#else
            int any = 0;
            for (Eigen::Index s = s0; s < s0 + 16; ++s) any |= static_cast<int>(m[s] != t[s]);
            return any != 0;
#endif
          },
          [&](Eigen::Index s) { return m[s] != t[s]; });
      break;
    case ReprogramPolicy::threshold: {
      const Scalar limit = static_cast<Scalar>(params_.threshold) * array_->resolution();
      const Scalar* reference = params_.read_back ? chip_->weights().data() : t;
      select_synapses(
          n,
          [&](Eigen::Index s0) {
#if defined(__AVX512F__)
            const __m512 d = _mm512_abs_ps(_mm512_sub_ps(_mm512_loadu_ps(m + s0), _mm512_loadu_ps(reference + s0)));
            return _mm512_cmp_ps_mask(d, _mm512_set1_ps(limit), _CMP_GT_OQ) != 0;  // NaN: not selected
#else
            int any = 0;
            for (Eigen::Index s = s0; s < s0 + 16; ++s) any |= static_cast<int>(std::abs(m[s] - reference[s]) > limit);
            return any != 0;
#endif
          },
          [&](Eigen::Index s) { return std::abs(m[s] - reference[s]) > limit; });
      break;
    }
  }
  if (selected_.empty()) return;
  array_->program(programmed, selected_);
  for (const int64_t s : selected_) target_.data()[s] = m[s];
}

void HardwareInTheLoop::save_state(NamedTensors& out, const std::string& prefix) const {
  out.put_text(prefix + "kind", "hardware_in_the_loop");
  out.put_matrix(prefix + "master", master_);
  out.put_matrix(prefix + "programmed_target", target_);
  out.put_int(prefix + "updates", updates_);
  chip_->save_state(out, prefix + "chip/");
}

bool HardwareInTheLoop::restore_state(const NamedTensors& in, const std::string& prefix) {
  if (!has_state(in, prefix, "hardware_in_the_loop")) return false;
  const Matrix master = in.matrix(prefix + "master", master_.rows(), master_.cols());
  const Matrix target = in.matrix(prefix + "programmed_target", master_.rows(), master_.cols());
  const int64_t updates = in.integer(prefix + "updates");
  if (!master.allFinite() || !target.allFinite())
    throw RuntimeError(in.source() + ": " + prefix + "master or programmed_target is not finite (a damaged run record?)");
  if (updates < 0) throw RuntimeError(in.source() + ": " + prefix + "updates is negative");
  master_ = master;
  target_ = target;
  updates_ = updates;
  if (!chip_->restore_state(in, prefix + "chip/")) chip_->set_weights(target_);  // another chip layout: program it
  return true;
}

}  // namespace plasticore
