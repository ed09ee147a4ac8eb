// Rate of one 256 x 256 crossbar tile read with everything on (7-bit DAC, 9-bit ADC, PCM read noise
// summed per line, output noise, bound management) against a plain fp32 matrix-vector product of the
// same size (Eigen), and the ideal substrate's product as the trainers call it. Prints and writes
// bench/results/crossbar_tile.json (argument: output path). Not part of the test suite: it measures time.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/rng.hpp"
#include "substrate/crossbar.hpp"

using namespace plasticore;

namespace {

template <class F>
double reads_per_second(F read) {
  for (int k = 0; k < 200; ++k) read(k);  // warm-up
  int64_t n = 0;
  const auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < 1.0) {
    for (int k = 0; k < 500; ++k) read(static_cast<int>(n + k));
    n += 500;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return static_cast<double>(n) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out = argc > 1 ? argv[1] : "bench/results/crossbar_tile.json";
  constexpr int N = 256;
  Rng rng(1, "bench_crossbar");
  Matrix w(N, N), variance(N, N);
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    w.data()[i] = 2 * rng.uniform() - 1;
    variance.data()[i] = 1e-4f * rng.uniform();
  }
  Vector x(N), y(N);
  for (int j = 0; j < N; ++j) x(j) = rng.uniform() - 0.5f;
  const Matrix no_variance;
  float sink = 0;

  const double fp32 = reads_per_second([&](int) { y.noalias() = w * x; sink += y(0); });
  const PeripheryParams quiet{N, 0, 0, 1e9f, 0.0f};
  const double tile_exact = reads_per_second([&](int k) {
    Rng r(1, "read", static_cast<uint64_t>(k));
    crossbar_matvec(w, no_variance, x.data(), y.data(), quiet, r);
    sink += y(0);
  });
  const PeripheryParams full{N, 7, 9, 12.0f, 0.06f};
  const double tile_noisy = reads_per_second([&](int k) {
    Rng r(1, "read", static_cast<uint64_t>(k));
    crossbar_matvec(w, variance, x.data(), y.data(), full, r);
    sink += y(0);
  });

  nlohmann::json j{{"benchmark", "crossbar_tile"},
                   {"tile", {N, N}},
                   {"threads", 1},
                   {"fp32_matvec_per_second", fp32},
                   {"tile_read_exact_per_second", tile_exact},
                   {"tile_read_noisy_per_second", tile_noisy},
                   {"noisy_tile_slowdown_vs_fp32", fp32 / tile_noisy},
                   {"checksum", sink}};
  std::ofstream(out) << j.dump(2) << "\n";
  std::printf("256x256, one thread: fp32 matvec %.0f /s, tile (exact converters, no noise) %.0f /s, "
              "tile (DAC 7 / ADC 9 bit, read + output noise) %.0f /s -> %.1fx slower than fp32; written to %s\n",
              fp32, tile_exact, tile_noisy, fp32 / tile_noisy, out.c_str());
  return 0;
}
