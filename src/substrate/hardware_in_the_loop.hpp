// Hardware-in-the-loop training (Bohnstingl et al., AICAS 2022; docs/hardware.md, "Hardware in the
// loop"): the host keeps fp32 master weights and applies every update to them; the chip beneath (a
// device or quantized substrate: quantised, noisy, drifting) holds the programmed copy that every
// forward and backward read uses. After each update the host reprograms the chip by a policy:
//   every_update  every synapse whose master changed since it was last programmed
//   every_n       the same, after every N-th update (reprogram_every)
//   threshold     a synapse whose master is more than reprogram_threshold x the chip's resolution (one
//                 nominal pulse, one level) from what the chip holds now, read back (reprogram_reference =
//                 chip: programming error, drift and frozen read noise included; the read-back itself is
//                 taken as exact, as if averaged over many reads), or from what the host last programmed
//                 there (= target: the chip is never read)
// With program_bits = b >= 2 the host programs its master weights rounded to the nearest of 2^(b-1) - 1
// levels per sign over +-range (Bohnstingl et al.: the host "reprograms the quantized weights"): a device
// then only ever aims at a level, and a synapse is rewritten when its level changes or (threshold policy,
// chip reference) when the chip has moved off that level by more than the threshold.
// With mapping = auto the chip is re-mapped when the master weights outgrow its range (or use less than
// half of it): range = headroom x max|master|, every synapse reprogrammed. weights() is the master copy
// (what checkpoints, exports and rules that need w_ij see); conductances_uS() is the chip's. Costs: one
// host memory write per synapse and update (accumulator_updates); the chip counts its programming pulses
// and reads. The in-memory update schemes (update_scheme.hpp) are the alternative (training = in_memory).
//   key (substrate.*)     default                                    meaning
//   training              in_memory                                  in_memory | hardware_in_the_loop
//   reprogram             every_update (quantized), threshold (devices)  the policy above
//   reprogram_every       10                                         every_n: N
//   reprogram_threshold   0.5                                        threshold, in units of the resolution
//   reprogram_reference   chip                                       threshold: compare with chip | target
//   program_bits          0 (off)                                    program the master rounded to b-bit levels
#pragma once
#include <memory>
#include <vector>

#include "substrate/programmable_array.hpp"
#include "substrate/substrate.hpp"
#include "substrate/weight_mapping.hpp"

namespace plasticore {

class ConfigReader;

enum class ReprogramPolicy { every_update, every_n, threshold };

struct HardwareInTheLoopParams {
  bool enabled = false;
  ReprogramPolicy policy = ReprogramPolicy::threshold;
  int every_n = 10;
  double threshold = 0.5;  // chosen on held-out data (docs/hardware.md, "How it was chosen")
  bool read_back = true;  // threshold: compare the master with the chip's weights, not the programmed target
  int program_bits = 0;   // 0 (off) or 2-16: program the master rounded to this many bits' levels over +-range
};

// substrate.training and, in hardware-in-the-loop mode, the policy keys under `prefix`.
void read_hardware_in_the_loop(ConfigReader& reader, const std::string& prefix, HardwareInTheLoopParams& params,
                               ReprogramPolicy default_policy);

class HardwareInTheLoop final : public Substrate {
 public:
  // `chip` must be a ProgrammableArray (a device or quantized substrate).
  HardwareInTheLoop(std::unique_ptr<Substrate> chip, HardwareInTheLoopParams params, WeightMappingParams mapping);
  std::string kind() const override { return chip_->kind(); }
  int rows() const override { return chip_->rows(); }
  int cols() const override { return chip_->cols(); }
  void forward(const Matrix& x, Matrix& y) const override { chip_->forward(x, y); }
  void forward_nonzero(const Matrix& x, Matrix& y) const override { chip_->forward_nonzero(x, y); }
  bool forward_nonzero_on_team() const override { return chip_->forward_nonzero_on_team(); }
  void forward_events(std::span<const int32_t> active, Scalar* y) const override { chip_->forward_events(active, y); }
  bool repeat_forward_events(std::span<const int32_t> active) const override { return chip_->repeat_forward_events(active); }
  bool forward_event_changes(std::span<const int32_t> on, std::span<const int32_t> off, size_t active,
                             Scalar* y) const override {
    return chip_->forward_event_changes(on, off, active, y);
  }
  bool forward_event_change_steps(std::span<const StepChanges> steps, Scalar* y) const override {
    return chip_->forward_event_change_steps(steps, y);
  }
  bool forward_event_steps(std::span<const StepEvents> steps) const override { return chip_->forward_event_steps(steps); }
  void backward(const Matrix& y, Matrix& x) const override { chip_->backward(y, x); }
  bool products_by_column() const override { return chip_->products_by_column(); }
  void forward_by_column(const Matrix& x, Matrix& y) const override { chip_->forward_by_column(x, y); }
  void backward_by_column(const Matrix& y, Matrix& x) const override { chip_->backward_by_column(y, x); }
  void backward_events(std::span<const int32_t> active, Scalar* x) const override { chip_->backward_events(active, x); }
  void keep_transposed_weights() override { chip_->keep_transposed_weights(); }
  void keep_aligned_columns() override { chip_->keep_aligned_columns(); }
  void update(const Matrix& delta) override;
  void advance(double seconds) override { chip_->advance(seconds); }
  const Matrix& weights() const override { return master_; }
  void set_weights(const Matrix& w) override;
  std::vector<float> conductances_uS() const override { return chip_->conductances_uS(); }
  void save_state(NamedTensors& out, const std::string& prefix) const override;
  bool restore_state(const NamedTensors& in, const std::string& prefix) override;
  void set_counters(OpCounters* counters) override;

  const Substrate& chip() const { return *chip_; }
  // The chip's effective weights now (what the reads use, before periphery noise).
  const Matrix& programmed_weights() const { return chip_->weights(); }

 private:
  void reprogram();
  template <typename Block, typename Selected>
  void select_synapses(Eigen::Index n, Block block, Selected selected);
  // What the host programs for the master weights under `range`: the master itself, or its levels.
  const Matrix& goal(Scalar range);

  std::unique_ptr<Substrate> chip_;
  ProgrammableArray* array_;  // chip_ as the host programs it
  HardwareInTheLoopParams params_;
  WeightMappingParams mapping_;
  Matrix master_;            // the host's fp32 weights
  Matrix target_;            // what the host last programmed into each synapse
  Matrix levels_;            // program_bits > 0: the master rounded to its levels (reused)
  std::vector<int64_t> selected_;  // synapses to program this time (reused)
  int64_t updates_ = 0;
};

}  // namespace plasticore
