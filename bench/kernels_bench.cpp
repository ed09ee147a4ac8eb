// Micro-benchmarks of the hot kernels behind one EqSpike / EP step, 784 -> 500 layer:
// the dense batched product the rate network uses (W x for 20 samples), the event-driven sum the
// spiking network uses (columns of the ~104 input pixels that spike per step, MNIST average), and the
// two-factor accumulation dW(:, j) += dh for the same events (BM_TwoFactorAccumulate column by column,
// BM_TwoFactorAccumulateSorted as the rule does it: sorted by column first). The inputs of these are random pixels;
// BM_EventForwardSteps, BM_TwoFactorAccumulateSteps, BM_NonzeroForwardMnist and BM_NonzeroOuterUpdateMnist do the
// same work on MNIST images from the data cache (their spikes step by step, sample by sample, as training emits
// them), whose inked pixels crowd into the middle and reuse W1's columns: the limits of bench/limits.sh (skipped
// without MNIST). Reports items/s as synaptic events/s
// (or MACs/s) so they compare with the bound in docs/performance.md. Rates are per CPU second (Google
// Benchmark's default). BM_LoadMnistTraining: reading the 60,000 MNIST training images, their bytes (a sample's
// floats are made when it is taken); the cost every process that trains on MNIST pays once; skipped if the
// cache has no MNIST. Memory that the allocator reuses between iterations: a fresh process also page-faults.
// BM_RateSmallProducts: rate EP's per-step products at batch 20 (W2 h, 10 x 500, and W2^T o from the kept
// column-major copy of W2^T) as training computes them since 2026-12-07, column by column (core/column_product.hpp),
// MAC/s. BM_RateSmallProductsEigen: the same two products as Eigen's general product (what training used before).
// BM_RateSmallProductsOwn: the same two products with a register-blocked AVX2 kernel of our own on a
// transposed copy of W2 (2 x 4 dot products, 16 x 4 axpy tiles; no operand packing), tried against Eigen's
// packed products on 2026-12-04 and not adopted (docs/performance.md, "What would move us closer"). Needs AVX2/FMA.
// BM_OuterProductUpdate: rate EP's dW1 += (h^beta - h^0) x^T (500 x 20 x 784), MAC/s.
// BM_WeightPass: one streaming pass W1 += dW1 over the 1.57 MB matrix, bytes/s (read 8, write 4 per weight):
// the rate of the update's memory-bound passes.
// BM_EventForwardTileMajor, BM_EventForwardPadded/<rows>: layouts of BM_EventForwardBatch's sums
// (core/column_sums.hpp): each 64-row tile of W summed for all 20 samples before the next tile (tried, not
// adopted), and W's columns padded to <rows> rows (512: 64-byte aligned, 32 lines apart, not adopted; 528: 33
// lines apart, the aligned copy BM_EventForwardBatch and training read since 2026-12-07; docs/performance.md).
// BM_EventSumRowTiles/<rows>: BM_EventForwardBatch's sums with other row tiles (core/column_sums.hpp; see there).
// BM_InputChangeSteps/<stride>: a clamped input's changes summed through a phase with W1's columns <stride> apart.
// BM_EventForwardPhase/<rows>: BM_EventForwardSteps' sums a phase at a time (sum_events_over_steps) with first row
// tiles of <rows>; /48, training's, is EqSpike's limit in bench/limits.sh since 2026-12-07.
// BM_EpropSynapses/<n_alif>: e-prop's per-synapse kernel (learn/eprop_eligibility.hpp) on the shapes of
// pattern generation (200 presynaptic, 100 LIF) and evidence accumulation (140, 50 ALIF + 50 LIF), with
// the rate-regularisation sum, as synapse-steps per second: the limit an e-prop run is measured against.
// BM_EpropSynapsesNoSignal/<n_alif>: the same with the learning signal zero, as in evidence accumulation's
// cue and delay steps (most of its blocks), where the kernel leaves the gradient alone.
#include <benchmark/benchmark.h>
#include <omp.h>
#ifdef __AVX2__
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "core/column_product.hpp"
#include "core/column_sums.hpp"
#include "core/rng.hpp"
#include "data/image_dataset.hpp"
#include "learn/eprop_eligibility.hpp"
#include "learn/two_factor_rule.hpp"
#include "neuron/sigma_delta_layer.hpp"
#include "substrate/ideal.hpp"

