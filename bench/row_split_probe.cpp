// Would EqSpike gain more from two threads if they split the hidden neurons instead of the samples? A model of one
// `configs/eqspike_mnist.toml` batch (784-500-10, 20 samples, phases of 20, 10 and 10 steps, the input sent as
// changes) on plasticore's own kernels, in three ways:
//
//   one_thread     every sample's phase after the other (as Relaxation::run on one thread)
//   samples_split  two threads, each its half of the samples (today's split): both read all of W1, and the update
//                  and the accumulation, split by W1's columns, write lines the other core read
//   rows_split     two threads, each its own block of hidden neurons, W1's and dW1's rows of the block stored as a
//                  matrix of their own (a column-major row split interleaves the threads' lines: Threads, "A team
//                  of our own"): the input sums, the steps, the accumulation and the update touch only the block.
//                  All samples go through step t before step t + 1, with one exchange per step: each block's spikes
//                  as bits (thread 0 runs the 10 outputs), the outputs' spikes as bits back.
//
// The lists are synthetic with MNIST's counts (~150 inked pixels, ~21 inputs starting and ~21 stopping per step)
// and the states a stand-in update (~40 hidden spikes per sample and step, printed): it measures where the time goes
// and what moves between the cores, not the rule's numbers. Omitted in all three: the rule's upper-layer and bias
// sums, the saved free state, start() (~15 % of a run).
// Usage: row_split_probe [--batches N] [--rounds R] [--group G] [--json FILE]; prints per-batch CPU and wall time of
// each way (medians of R interleaved rounds) and the stage times; --group: rows_split takes G samples through a phase
// together (default all 20), one exchange per step for each group. Not part of the test suite: it measures time.
#include <omp.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"

#include "core/column_sums.hpp"
#include "core/team.hpp"
#include "learn/two_factor_rule.hpp"
#include "neuron/sigma_delta_layer.hpp"

namespace {

using namespace plasticore;

constexpr int kInputs = 784, kHidden = 500, kOutputs = 10, kBatch = 20, kSteps = 40;
constexpr int kPhaseSteps[3] = {20, 10, 10};  // free, +beta, -beta
constexpr Eigen::Index kSplitRow = 256;      // the blocks meet on a line boundary
int g_group = kBatch;  // rows_split: the samples that go through a phase together (--group)

double seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// One sample's input lists of the batch's steps.
struct SampleLists {
  std::vector<std::vector<int32_t>> on, off;
};
using BatchLists = std::vector<SampleLists>;

std::vector<BatchLists> make_batches(int count, std::mt19937& rng) {
  std::vector<BatchLists> batches(static_cast<size_t>(count), BatchLists(kBatch));
  std::uniform_int_distribution<int> pixel(100, 683);
  for (BatchLists& batch : batches)
    for (SampleLists& sample : batch) {
      std::vector<int32_t> ink;
      while (ink.size() < 150) ink.push_back(pixel(rng));
      std::uniform_int_distribution<size_t> pick(0, ink.size() - 1);
      for (int t = 0; t < kSteps; ++t)
        for (auto* lists : {&sample.on, &sample.off}) {
          std::vector<int32_t> l;
          for (int k = 0; k < 21; ++k) l.push_back(ink[pick(rng)]);
          std::sort(l.begin(), l.end());
          l.erase(std::unique(l.begin(), l.end()), l.end());
          lists->push_back(std::move(l));
        }
    }
  return batches;
}

// Hidden rows [r0, r0 + rows) and what belongs to them; one block of all rows for one_thread and samples_split.
struct Block {
  Eigen::Index r0 = 0, rows = 0, ld = 0;  // ld: aligned column length (core/column_sums.hpp)
  Matrix w1, dw1;                         // ld x kInputs, rows x kInputs
  Matrix w2t;                             // rows x kOutputs: the outputs' feedback
  Matrix s, a, S;                         // rows x kBatch
  Matrix drive;                           // ld x (steps kBatch): the phase's input sums, column t B + b
  Matrix carried;                         // ld x kBatch: W1 S_0 of the last step
  Matrix post;                            // ld x (steps kBatch): H(t), the running sum of ds
  std::vector<SpikeEvents> spikes;        // per sample: the step's spikes (indices in the block)
  alignas(64) uint64_t bits[2][kBatch][4] = {};  // per step parity and sample: the spikes as bits (the exchange)

