// A weight matrix held in analog device conductances on crossbar tiles, generic over the device model
// (pcm_device.hpp, pcm_inference_device.hpp, memristor_device.hpp: one file per device; the model is a
// template parameter, so the per-synapse loops make no virtual calls).
//   Mapping: differential pairs of N devices per sign, w = range (sum G+ - sum G-) / (N (g_max - g_min)),
//            range = substrate.range; in inference mode range = the programmed matrix's max |w| (aihwkit).
//   Reads: crossbar.hpp (DAC/ADC, read and output noise, bound management); transposed reads for
//          feedback use the same conductances. Read noise is drawn from a stream keyed by (seed, state
//          version, input), so results do not depend on which thread reads.
//   Writes (update = a request; the achieved change is what the pulses did, visible in weights()):
//     mixed_precision  chi += dW; n = trunc(chi / eps); chi -= n eps  (digital accumulator; Nandakumar 2020)
//     stochastic       n = floor(|dW| / eps) + Bernoulli(frac), signed
//     sign             one pulse of sign(dW) where |dW| >= sign_threshold eps (Demirag 2021)
//     multi_device     n = trunc(dW / eps)  (Demirag's multi-mem: eps is 1/N of a device's step)
//   eps = the weight change of one nominal pulse on one device. Pulses of a write go round-robin over
//   the N devices of a sign, starting at a pointer that advances every write (Boybat et al. 2018).
//   Unidirectional devices (PCM) potentiate G+ for n > 0 and G- for n < 0; bidirectional ones first
//   depress the opposite device while it is above its lowest level.
//   Refresh (unidirectional devices): a synapse whose device exceeds refresh_fraction g_max is RESET and
//   its weight programmed back (program-and-verify), when that frees headroom; every pulse is counted.
//   Drift: every device drifts from its own last write time; advance(seconds) moves the clock.
//   State (save_state): every device's programmed conductance, pulse history, drift exponent and write
//   time, the accumulator, the clock and the write/read stream counters, so a resumed run goes on exactly.
#pragma once
#include <string>
#include <vector>

#include "substrate/crossbar.hpp"
#include "substrate/registry.hpp"

namespace plasticore {

template <class Device>
class DeviceSubstrate final : public Substrate {
 public:
  DeviceSubstrate(int rows, int cols, const SubstrateConfig& config, std::string kind);
  std::string kind() const override { return kind_; }
  int rows() const override { return static_cast<int>(w_.rows()); }
  int cols() const override { return static_cast<int>(w_.cols()); }
  void forward(const Matrix& x, Matrix& y) const override;
  void forward_events(std::span<const int32_t> active, Scalar* y) const override;
  void backward(const Matrix& y, Matrix& x) const override;
  void backward_events(std::span<const int32_t> active, Scalar* x) const override;
  void update(const Matrix& delta) override;
  void advance(double seconds) override;
  const Matrix& weights() const override { return w_; }
  void set_weights(const Matrix& w) override;
  std::vector<float> conductances_uS() const override;
  void save_state(NamedTensors& out, const std::string& prefix) const override;
  bool restore_state(const NamedTensors& in, const std::string& prefix) override;

  double now_seconds() const { return now_seconds_; }
  Scalar pulse_weight() const { return pulse_weight_; }  // eps: one nominal pulse, in weight units
  float conductance_uS(int sign, int k, Eigen::Index synapse) const;  // sign 0 = G+, 1 = G-

 private:
  size_t slot(int sign, int k, Eigen::Index synapse) const {
    return (static_cast<size_t>(sign * n_ + k)) * static_cast<size_t>(w_.size()) + static_cast<size_t>(synapse);
  }
  void write(size_t d, float g_uS, Rng& rng);  // a device now holds g_uS, written at the current time
  int64_t apply_pulses(Eigen::Index synapse, int pulses, Rng& rng);
  float refresh_target_uS(Eigen::Index synapse) const;  // per device of the weight's sign, after a refresh
  int64_t refresh(Eigen::Index synapse, Rng& rng);
  void recompute(Eigen::Index synapse);
  void recompute_all();
  void set_range(Scalar range);
  Rng read_rng(const void* input, size_t bytes) const;
  // One read of w (w_norm_ or its transpose) per input column / for one sample's spikes.
  void read_dense(const Matrix& w, const Matrix& variance, const Matrix& in, Matrix& out) const;
  void read_events(const Matrix& w, const Matrix& variance, std::span<const int32_t> active, Scalar* out) const;
  void finish_read(const CrossbarReads& reads, int64_t logical_ops, Op logical_op, Scalar* out, Eigen::Index n) const;

  Device device_;
  SubstrateConfig config_;
  std::string kind_;
  int n_;  // devices per sign
  std::vector<float> g_written_uS_;   // conductance right after each device's last write
  std::vector<float> history_;        // per-device model state (PCM pulse history P, memristor level)
  std::vector<float> drift_nu_;
  std::vector<double> written_seconds_;
  Matrix accumulator_;                // mixed precision: the not yet programmed part of the requests
  Matrix w_, w_norm_, w_norm_t_;      // effective weights now; / range; transposed for feedback reads
  Matrix variance_, variance_t_;      // per-device read-noise variance, normalised (empty: no read noise)
  CrossbarParams crossbar_;
  Scalar range_;  // |weight| at full conductance; inference mode maps each matrix's max |w| there (aihwkit)
  Scalar pulse_weight_, weight_per_uS_;
  int max_pulses_;                    // a write never asks for more pulses than cross a whole device
  double now_seconds_ = 0;
  uint64_t writes_ = 0, version_ = 0;
  int next_device_ = 0;
  double reference_line_sum_ = 0;     // drift compensation: sum_i |sum_j w_ij| at programming
  Scalar compensation_ = 1;
};

// The keys every device kind reads: the update scheme (substrate.update, devices_per_sign, sign_threshold,
// seconds_per_update) and the crossbar periphery (read_noise, tile_size, dac_bits, adc_bits, output_bound,
// output_noise).
void read_device_update_scheme(ConfigReader& reader, SubstrateConfig& config);
// The update schemes of device substrates, by name (substrate.update).
const std::vector<std::string>& device_update_schemes();
void read_crossbar_periphery(ConfigReader& reader, SubstrateConfig& config);

}  // namespace plasticore