namespace {

using namespace plasticore;

constexpr int kPost = 500, kPre = 784, kBatch = 20, kActive = 104;

IdealSubstrate make_layer() {
  IdealSubstrate s(kPost, kPre);
  Rng rng(1, "bench");
  Matrix w(kPost, kPre);
  for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.uniform() - 0.5f;
  s.set_weights(w);
  return s;
}

std::vector<int32_t> active_inputs(uint64_t seed) {
  Rng rng(seed, "bench_events");
  std::vector<int32_t> a;
  for (int j = 0; j < kPre; ++j)
    if (rng.below(kPre) < kActive) a.push_back(j);
  return a;
}

void BM_DenseForwardBatch(benchmark::State& state) {
  const IdealSubstrate s = make_layer();
  Matrix x = Matrix::Random(kPre, kBatch), y;
  for (auto _ : state) {
    s.forward(x, y);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * int64_t{kPost} * kPre * kBatch);  // MACs
}
BENCHMARK(BM_DenseForwardBatch);

// A clamped MNIST-like input: kNonzero of the kPre pixels of each sample are non-zero (the mean of the
// 60,000 training images is 149.9, sd 41.5).
constexpr int kNonzero = 150;
Matrix mostly_zero_input() {
  Matrix x = Matrix::Zero(kPre, kBatch);
  std::vector<int> pixels(kPre);
  std::iota(pixels.begin(), pixels.end(), 0);
  std::mt19937 gen(7);
  for (int b = 0; b < kBatch; ++b) {
    std::shuffle(pixels.begin(), pixels.end(), gen);
    for (int k = 0; k < kNonzero; ++k) x(pixels[static_cast<size_t>(k)], b) = 0.5f;
  }
  return x;
}

// MNIST training images 0, 3000, ..., 57000 from the data cache as a batch (pixels in [0, 1]); empty without MNIST.
Matrix mnist_batch();
// n such batches, batch k of images k, 3000 + k, ..., 57000 + k (k < 3000); empty without MNIST.
std::vector<Matrix> mnist_batches(int n);

// The MACs of x's non-zero entries into a 500-row layer.
int64_t nonzero_macs(const Matrix& x) { return int64_t{kPost} * static_cast<int64_t>((x.array() != 0).count()); }

// Rate EP's input drive as plasticore computes it (IdealSubstrate::forward_nonzero), on a batch x: items are the MACs
// of the non-zero pixels.
// Batch after batch of `batches`, in turn.
void nonzero_forward(benchmark::State& state, const std::vector<Matrix>& batches) {
  const IdealSubstrate s = make_layer();
  Matrix y;
  int64_t macs = 0;
  size_t k = 0;
  for (auto _ : state) {
    s.forward_nonzero(batches[k], y);
    benchmark::DoNotOptimize(y.data());
    macs += nonzero_macs(batches[k]);
    k = (k + 1) % batches.size();
  }
  state.SetItemsProcessed(macs);
}
// Rate EP's first-layer update as plasticore computes it (add_outer_nonzero): items as above.
void nonzero_outer_update(benchmark::State& state, const std::vector<Matrix>& batches) {
  const Matrix delta = Matrix::Random(kPost, kBatch);
  Matrix dw = Matrix::Zero(kPost, kPre);
  int64_t macs = 0;
  size_t k = 0;
  for (auto _ : state) {
    add_outer_nonzero(dw, 0, kPre, Scalar{1}, delta, batches[k]);
    benchmark::DoNotOptimize(dw.data());
    macs += nonzero_macs(batches[k]);
    k = (k + 1) % batches.size();
  }
  state.SetItemsProcessed(macs);
}
// Both on mostly_zero_input (150 random pixels per sample), and on MNIST images, whose inked pixels crowd into the
// middle of the image, so that the samples of a batch share columns of W1 (needs MNIST): 16 batches in turn, as
// training meets new images every batch (on one batch again and again the branch predictor learnt which pixels are
// inked, which made a branchy add_outer_nonzero look 1.1x faster than the branch-free one it is in training).
void BM_NonzeroForwardBatch(benchmark::State& state) { nonzero_forward(state, {mostly_zero_input()}); }
BENCHMARK(BM_NonzeroForwardBatch);
void BM_NonzeroOuterUpdate(benchmark::State& state) { nonzero_outer_update(state, {mostly_zero_input()}); }
BENCHMARK(BM_NonzeroOuterUpdate);
void BM_NonzeroForwardMnist(benchmark::State& state) {
  const std::vector<Matrix> batches = mnist_batches(static_cast<int>(state.range(0)));
  if (batches.empty()) return state.SkipWithError("no MNIST training images in the data cache (scripts/setup.sh fetches them)");
  nonzero_forward(state, batches);
}
BENCHMARK(BM_NonzeroForwardMnist)->Arg(1)->Arg(16);
void BM_NonzeroOuterUpdateMnist(benchmark::State& state) {
  const std::vector<Matrix> batches = mnist_batches(static_cast<int>(state.range(0)));
  if (batches.empty()) return state.SkipWithError("no MNIST training images in the data cache (scripts/setup.sh fetches them)");
  nonzero_outer_update(state, batches);
}
BENCHMARK(BM_NonzeroOuterUpdateMnist)->Arg(1)->Arg(16);

// w2 * h and w2^T * o by `product` (the transpose kept column-major), 2 x 10 x 500 x 20 MACs per iteration.
template <typename Product>
void rate_small_products(benchmark::State& state, Product&& product, Eigen::Index batch = kBatch) {
  const Matrix w2 = Matrix::Random(10, kPost), h = Matrix::Random(kPost, batch), o = Matrix::Random(10, batch);
  const Matrix w2t = w2.transpose();
  Matrix up(10, batch), down(kPost, batch);
  for (auto _ : state) {
    product(w2, h, up);
    product(w2t, o, down);
    benchmark::DoNotOptimize(up.data());
    benchmark::DoNotOptimize(down.data());
  }
  state.SetItemsProcessed(state.iterations() * 2 * int64_t{10} * kPost * batch);  // MACs
}
void BM_RateSmallProducts(benchmark::State& state) {
  rate_small_products(state, [](const Matrix& a, const Matrix& b, Matrix& c) { column_product(a, b, c); });
}
BENCHMARK(BM_RateSmallProducts);
void BM_RateSmallProductsChunk(benchmark::State& state) {
  rate_small_products(state, [](const Matrix& a, const Matrix& b, Matrix& c) { column_product(a, b, c); }, kBatch / 2);
}
BENCHMARK(BM_RateSmallProductsChunk);
void BM_RateSmallProductsEigen(benchmark::State& state) {
  rate_small_products(state, [](const Matrix& a, const Matrix& b, Matrix& c) { c.noalias() = a * b; });
}
BENCHMARK(BM_RateSmallProductsEigen);

#ifdef __AVX2__
float horizontal_sum(__m256 v) {
  __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  a = _mm_hadd_ps(a, a);
  return _mm_cvtss_f32(_mm_hadd_ps(a, a));
}

// up (R x B) = W2 h from W2^T (K x R, column-major: W2's rows contiguous); R even, B a multiple of 4.
void own_forward(const Matrix& w2t, const Matrix& h, Matrix& up) {
  const Eigen::Index K = w2t.rows(), K8 = K / 8 * 8;
  for (Eigen::Index b = 0; b < h.cols(); b += 4)
    for (Eigen::Index r = 0; r < w2t.cols(); r += 2) {
      __m256 acc[2][4];
      for (auto& row : acc)
        for (auto& a : row) a = _mm256_setzero_ps();
      const float* w[2] = {w2t.col(r).data(), w2t.col(r + 1).data()};
      const float* x[4] = {h.col(b).data(), h.col(b + 1).data(), h.col(b + 2).data(), h.col(b + 3).data()};
      for (Eigen::Index k = 0; k < K8; k += 8) {
        const __m256 w0 = _mm256_loadu_ps(w[0] + k), w1 = _mm256_loadu_ps(w[1] + k);
        for (int j = 0; j < 4; ++j) {
          const __m256 xv = _mm256_loadu_ps(x[j] + k);
          acc[0][j] = _mm256_fmadd_ps(w0, xv, acc[0][j]);
          acc[1][j] = _mm256_fmadd_ps(w1, xv, acc[1][j]);
        }
      }
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 4; ++j) {
          float sum = horizontal_sum(acc[i][j]);
          for (Eigen::Index k = K8; k < K; ++k) sum += w[i][k] * x[j][k];
          up(r + i, b + j) = sum;
        }
    }
}

