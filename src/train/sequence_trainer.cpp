#include "train/sequence_trainer.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "energy/op_count_report.hpp"
#include "learn/adaptive_feedback.hpp"
#include "learn/bptt.hpp"
#include "learn/eprop.hpp"
#include "learn/lr_schedule.hpp"
#include "train/conductance_file.hpp"
#include "train/progress.hpp"

namespace plasticore {

namespace {

// Sums over sequences of what the metrics need.
struct SequenceScore {
  double loss = 0;            // task loss over scored steps
  int64_t scored_steps = 0;   // steps in the loss (all, or the decision window)
  double squared_error = 0, target_sum = 0, target_square_sum = 0;  // mse: over scored step x output
  int64_t sequences = 0, correct = 0;                                // classification
  double spikes = 0, neuron_steps = 0;

  void add(const SequenceScore& o) {
    loss += o.loss;
    scored_steps += o.scored_steps;
    squared_error += o.squared_error;
    target_sum += o.target_sum;
    target_square_sum += o.target_square_sum;
    sequences += o.sequences;
    correct += o.correct;
    spikes += o.spikes;
    neuron_steps += o.neuron_steps;
  }
  double mean_loss() const { return scored_steps > 0 ? loss / static_cast<double>(scored_steps) : 0.0; }
  double accuracy() const { return sequences > 0 ? static_cast<double>(correct) / static_cast<double>(sequences) : 0.0; }
  double nmse(int outputs) const {
    const double n = static_cast<double>(scored_steps) * outputs, mean = target_sum / n;
    return (squared_error / n) / (target_square_sum / n - mean * mean);
  }
  double rate_hz(double dt_ms) const { return spikes / neuron_steps / dt_ms * 1e3; }
};

// Observes one sequence step by step (a StepObserver) and scores it, holding nothing per step.
class SequenceScorer {
 public:
  SequenceScorer(const SequenceStream& sequence, Loss loss, int outputs)
      : sequence_(sequence), loss_(loss), target_(outputs), error_(outputs, 1),
        readout_sum_(Vector::Zero(outputs)), target_class_sum_(Vector::Zero(outputs)) {}

  void operator()(Eigen::Index t, const RecurrentSNNState& s) {
    sequence_.target(t, target_);
    score_.spikes += static_cast<double>(s.spikes.sum());
    score_.neuron_steps += static_cast<double>(s.spikes.size());
    const double step = step_loss(loss_, s.readout, target_, error_);
    if (loss_ == Loss::cross_entropy) {
      if (target_.sum() <= 0) return;  // outside the decision window
      readout_sum_ += s.readout;
      target_class_sum_ += target_;
    } else {
      score_.squared_error += static_cast<double>(error_.squaredNorm());
      score_.target_sum += static_cast<double>(target_.sum());
      score_.target_square_sum += static_cast<double>(target_.squaredNorm());
    }
    score_.loss += step;
    ++score_.scored_steps;
  }

  SequenceScore finish() {
    if (loss_ == Loss::cross_entropy && score_.scored_steps > 0) {
      Eigen::Index predicted = 0, label = 0;
      readout_sum_.maxCoeff(&predicted);
      target_class_sum_.maxCoeff(&label);
      score_.sequences = 1;
      score_.correct = predicted == label ? 1 : 0;
    }
    return score_;
  }

