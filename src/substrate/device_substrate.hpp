// A weight matrix held in analog device conductances on crossbar tiles, composed of its pieces (each
// with its own parameter struct in its own file, docs/hardware.md "Substrates from parts"):
//   device model      a template parameter (pcm_device.hpp, pcm_inference_device.hpp, memristor_device.hpp,
//                     params: device_params.hpp), so the per-synapse loops make no virtual calls
//   weight mapping    weight_mapping.hpp: w = range (sum G+ - sum G-) / (N (g_max - g_min)), N devices per
//                     sign; range = headroom x max|w| when programmed as a whole (auto) or substrate.range
//   update scheme     update_scheme.hpp (in-memory training: a request becomes pulses; the loop is
//                     instantiated per scheme), or none: hardware_in_the_loop.hpp programs it from the host
//   periphery         periphery.hpp, crossbar.hpp (DAC/ADC, read and output noise, bound management);
//                     transposed reads for feedback use the same conductances. Read noise is drawn from a
//                     stream keyed by (seed, state version, input, direction, read_key.hpp's sample and
//                     step), fresh for every read yet independent of the thread
//   drift compensation  drift_compensation.hpp (noisy all-ones reads at programming and after time passes)
// Writes (update = a request; the achieved change is what the pulses did, visible in weights()): pulses of a
// write go round-robin over the N devices of a sign, starting at a pointer that advances every write
// (Boybat et al. 2018). Unidirectional devices (PCM) potentiate G+ for n > 0 and G- for n < 0;
// bidirectional ones first depress the opposite device while it is above its lowest level.
// Refresh (unidirectional devices): a synapse whose device exceeds refresh_fraction g_max is RESET and its
// weight programmed back (program-and-verify), when that frees headroom; every pulse is counted.
// Drift: every device drifts from its own last write time; advance(seconds) moves the clock.
// State (save_state): every device's programmed conductance, pulse history, drift exponent and write time,
// the accumulator, the range, the clock, the compensation and the write/read stream counters, so a resumed
// run goes on exactly.
#pragma once
#include <string>
#include <vector>

#include "substrate/crossbar.hpp"
#include "substrate/drift_compensation.hpp"
#include "substrate/programmable_array.hpp"
#include "substrate/read_key.hpp"
#include "substrate/registry.hpp"

namespace plasticore {

template <class Device>
class DeviceSubstrate final : public Substrate, public ProgrammableArray {
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
  // ProgrammableArray: what a hardware-in-the-loop host uses.
  Scalar range() const override { return range_; }
  Scalar resolution() const override { return pulse_weight_; }
  void program(const Matrix& w, std::span<const int64_t> synapses) override;
  void remap(const Matrix& w, Scalar range) override;

  double now_seconds() const { return now_seconds_; }
  Scalar pulse_weight() const { return pulse_weight_; }  // eps: one nominal pulse, in weight units
  float conductance_uS(int sign, int k, Eigen::Index synapse) const;  // sign 0 = G+, 1 = G-

 private:
  size_t slot(int sign, int k, Eigen::Index synapse) const {
    return (static_cast<size_t>(sign * n_ + k)) * static_cast<size_t>(w_.size()) + static_cast<size_t>(synapse);
  }
  // A device now holds g_uS, written at the current time, aiming at target_uS (its drift exponent's state).
  void write(size_t d, float g_uS, float target_uS, Rng& rng);
  template <class Scheme>
  void update_with(const Matrix& delta);  // the in-memory update, per scheme (update_scheme.hpp)
  void program_synapse(Eigen::Index synapse, Scalar weight, Rng& rng, int64_t& pulses);  // program-and-verify
  void program_all(const Matrix& w, Scalar range);
  Scalar compensation_reading() const;  // drift compensation: mean |y| of a noisy all-ones read
  int64_t apply_pulses(Eigen::Index synapse, int pulses, Rng& rng);
  float refresh_target_uS(Eigen::Index synapse) const;  // per device of the weight's sign, after a refresh
  int64_t refresh(Eigen::Index synapse, Rng& rng);
  void recompute(Eigen::Index synapse);
  void recompute_all();
  void set_range(Scalar range);
  Rng read_rng(const void* input, size_t bytes, bool transposed) const;
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
  Scalar range_;  // |weight| at full conductance (weight_mapping.hpp)
  Scalar pulse_weight_, weight_per_uS_;
  int max_pulses_;                    // a write never asks for more pulses than cross a whole device
  double now_seconds_ = 0;
  uint64_t writes_ = 0, version_ = 0;
  int next_device_ = 0;
  GlobalDriftCompensation compensation_;
};

// The keys every device kind shares, under `prefix`: the weight mapping (default headroom), the training
// mode with its update scheme or reprogramming policy, and the crossbar periphery.
void read_device_pieces(ConfigReader& reader, const std::string& prefix, SubstrateConfig& config, bool trainable,
                        double default_headroom);
// A device substrate, wrapped for hardware-in-the-loop training when the config says so.
std::unique_ptr<Substrate> with_training_mode(std::unique_ptr<Substrate> chip, const SubstrateConfig& config);

}  // namespace plasticore