// down (K x B) = W2^T o from W2^T (K x R); B a multiple of 4.
void own_backward(const Matrix& w2t, const Matrix& o, Matrix& down) {
  const Eigen::Index K = w2t.rows(), K16 = K / 16 * 16;
  for (Eigen::Index b = 0; b < o.cols(); b += 4) {
    for (Eigen::Index k = 0; k < K16; k += 16) {
      __m256 acc[2][4];
      for (auto& row : acc)
        for (auto& a : row) a = _mm256_setzero_ps();
      for (Eigen::Index r = 0; r < w2t.cols(); ++r) {
        const __m256 w0 = _mm256_loadu_ps(w2t.col(r).data() + k), w1 = _mm256_loadu_ps(w2t.col(r).data() + k + 8);
        for (int j = 0; j < 4; ++j) {
          const __m256 ov = _mm256_broadcast_ss(&o(r, b + j));
          acc[0][j] = _mm256_fmadd_ps(w0, ov, acc[0][j]);
          acc[1][j] = _mm256_fmadd_ps(w1, ov, acc[1][j]);
        }
      }
      for (int j = 0; j < 4; ++j) {
        _mm256_storeu_ps(&down(k, b + j), acc[0][j]);
        _mm256_storeu_ps(&down(k + 8, b + j), acc[1][j]);
      }
    }
    for (Eigen::Index k = K16; k < K; ++k)
      for (int j = 0; j < 4; ++j) down(k, b + j) = w2t.row(k).dot(o.col(b + j));
  }
}

void BM_RateSmallProductsOwn(benchmark::State& state) {
  const Matrix w2 = Matrix::Random(10, kPost), h = Matrix::Random(kPost, kBatch), o = Matrix::Random(10, kBatch);
  const Matrix w2t = w2.transpose();
  Matrix up(10, kBatch), down(kPost, kBatch);
  for (auto _ : state) {
    own_forward(w2t, h, up);
    own_backward(w2t, o, down);
    benchmark::DoNotOptimize(up.data());
    benchmark::DoNotOptimize(down.data());
  }
  if (!up.isApprox(w2 * h, 1e-4f) || !down.isApprox(w2.transpose() * o, 1e-4f)) state.SkipWithError("own kernel is wrong");
  state.SetItemsProcessed(state.iterations() * 2 * int64_t{10} * kPost * kBatch);  // MACs
}
BENCHMARK(BM_RateSmallProductsOwn);
#endif