  Block(Eigen::Index first, Eigen::Index count, std::mt19937& rng) : r0(first), rows(count), ld(aligned_column_rows(count)) {
    std::uniform_real_distribution<float> u(-1, 1);
    const auto random = [&](Eigen::Index r, Eigen::Index c, float scale, float shift) {
      Matrix m(r, c);
      for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * u(rng) + shift;
      return m;
    };
    w1 = random(ld, kInputs, 0.05f, -0.008f);
    dw1 = Matrix::Zero(rows, kInputs);
    w2t = random(rows, kOutputs, 0.1f, 0);
    s = Matrix::Zero(rows, kBatch);
    a = random(rows, kBatch, 0.5f, 0.5f);
    S = Matrix::Zero(rows, kBatch);
    drive.resize(ld, kPhaseSteps[0] * kBatch);
    carried = Matrix::Zero(ld, kBatch);
    post.resize(ld, kPhaseSteps[0] * kBatch);
    spikes.assign(kBatch, SpikeEvents(static_cast<size_t>(rows)));
  }
};

// A thread's scratch of the accumulation.
struct AccumulationScratch {
  EventsByColumn by_column;
  std::vector<PreEvents> pre;
  std::vector<SpikeEvents> lists;
};

// The 10 outputs, on thread 0.
struct Outputs {
  Matrix w2 = Matrix::Zero(kOutputs, kHidden), s = Matrix::Zero(kOutputs, kBatch), a = Matrix::Zero(kOutputs, kBatch);
  alignas(64) uint16_t bits[2][kBatch] = {};  // per step parity and sample: the outputs' spikes
};

// Input sums, steps (with the waits), accumulation, update (wall seconds), the hidden spikes emitted, and the steps'
// waits for the other thread.
using Stages = std::array<double, 6>;

// Samples [b0, b1) of block k through a phase of `steps` steps from the batch's step t0. exchange() runs after each
// step's emission. The outputs run here if `runs_outputs`, reading the hidden spikes of `blocks` (the bits of each,
// rows_split) or of k alone (its lists).
template <typename Exchange>
void run_phase(Block& k, Outputs& out, bool runs_outputs, const std::vector<const Block*>& blocks, const BatchLists& lists,
               int t0, int steps, int b0, int b1, Exchange&& exchange, Stages& stages) {
  double start = seconds(CLOCK_MONOTONIC);
  std::vector<StepChanges> changes(static_cast<size_t>(steps));
  const Scalar* w1 = k.w1.data();
  const Eigen::Index ld = k.ld;
  for (int b = b0; b < b1; ++b) {
    if (t0 == 0) {  // a new batch (Relaxation::start): no input spikes yet, zero states
      k.carried.col(b).setZero();
      k.s.col(b).setZero();
    }
    const SampleLists& sample = lists[static_cast<size_t>(b)];
    for (int t = 0; t < steps; ++t)
      changes[static_cast<size_t>(t)] = {sample.on[static_cast<size_t>(t0 + t)], sample.off[static_cast<size_t>(t0 + t)], 0,
                                         k.drive.col(t * kBatch + b).data()};
    sum_changes_over_steps(k.carried.col(b).data(), k.rows, changes, [w1, ld](size_t j) { return w1 + j * ld; });
  }
  stages[0] += seconds(CLOCK_MONOTONIC) - start;
  start = seconds(CLOCK_MONOTONIC);
  const bool as_bits = blocks.size() > 1;
  for (int t = 0; t < steps; ++t) {
    const int parity = t & 1;  // the exchange's buffers alternate: the other thread may still read step t - 1's
    for (int b = b0; b < b1; ++b) {
      SpikeEvents& events = k.spikes[static_cast<size_t>(b)];
      events.resize(static_cast<size_t>(k.rows));
      const auto counts = sigma_delta_layer(k.s.col(b).data(), k.a.col(b).data(), k.S.col(b).data(), k.rows,
                                            events.data(), nullptr, nullptr, nullptr);
      events.resize(static_cast<size_t>(counts.spikes));
      stages[4] += static_cast<double>(counts.spikes);
      if (as_bits) {
        uint64_t* bits = k.bits[parity][b];
        std::fill(bits, bits + 4, 0);
        for (const int32_t i : events) bits[i >> 6] |= uint64_t{1} << (i & 63);
      }
      if (!runs_outputs) continue;
      unsigned fired = 0;
      for (int i = 0; i < kOutputs; ++i) {
        out.a(i, b) += out.s(i, b);
        if (out.a(i, b) >= 1) {
          out.a(i, b) -= 1;
          fired |= 1U << i;
        }
      }
      out.bits[parity][b] = static_cast<uint16_t>(fired);
    }
    exchange();
    for (int b = b0; b < b1; ++b) {
      if (runs_outputs) {  // the output drive over the hidden spikes in index order
        using Column = Eigen::Matrix<Scalar, kOutputs, 1>;
        Column y = Column::Zero();
        const auto add = [&](Eigen::Index j) { y += Eigen::Map<const Column>(out.w2.col(j).data()); };
        if (!as_bits) {
          for (const int32_t j : k.spikes[static_cast<size_t>(b)]) add(k.r0 + j);
        } else {
          for (const Block* o : blocks)
            for (int q = 0; q < 4; ++q)
              for (uint64_t m = o->bits[parity][b][q]; m != 0; m &= m - 1) add(o->r0 + 64 * q + __builtin_ctzll(m));
        }
        for (int i = 0; i < kOutputs; ++i) out.s(i, b) = std::clamp(0.9f * out.s(i, b) + 0.1f * y(i), 0.f, 1.f);
      }
      std::array<Scalar, kHidden> feedback;
      std::fill_n(feedback.begin(), k.rows, Scalar{0});
      for (unsigned m = out.bits[parity][b]; m != 0; m &= m - 1) {
        const Scalar* column = k.w2t.col(__builtin_ctz(m)).data();
        for (Eigen::Index i = 0; i < k.rows; ++i) feedback[static_cast<size_t>(i)] += column[i];
      }
      Scalar* s = k.s.col(b).data();
      const Scalar* drive = k.drive.col(t * kBatch + b).data();
      Scalar* H = k.post.col(t * kBatch + b).data();
      const Scalar* H_before = t > 0 ? k.post.col((t - 1) * kBatch + b).data() : nullptr;
      for (Eigen::Index i = 0; i < k.rows; ++i) {  // a stand-in state update
        const Scalar old = s[i];
        s[i] = std::clamp(0.9f * old + 0.1f * (0.1f + 0.01f * drive[i] + 0.01f * feedback[static_cast<size_t>(i)]), 0.f, 1.f);
        H[i] = (H_before != nullptr ? H_before[i] : 0.f) + (s[i] - old);
      }
    }
  }
  stages[1] += seconds(CLOCK_MONOTONIC) - start;
}

// A nudged phase's accumulation into block k's dW1 columns [c0, c1): every sample's lists paired with H (the
// rule's summation by parts, learn/two_factor_rule.hpp), by add_post_times_pre_events.
void accumulate(Block& k, const BatchLists& lists, int t0, int steps, Eigen::Index c0, Eigen::Index c1,
                AccumulationScratch& scratch, Stages& stages) {
  const double start = seconds(CLOCK_MONOTONIC);
  scratch.pre.clear();
  scratch.lists.resize(static_cast<size_t>(2 * steps * kBatch));
  size_t n = 0;
  for (int t = 0; t < steps; ++t)
    for (int b = 0; b < kBatch; ++b) {
      const SampleLists& sample = lists[static_cast<size_t>(b)];
      for (const auto* l : {&sample.on[static_cast<size_t>(t0 + t)], &sample.off[static_cast<size_t>(t0 + t)]}) {
        scratch.lists[n].assign(l->begin(), l->end());
        scratch.pre.push_back({&scratch.lists[n++], t * kBatch + b, l == &sample.on[static_cast<size_t>(t0 + t)] ? -1.f : 1.f});
      }
    }
  add_post_times_pre_events(k.dw1, k.post, scratch.pre, c0, c1, scratch.by_column);
  stages[2] += seconds(CLOCK_MONOTONIC) - start;
}

// The update of W1's columns [c0, c1) of block k, and dW1 zeroed.
void update(Block& k, Eigen::Index c0, Eigen::Index c1, Stages& stages) {
  const double start = seconds(CLOCK_MONOTONIC);
  for (Eigen::Index j = c0; j < c1; ++j) {
    Scalar* w = k.w1.col(j).data();
    Scalar* d = k.dw1.col(j).data();
    for (Eigen::Index i = 0; i < k.rows; ++i) {
      w[i] -= 1e-3f * d[i];
      d[i] = 0;
    }
  }
  stages[3] += seconds(CLOCK_MONOTONIC) - start;
}

// Two threads meet once per step (spin, then sleep: the team's wait).
class StepBarrier {
 public:
  void arrive_and_wait(uint32_t& generation) {
    ++generation;
    count_.fetch_add(1);
    count_.notify_all();
    wait_for_count(count_, 2 * generation);
  }

