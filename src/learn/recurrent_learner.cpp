#include "learn/recurrent_learner.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "core/error.hpp"
#include "core/parallel_errors.hpp"
#include "learn/batch_exchange.hpp"
#include "core/rng.hpp"
#include "core/team.hpp"
#include "learn/adaptive_feedback.hpp"
#include "learn/bptt.hpp"
#include "learn/eprop.hpp"
#include "learn/sequence_scorer.hpp"
#include "substrate/read_key.hpp"

namespace plasticore {

namespace {

Matrix gaussian(int rows, int cols, double scale, Rng rng) {
  Matrix m(rows, cols);
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = static_cast<Scalar>(scale * rng.normal());
  return m;
}

// A score's sums as numbers, and back (to share per-sequence scores between ranks).
std::vector<double> values_of(const std::vector<Score>& scores) {
  std::vector<double> v;
  for (const Score& s : scores)
    v.insert(v.end(), {s.loss, static_cast<double>(s.scored_steps), s.squared_error, s.target_sum, s.target_square_sum,
                       static_cast<double>(s.samples), static_cast<double>(s.correct), s.spikes, s.neuron_steps});
  return v;
}

std::vector<Score> scores_of(const std::vector<double>& v) {
  std::vector<Score> scores;
  for (size_t k = 0; k + 9 <= v.size(); k += 9)
    scores.push_back({v[k], static_cast<int64_t>(v[k + 1]), v[k + 2], v[k + 3], v[k + 4], static_cast<int64_t>(v[k + 5]),
                      static_cast<int64_t>(v[k + 6]), v[k + 7], v[k + 8]});
  return scores;
}

// Under data parallelism: every rank's per-sequence scores, and gradients if given, in sample order (each
// rank sends its sequences' gradients side by side, one matrix per parameter).
void share(const Communicator& comm, std::vector<Score>& scores, std::vector<SequenceGradients>* gradients,
           const RecurrentSNNSizes& n) {
  BatchExchange exchange(comm);
  exchange.add(values_of(scores));
  const Eigen::Index widths[3] = {n.inputs, n.recurrent, n.recurrent}, rows[3] = {n.recurrent, n.recurrent, n.outputs};
  if (gradients != nullptr)
    for (int p = 0; p < 3; ++p) {
      Matrix side_by_side(rows[p], widths[p] * static_cast<Eigen::Index>(gradients->size()));
      for (size_t k = 0; k < gradients->size(); ++k) {
        const SequenceGradients& g = (*gradients)[k];
        side_by_side.middleCols(static_cast<Eigen::Index>(k) * widths[p], widths[p]) = p == 0 ? g.input : p == 1 ? g.recurrent : g.readout;
      }
      exchange.add(side_by_side);
    }
  exchange.exchange();
  std::vector<double> values;
  exchange.take(values);
  scores = scores_of(values);
  if (gradients == nullptr) return;
  gradients->resize(scores.size());  // every matrix is assigned below
  Matrix all;
  for (int p = 0; p < 3; ++p) {
    exchange.take(all);
    for (size_t k = 0; k < gradients->size(); ++k) {
      SequenceGradients& g = (*gradients)[k];
      (p == 0 ? g.input : p == 1 ? g.recurrent : g.readout) = all.middleCols(static_cast<Eigen::Index>(k) * widths[p], widths[p]);
    }
  }
}

// Forward pass of one streamed sequence, scored.
Score evaluate_sequence(const RecurrentSNN& net, const SequenceStream& sequence, Loss loss) {
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

// f(k) for k < count on the team's threads, each thread taking the next sequence when it is done (sequences
// differ in length and activity); each sequence is computed alone, so any assignment gives the same numbers.
template <typename F>
void for_each_sequence(int64_t count, F&& f) {
  const int threads = team_of_several() ? static_cast<int>(std::min<int64_t>(omp_get_max_threads(), count)) : 1;
  std::atomic<int64_t> next{0};
  run_team(threads, [&](int, int) {
    for (int64_t k = next.fetch_add(1, std::memory_order_relaxed); k < count; k = next.fetch_add(1, std::memory_order_relaxed))
      f(k);
  });
}

}  // namespace

RecurrentLearner::RecurrentLearner(std::unique_ptr<RecurrentSNN> net, Loss loss, RecurrentLearnerParams params,
                                   uint64_t seed)
    : net_(std::move(net)), loss_(loss), params_(std::move(params)), seed_(seed) {
  const auto& n = net_->sizes();
  if (params_.feedback != "symmetric") feedback_ = Matrix::Zero(n.recurrent, n.outputs);
  const auto m = net_->matrices();
  for (size_t k = 0; k < m.size(); ++k)
    parameters_.push_back({RecurrentSNN::kMatrixNames[k], m[k], nullptr, m[k]->rows(), m[k]->cols(),
                           Matrix::Zero(m[k]->rows(), m[k]->cols()), {}});
  optimizer_ = std::make_unique<Optimizer>(params_.optimizer, optimizer_slots(parameters_, params_.learning_rates));
}

void initialize_recurrent_weights(RecurrentSNN& net, const RecurrentLearnerParams& p, uint64_t seed) {
  const auto& n = net.sizes();
  net.set_weights(gaussian(n.recurrent, n.inputs, p.input_scale / std::sqrt(n.inputs), Rng(seed, "init_w_in")),
                  gaussian(n.recurrent, n.recurrent, p.recurrent_scale / std::sqrt(n.recurrent), Rng(seed, "init_w_rec")),
                  gaussian(n.outputs, n.recurrent, p.readout_scale / std::sqrt(n.recurrent), Rng(seed, "init_w_out")));
}

void RecurrentLearner::initialize() {
  const auto& n = net_->sizes();
  initialize_recurrent_weights(*net_, params_, seed_);
  // Random e-prop: a fixed B with W_out^T's initial distribution, drawn from the seed; adaptive e-prop
  // starts from the same B and updates it (learn/adaptive_feedback.hpp).
  if (feedback_.size() > 0)
    feedback_ = gaussian(n.recurrent, n.outputs, params_.readout_scale / std::sqrt(n.recurrent), Rng(seed_, "feedback"));
}

void RecurrentLearner::set_counters(OpCounters* counters) {
  counters_ = counters;
  net_->set_counters(counters);
}

void RecurrentLearner::describe(nlohmann::json& m) const {
  const auto& n = net_->sizes();
  m["rule"] = params_.method;
  m["network"] = {n.inputs, n.recurrent, n.outputs};
  m["adaptive"] = n.adaptive;
}

void RecurrentLearner::accumulate(const Batch& whole, Score& score) {
  const Batch batch = local_part(whole);
  const auto count = static_cast<int64_t>(batch.samples.size());
  gradients_.resize(static_cast<size_t>(count));  // each slot's matrices are reused by the next batch
  scores_.assign(static_cast<size_t>(count), Score{});
  const bool bptt = params_.method == "bptt";
  const Matrix* feedback = feedback_.size() > 0 ? &feedback_ : nullptr;
  ParallelErrors errors;
  const auto one = [&](int64_t k) {
    errors.run([&] {
      const int64_t id = batch.samples[static_cast<size_t>(k)];
      const ReadKeyScope key({sample_read_key(static_cast<int>(batch.split), batch.epoch, id), 0});
      const auto sequence = batch.dataset->sequence(batch.split, id);
      SequenceScorer scorer(*sequence, loss_, net_->sizes().outputs);
      const StepObserver observe = [&scorer](Eigen::Index t, const RecurrentSNNState& s) { scorer(t, s); };
      SequenceGradients& gradients = gradients_[static_cast<size_t>(k)];
      if (bptt) bptt_gradients(*net_, *sequence, loss_, params_.regularization, observe, gradients);
      else eprop_gradients(*net_, *sequence, loss_, params_.regularization, observe, feedback, gradients);
      scores_[static_cast<size_t>(k)] = scorer.finish();
    });
  };
  // One sequence (batch 1) runs outside any parallel region, so that e-prop shares its synapses among the
  // threads (a region nested in even an inactive one would start new threads every time).
  if (count == 1) {
    one(0);
  } else {
    for_each_sequence(count, one);
  }
  errors.rethrow();
  if (parallel()) share(*comm_, scores_, &gradients_, net_->sizes());  // then summed as one process sums them
  for (const Score& s : scores_) score.add(s);
  for (const SequenceGradients& g : gradients_) {
    parameters_[0].gradient += g.input;
    parameters_[1].gradient += g.recurrent;
    parameters_[2].gradient += g.readout;
  }
}

void RecurrentLearner::evaluate(const Batch& whole, Score& score) {
  const Batch batch = local_part(whole);
  const auto count = static_cast<int64_t>(batch.samples.size());
  scores_.assign(static_cast<size_t>(count), Score{});
  for_each_sequence(count, [&](int64_t k) {
    const int64_t id = batch.samples[static_cast<size_t>(k)];
    const ReadKeyScope key({sample_read_key(static_cast<int>(batch.split), batch.epoch, id), 0});
    scores_[static_cast<size_t>(k)] = evaluate_sequence(*net_, *batch.dataset->sequence(batch.split, id), loss_);
  });
  if (parallel()) share(*comm_, scores_, nullptr, net_->sizes());
  for (const Score& s : scores_) score.add(s);
}

void RecurrentLearner::finish_gradients(int64_t samples) {
  for (Parameter& p : parameters_) p.gradient /= static_cast<Scalar>(samples);
}

void RecurrentLearner::adjust_change(size_t p, Matrix& change) {
  if (p == 1) change.diagonal().setZero();  // no autapses
  if (p == 2 && params_.feedback == "adaptive") {
    kolen_pollack_update(net_->readout_weights().weights(), change, params_.feedback_decay, feedback_, decayed_change_);
    change.swap(decayed_change_);
  }
}

void RecurrentLearner::save(NamedTensors& out) const {
  Learner::save(out);
  if (feedback_.size() > 0) out.put_matrix("feedback", feedback_);
}

void RecurrentLearner::restore(const NamedTensors& in) {
  Learner::restore(in);
  if (feedback_.size() > 0) feedback_ = saved_weights(in, "feedback", static_cast<int>(feedback_.rows()),
                                                      static_cast<int>(feedback_.cols()));
}

}  // namespace plasticore

#include "learn/registry.hpp"

namespace plasticore {

namespace {

LearnerRecipe read_recurrent(ConfigReader& r, const LearnerContext& context) {
  const bool eprop = context.algorithm == "eprop";
  const RecurrentDefaults& hints = context.dataset->recurrent;
  RecurrentLearnerParams p;
  p.method = context.algorithm;
  auto& neuron = p.neuron;
  p.recurrent = static_cast<int>(r.get_int("network.recurrent", 100, 1, 1 << 16, "recurrent neurons n_rec"));
  p.adaptive = static_cast<int>(r.get_int("network.adaptive", std::min(hints.adaptive, p.recurrent), 0, p.recurrent,
                                          "how many of them are ALIF (the first ones)"));
  neuron.lif.tau_m_ms = r.get_double("network.tau_m_ms", 20.0, 0.0, 1e6, "membrane time constant", true);
  neuron.alif.tau_a_ms = r.get_double("network.tau_a_ms", 2000.0, 0.0, 1e7, "ALIF adaptation time constant", true);
  neuron.readout.tau_out_ms = r.get_double("network.tau_out_ms", 20.0, 0.0, 1e6, "readout time constant", true);
  neuron.lif.v_th = static_cast<Scalar>(r.get_double("network.v_th", 0.6, 0.0, 1e6, "threshold", true));
  neuron.lif.gamma = static_cast<Scalar>(r.get_double("network.gamma", 0.3, 0.0, 100.0, "pseudo-derivative height times v_th"));
  neuron.alif.adapt_beta =
      static_cast<Scalar>(r.get_double("network.adapt_beta", 0.0174, 0.0, 100.0, "ALIF threshold increase per unit of adaptation"));
  neuron.lif.refractory_steps = static_cast<int>(r.get_int(
      "network.refractory_steps", 0, 0, 1000000, "after a spike a neuron cannot spike for this many steps (psi = 0)"));
  const std::vector<std::string> names(RecurrentSNN::kMatrixNames.begin(), RecurrentSNN::kMatrixNames.end());
  const std::vector<double> init_scale = r.get_per_name(
      "network.init_scale", {p.input_scale, p.recurrent_scale, p.readout_scale}, names, 0.0, 1000.0,
      "initial W ~ N(0, 1) scale / sqrt(n_pre) per matrix [w_in, w_rec, w_out]; keep w_rec <= 0.5 or BPTT's adjoints blow up");
  p.input_scale = init_scale[0];
  p.recurrent_scale = init_scale[1];
  p.readout_scale = init_scale[2];
  LearnerRecipe recipe;
  recipe.batch_size = static_cast<int>(
      r.get_int("train.batch_size", hints.batch_size, 1, 100000, "sequences per update; the gradient is their mean"));
  p.optimizer = read_optimizer_config(r, "adam");
  p.learning_rates = r.get_per_name("train.learning_rate", {hints.learning_rate}, names, 0.0, 1e6,
                                    "eta: a number, a list [w_in, w_rec, w_out] or a table");
  p.regularization.strength = r.get_double("train.rate_regularization", 1.0, 0.0, 1e9,
                                           "c_reg of E_reg = (c_reg / 2) T sum_j (f_j - f_target)^2 (f in spikes/ms); 0 = off");
  const double target_rate_hz = r.get_double("train.target_rate_hz", 10.0, 0.0, 1000.0, "f_target");
  p.regularization.target_rate_per_ms = target_rate_hz * 1e-3;
  if (!eprop && r.has("train.feedback") && r.get_string("train.feedback", "symmetric", "BPTT: only symmetric") != "symmetric")
    r.fail("train.feedback", "BPTT computes the exact gradient; feedback applies to e-prop only");
  if (eprop) {
    p.feedback = r.get_choice("train.feedback", "symmetric", {"symmetric", "random", "adaptive"},
                              "learning signal B: W_out^T, a fixed random B, or B adapted Kolen-Pollack style (docs/eprop.md)");
    if (p.feedback == "adaptive")
      p.feedback_decay = r.get_double("train.feedback_decay", 0.01, 0.0, 1.0,
                                      "adaptive feedback: weight decay lambda per update on W_out and B");
  }
  const uint64_t seed = context.seed;
  recipe.build = [p, seed](const Dataset& dataset, const SubstrateFactory& substrates) -> std::unique_ptr<Learner> {
    RecurrentLearnerParams q = p;
    q.neuron.dt_ms = dataset.step_ms();
    // BPTT keeps every step's inputs, spikes, pseudo-derivatives and errors of a sequence (per thread).
    const int64_t stored = dataset.steps() * (dataset.inputs() + 2 * int64_t{q.recurrent} + dataset.outputs());
    if (q.method == "bptt" && stored > (int64_t{1} << 28))
      throw UsageError("bptt: task.steps = " + std::to_string(dataset.steps()) + " with network.recurrent = " +
                       std::to_string(q.recurrent) + " would store " + std::to_string(stored * 4 >> 20) +
                       " MiB per sequence (at most 1024); use algorithm = \"eprop\" (constant memory) or fewer steps");
    auto net = std::make_unique<RecurrentSNN>(RecurrentSNNSizes{dataset.inputs(), q.recurrent, q.adaptive, dataset.outputs()},
                                              q.neuron, substrates);
    return std::make_unique<RecurrentLearner>(std::move(net), dataset.loss(), q, seed);
  };
  return recipe;
}

}  // namespace

LearnerEntry eprop_learner_entry() {
  return {"e-prop: online eligibility traces x learning signals (Bellec et al. 2020)", true, read_recurrent};
}

LearnerEntry bptt_learner_entry() {
  return {"backpropagation through time on the same recurrent network (the exact gradient)", true, read_recurrent};
}

}  // namespace plasticore