void BM_OuterProductUpdate(benchmark::State& state) {
  const Matrix delta = Matrix::Random(kPost, kBatch), x = Matrix::Random(kPre, kBatch);
  Matrix dw = Matrix::Zero(kPost, kPre);
  for (auto _ : state) {
    dw.noalias() += delta * x.transpose();
    benchmark::DoNotOptimize(dw.data());
  }
  state.SetItemsProcessed(state.iterations() * int64_t{kPost} * kPre * kBatch);  // MACs
}
BENCHMARK(BM_OuterProductUpdate);

void BM_WeightPass(benchmark::State& state) {
  Matrix w = Matrix::Random(kPost, kPre);
  const Matrix dw = Matrix::Random(kPost, kPre) * 1e-6f;
  for (auto _ : state) {
    w += dw;
    benchmark::DoNotOptimize(w.data());
  }
  state.SetBytesProcessed(state.iterations() * int64_t{kPost} * kPre * 12);  // read w and dw, write w
}
BENCHMARK(BM_WeightPass);

// The active inputs of each of the kBatch samples; n_events: their total.
std::vector<std::vector<int32_t>> batch_events(int64_t& n_events) {
  std::vector<std::vector<int32_t>> events;
  n_events = 0;
  for (int b = 0; b < kBatch; ++b) {
    events.push_back(active_inputs(static_cast<uint64_t>(b)));
    n_events += static_cast<int64_t>(events.back().size());
  }
  return events;
}

// The layer (with the aligned copy that EqSpike's layers keep, Substrate::keep_aligned_columns), the kBatch samples'
// active inputs and the outputs of the event-sum benchmarks.
IdealSubstrate make_aligned_layer() {
  IdealSubstrate layer = make_layer();
  layer.keep_aligned_columns();
  return layer;
}
struct EventBatch {
  IdealSubstrate layer = make_aligned_layer();
  int64_t n_events = 0;
  std::vector<std::vector<int32_t>> events = batch_events(n_events);
  Matrix y = Matrix(kPost, kBatch);
};

void BM_EventForwardBatch(benchmark::State& state) {
  EventBatch e;
  for (auto _ : state) {
    for (int b = 0; b < kBatch; ++b) e.layer.forward_events(e.events[static_cast<size_t>(b)], e.y.col(b).data());
    benchmark::DoNotOptimize(e.y.data());
  }
  state.SetItemsProcessed(state.iterations() * e.n_events * kPost);  // synaptic events
}
BENCHMARK(BM_EventForwardBatch);

// Where the data cache keeps MNIST (PLASTICORE_DATA, else ~/.cache/plasticore), with a trailing slash.
std::string mnist_cache_dir() {
  const char* data = std::getenv("PLASTICORE_DATA");
  const char* home = std::getenv("HOME");
  return (data != nullptr ? std::string(data) : std::string(home != nullptr ? home : "") + "/.cache/plasticore") + "/mnist/";
}

// MNIST's training images from the data cache, or an empty set.
ClassificationSet cached_mnist_training() {
  const std::string dir = mnist_cache_dir();
  if (!std::filesystem::exists(dir + "train-images-idx3-ubyte")) return {};
  return load_idx_classification(dir + "train-images-idx3-ubyte", dir + "train-labels-idx1-ubyte", 0, 10, "data.train_limit");
}

std::vector<Matrix> mnist_batches(int n) {
  const ClassificationSet mnist = cached_mnist_training();
  if (mnist.size() < 3000 * (kBatch - 1) + n || mnist.pixel_count() != kPre) return {};
  std::vector<Matrix> batches(static_cast<size_t>(n), Matrix(kPre, kBatch));
  for (int k = 0; k < n; ++k)
    for (int b = 0; b < kBatch; ++b) mnist.image(int64_t{b} * 3000 + k, batches[static_cast<size_t>(k)].col(b).data());
  return batches;
}

Matrix mnist_batch() {
  std::vector<Matrix> one = mnist_batches(1);
  return one.empty() ? Matrix() : one[0];
}

// The clamped input's spike lists of kBatch samples through `steps` steps, as EqSpike's spikes mode emits them
// (sigma_delta_layer, from random initial phases) on mnist_batch()'s images (~100 spikes per step); lists[b][t].
// Empty if the data cache has no MNIST.
std::vector<std::vector<SpikeEvents>> mnist_spike_lists(int steps) {
  const Matrix images = mnist_batch();
  if (images.size() == 0) return {};
  std::mt19937 gen(17);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<std::vector<SpikeEvents>> lists(kBatch);
  for (int b = 0; b < kBatch; ++b) {
    std::vector<Scalar> a(kPre), spikes(kPre);
    for (Scalar& v : a) v = uniform(gen);
    for (int t = 0; t < steps; ++t) {
      SpikeEvents spiked(kPre);
      const LayerSpikeCounts c = sigma_delta_layer(images.col(b).data(), a.data(), spikes.data(), kPre, spiked.data(),
                                                   nullptr, nullptr);
      spiked.resize(static_cast<size_t>(c.spikes));
      lists[static_cast<size_t>(b)].push_back(std::move(spiked));
    }
  }
  return lists;
}

