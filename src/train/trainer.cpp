#include "train/trainer.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <map>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "energy/op_count_report.hpp"
#include "learn/lr_schedule.hpp"
#include "train/conductance_file.hpp"
#include "train/progress.hpp"
#include "train/thread_choice.hpp"

namespace plasticore {

namespace {

void save_counts(NamedTensors& out, const std::string& name, OpCounters& counters) {
  Tensor t;
  t.dtype = DType::int64;
  t.shape = {static_cast<int64_t>(OpCounters::kValues)};
  t.bytes.assign(reinterpret_cast<const char*>(counters.data()), OpCounters::kValues * sizeof(int64_t));
  out.put(name, std::move(t));
}

// False if the record has no such counts (a record of an older plasticore); RuntimeError if they are damaged.
bool load_counts(const NamedTensors& in, const std::string& name, OpCounters& counters) {
  if (!in.has(name)) return false;
  const Tensor& t = in.at(name);
  // A record written before issue 14 has fewer ops per phase: widened, the new ones 0.
  std::vector<int64_t> values(t.shape.size() == 1 && t.shape[0] > 0 ? static_cast<size_t>(t.shape[0]) : 0);
  if (t.dtype != DType::int64 || values.empty() || t.bytes.size() != values.size() * sizeof(int64_t))
    throw RuntimeError(in.source() + ": " + name + " has the wrong type or shape");
  std::memcpy(values.data(), t.bytes.data(), t.bytes.size());
  if (!OpCounters::widen(values.data(), values.size(), counters.data()))
    throw RuntimeError(in.source() + ": " + name + " has the wrong type or shape");
  for (size_t k = 0; k < OpCounters::kValues; ++k)
    if (counters.data()[k] < 0) throw RuntimeError(in.source() + ": " + name + " holds a negative count");
  return true;
}


double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time of the whole process (every thread), in nanoseconds: on a shared machine wall time measures the
// neighbours too.
int64_t process_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

Trainer::Trainer(TrainerSettings settings, const Dataset& dataset, Learner& learner, const Communicator& comm)
    : settings_(std::move(settings)), dataset_(dataset), learner_(learner), comm_(comm) {
  learner_.set_communicator(comm_);
}

Score Trainer::evaluate(Split split) {
  Score score;
  Batch batch{&dataset_, split, 0, 0, {}};
  const int64_t n = dataset_.size(split), size = learner_.evaluation_batch_size();
  for (int64_t start = 0; start < n; start += size) {
    batch.samples.clear();
    for (int64_t i = start; i < std::min(start + size, n); ++i) batch.samples.push_back(i);
    learner_.evaluate(batch, score);
  }
  return score;
}

void Trainer::train_batch(const Batch& batch, Score& score) {
  learner_.train_batch(batch, score);
  learner_.advance(settings_.seconds_per_update);  // drift between writes
}

bool Trainer::stop_requested(TrainingControl* control) const {
  if (control == nullptr) return false;
  if (control->between_batches) control->between_batches();
  int64_t stop = control->stop.load() ? 1 : 0;
  if (comm_.size() > 1) comm_.allreduce_sum(&stop, 1);  // every rank stops at the same batch
  return stop > 0;
}

std::vector<std::string> Trainer::columns() const {
  EpochRecord r = record_of(0, Score{}, Score{}, 0, 0, 0);
  std::vector<std::string> names;
  for (const auto& [name, value] : r) names.push_back(name);
  return names;
}

void Trainer::add_test_figures(const Score& test, nlohmann::json& out) const {
  if (learner_.reports_loss_and_rate()) out["test_loss"] = test.mean_loss();
  if (dataset_.loss() == Loss::cross_entropy) out["test_accuracy"] = test.accuracy();
  else out["test_nmse"] = test.nmse(dataset_.outputs());
}

EpochRecord Trainer::record_of(int epoch, const Score& train, const Score& test, double seconds,
                               double samples_per_second, double lr_scale) const {
  const bool classification = dataset_.loss() == Loss::cross_entropy, spiking = learner_.reports_loss_and_rate();
  EpochRecord r = {{"epoch", epoch}};
  if (spiking) r.insert(r.end(), {{"train_loss", train.mean_loss()}, {"test_loss", test.mean_loss()}});
  if (classification) r.insert(r.end(), {{"train_accuracy", train.accuracy()}, {"test_accuracy", test.accuracy()}});
  else r.emplace_back("test_nmse", test.nmse(dataset_.outputs()));
  if (spiking) r.emplace_back("mean_rate_hz", test.rate_hz(dataset_.step_ms()));
  r.insert(r.end(), {{"epoch_seconds", seconds}, {"train_samples_per_second", samples_per_second}, {"lr_scale", lr_scale}});
  return r;
}

void Trainer::check_resumable(const RunRecord& record, const std::string& source) const {
  if (record.epochs_done < 0 || record.epochs_done > settings_.epochs)
    throw RuntimeError(source + ": " + std::to_string(record.epochs_done) + " epochs done, the run has " +
                       std::to_string(settings_.epochs));
  const int64_t n = dataset_.size(Split::train), B = settings_.batch_size;
  if (record.in_progress.batches_done < 0 || record.in_progress.batches_done > (n - 1) / B)
    throw RuntimeError(source + ": " + std::to_string(record.in_progress.batches_done) +
                       " batches of its epoch in progress are done; the epoch has fewer (a damaged run record?)");
  if (!record.history.empty()) {  // a resumed run: its history must be this run's
    std::vector<std::string> saved;
    for (const auto& [name, value] : record.history.rows()[0]) saved.push_back(name);
    if (saved != columns())
      throw RuntimeError(source + ": its history has other columns than this run writes (a damaged run record?)");
    for (const auto& row : record.history.rows())
      for (const auto& [name, value] : row)
        if (!std::isfinite(value) || (name == "train_samples_per_second" && value <= 0))
          throw RuntimeError(source + ": history/" + name + " holds an impossible value");
  }
}

nlohmann::json Trainer::train(RunRecord& record, const std::string& out_dir, bool progress, TrainingControl* control) {
  // The counters are locals: the learner stops counting into them when train ends, however it ends.
  struct StopCounting {
    Learner& learner;
    ~StopCounting() { learner.set_counters(nullptr); }
  } stop_counting{learner_};
  ProgressBar bar(progress && comm_.root());
  check_resumable(record, out_dir + "/checkpoint.bin");
  const int64_t n = dataset_.size(Split::train);
  const int64_t B = settings_.batch_size;
  OpCounters training_ops, inference_ops;
  int64_t training_samples = 0, inference_samples = 0;
  Batch batch{&dataset_, Split::train, 0, 0, {}};
  // The last epoch's counts, for metrics.json: a run killed after its last record still reports them.
  if (load_counts(record.tensors, "op_counts/training", training_ops)) training_samples = n;
  if (load_counts(record.tensors, "op_counts/inference", inference_ops)) inference_samples = dataset_.size(Split::test);
  // A run killed between its checkpoint and its CSV row (even after its last epoch) gets the rows back here.
  if (comm_.root() && !out_dir.empty() && !record.history.empty())
    write_file_atomic(out_dir + "/metrics.csv", record.history.csv());
  // The training loops this process ran (not a resumed run's earlier part): samples and CPU time.
  int64_t cpu_samples = 0, cpu_ns = 0;
  ThreadChoice team(omp_get_max_threads(), settings_.measure_threads);
  for (int epoch = static_cast<int>(record.epochs_done); epoch < settings_.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t cpu0 = process_cpu_ns();
    const std::map<int, double> team_seconds0 = team.seconds_by_threads();
    // An epoch stopped between batches goes on from its next batch, with its sums so far.
    const EpochInProgress resumed = std::move(record.in_progress);
    record.in_progress = {};
    training_ops.reset();
    inference_ops.reset();
    if (!resumed.training_ops.empty() && comm_.root())  // saved summed over the ranks
      std::copy(resumed.training_ops.begin(), resumed.training_ops.end(), training_ops.data());
    learner_.set_counters(&training_ops);
    const double lr_scale = lr_scale_at(settings_.lr_schedule, settings_.lr_final_factor, epoch, settings_.epochs);
    learner_.set_learning_rate_scale(lr_scale);
    Score train = resumed.train;
    bar.begin("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(settings_.epochs), static_cast<long>(n));
    batch.epoch = epoch;
    for (int64_t index = resumed.batches_done, start = index * B; start < n; start += B, ++index) {
      batch.index = index;
      batch.samples.clear();
      for (int64_t k = start; k < std::min(start + B, n); ++k) batch.samples.push_back(dataset_.train_sample(epoch, k));
      for (int64_t k = start + B; k < std::min(start + 2 * B, n); ++k) dataset_.prefetch(Split::train, dataset_.train_sample(epoch, k));
      team.next();
      const auto batch_start = std::chrono::steady_clock::now();
      train_batch(batch, train);
      team.done(seconds_since(batch_start), static_cast<int64_t>(batch.samples.size()));
      bar.update(static_cast<long>(start + static_cast<int64_t>(batch.samples.size())),
                 train.samples > 0 ? train.accuracy() : train.mean_loss(), train.samples > 0);
      if (start + B >= n || !stop_requested(control)) continue;
      // Stopped: the epoch so far goes into the checkpoint, and the next batch is where --resume starts.
      bar.end();
      std::vector<int64_t> ops(training_ops.data(), training_ops.data() + OpCounters::kValues);
      comm_.allreduce_sum(ops.data(), ops.size());
      record.in_progress = {index + 1, train, resumed.train_seconds + seconds_since(t0), std::move(ops)};
      record.tensors = NamedTensors();
      learner_.save(record.tensors);
      const bool written = comm_.root() && !out_dir.empty();
      if (written) write_run_record(out_dir + "/checkpoint.bin", record);
      throw TrainingInterrupted("training interrupted in epoch " + std::to_string(epoch + 1) + " after batch " +
                                std::to_string(index + 1) + " of " + std::to_string((n + B - 1) / B) +
                                (written ? "; checkpoint written to " + out_dir + "/checkpoint.bin" : ""));
    }
    const double train_seconds = resumed.train_seconds + seconds_since(t0);
    cpu_ns += process_cpu_ns() - cpu0;
    cpu_samples += n - std::min(n, resumed.batches_done * B);
    bar.end();
    learner_.check_finite(epoch + 1);
    training_samples = n;
    learner_.set_counters(&inference_ops);
    team.settle();
    const Score test = evaluate(Split::test);
    inference_samples = dataset_.size(Split::test);
    comm_.allreduce_sum(training_ops.data(), OpCounters::kValues);  // each rank counted its share
    comm_.allreduce_sum(inference_ops.data(), OpCounters::kValues);
    const double epoch_seconds = resumed.train_seconds + seconds_since(t0);
    record.history.add(record_of(epoch + 1, train, test, epoch_seconds, static_cast<double>(n) / train_seconds, lr_scale));
    record.epochs_done = epoch + 1;
    record.wall_seconds += epoch_seconds;
    record.tensors = NamedTensors();
    learner_.save(record.tensors);
    save_counts(record.tensors, "op_counts/training", training_ops);
    save_counts(record.tensors, "op_counts/inference", inference_ops);
    const bool final_epoch = epoch + 1 == settings_.epochs;
    // The callbacks (false: stop here, a finished run), then a stop request at the epoch boundary.
    const auto go_on = [&] {
      if (control != nullptr && control->after_epoch && !control->after_epoch(record.history.rows().back())) return false;
      if (!final_epoch && stop_requested(control))
        throw TrainingInterrupted("training interrupted after epoch " + std::to_string(epoch + 1) +
                                  (out_dir.empty() ? "" : "; checkpoint in " + out_dir + "/checkpoint.bin"));
      return true;
    };
    if (!comm_.root()) {  // every rank holds the same run; rank 0 writes it
      if (!go_on()) break;
      continue;
    }
    // Checkpoint first, then the CSV row: a row on disk always has its checkpoint.
    if (!out_dir.empty()) {
      write_run_record(out_dir + "/checkpoint.bin", record);
      write_file_atomic(out_dir + "/metrics.csv", record.history.csv());
    }
    std::string line = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(settings_.epochs);
    char buf[160];
    if (learner_.reports_loss_and_rate()) {
      std::snprintf(buf, sizeof buf, "  loss %.4f / %.4f", train.mean_loss(), test.mean_loss());
      line += buf;
    }
    if (dataset_.loss() == Loss::cross_entropy)
      std::snprintf(buf, sizeof buf, "  train %.2f%%  %s %.2f%%", 100 * train.accuracy(), dataset_.evaluation_set(),
                    100 * test.accuracy());
    else
      std::snprintf(buf, sizeof buf, "  %s nmse %.4f", dataset_.evaluation_set(), test.nmse(dataset_.outputs()));
    line += buf;
    if (learner_.reports_loss_and_rate()) {
      std::snprintf(buf, sizeof buf, "  %.1f Hz", test.rate_hz(dataset_.step_ms()));
      line += buf;
    }
    if (settings_.measure_threads) {  // the team that trained longest in this epoch
      int threads = team.chosen();
      double longest = 0;
      for (const auto& [size, seconds] : team.seconds_by_threads()) {
        const auto before = team_seconds0.find(size);
        const double epoch_part = seconds - (before == team_seconds0.end() ? 0 : before->second);
        if (epoch_part > longest) threads = size, longest = epoch_part;
      }
      std::snprintf(buf, sizeof buf, "  %d thread%s", threads, threads == 1 ? "" : "s");
      line += buf;
    }
    std::snprintf(buf, sizeof buf, "  %.1f s  %.0f samples/s", epoch_seconds, static_cast<double>(n) / train_seconds);
    std::fprintf(stderr, "%s%s\n", line.c_str(), buf);
    std::fflush(stderr);
    if (!go_on()) break;
  }
  if (record.history.empty()) throw RuntimeError(out_dir + ": the run has no finished epoch");

  if (comm_.root() && !out_dir.empty())
    for (const auto& [name, substrate] : learner_.matrices())
      write_conductances(out_dir + "/conductances_" + name + ".npy", *substrate);
  const History& h = record.history;
  const size_t last = h.size() - 1;
  double train_seconds_total = 0;
  for (size_t e = 0; e < h.size(); ++e) train_seconds_total += static_cast<double>(n) / h.value(e, "train_samples_per_second");
  nlohmann::json m;
  learner_.describe(m);
  if (dataset_.steps() > 1) m["steps"] = dataset_.steps();
  m["epochs"] = record.epochs_done;  // settings_.epochs, unless a callback stopped early
  m["train_samples"] = n;
  m["test_samples"] = dataset_.size(Split::test);
  m["evaluated_on"] = dataset_.evaluation_set();
  for (const char* figure : {"train_loss", "test_loss", "train_accuracy", "test_accuracy", "test_nmse", "mean_rate_hz"})
    if (h.has(figure)) m[figure] = h.value(last, figure);
  if (h.has("test_accuracy")) {
    double best = 0;
    for (size_t e = 0; e < h.size(); ++e) best = std::max(best, h.value(e, "test_accuracy"));
    m["best_test_accuracy"] = best;
  }
  m["wall_seconds"] = record.wall_seconds;
  m["train_samples_per_second"] = static_cast<double>(n) * static_cast<double>(h.size()) / train_seconds_total;
  comm_.allreduce_sum(&cpu_ns, 1);  // every rank's CPU time
  if (cpu_samples > 0 && cpu_ns > 0) m["train_samples_per_cpu_second"] = static_cast<double>(cpu_samples) * 1e9 / static_cast<double>(cpu_ns);
  m["threads"] = team.most();
  nlohmann::json by_threads = nlohmann::json::object();  // this process's training loops (a resumed run: its part)
  for (const auto& [threads, seconds] : team.seconds_by_threads()) by_threads[std::to_string(threads)] = seconds;
  m["train_seconds_by_threads"] = by_threads;
  m["ranks"] = comm_.size();
  m["op_counts"] = {{"training", op_count_report(training_ops, training_samples)},
                    {"inference", op_count_report(inference_ops, inference_samples)}};
  return m;
}

}  // namespace plasticore
