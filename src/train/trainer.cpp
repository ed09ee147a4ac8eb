#include "train/trainer.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "energy/op_count_report.hpp"
#include "learn/lr_schedule.hpp"
#include "train/conductance_file.hpp"
#include "train/progress.hpp"

namespace plasticore {

namespace {

std::string csv_of(const std::vector<EpochRecord>& history) {
  std::ostringstream ss;
  ss.precision(10);
  ss << "epoch,train_accuracy,test_accuracy,epoch_seconds,train_samples_per_second,lr_scale\n";
  for (const auto& r : history)
    ss << r.epoch << ',' << r.train_accuracy << ',' << r.test_accuracy << ',' << r.epoch_seconds << ','
       << r.train_samples_per_second << ',' << r.lr_scale << '\n';
  return ss.str();
}

void gather_batch(const ClassificationSet& set, const std::vector<int64_t>& ids, Matrix& x, std::vector<int32_t>& labels) {
  x.resize(set.images.rows(), static_cast<Eigen::Index>(ids.size()));
  labels.resize(ids.size());
  for (size_t b = 0; b < ids.size(); ++b) {
    x.col(static_cast<Eigen::Index>(b)) = set.images.col(ids[b]);
    labels[b] = set.labels[static_cast<size_t>(ids[b])];
  }
}

}  // namespace

LoadedData load_data(const RunConfig& c, bool need_train) {
  LoadedData d;
  if (need_train) d.train = load_idx_classification(c.data.train_images, c.data.train_labels, c.data.train_limit);
  d.test = load_idx_classification(c.data.test_images, c.data.test_labels, c.data.test_limit);
  if (need_train && d.train.images.rows() != d.test.images.rows())
    throw RuntimeError(c.data.test_images + ": images have " + std::to_string(d.test.images.rows()) +
                       " pixels, the training images " + std::to_string(d.train.images.rows()));
  return d;
}

double evaluate_accuracy(EPLearner& learner, const ClassificationSet& set, int batch_size) {
  // Evaluation batches are larger than training ones: there is no update, only relaxation.
  const int64_t batch = std::max(batch_size, 100);
  int64_t correct = 0;
  Matrix x;
  std::vector<int32_t> labels, predicted;
  std::vector<int64_t> ids;
  for (int64_t start = 0; start < set.size(); start += batch) {
    ids.clear();
    for (int64_t i = start; i < std::min<int64_t>(start + batch, set.size()); ++i) ids.push_back(i);
    gather_batch(set, ids, x, labels);
    learner.predict(x, ids, predicted);
    for (size_t b = 0; b < ids.size(); ++b) correct += predicted[b] == labels[b];
  }
  return static_cast<double>(correct) / set.size();
}

nlohmann::json train_classifier(const RunConfig& c, const LoadedData& data, const std::string& out_dir,
                                const std::optional<Checkpoint>& resume_from, bool progress) {
  std::vector<int> sizes = {static_cast<int>(data.train.images.rows())};
  sizes.insert(sizes.end(), c.hidden.begin(), c.hidden.end());
  sizes.push_back(data.train.n_classes);
  LayeredEPNetwork net(sizes, c.substrate);
  net.initialize(c.seed, c.init_scale);

  Checkpoint ck;
  ck.config_toml = to_toml(c);
  if (resume_from) {
    restore_checkpoint(*resume_from, net);
    ck.epochs_done = resume_from->epochs_done;
    ck.wall_seconds = resume_from->wall_seconds;
    ck.history = resume_from->history;
  }
  EPLearner learner(net, c.relax, c.learn, c.seed);
  ProgressBar bar(progress);
  const int64_t n = data.train.size();
  const int B = c.train.batch_size;
  std::vector<int64_t> order(static_cast<size_t>(n)), ids;
  Matrix x;
  std::vector<int32_t> labels;
  // Operations of the last epoch (training) and of the test evaluation after it (inference): the same
  // whether or not the run was resumed, and the activity of the most trained network.
  OpCounters training_ops, inference_ops;
  int64_t training_samples = 0, inference_samples = 0;

  for (int epoch = ck.epochs_done; epoch < c.train.epochs; ++epoch) {
    training_ops.reset();
    inference_ops.reset();
    learner.set_counters(&training_ops);
    const auto t0 = std::chrono::steady_clock::now();
    std::iota(order.begin(), order.end(), 0);
    Rng shuffle(c.seed, "shuffle", static_cast<uint64_t>(epoch));
    for (int64_t i = n - 1; i > 0; --i) std::swap(order[static_cast<size_t>(i)], order[shuffle.below(static_cast<uint64_t>(i) + 1)]);
    const double lr_scale = lr_scale_at(c.train.lr_schedule, c.train.lr_final_factor, epoch, c.train.epochs);
    int64_t correct = 0, seen = 0;
    bar.begin("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(c.train.epochs), static_cast<long>(n));
    for (int64_t start = 0, batch_index = 0; start < n; start += B, ++batch_index) {
      ids.assign(order.begin() + start, order.begin() + std::min<int64_t>(start + B, n));
      gather_batch(data.train, ids, x, labels);
      correct += learner.train_batch(x, labels, ids, static_cast<uint64_t>(epoch), static_cast<uint64_t>(batch_index), lr_scale);
      for (int l = 0; l < net.weight_layers(); ++l) net.weight(l).advance(c.substrate.seconds_per_update);  // drift between writes
      seen += static_cast<int64_t>(ids.size());
      bar.update(static_cast<long>(seen), static_cast<double>(correct) / seen);
    }
    const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bar.end();
    for (int l = 0; l < net.weight_layers(); ++l)
      if (!net.weight(l).weights().allFinite() || !net.bias(l).allFinite())
        throw RuntimeError("training diverged in epoch " + std::to_string(epoch + 1) + ": weights of layer " +
                           std::to_string(l) + " are not finite (lower the learning rates)");
    EpochRecord rec;
    rec.epoch = epoch + 1;
    rec.train_accuracy = static_cast<double>(correct) / n;
    training_samples = n;
    learner.set_counters(&inference_ops);
    rec.test_accuracy = evaluate_accuracy(learner, data.test, B);
    inference_samples = data.test.size();
    rec.epoch_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rec.train_samples_per_second = n / train_seconds;
    rec.lr_scale = lr_scale;
    ck.history.push_back(rec);
    ck.epochs_done = epoch + 1;
    ck.wall_seconds += rec.epoch_seconds;
    const Checkpoint weights = capture_checkpoint(net);
    ck.weights = weights.weights;
    ck.biases = weights.biases;
    // Checkpoint first, then the CSV row: a row on disk always has its checkpoint.
    write_checkpoint(out_dir + "/checkpoint.bin", ck);
    write_file_atomic(out_dir + "/metrics.csv", csv_of(ck.history));
    std::fprintf(stderr, "epoch %d/%d  train %.2f%%  test %.2f%%  %.1f s  %.0f samples/s\n", rec.epoch, c.train.epochs,
                 100 * rec.train_accuracy, 100 * rec.test_accuracy, rec.epoch_seconds, rec.train_samples_per_second);
    std::fflush(stderr);
  }

  for (int l = 0; l < net.weight_layers(); ++l)
    write_conductances(out_dir + "/conductances_w" + std::to_string(l + 1) + ".npy", net.weight(l));
  const EpochRecord& last = ck.history.back();
  double train_seconds_total = 0;
  for (const auto& r : ck.history) train_seconds_total += n / r.train_samples_per_second;
  nlohmann::json m;
  m["name"] = c.name;
  m["algorithm"] = c.algorithm;
  m["rule"] = rule_name(c.learn.rule);
  m["spike_coding"] = coding_name(c.relax.coding);
  m["substrate"] = c.substrate.kind;
  m["dataset"] = c.data.dataset;
  m["network"] = sizes;
  m["epochs"] = c.train.epochs;
  m["train_samples"] = n;
  m["test_samples"] = data.test.size();
  m["train_accuracy"] = last.train_accuracy;
  m["test_accuracy"] = last.test_accuracy;
  double best = 0;
  for (const auto& r : ck.history) best = std::max(best, r.test_accuracy);
  m["best_test_accuracy"] = best;
  m["wall_seconds"] = ck.wall_seconds;
  m["train_samples_per_second"] = n * static_cast<double>(ck.history.size()) / train_seconds_total;
  m["seed"] = c.seed;
  m["threads"] = omp_get_max_threads();
  m["op_counts"] = {{"training", op_count_report(training_ops, training_samples)},
                    {"inference", op_count_report(inference_ops, inference_samples)}};
  return m;
}

}  // namespace plasticore