// The input's spikes summed as EqSpike's spikes mode sums them in training: sample after sample, each through the 30
// steps of its free and +beta phases (the -beta phase replays them; mnist_spike_lists). A clamped image spikes from
// nearly the same ~150 pixels at every step, so its columns stay in L1/L2 from step to step, where
// BM_EventForwardBatch draws each sample's columns from all 784: training's sums ran above that benchmark's rate
// (docs/performance.md, EqSpike). Training runs a sample's 20 free steps, and its 10 +beta steps later, with the
// neuron updates between them; here the 30 follow each other with nothing between, so the rate is if anything higher
// than training's (a stricter limit). Items are synaptic events (spikes x 500 rows); needs MNIST.
void BM_EventForwardSteps(benchmark::State& state) {
  constexpr int kSteps = 30;
  const auto lists = mnist_spike_lists(kSteps);
  if (lists.empty()) return state.SkipWithError("no MNIST training images in the data cache (scripts/setup.sh fetches them)");
  const IdealSubstrate layer = make_aligned_layer();
  int64_t n_events = 0;
  for (const auto& sample : lists)
    for (const auto& step : sample) n_events += static_cast<int64_t>(step.size());
  Vector y(kPost);
  for (auto _ : state) {
    for (const auto& sample : lists)
      for (const auto& step : sample) {
        layer.forward_events(step, y.data());
        benchmark::DoNotOptimize(y.data());
      }
  }
  state.SetItemsProcessed(state.iterations() * n_events * kPost);  // synaptic events
  state.counters["spikes_per_step"] = static_cast<double>(n_events) / (kBatch * kSteps);
}
BENCHMARK(BM_EventForwardSteps);

void BM_TwoFactorAccumulate(benchmark::State& state) {
  Matrix dw = Matrix::Zero(kPost, kPre), dh = Matrix::Random(kPost, kBatch);
  int64_t n_events = 0;
  const auto events = batch_events(n_events);
  for (auto _ : state) {
    for (int b = 0; b < kBatch; ++b)
      for (const int32_t j : events[static_cast<size_t>(b)]) dw.col(j) += dh.col(b);
    benchmark::DoNotOptimize(dw.data());
  }
  state.SetItemsProcessed(state.iterations() * n_events * kPost);  // synapse updates
}
BENCHMARK(BM_TwoFactorAccumulate);

// The accumulation as the rule does it (add_post_times_pre_events, learn/two_factor_rule.hpp) of a nudged phase's
// lists, one per sample and step (dh's column n for list n): sorted by column, each column of dW summed over all of
// them in registers. dh's columns are stored as the rule stores them (aligned_column_rows; the rows past kPost are
// not read). Items are synapse updates.
void sorted_accumulation(benchmark::State& state, const std::vector<const SpikeEvents*>& phase) {
  Matrix dw = Matrix::Zero(kPost, kPre), dh = Matrix::Random(aligned_column_rows(kPost), static_cast<Eigen::Index>(phase.size()));
  int64_t n_events = 0;
  std::vector<PreEvents> lists;
  for (size_t n = 0; n < phase.size(); ++n) {
    lists.push_back({phase[n], static_cast<Eigen::Index>(n), 1.0f});
    n_events += static_cast<int64_t>(phase[n]->size());
  }
  EventsByColumn by_column;
  for (auto _ : state) {
    add_post_times_pre_events(dw, dh, lists, 0, kPre, by_column);
    benchmark::DoNotOptimize(dw.data());
  }
  state.SetItemsProcessed(state.iterations() * n_events * kPost);
}
constexpr int kPhaseSteps = 10;

// kPhaseSteps steps, each sample's active inputs drawn afresh from all 784.
void BM_TwoFactorAccumulateSorted(benchmark::State& state) {
  std::vector<SpikeEvents> events;
  for (int t = 0; t < kPhaseSteps; ++t)
    for (int b = 0; b < kBatch; ++b) {
      const auto a = active_inputs(static_cast<uint64_t>(t * kBatch + b));
      events.emplace_back(a.begin(), a.end());
    }
  std::vector<const SpikeEvents*> phase;
  for (const SpikeEvents& e : events) phase.push_back(&e);
  sorted_accumulation(state, phase);
}
BENCHMARK(BM_TwoFactorAccumulateSorted);

// On the lists of clamped MNIST inputs (mnist_spike_lists: a +beta phase, steps 20-29, after the free phase), whose
// events crowd into each image's ~150 inked pixels. Needs MNIST.
void BM_TwoFactorAccumulateSteps(benchmark::State& state) {
  constexpr int kFree = 20;
  const auto spikes = mnist_spike_lists(kFree + kPhaseSteps);
  if (spikes.empty()) return state.SkipWithError("no MNIST training images in the data cache (scripts/setup.sh fetches them)");
  std::vector<const SpikeEvents*> phase;
  for (int t = 0; t < kPhaseSteps; ++t)
    for (int b = 0; b < kBatch; ++b) phase.push_back(&spikes[static_cast<size_t>(b)][static_cast<size_t>(kFree + t)]);
  sorted_accumulation(state, phase);
}
BENCHMARK(BM_TwoFactorAccumulateSteps);