 private:
  std::atomic<uint32_t> count_{0};
};

struct Result {
  double cpu_us = 0, wall_us = 0;  // per batch
  std::array<Stages, 2> stages{};  // per thread, seconds over the counted batches
};

enum class Way { one_thread, samples_split, rows_split };

Result run(Way way, const std::vector<BatchLists>& batches, int count) {
  std::mt19937 rng(7);
  const int parts = way == Way::one_thread ? 1 : 2;
  omp_set_num_threads(parts);  // the team's size
  std::vector<std::unique_ptr<Block>> blocks;
  if (way == Way::rows_split) {
    blocks.resize(2);
    run_team(2, [&](int p, int) {  // each block first touched by its owner
      std::mt19937 own(static_cast<unsigned>(11 + p));
      blocks[static_cast<size_t>(p)] = p == 0 ? std::make_unique<Block>(0, kSplitRow, own)
                                              : std::make_unique<Block>(kSplitRow, kHidden - kSplitRow, own);
    });
  } else {
    blocks.push_back(std::make_unique<Block>(0, kHidden, rng));
  }
  std::vector<const Block*> views;
  for (const auto& b : blocks) views.push_back(b.get());
  std::array<AccumulationScratch, 2> scratch;
  Outputs out;
  std::uniform_real_distribution<float> u(-0.1f, 0.1f);
  for (Eigen::Index i = 0; i < out.w2.size(); ++i) out.w2.data()[i] = u(rng);
  Result r;
  double cpu0 = 0, wall0 = 0;
  constexpr int kWarmUp = 10;
  for (int it = -kWarmUp; it < count; ++it) {
    if (it == 0) {
      cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
      wall0 = seconds(CLOCK_MONOTONIC);
      r.stages = {};
    }
    const BatchLists& lists = batches[static_cast<size_t>((it + kWarmUp) % static_cast<int>(batches.size()))];
    if (way != Way::rows_split) {
      Block& k = *blocks[0];
      int t0 = 0;
      for (int phase = 0; phase < 3; ++phase) {
        const int steps = kPhaseSteps[phase];
        run_team(parts, [&](int p, int n) {
          for (int b = kBatch * p / n; b < kBatch * (p + 1) / n; ++b)  // a sample's phase, then the next
            run_phase(k, out, true, views, lists, t0, steps, b, b + 1, [] {}, r.stages[static_cast<size_t>(p)]);
        });
        if (phase > 0)
          run_team(parts, [&](int p, int n) {
            accumulate(k, lists, t0, steps, kInputs * p / n, kInputs * (p + 1) / n, scratch[static_cast<size_t>(p)], r.stages[static_cast<size_t>(p)]);
          });
        t0 += steps;
      }
      run_team(parts, [&](int p, int n) { update(k, kInputs * p / n, kInputs * (p + 1) / n, r.stages[static_cast<size_t>(p)]); });
      continue;
    }
    StepBarrier barrier;
    run_team(2, [&](int p, int) {
      Block& k = *blocks[static_cast<size_t>(p)];
      uint32_t generation = 0;
      Stages& stages = r.stages[static_cast<size_t>(p)];
      const auto meet = [&] {
        const double start = seconds(CLOCK_MONOTONIC);
        barrier.arrive_and_wait(generation);
        stages[5] += seconds(CLOCK_MONOTONIC) - start;
      };
      int t0 = 0;
      for (int phase = 0; phase < 3; ++phase) {
        const int steps = kPhaseSteps[phase];
        for (int b = 0; b < kBatch; b += g_group)
          run_phase(k, out, p == 0, views, lists, t0, steps, b, std::min(kBatch, b + g_group), meet, stages);
        if (phase > 0) accumulate(k, lists, t0, steps, 0, kInputs, scratch[static_cast<size_t>(p)], r.stages[static_cast<size_t>(p)]);
        t0 += steps;
      }
      update(k, 0, kInputs, r.stages[static_cast<size_t>(p)]);
    });
  }
  r.cpu_us = 1e6 * (seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / count;
  r.wall_us = 1e6 * (seconds(CLOCK_MONOTONIC) - wall0) / count;
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  int batches = 300, rounds = 5;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--batches" || arg == "--rounds" || arg == "--json" || arg == "--group") && i + 1 < argc) {
      const std::string value = argv[++i];
      if (arg == "--json") {
        json_path = value;
        continue;
      }
      int v = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (ec != std::errc() || end != value.data() + value.size() || v < 1) {
        std::fprintf(stderr, "row_split_probe: %s needs a positive integer, got '%s'\n", arg.c_str(), value.c_str());
        return 2;
      }
      (arg == "--batches" ? batches : arg == "--rounds" ? rounds : g_group) = v;
    } else {
      std::fprintf(stderr, "row_split_probe: unknown or incomplete argument '%s' (usage: row_split_probe [--batches N] "
                           "[--rounds R] [--group G] [--json FILE])\n", arg.c_str());
      return 2;
    }
  }
  std::mt19937 rng(1);
  const std::vector<BatchLists> lists = make_batches(20, rng);
  const std::array<std::pair<Way, const char*>, 3> ways = {
      {{Way::one_thread, "one_thread"}, {Way::samples_split, "samples_split"}, {Way::rows_split, "rows_split"}}};
  std::array<std::vector<double>, 3> cpu, wall;
  std::array<Result, 3> last;
  for (int round = 0; round < rounds; ++round)
    for (size_t w = 0; w < ways.size(); ++w) {  // interleaved: the host's moods reach each way alike
      last[w] = run(ways[w].first, lists, batches);
      cpu[w].push_back(last[w].cpu_us);
      wall[w].push_back(last[w].wall_us);
    }
  nlohmann::json out = {{"benchmark", "row_split_probe"}, {"batches", batches}, {"rounds", rounds}};
  std::printf("%-14s %14s %14s %10s   stages of the last round, us per batch per thread (sums/steps/accumulation/update)\n",
              "way", "CPU us/batch", "wall us/batch", "speed-up");
  for (size_t w = 0; w < ways.size(); ++w) {
    const double speedup = median(wall[0]) / median(wall[w]);
    std::printf("%-14s %14.0f %14.0f %9.2fx  ", ways[w].second, median(cpu[w]), median(wall[w]), speedup);
    for (int p = 0; p < (w == 0 ? 1 : 2); ++p) {
      const Stages& s = last[w].stages[static_cast<size_t>(p)];
      std::printf(" %s%.0f/%.0f (%.0f waiting)/%.0f/%.0f", p == 0 ? "" : "| ", 1e6 * s[0] / batches, 1e6 * s[1] / batches,
                  1e6 * s[5] / batches, 1e6 * s[2] / batches, 1e6 * s[3] / batches);
    }
    const double spikes = last[w].stages[0][4] + last[w].stages[1][4];
    std::printf("  (%.0f hidden spikes per sample and step)\n", spikes / (double{kSteps} * kBatch * batches));
    out[ways[w].second] = {{"cpu_us_per_batch", cpu[w]}, {"wall_us_per_batch", wall[w]}, {"speedup_wall", speedup}};
  }
  if (!json_path.empty()) {
    try {
      write_file_atomic(json_path, out.dump(2) + "\n");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "row_split_probe: cannot write %s: %s\n", json_path.c_str(), e.what());
      return 1;
    }
  }
  return 0;
}
