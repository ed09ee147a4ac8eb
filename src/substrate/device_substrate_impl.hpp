// The definitions of DeviceSubstrate<Device>, included by each device's .cpp, which instantiates the
// template for its device (so a device model is its own files plus one registry line).
#pragma once
#include <cmath>
#include <type_traits>

#include "core/error.hpp"
#include "core/team.hpp"
#include "substrate/device_substrate.hpp"

namespace plasticore {


template <class Device>
DeviceSubstrate<Device>::DeviceSubstrate(int rows, int cols, const SubstrateConfig& config, std::string kind)
    : device_(config.device), config_(config), kind_(std::move(kind)), n_(config.update.devices_per_sign) {
  const size_t devices = 2 * static_cast<size_t>(n_) * static_cast<size_t>(rows) * static_cast<size_t>(cols);
  g_written_uS_.assign(devices, Device::g_min_uS);
  history_.assign(devices, 1.0f);
  drift_nu_.assign(devices, 0.0f);
  written_seconds_.assign(devices, 0.0);
  accumulator_ = Matrix::Zero(rows, cols);
  w_ = w_norm_ = Matrix::Zero(rows, cols);
  w_norm_t_ = Matrix::Zero(cols, rows);
  if (config.periphery.read_noise && !Device::frozen_read_noise) {  // per-read noise: its variance per device
    variance_ = Matrix::Zero(rows, cols);
    variance_t_ = Matrix::Zero(cols, rows);
  }
  max_pulses_ = n_ * static_cast<int>(std::ceil((Device::g_max_uS - Device::g_min_uS) / device_.pulse_step_uS)) + n_;
  set_range(config.mapping.automatic ? Scalar(1) : static_cast<Scalar>(config.mapping.range));  // until programmed
}

template <class Device>
void DeviceSubstrate<Device>::set_range(Scalar range) {
  range_ = range;
  weight_per_uS_ = range / (static_cast<float>(n_) * (Device::g_max_uS - Device::g_min_uS));
  pulse_weight_ = weight_per_uS_ * device_.pulse_step_uS;
}

template <class Device>
float DeviceSubstrate<Device>::conductance_uS(int sign, int k, Eigen::Index synapse) const {
  const size_t d = slot(sign, k, synapse);
  const double age = now_seconds_ - written_seconds_[d];
  float g = g_written_uS_[d];
  if (config_.device.drift) g *= device_.drift_factor(age, drift_nu_[d]);
  if constexpr (Device::frozen_read_noise) {
    if (config_.periphery.read_noise) {  // one draw per device and state version: every read sees the same
      Rng rng(config_.seed, "device_1f_noise", version_, d);
      g = std::max(g + std::abs(g) * device_.read_noise_relative(g_written_uS_[d], age) * static_cast<float>(rng.normal()), 0.0f);
    }
  }
  return g;
}

template <class Device>
void DeviceSubstrate<Device>::write(size_t d, float g_uS, float target_uS, Rng& rng) {
  g_written_uS_[d] = g_uS;
  written_seconds_[d] = now_seconds_;
  drift_nu_[d] = device_.drift_exponent(target_uS, rng);
}

template <class Device>
void DeviceSubstrate<Device>::recompute(Eigen::Index s) {
  const float norm = 1.0f / (static_cast<float>(n_) * (Device::g_max_uS - Device::g_min_uS));
  float sum = 0, var = 0;
  for (int sign = 0; sign < 2; ++sign)
    for (int k = 0; k < n_; ++k) {
      const float g = conductance_uS(sign, k, s);
      sum += sign == 0 ? g : -g;
      if (variance_.size() != 0) {
        const float sigma = device_.read_sigma_uS(g, now_seconds_ - written_seconds_[slot(sign, k, s)]);
        var += sigma * sigma;
      }
    }
  const Eigen::Index i = s % w_.rows(), j = s / w_.rows();
  w_norm_(i, j) = w_norm_t_(j, i) = sum * norm;
  w_(i, j) = range_ * sum * norm;
  if (variance_.size() != 0) variance_(i, j) = variance_t_(j, i) = var * norm * norm;
}

template <class Device>
void DeviceSubstrate<Device>::recompute_all() {
  const Eigen::Index n = w_.size();
  const int parts = team_of_several() ? omp_get_max_threads() : 1;
  run_team(parts, [&](int part, int count) {  // contiguous blocks of synapses; each one's value is its own
    for (Eigen::Index s = n * part / count; s < n * (part + 1) / count; ++s) recompute(s);
  });
}

template <class Device>
Scalar DeviceSubstrate<Device>::compensation_reading() const {
  const Vector ones = Vector::Ones(w_norm_.cols());
  Vector y(w_norm_.rows());
  Rng rng(config_.seed, "drift_compensation_read", version_);
  const CrossbarReads reads = crossbar_matvec(w_norm_, variance_, ones.data(), y.data(), config_.periphery, rng);
  count(Op::device_reads, reads.device_reads);
  count(Op::dac_conversions, reads.dac_conversions);
  count(Op::adc_conversions, reads.adc_conversions);
  return y.cwiseAbs().mean();
}

template <class Device>
int64_t DeviceSubstrate<Device>::apply_pulses(Eigen::Index s, int pulses, Rng& rng) {
  const int direction = pulses > 0 ? 1 : -1;
  for (int p = 0; p < std::abs(pulses); ++p) {
    const int k = (next_device_ + p) % n_;
    const size_t up = slot(direction > 0 ? 0 : 1, k, s), down = slot(direction > 0 ? 1 : 0, k, s);
    if constexpr (Device::bidirectional) {
      if (history_[down] > 0) {  // the opposite device is above its lowest level: step it down
        const float g = device_.depress(conductance_uS(direction > 0 ? 1 : 0, k, s), history_[down], rng);
        write(down, g, g, rng);
        continue;
      }
    }
    const float g = device_.potentiate(conductance_uS(direction > 0 ? 0 : 1, k, s), history_[up], rng);
    write(up, g, g, rng);
  }
  return std::abs(pulses);
}

template <class Device>
float DeviceSubstrate<Device>::refresh_target_uS(Eigen::Index s) const {
  return Device::g_min_uS + std::abs(w_.data()[s]) / (weight_per_uS_ * static_cast<float>(n_));
}

template <class Device>
int64_t DeviceSubstrate<Device>::refresh(Eigen::Index s, Rng& rng) {
  const float target_uS = std::min(refresh_target_uS(s), Device::g_max_uS);
  const int sign = w_.data()[s] >= 0 ? 0 : 1;
  int64_t pulses = 0;
  for (int side = 0; side < 2; ++side)
    for (int k = 0; k < n_; ++k) {
      const size_t d = slot(side, k, s);
      const float goal_uS = side == sign ? target_uS : Device::g_min_uS;
      write(d, device_.program(goal_uS, history_[d], rng, pulses), goal_uS, rng);
    }
  return pulses;
}

template <class Device>
void DeviceSubstrate<Device>::update(const Matrix& delta) {
  if constexpr (!Device::trainable)
    throw UsageError("substrate.mode = inference: weights are programmed once; train with mode = statistical, "
                     "or train on an ideal substrate and evaluate with `plasticore drift`");
  if (delta.rows() != w_.rows() || delta.cols() != w_.cols()) throw RuntimeError("substrate: update has the wrong shape");
  switch (config_.update.scheme) {
    case UpdateScheme::mixed_precision: update_with<MixedPrecisionPulses>(delta); break;
    case UpdateScheme::stochastic: update_with<StochasticPulses>(delta); break;
    case UpdateScheme::sign: update_with<SignPulses>(delta); break;
    case UpdateScheme::multi_device: update_with<MultiDevicePulses>(delta); break;
  }
}

template <class Device>
template <class Scheme>
void DeviceSubstrate<Device>::update_with(const Matrix& delta) {
  Rng rng(config_.seed, "device_write", writes_++);
  const Scalar eps = pulse_weight_, cap = static_cast<Scalar>(max_pulses_);
  const auto threshold = static_cast<Scalar>(config_.update.sign_threshold);
  const float refresh_uS = static_cast<float>(config_.update.refresh_fraction) * Device::g_max_uS;
  int64_t pulses_applied = 0;
  const Eigen::Index n = w_.size();
  for (Eigen::Index s = 0; s < n; ++s) {
    const Scalar d = delta.data()[s];
    if (!std::isfinite(d)) continue;  // a non-finite request is ignored, never written
    const int pulses = Scheme::pulses(d, accumulator_.data()[s], eps, cap, threshold, rng);
    if (pulses == 0) continue;
    pulses_applied += apply_pulses(s, pulses, rng);
    if (config_.update.refresh && !Device::bidirectional) {  // a bidirectional device steps down instead
      bool saturated = false;
      for (int side = 0; side < 2; ++side)
        for (int k = 0; k < n_; ++k) saturated |= conductance_uS(side, k, s) > refresh_uS;
      if (saturated) {
        recompute(s);  // the weight to program back is the one the devices hold now
        // Only when it frees headroom: a weight that itself needs a device above the threshold stays.
        if (refresh_target_uS(s) < refresh_uS) pulses_applied += refresh(s, rng);
      }
    }
    recompute(s);
  }
  next_device_ = (next_device_ + 1) % n_;
  ++version_;
  if constexpr (std::is_same_v<Scheme, MixedPrecisionPulses>) count(Op::accumulator_updates, n);
  count(Op::programming_pulses, pulses_applied);
}

template <class Device>
void DeviceSubstrate<Device>::advance(double seconds) {
  if (!(seconds >= 0)) throw RuntimeError("substrate: time can only advance (got " + std::to_string(seconds) + " s)");
  if (seconds == 0) return;
  now_seconds_ += seconds;
  ++version_;
  // Conductances drift; frozen 1/f read noise is drawn again for the new time.
  if (config_.device.drift || (config_.periphery.read_noise && Device::frozen_read_noise)) recompute_all();
  if (config_.drift_compensation.enabled) compensation_.compensate(compensation_reading());
}

template <class Device>
void DeviceSubstrate<Device>::program_synapse(Eigen::Index s, Scalar weight, Rng& rng, int64_t& pulses) {
  const Scalar v = std::isnan(weight) ? 0 : weight;
  const float target_uS = std::min(std::abs(v) / (weight_per_uS_ * static_cast<float>(n_)), Device::g_max_uS - Device::g_min_uS);
  for (int side = 0; side < 2; ++side)
    for (int k = 0; k < n_; ++k) {
      const size_t d = slot(side, k, s);
      const bool holds = (side == 0) == (v >= 0);
      const float goal_uS = Device::g_min_uS + (holds ? target_uS : 0);
      write(d, device_.program(goal_uS, history_[d], rng, pulses), goal_uS, rng);
    }
}

template <class Device>
void DeviceSubstrate<Device>::program_all(const Matrix& w, Scalar range) {
  if (w.rows() != w_.rows() || w.cols() != w_.cols()) throw RuntimeError("substrate: weight matrix has the wrong shape");
  Rng rng(config_.seed, "device_program", writes_++);
  set_range(range);
  int64_t pulses = 0;
  for (Eigen::Index s = 0; s < w_.size(); ++s) program_synapse(s, w.data()[s], rng, pulses);
  accumulator_.setZero();
  ++version_;
  count(Op::programming_pulses, pulses);
  compensation_.reset();
  recompute_all();
  if (config_.drift_compensation.enabled) compensation_.calibrate(compensation_reading());
}

template <class Device>
void DeviceSubstrate<Device>::set_weights(const Matrix& w) {
  program_all(w, mapped_range(config_.mapping, w));
  if (config_.device.mode == "inference") advance(config_.device.inference_seconds);
}

template <class Device>
void DeviceSubstrate<Device>::remap(const Matrix& w, Scalar range) {
  program_all(w, range);
}

template <class Device>
void DeviceSubstrate<Device>::program(const Matrix& w, std::span<const int64_t> synapses) {
  Rng rng(config_.seed, "device_program", writes_++);
  int64_t pulses = 0;
  for (const int64_t s : synapses) {
    program_synapse(s, w.data()[s], rng, pulses);
    accumulator_.data()[s] = 0;
  }
  // Only the programmed synapses are recomputed: right for devices with per-read noise; a frozen-noise
  // (inference) device would need recompute_all, and the pcm reader never puts one in the loop.
  ++version_;
  for (const int64_t s : synapses) recompute(s);
  count(Op::programming_pulses, pulses);
}

template <class Device>
std::vector<float> DeviceSubstrate<Device>::conductances_uS() const {
  std::vector<float> g(g_written_uS_.size());
  for (int sign = 0; sign < 2; ++sign)
    for (int k = 0; k < n_; ++k)
      for (Eigen::Index s = 0; s < w_.size(); ++s) g[slot(sign, k, s)] = conductance_uS(sign, k, s);
  return g;
}

template <class Device>
Rng DeviceSubstrate<Device>::read_rng(const void* input, size_t bytes, bool transposed) const {
  const auto* p = static_cast<const unsigned char*>(input);
  uint64_t h = 1469598103934665603ULL;  // FNV-1a of the input
  for (size_t b = 0; b < bytes; ++b) h = (h ^ p[b]) * 1099511628211ULL;
  // Fresh noise for every read the caller keys (substrate/read_key.hpp), on any thread.
  const ReadKey& key = thread_read_key();
  return Rng(config_.seed, "crossbar_read", version_, sample_read_key(h, key.sample, key.step, transposed));
}

template <class Device>
void DeviceSubstrate<Device>::finish_read(const CrossbarReads& reads, int64_t logical_ops, Op logical_op, Scalar* out,
                                          Eigen::Index n) const {
  const Scalar gain = range_ * compensation_.factor();
  for (Eigen::Index i = 0; i < n; ++i) out[i] *= gain;
  count(logical_op, logical_ops);
  count(Op::dense_equivalent_macs, w_.size());  // what a GPU would compute for this one-vector read
  count(Op::device_reads, reads.device_reads);
  count(Op::dac_conversions, reads.dac_conversions);
  count(Op::adc_conversions, reads.adc_conversions);
}

template <class Device>
void DeviceSubstrate<Device>::read_dense(const Matrix& w, const Matrix& variance, const Matrix& in, Matrix& out) const {
  out.resize(w.rows(), in.cols());
  for (Eigen::Index b = 0; b < in.cols(); ++b) {
    Rng rng = read_rng(in.col(b).data(), sizeof(Scalar) * static_cast<size_t>(in.rows()), &w == &w_norm_t_);
    const CrossbarReads reads = crossbar_matvec(w, variance, in.col(b).data(), out.col(b).data(), config_.periphery, rng);
    finish_read(reads, w.size(), Op::dense_macs, out.col(b).data(), out.rows());
  }
}

template <class Device>
void DeviceSubstrate<Device>::read_events(const Matrix& w, const Matrix& variance, std::span<const int32_t> active,
                                          Scalar* out) const {
  Rng rng = read_rng(active.data(), active.size_bytes(), &w == &w_norm_t_);
  const CrossbarReads reads = crossbar_matvec_events(w, variance, active, out, config_.periphery, rng);
  finish_read(reads, static_cast<int64_t>(active.size()) * w.rows(), Op::synaptic_events, out, w.rows());
}

template <class Device>
void DeviceSubstrate<Device>::forward(const Matrix& x, Matrix& y) const {
  read_dense(w_norm_, variance_, x, y);
}

template <class Device>
void DeviceSubstrate<Device>::forward_events(std::span<const int32_t> active, Scalar* y) const {
  read_events(w_norm_, variance_, active, y);
}

// Feedback reads the same conductances through the transposed array.
template <class Device>
void DeviceSubstrate<Device>::backward(const Matrix& y, Matrix& x) const {
  read_dense(w_norm_t_, variance_t_, y, x);
}

template <class Device>
void DeviceSubstrate<Device>::backward_events(std::span<const int32_t> active, Scalar* x) const {
  read_events(w_norm_t_, variance_t_, active, x);
}

template <class Device>
void DeviceSubstrate<Device>::save_state(NamedTensors& out, const std::string& prefix) const {
  out.put_text(prefix + "kind", Device::state_name);
  out.put_vector(prefix + "programmed_conductance_uS", g_written_uS_);
  out.put_vector(prefix + "pulse_history", history_);
  out.put_vector(prefix + "drift_exponent", drift_nu_);
  out.put_doubles(prefix + "written_seconds", written_seconds_);
  out.put_matrix(prefix + "accumulator", accumulator_);
  out.put_double(prefix + "clock_seconds", now_seconds_);
  out.put_double(prefix + "range", range_);
  out.put_double(prefix + "reference_line_sum", compensation_.reference());  // the drift-compensation reference reading
  out.put_double(prefix + "compensation", compensation_.factor());
  out.put_int(prefix + "writes", static_cast<int64_t>(writes_));
  out.put_int(prefix + "version", static_cast<int64_t>(version_));
  out.put_int(prefix + "next_device", next_device_);
}

template <class Device>
bool DeviceSubstrate<Device>::restore_state(const NamedTensors& in, const std::string& prefix) {
  if (!has_state(in, prefix, Device::state_name)) return false;
  const auto devices = static_cast<int64_t>(g_written_uS_.size());
  // Another number of devices per sign (an evaluation on another layout): program from the weights.
  if (in.at(prefix + "programmed_conductance_uS").shape != std::vector<int64_t>{devices}) return false;
  const auto bad = [&](const std::string& what) {
    return RuntimeError(in.source() + ": " + prefix + what + " is out of range (a damaged run record?)");
  };
  const double clock = in.real(prefix + "clock_seconds"), range = in.real(prefix + "range");
  const double reference = in.real(prefix + "reference_line_sum"), compensation = in.real(prefix + "compensation");
  if (!(std::isfinite(clock) && clock >= 0)) throw bad("clock_seconds");
  if (!(std::isfinite(range) && range > 0)) throw bad("range");
  if (!(std::isfinite(reference) && reference >= 0)) throw bad("reference_line_sum");
  if (!(std::isfinite(compensation) && compensation > 0)) throw bad("compensation");
  const std::vector<float> g = in.floats(prefix + "programmed_conductance_uS", devices);
  const std::vector<float> history = in.floats(prefix + "pulse_history", devices);
  const std::vector<float> nu = in.floats(prefix + "drift_exponent", devices);
  const std::vector<double> written = in.doubles(prefix + "written_seconds", devices);
  for (int64_t d = 0; d < devices; ++d) {
    const auto k = static_cast<size_t>(d);
    if (!(g[k] >= 0 && g[k] <= Device::g_max_uS)) throw bad("programmed_conductance_uS");
    if (!(history[k] >= 0 && history[k] <= device_.history_max())) throw bad("pulse_history");
    if (!(nu[k] >= 0 && nu[k] <= 1)) throw bad("drift_exponent");
    if (!(written[k] >= 0 && written[k] <= clock)) throw bad("written_seconds");
  }
  const Matrix accumulator = in.matrix(prefix + "accumulator", w_.rows(), w_.cols());
  if (!accumulator.allFinite()) throw bad("accumulator");
  const int64_t writes = in.integer(prefix + "writes"), version = in.integer(prefix + "version");
  const int64_t next = in.integer(prefix + "next_device");
  if (writes < 0) throw bad("writes");
  if (version < 0) throw bad("version");
  if (next < 0 || next >= n_) throw bad("next_device");
  g_written_uS_ = g;
  history_ = history;
  drift_nu_ = nu;
  written_seconds_ = written;
  accumulator_ = accumulator;
  now_seconds_ = clock;
  set_range(static_cast<Scalar>(range));
  compensation_.restore(static_cast<Scalar>(reference), static_cast<Scalar>(compensation));
  writes_ = static_cast<uint64_t>(writes);
  version_ = static_cast<uint64_t>(version);
  next_device_ = static_cast<int>(next);
  recompute_all();
  return true;
}

}  // namespace plasticore