// BM_EventForwardSteps' sums with each phase's steps summed at once (sum_events_over_steps, as
// Substrate::forward_event_steps sums them since 2026-12-07): sample after sample, its 20 free steps, then its 10 +beta
// steps, each phase's row tiles through all of its steps. <rows>: the first row tile. Needs MNIST.
template <Eigen::Index kFirst>
void event_forward_phase(benchmark::State& state) {
  constexpr int kFree = 20;
  const auto lists = mnist_spike_lists(kFree + kPhaseSteps);
  if (lists.empty()) return state.SkipWithError("no MNIST training images in the data cache (scripts/setup.sh fetches them)");
  Matrix w = Matrix::Zero(aligned_column_rows(kPost), kPre);  // the aligned copy training reads
  w.topRows(kPost) = make_layer().weights();
  const auto column = [&](int32_t j) { return w.col(j).data(); };
  int64_t n_events = 0;
  for (const auto& sample : lists)
    for (const auto& step : sample) n_events += static_cast<int64_t>(step.size());
  Matrix drives(kPost, kFree + kPhaseSteps);
  std::vector<StepEvents> steps;
  for (int t = 0; t < kFree + kPhaseSteps; ++t) steps.push_back({{}, drives.col(t).data()});
  const std::span<const StepEvents> free(steps.data(), kFree), nudged(steps.data() + kFree, kPhaseSteps);
  for (auto _ : state) {
    for (const auto& sample : lists) {
      for (size_t t = 0; t < steps.size(); ++t) steps[t].events = sample[t];
      sum_events_over_steps<RowTiles<kFirst, 16, 8, 4>>(kPost, free, column);
      sum_events_over_steps<RowTiles<kFirst, 16, 8, 4>>(kPost, nudged, column);
      benchmark::DoNotOptimize(drives.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * n_events * kPost);  // synaptic events
}
void BM_EventForwardPhase(benchmark::State& state) {
  switch (state.range(0)) {
    case 32: return event_forward_phase<32>(state);
    case 48: return event_forward_phase<48>(state);
    case 64: return event_forward_phase<64>(state);
    case 96: return event_forward_phase<96>(state);
    case 160: return event_forward_phase<160>(state);
    default: state.SkipWithError("row tiles of 32, 48, 64, 96 or 160");
  }
}
BENCHMARK(BM_EventForwardPhase)->Arg(32)->Arg(48)->Arg(64)->Arg(96)->Arg(160);

void BM_EventForwardTileMajor(benchmark::State& state) {
  const IdealSubstrate s = make_layer();
  const Matrix& w = s.weights();
  int64_t n_events = 0;
  const auto events = batch_events(n_events);
  Matrix y(kPost, kBatch);
  constexpr Eigen::Index kTile = 64;
  for (auto _ : state) {
    for (Eigen::Index r0 = 0; r0 < kPost; r0 += kTile)
      for (int b = 0; b < kBatch; ++b) {
        const auto& a = events[static_cast<size_t>(b)];
        sum_columns<true, false>(y.col(b).data() + r0, std::min<Eigen::Index>(kTile, kPost - r0), a.size(), 1.0f,
                                 [&](size_t k) { return w.col(a[k]).data() + r0; });
      }
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * n_events * kPost);
}
BENCHMARK(BM_EventForwardTileMajor);

void BM_EventForwardPadded(benchmark::State& state) {
  Matrix w = Matrix::Zero(state.range(0), kPre);
  w.topRows(kPost) = make_layer().weights();
  int64_t n_events = 0;
  const auto events = batch_events(n_events);
  Matrix y(kPost, kBatch);
  for (auto _ : state) {
    for (int b = 0; b < kBatch; ++b) {
      const auto& a = events[static_cast<size_t>(b)];
      sum_columns<true, false>(y.col(b).data(), kPost, a.size(), 1.0f, [&](size_t k) { return w.col(a[k]).data(); });
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * n_events * kPost);
}
BENCHMARK(BM_EventForwardPadded)->Arg(kPost)->Arg(512)->Arg(aligned_column_rows(kPost));

// A clamped input's changes through a phase (sum_changes_over_steps, as Substrate::forward_event_change_steps sums
// them), W1's columns <stride> floats apart: 500 as stored, 512 (32 lines, even) and 528 (33 lines, the aligned copy
// EqSpike keeps). The lists are sigma_delta_layer's on mostly_zero_input's pixels with
// uniform intensities and random phases, steps 10-39 of 40 (a phase after the first changes), per sample; items are
// column additions (changes x 500 rows). docs/performance.md, EqSpike, "Aligned columns".
void BM_InputChangeSteps(benchmark::State& state) {
  constexpr int kSteps = 30;
  const Eigen::Index stride = state.range(0);
  Matrix w = Matrix::Zero(stride, kPre);
  w.topRows(kPost) = make_layer().weights();
  const Matrix x = mostly_zero_input();
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<std::vector<SpikeEvents>> on(kBatch), off(kBatch);
  int64_t changes = 0;
  for (int b = 0; b < kBatch; ++b) {
    std::vector<Scalar> a(kPre), spikes(kPre, 0.0f), intensity(kPre);
    for (int j = 0; j < kPre; ++j) {
      a[static_cast<size_t>(j)] = uniform(gen);
      intensity[static_cast<size_t>(j)] = x(j, b) != 0 ? uniform(gen) : 0.0f;
    }
    SpikeEvents events(kPre);
    for (int t = 0; t < kSteps + 10; ++t) {
      SpikeEvents started(kPre), stopped(kPre);
      const LayerSpikeCounts c = sigma_delta_layer(intensity.data(), a.data(), spikes.data(), kPre, events.data(),
                                                   started.data(), stopped.data());
      if (t < 10) continue;
      started.resize(static_cast<size_t>(c.started));
      stopped.resize(static_cast<size_t>(c.stopped));
      changes += c.started + c.stopped;
      on[static_cast<size_t>(b)].push_back(std::move(started));
      off[static_cast<size_t>(b)].push_back(std::move(stopped));
    }
  }
  Matrix drives(kPost, kSteps);
  Vector y(kPost);
  std::vector<StepChanges> steps(kSteps);
  const float* first = w.data();
  const auto column = [first, stride](int32_t j) { return first + j * stride; };
  for (auto _ : state) {
    for (int b = 0; b < kBatch; ++b) {
      for (int t = 0; t < kSteps; ++t)
        steps[static_cast<size_t>(t)] = {on[static_cast<size_t>(b)][static_cast<size_t>(t)],
                                         off[static_cast<size_t>(b)][static_cast<size_t>(t)], 0, drives.col(t).data()};
      y.setZero();
      sum_changes_over_steps(y.data(), kPost, steps, column);
    }
    benchmark::DoNotOptimize(drives.data());
  }
  state.SetItemsProcessed(state.iterations() * changes * kPost);
}
BENCHMARK(BM_InputChangeSteps)->Arg(kPost)->Arg(512)->Arg(aligned_column_rows(kPost));

// BM_EventForwardBatch's sums with the first (largest) row tile of core/column_sums.hpp set to <rows>, then the rows
// left in one pass (0: 64-row tiles first; 160 is the default), on the plain 500-row layout (not the aligned copy
// BM_EventForwardBatch reads): same numbers, fewer passes over each event list with bigger tiles. Run with --benchmark_repetitions=8 --benchmark_enable_random_interleaving=true
// (docs/performance.md, "Bigger row tiles"), so that the variants share the host's periods.
template <typename Tiles>
void event_sums_in_tiles(const Matrix& w, const std::vector<std::vector<int32_t>>& events, Matrix& y) {
  for (int b = 0; b < kBatch; ++b) {
    const auto& a = events[static_cast<size_t>(b)];
    sum_scaled_columns<true, ColumnScale::one, Tiles>(
        y.col(b).data(), kPost, a.size(), 1.0f, [&](size_t k) { return w.col(a[k]).data(); }, [](size_t) { return 1.0f; });
  }
}
void BM_EventSumRowTiles(benchmark::State& state) {
  EventBatch e;
  const Matrix& w = e.layer.weights();
  for (auto _ : state) {
    switch (state.range(0)) {
      case 0: event_sums_in_tiles<RowTiles<64, 16, 8, 4>>(w, e.events, e.y); break;
      case 96: event_sums_in_tiles<RowTiles<96, 64, 16, 8, 4>>(w, e.events, e.y); break;
      case 160: event_sums_in_tiles<RowTiles<160, 96, 64, 16, 8, 4>>(w, e.events, e.y); break;  // the default
      case 240: event_sums_in_tiles<RowTiles<240, 96, 64, 16, 8, 4>>(w, e.events, e.y); break;
      default: state.SkipWithError("no such tile list"); return;
    }
    benchmark::DoNotOptimize(e.y.data());
  }
  state.SetItemsProcessed(state.iterations() * e.n_events * kPost);
}
BENCHMARK(BM_EventSumRowTiles)->Arg(0)->Arg(96)->Arg(160)->Arg(240);

// A clamped input's spike emission over a 20-step phase, as EqSpike emits it (Relaxation::emit_input_steps): on
// mnist_batch()'s images from random initial phases, the blank pixels' vectors marked quiet, with the lists of started
// and stopped spikes (range(1) = 1: the input as changes, the default) or without (0: as spikes). range(0) = 0: a
// sigma_delta_layer call per step (before 2026-12-07 afternoon); 1: sigma_delta_layer_steps, vectors through all
// steps. Items are neuron-steps of the non-blank vectors; needs MNIST.
void BM_InputEmission(benchmark::State& state) {
  constexpr int kSteps = 20;
  const Matrix images = mnist_batch();
  if (images.size() == 0) return state.SkipWithError("no MNIST training images in the data cache (scripts/setup.sh fetches them)");
  const bool steps_at_once = state.range(0) == 1, changes = state.range(1) == 1;
  constexpr int kVectors = (kPre + 15) / 16;
  std::mt19937 gen(19);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  Matrix a0(kPre, kBatch), a(kPre, kBatch), S(kPre, kBatch);
  for (Eigen::Index i = 0; i < a0.size(); ++i) a0.data()[i] = uniform(gen);
  std::vector<uint8_t> quiet(static_cast<size_t>(kVectors) * kBatch);
  int64_t busy = 0;
  for (int b = 0; b < kBatch; ++b)
    for (int v = 0; v < kVectors; ++v) {
      const bool blank = images.col(b).segment(16 * v, std::min(16, kPre - 16 * v)).isZero(0);
      quiet[static_cast<size_t>(b * kVectors + v)] = blank ? 1 : 0;
      busy += blank ? 0 : std::min(16, kPre - 16 * v);
    }
  std::vector<SpikeEvents> events(kSteps, SpikeEvents(kPre)), on(kSteps, SpikeEvents(kPre)), off(kSteps, SpikeEvents(kPre));
  std::vector<int32_t*> events_at, on_at, off_at;
  for (int t = 0; t < kSteps; ++t) {
    events_at.push_back(events[static_cast<size_t>(t)].data());
    on_at.push_back(on[static_cast<size_t>(t)].data());
    off_at.push_back(off[static_cast<size_t>(t)].data());
  }
  std::vector<LayerSpikeCounts> counts(kSteps);
  for (auto _ : state) {
    state.PauseTiming();
    a = a0;
    S.setZero();
    state.ResumeTiming();
    for (int b = 0; b < kBatch; ++b) {
      const Scalar* s = images.col(b).data();
      const uint8_t* q = quiet.data() + b * kVectors;
      if (steps_at_once) {
        sigma_delta_layer_steps(s, a.col(b).data(), S.col(b).data(), kPre, kSteps, events_at.data(),
                                changes ? on_at.data() : nullptr, changes ? off_at.data() : nullptr, counts.data(), q);
      } else {
        for (int t = 0; t < kSteps; ++t)
          counts[static_cast<size_t>(t)] = sigma_delta_layer(s, a.col(b).data(), S.col(b).data(), kPre, events_at[static_cast<size_t>(t)],
                                                             changes ? on_at[static_cast<size_t>(t)] : nullptr,
                                                             changes ? off_at[static_cast<size_t>(t)] : nullptr, q);
      }
      benchmark::DoNotOptimize(counts.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * busy * kSteps);
}
BENCHMARK(BM_InputEmission)->Args({0, 1})->Args({1, 1})->Args({0, 0})->Args({1, 0});

void eprop_synapses(benchmark::State& state, bool with_signal) {
  const auto n_alif = static_cast<Eigen::Index>(state.range(0));
  const Eigen::Index n_pre = n_alif > 0 ? 140 : 200, n_lif = 100 - n_alif;
  EpropEligibility synapses(n_pre, n_alif, n_lif, {0.9995f, 0.0174f, 0.95f}, /*regularize=*/true);
  Rng rng(3, "bench_eprop");
  std::vector<Vector> trace(2, Vector(n_pre)), psi(2, Vector(100)), signal(2, Vector(100));
  for (int k = 0; k < 2; ++k) {
    for (auto& v : trace[k]) v = rng.uniform();
    for (auto& v : psi[k]) v = rng.uniform() < 0.5f ? 0.0f : rng.uniform();
    for (auto& v : signal[k]) v = with_signal ? rng.uniform() - 0.5f : 0.0f;
  }
  constexpr int kSteps = 1024;
  for (auto _ : state) {
    for (int t = 0; t < kSteps; ++t) synapses.record(trace[t & 1], psi[t & 1], signal[t & 1].data());
    synapses.flush();
  }
  state.SetItemsProcessed(state.iterations() * kSteps * n_pre * 100);  // synapse-steps
}
void BM_EpropSynapses(benchmark::State& state) { eprop_synapses(state, true); }
void BM_EpropSynapsesNoSignal(benchmark::State& state) { eprop_synapses(state, false); }
BENCHMARK(BM_EpropSynapses)->Arg(0)->Arg(50);
BENCHMARK(BM_EpropSynapsesNoSignal)->Arg(0)->Arg(50);

void BM_LoadMnistTraining(benchmark::State& state) {
  const std::string dir = mnist_cache_dir();
  if (!std::filesystem::exists(dir + "train-images-idx3-ubyte")) {
    state.SkipWithError(("no MNIST in " + dir + " (scripts/setup.sh fetches it)").c_str());
    return;
  }
  int64_t images = 0;
  for (auto _ : state) {
    const ClassificationSet set =
        load_idx_classification(dir + "train-images-idx3-ubyte", dir + "train-labels-idx1-ubyte", 0, 10, "data.train_limit");
    images = set.size();
    benchmark::DoNotOptimize(set.pixels.data());
  }
  state.SetItemsProcessed(state.iterations() * images);  // images
  state.SetBytesProcessed(state.iterations() * images * 785);  // file bytes read (pixels + label)
}
BENCHMARK(BM_LoadMnistTraining)->Unit(benchmark::kMillisecond);

}  // namespace

// One thread unless OMP_NUM_THREADS says otherwise: the per-core limits are single-core figures, and Eigen
// and the kernels would otherwise split over every core (Eigen's small products ran at a third of their rate
// on a busy 2-core box).
int main(int argc, char** argv) {
  if (std::getenv("OMP_NUM_THREADS") == nullptr) omp_set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