 private:
  const SequenceStream& sequence_;
  Loss loss_;
  Vector target_;
  Matrix error_;
  Vector readout_sum_, target_class_sum_;
  SequenceScore score_;
};

Matrix gaussian(int rows, int cols, double scale, Rng rng) {
  Matrix m(rows, cols);
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = static_cast<Scalar>(scale * rng.normal());
  return m;
}

void initialize(RecurrentSNN& net, const SequenceRunConfig& c) {
  const auto& n = net.sizes();
  net.set_weights(gaussian(n.recurrent, n.inputs, c.network.input_scale / std::sqrt(n.inputs), Rng(c.seed, "init_w_in")),
                  gaussian(n.recurrent, n.recurrent, c.network.recurrent_scale / std::sqrt(n.recurrent), Rng(c.seed, "init_w_rec")),
                  gaussian(n.outputs, n.recurrent, c.network.readout_scale / std::sqrt(n.recurrent), Rng(c.seed, "init_w_out")));
}

// Forward pass of one streamed sequence, scored.
SequenceScore evaluate_sequence(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss) {
  SequenceScorer scorer(sequence, loss, net.sizes().outputs);
  RecurrentSNNState s;
  net.start(s);
  for (Eigen::Index t = 0; t < sequence.steps(); ++t) {
    sequence.input(t, s.input);
    net.step(s);
    scorer(t, s);
  }
  return scorer.finish();
}

SequenceScore evaluate(const RecurrentSNN& net, const SequenceTask& task, int64_t count) {
  std::vector<SequenceScore> scores(static_cast<size_t>(count));
#pragma omp parallel for schedule(dynamic)
  for (int64_t k = 0; k < count; ++k)
    scores[static_cast<size_t>(k)] = evaluate_sequence(net, *task.sequence(Split::test, k), task.loss());
  SequenceScore total;
  for (const auto& s : scores) total.add(s);
  return total;
}

std::string csv_of(const nlohmann::json& history, bool classification) {
  std::ostringstream ss;
  ss.precision(10);
  ss << (classification ? "epoch,train_loss,test_loss,train_accuracy,test_accuracy,"
                        : "epoch,train_loss,test_loss,test_nmse,")
     << "mean_rate_hz,epoch_seconds,train_samples_per_second\n";
  for (const auto& r : history) {
    ss << r["epoch"].get<int>() << ',' << r["train_loss"].get<double>() << ',' << r["test_loss"].get<double>() << ',';
    if (classification) ss << r["train_accuracy"].get<double>() << ',' << r["test_accuracy"].get<double>() << ',';
    else ss << r["test_nmse"].get<double>() << ',';
    ss << r["mean_rate_hz"].get<double>() << ',' << r["epoch_seconds"].get<double>() << ','
       << r["train_samples_per_second"].get<double>() << '\n';
  }
  return ss.str();
}

}  // namespace

nlohmann::json evaluate_sequence_model(const SequenceRunConfig& c, const SequenceCheckpoint& checkpoint) {
  const auto task = make_sequence_task(c.task);
  const RecurrentSNNSizes sizes{task->inputs(), c.network.recurrent, c.network.adaptive, task->outputs()};
  RecurrentSNN net(sizes, c.network.neuron, c.substrate);
  if (checkpoint.weights.size() < 3) throw RuntimeError("sequence checkpoint: expected 3 weight matrices");
  net.set_weights(checkpoint.weights[0], checkpoint.weights[1], checkpoint.weights[2]);
  const SequenceScore test = evaluate(net, *task, c.test_limit);
  nlohmann::json m;
  m["test_samples"] = c.test_limit;
  m["test_loss"] = test.mean_loss();
  if (task->loss() == Loss::cross_entropy) m["test_accuracy"] = test.accuracy();
  else m["test_nmse"] = test.nmse(sizes.outputs);
  return m;
}

nlohmann::json train_sequence_model(const SequenceRunConfig& c, const std::string& out_dir,
                                    const std::optional<SequenceCheckpoint>& resume_from, bool progress) {
  const auto task = make_sequence_task(c.task);
  const RecurrentSNNSizes sizes{task->inputs(), c.network.recurrent, c.network.adaptive, task->outputs()};
  RecurrentSNN net(sizes, c.network.neuron, c.substrate);
  const std::vector<std::pair<int, int>> shapes = {
      {sizes.recurrent, sizes.inputs}, {sizes.recurrent, sizes.recurrent}, {sizes.outputs, sizes.recurrent}};
  Optimizer optimizer(c.train.optimizer, shapes);
  // Random e-prop: a fixed B with W_out^T's initial distribution, drawn from the seed (so resume needs no
  // copy); adaptive e-prop starts from the same B and updates it (learn/adaptive_feedback.hpp).
  const bool adaptive_feedback = c.train.feedback == "adaptive";
  const bool feedback_matrix = c.train.feedback == "random" || adaptive_feedback;
  Matrix feedback = feedback_matrix ? gaussian(sizes.recurrent, sizes.outputs,
                                               c.network.readout_scale / std::sqrt(sizes.recurrent), Rng(c.seed, "feedback"))
                                    : Matrix();
  const bool classification = task->loss() == Loss::cross_entropy;

  SequenceCheckpoint ck;
  ck.config_toml = to_toml(c);
  if (resume_from) {
    for (size_t p = 0; p < shapes.size(); ++p)
      if (resume_from->weights[p].rows() != shapes[p].first || resume_from->weights[p].cols() != shapes[p].second)
        throw RuntimeError("checkpoint weight matrix " + std::to_string(p) + " does not match the network's shape");
    net.set_weights(resume_from->weights[0], resume_from->weights[1], resume_from->weights[2]);
    if (adaptive_feedback) {
      if (resume_from->weights.size() != 4 || resume_from->weights[3].rows() != feedback.rows() ||
          resume_from->weights[3].cols() != feedback.cols())
        throw RuntimeError("checkpoint holds no adaptive feedback matrix B of the network's shape");
      feedback = resume_from->weights[3];
    }
    optimizer.restore(resume_from->optimizer);
    ck.epochs_done = resume_from->epochs_done;
    ck.wall_seconds = resume_from->wall_seconds;
    ck.history = resume_from->history;
  } else {
    initialize(net, c);
  }

  ProgressBar bar(progress);
  const int64_t n = c.train_limit;
  const int B = c.train.batch_size;
  std::vector<SequenceGradients> gradients;
  std::vector<SequenceScore> scores;
  Matrix gradient, change;
  // Operations of the last epoch (training) and of the test evaluation after it (inference): the same
  // whether or not the run was resumed, and the activity of the most trained network.
  OpCounters training_ops, inference_ops;
  int64_t training_samples = 0, inference_samples = 0;
  inference_ops.set_phase(Phase::forward);
  for (int epoch = ck.epochs_done; epoch < c.train.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    training_ops.reset();
    inference_ops.reset();
    net.set_counters(&training_ops);
    optimizer.set_learning_rate(c.train.optimizer.learning_rate *
                                lr_scale_at(c.train.lr_schedule, c.train.lr_final_factor, epoch, c.train.epochs));
    SequenceScore train;
    bar.begin("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(c.train.epochs), static_cast<long>(n));
    for (int64_t start = 0; start < n; start += B) {
      const int64_t count = std::min<int64_t>(B, n - start);
      gradients.assign(static_cast<size_t>(count), SequenceGradients{});
      scores.assign(static_cast<size_t>(count), SequenceScore{});
#pragma omp parallel for schedule(dynamic)
      for (int64_t k = 0; k < count; ++k) {
        const auto sequence = task->sequence(Split::train, static_cast<int64_t>(epoch) * n + start + k);
        SequenceScorer scorer(*sequence, task->loss(), sizes.outputs);
        const StepObserver observe = [&scorer](Eigen::Index t, const RecurrentSNNState& s) { scorer(t, s); };
        gradients[static_cast<size_t>(k)] =
            c.algorithm == "bptt" ? bptt_gradients(net, *sequence, task->loss(), c.train.regularization, observe)
                                  : eprop_gradients(net, *sequence, task->loss(), c.train.regularization, observe,
                                                    feedback_matrix ? &feedback : nullptr);
        scores[static_cast<size_t>(k)] = scorer.finish();
      }
      for (const auto& s : scores) train.add(s);
      optimizer.begin_update();
      const auto mean_of = [&](Matrix SequenceGradients::*member) {
        gradient = gradients[0].*member;
        for (size_t k = 1; k < gradients.size(); ++k) gradient += gradients[k].*member;
        gradient /= static_cast<Scalar>(count);
      };
      mean_of(&SequenceGradients::input);
      training_ops.set_phase(Phase::update);
      optimizer.delta(0, gradient, change);
      net.input_weights().update(change);
      mean_of(&SequenceGradients::recurrent);
      optimizer.delta(1, gradient, change);
      change.diagonal().setZero();  // no autapses
      net.recurrent_weights().update(change);
      mean_of(&SequenceGradients::readout);
      optimizer.delta(2, gradient, change);
      if (adaptive_feedback) {
        kolen_pollack_update(net.readout_weights().weights(), change, c.train.feedback_decay, feedback, gradient);
        change.swap(gradient);
      }
      net.readout_weights().update(change);
      for (Substrate* w : {&net.input_weights(), &net.recurrent_weights(), &net.readout_weights()})
        w->advance(c.substrate.seconds_per_update);  // drift between writes
      bar.update(static_cast<long>(start + count), train.mean_loss());
    }
    const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    bar.end();
    for (const Substrate* w : {&net.input_weights(), &net.recurrent_weights(), &net.readout_weights()})
      if (!w->weights().allFinite())
        throw RuntimeError("training diverged in epoch " + std::to_string(epoch + 1) +
                           ": weights are not finite (lower train.learning_rate)");
    training_samples = n;
    net.set_counters(&inference_ops);
    const SequenceScore test = evaluate(net, *task, c.test_limit);
    inference_samples = c.test_limit;
    nlohmann::json rec;
    rec["epoch"] = epoch + 1;
    rec["train_loss"] = train.mean_loss();
    rec["test_loss"] = test.mean_loss();
    if (classification) {
      rec["train_accuracy"] = train.accuracy();
      rec["test_accuracy"] = test.accuracy();
    } else {
      rec["test_nmse"] = test.nmse(sizes.outputs);
    }
    rec["mean_rate_hz"] = test.rate_hz(c.network.neuron.dt_ms);
    rec["epoch_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rec["train_samples_per_second"] = static_cast<double>(n) / train_seconds;
    ck.history.push_back(rec);
    ck.epochs_done = epoch + 1;
    ck.wall_seconds += rec["epoch_seconds"].get<double>();
    ck.weights = {net.input_weights().weights(), net.recurrent_weights().weights(), net.readout_weights().weights()};
    if (adaptive_feedback) ck.weights.push_back(feedback);
    ck.optimizer = optimizer.state();
    // Checkpoint first, then the CSV row: a row on disk always has its checkpoint.
    write_sequence_checkpoint(out_dir + "/checkpoint.bin", ck);
    write_file_atomic(out_dir + "/metrics.csv", csv_of(ck.history, classification));
    if (classification)
      std::fprintf(stderr, "epoch %d/%d  loss %.4f / %.4f  accuracy train %.2f%% test %.2f%%  %.1f Hz  %.1f s\n",
                   epoch + 1, c.train.epochs, train.mean_loss(), test.mean_loss(), 100 * train.accuracy(),
                   100 * test.accuracy(), rec["mean_rate_hz"].get<double>(), rec["epoch_seconds"].get<double>());
    else
      std::fprintf(stderr, "epoch %d/%d  loss %.4f / %.4f  test nmse %.4f  %.1f Hz  %.1f s\n", epoch + 1,
                   c.train.epochs, train.mean_loss(), test.mean_loss(), rec["test_nmse"].get<double>(),
                   rec["mean_rate_hz"].get<double>(), rec["epoch_seconds"].get<double>());
    std::fflush(stderr);
  }

  write_conductances(out_dir + "/conductances_w_in.npy", net.input_weights());
  write_conductances(out_dir + "/conductances_w_rec.npy", net.recurrent_weights());
  write_conductances(out_dir + "/conductances_w_out.npy", net.readout_weights());
  const nlohmann::json& last = ck.history.back();
  double train_seconds_total = 0;
  for (const auto& r : ck.history) train_seconds_total += static_cast<double>(n) / r["train_samples_per_second"].get<double>();
  nlohmann::json m;
  m["name"] = c.name;
  m["algorithm"] = c.algorithm;
  m["rule"] = c.algorithm;
  m["substrate"] = c.substrate.kind;
  m["dataset"] = c.task.name;
  m["steps"] = c.task.steps;
  m["network"] = {sizes.inputs, sizes.recurrent, sizes.outputs};
  m["adaptive"] = sizes.adaptive;
  m["epochs"] = c.train.epochs;
  m["train_samples"] = n;
  m["test_samples"] = c.test_limit;
  m["train_loss"] = last["train_loss"];
  m["test_loss"] = last["test_loss"];
  if (classification) {
    m["train_accuracy"] = last["train_accuracy"];
    m["test_accuracy"] = last["test_accuracy"];
    double best = 0;
    for (const auto& r : ck.history) best = std::max(best, r["test_accuracy"].get<double>());
    m["best_test_accuracy"] = best;
  } else {
    m["test_nmse"] = last["test_nmse"];
  }
  m["mean_rate_hz"] = last["mean_rate_hz"];
  m["wall_seconds"] = ck.wall_seconds;
  m["train_samples_per_second"] = static_cast<double>(n) * static_cast<double>(ck.history.size()) / train_seconds_total;
  m["seed"] = c.seed;
  m["threads"] = omp_get_max_threads();
  m["op_counts"] = {{"training", op_count_report(training_ops, training_samples)},
                    {"inference", op_count_report(inference_ops, inference_samples)}};
  return m;
}

}  // namespace plasticore
