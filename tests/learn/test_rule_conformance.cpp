// Every learning rule against its reference, in one table (docs/architecture.md, "Tests": one harness
// checks every fast implementation against a plain reference). Each row runs a registered rule through the learner seam
// (Learner::gradient_estimate on a dataset, exactly what the trainer hands the optimizer) and compares
// it with an independent reference:
//   ep            rate EP, +-beta          BPTT through the double-precision relaxation (tests/support/ep_reference.hpp)
//   eqspike       end_of_phase, spikes     the rate EP estimate of the same network (mean over spike phases)
//   eqspike       two_factor, trace 0.3    the rate EP estimate (mean over spike phases)
//   eqspike       two_factor, spike trace  the rate EP estimate's direction (a slow trace of spikes lags)
//   ep            rate, flip               symmetric nudging (the same two nudged fixed points)
//   eqspike       fresh free phase         the stored free state (bit-identical, both phases paired)
//   eprop         symmetric, W_rec = 0     BPTT (exact without recurrence: Bellec et al. 2020)
//   ep            rate, two_factor         rate end_of_phase (the sums telescope to second order)
//   eprop         random B = W_out^T       symmetric e-prop (to float rounding)
//   eprop         adaptive B               the Kolen-Pollack update of W_out and B
//   bptt          smooth spikes            central finite differences of the double-precision loss
//                                          (tests/support/rsnn_reference.hpp)
// The detailed studies behind each row (beta scaling, ALIF, refractory periods, cosines with recurrence)
// are in test_ep_gradient.cpp, test_eqspike_convergence.cpp and test_eprop_bptt.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "data/image_dataset.hpp"
#include "learn/ep_learner.hpp"
#include "learn/recurrent_learner.hpp"
#include "learn/registry.hpp"
#include "substrate/ideal.hpp"
#include "../support/ep_reference.hpp"
#include "data/array_dataset.hpp"
#include "../support/rsnn_reference.hpp"

namespace plasticore {
namespace {

double relative(const std::vector<Matrix>& a, const std::vector<Matrix>& ref) {
  double num = 0, den = 0;
  for (size_t p = 0; p < ref.size(); ++p) {
    num += (a[p] - ref[p]).cast<double>().squaredNorm();
    den += ref[p].cast<double>().squaredNorm();
  }
  return std::sqrt(num / den);
}

Batch everything(const Dataset& d) {
  Batch b{&d, Split::train, 0, 0, {}};
  for (int64_t i = 0; i < d.size(Split::train); ++i) b.samples.push_back(i);
  return b;
}

// ---- layered EP: a 12-10-4 network on 4 random images (the fixture of test_ep_gradient.cpp, smaller)
struct EPProblem {
  std::unique_ptr<ImageDataset> data;
  Problem reference;
  std::vector<Matrix> weights;
  std::vector<Vector> biases;
};

EPProblem ep_problem() {
  EPProblem e;
  LayeredEPNetwork net({12, 10, 4}, ideal_substrates());
  net.initialize(3, {0.15, 0.12});
  Rng rng(3, "rule_conformance");
  ClassificationSet set;
  set.labels = {0, 1, 2, 3};
  set.n_classes = 4;
  set.height = 3;
  set.width = 4;
  std::vector<uint8_t> pixels(12 * 4);
  for (uint8_t& p : pixels) p = static_cast<uint8_t>(rng.below(256));
  set.own(std::move(pixels));
  for (int l = 0; l < 2; ++l) {
    net.bias(l).setConstant(0.5f);
    e.weights.push_back(net.weight(l).weights());
    e.biases.push_back(net.bias(l));
    e.reference.W.push_back(e.weights.back().cast<double>());
    e.reference.b.push_back(e.biases.back().cast<double>());
  }
  e.reference.x = MatrixD(12, 4);
  for (int b = 0; b < 4; ++b)
    for (int i = 0; i < 12; ++i) e.reference.x(i, b) = set.pixel(i, b);
  e.reference.y = MatrixD::Zero(4, 4);
  for (int b = 0; b < 4; ++b) e.reference.y(set.labels[static_cast<size_t>(b)], b) = 1;
  e.data = std::make_unique<ImageDataset>(set, set, 1);
  return e;
}

// The learner's gradient estimate (w1, b1, w2, b2) for the problem.
// Options beyond the defaults: the trace follows the post spikes; the nudging scheme; where the -beta phase starts.
struct EstimateOptions {
  bool trace_of_spikes = false;
  BetaSign beta_sign = BetaSign::symmetric;
  NudgedStart nudged_start = NudgedStart::saved_free_state;
  int64_t batch_index = 0;  // flip and alternating change their order with it
  bool input_changes = false;  // ep.input_events = "changes"
};

std::vector<Matrix> ep_estimate(const EPProblem& e, SpikeCoding coding, const std::string& rule, Scalar leak,
                                Scalar trace_rate, int steps, Scalar beta, uint64_t seed, EstimateOptions options = {}) {
  auto net = std::make_unique<LayeredEPNetwork>(std::vector<int>{12, 10, 4}, ideal_substrates());
  for (int l = 0; l < 2; ++l) {
    net->weight(l).set_weights(e.weights[static_cast<size_t>(l)]);
    net->bias(l) = e.biases[static_cast<size_t>(l)];
  }
  EPLearningParams learn;
  learn.free_steps = learn.nudged_steps = steps;
  learn.beta = beta;
  learn.beta_sign = options.beta_sign;
  learn.nudged_start = options.nudged_start;
  learn.rule = rule == "two_factor" ? two_factor_rule(0) : end_of_phase_rule();
  EPLearner learner(std::move(net), RelaxationParams{coding, leak, trace_rate, options.trace_of_spikes, options.input_changes},
                    learn, seed);
  Batch batch = everything(*e.data);
  batch.index = options.batch_index;
  return learner.gradient_estimate(batch);
}

std::vector<Matrix> mean_over_seeds(const EPProblem& e, const std::string& rule, Scalar trace_rate,
                                    EstimateOptions options = {}, int seeds = 16) {
  std::vector<Matrix> mean;
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(seeds); ++seed) {
    const auto g = ep_estimate(e, SpikeCoding::sigma_delta, rule, 0.125f, trace_rate, 64, 0.5f, seed, options);
    if (mean.empty())
      for (const Matrix& m : g) mean.push_back(Matrix::Zero(m.rows(), m.cols()));
    for (size_t p = 0; p < g.size(); ++p) mean[p] += g[p] / static_cast<Scalar>(seeds);
  }
  return mean;
}

// 1 - cosine between a and ref, the worst weight matrix (entries 0 and 2): what no per-layer learning rate
// can absorb. A trace that lags the state's change by a constant factor per layer has none.
double direction_error(const std::vector<Matrix>& a, const std::vector<Matrix>& ref) {
  double worst = 0;
  for (size_t p = 0; p < ref.size(); p += 2) {
    const double dot = (a[p].cast<double>().array() * ref[p].cast<double>().array()).sum();
    worst = std::max(worst, 1 - dot / (a[p].cast<double>().norm() * ref[p].cast<double>().norm()));
  }
  return worst;
}

void ep_matches_bptt() {
  const EPProblem e = ep_problem();
  const Gradient g = bptt(e.reference, 300);
  std::vector<Matrix> reference;
  for (int l = 0; l < 2; ++l) {
    reference.push_back(g.dW[static_cast<size_t>(l)].cast<float>());
    reference.push_back(g.db[static_cast<size_t>(l)].cast<float>());
  }
  const double error = relative(ep_estimate(e, SpikeCoding::rate, "end_of_phase", 1, 1, 300, 0.0125f, 1), reference);
  std::printf("  ep: |EP - dC/dW| / |dC/dW| = %.2e\n", error);
  EXPECT_LT(error, 2e-3);
}

// In rate mode the two-factor sums telescope: sum_t [s_pre ds_post + ds_pre s_post] = d(s_pre s_post) up to
// the second-order sum_t ds_pre ds_post, small when the states move slowly (leak 0.125).
void rate_two_factor_matches_end_of_phase() {
  const EPProblem e = ep_problem();
  const auto eop = ep_estimate(e, SpikeCoding::rate, "end_of_phase", 0.125f, 1, 64, 0.5f, 1);
  const auto two = ep_estimate(e, SpikeCoding::rate, "two_factor", 0.125f, 1, 64, 0.5f, 1);
  const double error = relative(two, eop);
  std::printf("  ep two_factor (rate, leak 0.125): |two-factor - end-of-phase| / |end-of-phase| = %.3f\n", error);
  EXPECT_LT(error, 0.01);  // measured 0.001
  EXPECT_GT(error, 0) << "a different computation, not the same code path";
}

void spiking_matches_rate(const std::string& rule, Scalar trace_rate, double tolerance) {
  const EPProblem e = ep_problem();
  const auto rate = ep_estimate(e, SpikeCoding::rate, "end_of_phase", 0.125f, 1, 64, 0.5f, 1);
  const double error = relative(mean_over_seeds(e, rule, trace_rate), rate);
  std::printf("  eqspike %s (trace %.1f): |mean of 16 spike phases - rate EP| / |rate EP| = %.3f\n", rule.c_str(),
              trace_rate, error);
  EXPECT_LT(error, tolerance);
}

// A trace of the post spikes (no analog state leaves the neuron) lags the state, so its update is smaller by
// a factor per layer; what counts is its direction.
void spike_trace_points_like_rate() {
  const EPProblem e = ep_problem();
  const auto rate = ep_estimate(e, SpikeCoding::rate, "end_of_phase", 0.125f, 1, 64, 0.5f, 1);
  const auto spikes = mean_over_seeds(e, "two_factor", 0.05f, {true}, 256);
  const auto fast = mean_over_seeds(e, "two_factor", 0.5f, {true}, 256);
  const double error = direction_error(spikes, rate), fast_error = direction_error(fast, rate);
  std::printf("  eqspike two_factor, trace 0.05 of the post spikes: 1 - cos(mean of 256 spike phases, rate EP) = %.3f "
              "(trace 0.5: %.3f)\n", error, fast_error);
  EXPECT_LT(error, 0.08);  // measured 0.043
  EXPECT_GT(fast_error, 4 * error) << "a slow trace is what filters the spike noise";
}

// flip (sigma beta from the free state, then -sigma beta from there, both learned) sums 3 beta of the nudged
// states' derivative and a second-order term of sign sigma; sigma alternates between batches, so two
// consecutive batches give the symmetric update without the stored free state. In rate mode with converged
// phases: one batch is off by a third of the one-sided estimate's error, the pair by far less.
void flip_equals_symmetric() {
  const EPProblem e = ep_problem();
  const auto estimate = [&](BetaSign sign, int64_t batch) {
    return ep_estimate(e, SpikeCoding::rate, "end_of_phase", 1, 1, 300, 0.0125f, 1, {false, sign, NudgedStart::saved_free_state, batch});
  };
  const auto symmetric = estimate(BetaSign::symmetric, 0), positive = estimate(BetaSign::positive, 0);
  const auto flip_even = estimate(BetaSign::flip, 0), flip_odd = estimate(BetaSign::flip, 1);
  std::vector<Matrix> pair;
  for (size_t p = 0; p < symmetric.size(); ++p) pair.push_back((flip_even[p] + flip_odd[p]) / 2);
  const double one_sided = relative(positive, symmetric), single = relative(flip_even, symmetric),
               both = relative(pair, symmetric);
  std::printf("  ep flip vs symmetric: one batch %.2e, two consecutive %.2e (one-sided: %.2e)\n", single, both, one_sided);
  EXPECT_NEAR(single, one_sided / 3, one_sided / 10) << "flip's second-order term is a third of the one-sided one";
  EXPECT_LT(both, one_sided / 20);
}

// A second free phase from zero states and the same initial spike phases is the stored free state again, bit for
// bit, with sigma-delta and with Bernoulli spikes (each sample's random stream restarts with it): so the two
// nudged phases see the same input spikes from either start, and the rule pairs them in both (pair_phases).
void fresh_free_phase_equals_replay() {
  const EPProblem e = ep_problem();
  for (SpikeCoding coding : {SpikeCoding::sigma_delta, SpikeCoding::bernoulli}) {
    const auto stored = ep_estimate(e, coding, "two_factor", 0.125f, 0.3f, 64, 0.5f, 7);
    const auto fresh = ep_estimate(e, coding, "two_factor", 0.125f, 0.3f, 64, 0.5f, 7,
                                   {false, BetaSign::symmetric, NudgedStart::fresh_free_phase});
    const double error = relative(fresh, stored);
    std::printf("  eqspike fresh free phase (%s): |fresh - stored| / |stored| = %.1e\n",
                coding == SpikeCoding::bernoulli ? "Bernoulli" : "sigma-delta", error);
    EXPECT_GT(stored[0].norm(), 0);
    EXPECT_EQ(error, 0);
  }
}

// The input sent as changes is the same sums in another order: the same estimate up to rounding (a spike that
// a last-bit difference moves would show as a difference of ~1e-2), with symmetric nudging (paired phases) and
// with flip (the second phase continuing from the first's end, its input changes taken from there), in either
// order of flip's signs, and with the spike trace.
void input_changes_equal_input_spikes() {
  const EPProblem e = ep_problem();
  struct Case {
    const char* name;
    EstimateOptions options;
  };
  const Case cases[] = {{"symmetric", {}},
                        {"flip, +beta first", {false, BetaSign::flip, NudgedStart::saved_free_state, 0}},
                        {"flip, -beta first", {false, BetaSign::flip, NudgedStart::saved_free_state, 1}},
                        {"symmetric, spike trace", {true}}};
  for (const Case& c : cases) {
    const auto spikes = ep_estimate(e, SpikeCoding::sigma_delta, "two_factor", 0.125f, 0.3f, 64, 0.5f, 7, c.options);
    EstimateOptions changes = c.options;
    changes.input_changes = true;
    const auto sent = ep_estimate(e, SpikeCoding::sigma_delta, "two_factor", 0.125f, 0.3f, 64, 0.5f, 7, changes);
    const double error = relative(sent, spikes);
    std::printf("  eqspike input as changes (%s): |changes - spikes| / |spikes| = %.1e\n", c.name, error);
    EXPECT_GT(spikes[0].norm(), 0) << c.name;
    EXPECT_LT(error, 1e-5) << c.name;
  }
}

// ---- recurrent SNN: 4 inputs, 7 recurrent (3 ALIF), 3 outputs, 80 steps
RecurrentSNNParams rsnn_params(SpikeFunction spike) {
  RecurrentSNNParams p;
  p.lif.v_th = 0.5f;
  p.lif.spike_function = spike;
  p.lif.sigmoid_width = 0.5f;
  p.lif.tau_m_ms = spike == SpikeFunction::smooth_sigmoid ? 5.0 : 20.0;
  p.alif.tau_a_ms = spike == SpikeFunction::smooth_sigmoid ? 20.0 : 100.0;
  p.alif.adapt_beta = 0.15f;
  p.readout.tau_out_ms = 15.0;
  return p;
}

struct RecurrentProblem {
  std::unique_ptr<ArrayDataset> data;
  Matrix w_in, w_rec, w_out;
};

RecurrentProblem recurrent_problem(Loss loss, double recurrent_scale) {
  Rng rng(21, "rule_conformance_rsnn");
  const auto gaussian = [&](int rows, int cols, double scale) {
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<Scalar>(scale * rng.normal());
    return m;
  };
  RecurrentProblem r;
  r.w_in = gaussian(7, 4, 1.0);
  r.w_rec = gaussian(7, 7, recurrent_scale / std::sqrt(7.0));
  r.w_out = gaussian(3, 7, 1.0 / std::sqrt(7.0));
  Matrix x(80, 4), y = Matrix::Zero(80, 3);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform() < 0.2f ? 1 : 0;
  for (Eigen::Index t = 0; t < 80; ++t) {
    if (loss == Loss::cross_entropy && t >= 5) y(t, (t / 10) % 3) = 1;
    if (loss == Loss::mse)
      for (int k = 0; k < 3; ++k) y(t, k) = static_cast<Scalar>(std::sin(0.1 * t + k));
  }
  r.data = std::make_unique<ArrayDataset>(std::vector<Matrix>{x}, std::vector<Matrix>{y}, loss);
  return r;
}

std::unique_ptr<RecurrentLearner> recurrent_learner(const RecurrentProblem& r, const std::string& method,
                                                    const std::string& feedback, SpikeFunction spike) {
  RecurrentLearnerParams p;
  p.method = method;
  p.feedback = feedback;
  p.regularization.strength = 0;
  p.neuron = rsnn_params(spike);
  auto learner = std::make_unique<RecurrentLearner>(
      std::make_unique<RecurrentSNN>(RecurrentSNNSizes{4, 7, 3, 3}, p.neuron, ideal_substrates()), r.data->loss(), p, 1);
  learner->network().set_weights(r.w_in, r.w_rec, r.w_out);
  return learner;
}

void eprop_equals_bptt_without_recurrence() {
  for (const Loss loss : {Loss::mse, Loss::cross_entropy}) {
    const RecurrentProblem r = recurrent_problem(loss, 0.0);
    const auto e = recurrent_learner(r, "eprop", "symmetric", SpikeFunction::heaviside)->gradient_estimate(everything(*r.data));
    const auto b = recurrent_learner(r, "bptt", "symmetric", SpikeFunction::heaviside)->gradient_estimate(everything(*r.data));
    const double error = relative(e, b);
    std::printf("  eprop (W_rec = 0, %s): |e-prop - BPTT| / |BPTT| = %.2e\n", loss == Loss::mse ? "mse" : "ce", error);
    EXPECT_GT(b[0].norm(), 0) << "the neurons spiked";
    EXPECT_LT(error, 1e-4);
  }
}

void random_feedback_equal_to_the_readout_is_symmetric() {
  const RecurrentProblem r = recurrent_problem(Loss::mse, 0.5);
  auto random = recurrent_learner(r, "eprop", "random", SpikeFunction::heaviside);
  NamedTensors b;
  random->save(b);
  b.put_matrix("feedback", r.w_out.transpose());
  random->restore(b);
  const auto with_b = random->gradient_estimate(everything(*r.data));
  const auto symmetric = recurrent_learner(r, "eprop", "symmetric", SpikeFunction::heaviside)->gradient_estimate(everything(*r.data));
  // B err is a plain product, W_out^T err a substrate read: the same sums in another order.
  EXPECT_LT(relative(with_b, symmetric), 1e-6);
  EXPECT_GT(symmetric[0].norm(), 0);
}

// Adaptive feedback (learn/adaptive_feedback.hpp): with SGD, one update moves W_out by -eta g - lambda W_out
// and B by (1 - lambda) B - eta g^T, g being e-prop's readout gradient of the batch.
void adaptive_feedback_follows_kolen_pollack() {
  const RecurrentProblem r = recurrent_problem(Loss::mse, 0.5);
  RecurrentLearnerParams p;
  p.feedback = "adaptive";
  p.feedback_decay = 0.1;
  p.regularization.strength = 0;
  p.neuron = rsnn_params(SpikeFunction::heaviside);
  p.optimizer = {"sgd"};
  p.learning_rates = {0.01, 0.01, 0.01};
  RecurrentLearner learner(std::make_unique<RecurrentSNN>(RecurrentSNNSizes{4, 7, 3, 3}, p.neuron, ideal_substrates()),
                           Loss::mse, p, 1);
  learner.initialize();
  learner.network().set_weights(r.w_in, r.w_rec, r.w_out);
  NamedTensors before;
  learner.save(before);
  const Matrix b0 = before.matrix("feedback", 7, 3), w0 = r.w_out;
  const Matrix g = learner.gradient_estimate(everything(*r.data))[2];
  Score ignored;
  learner.accumulate(everything(*r.data), ignored);
  learner.apply_update(1);
  NamedTensors after;
  learner.save(after);
  const Matrix change = -0.01f * g;
  EXPECT_LT((after.matrix("w_out", 3, 7) - (w0 + (change - 0.1f * w0))).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_LT((after.matrix("feedback", 7, 3) - (0.9f * b0 + change.transpose())).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_GT(g.norm(), 0);
}

void bptt_matches_finite_differences() {
  const RecurrentProblem r = recurrent_problem(Loss::mse, 0.7);
  const auto g = recurrent_learner(r, "bptt", "symmetric", SpikeFunction::smooth_sigmoid)->gradient_estimate(everything(*r.data));
  const RecurrentSNNParams p = rsnn_params(SpikeFunction::smooth_sigmoid);
  const RecurrentSNNSizes n{4, 7, 3, 3};
  auto seq = r.data->sequence(Split::train, 0);
  Matrix x(80, 4), y(80, 3), col(4, 1);
  Vector target(3);
  for (Eigen::Index t = 0; t < 80; ++t) {
    seq->input(t, col);
    seq->target(t, target);
    x.row(t) = col.col(0).transpose();
    y.row(t) = target.transpose();
  }
  std::vector<MatrixD> w = {r.w_in.cast<double>(), r.w_rec.cast<double>(), r.w_out.cast<double>()};
  const auto loss_at = [&](const std::vector<MatrixD>& m) {
    return reference_run(n, p, m[0], m[1], m[2], x.cast<double>(), y.cast<double>(), Loss::mse).loss;
  };
  const double h = 1e-5;
  double worst = 0;
  for (size_t m = 0; m < 3; ++m)
    for (Eigen::Index i = 0; i < w[m].size(); i += 5) {
      if (m == 1 && i % 8 == 0) continue;  // the diagonal of W_rec is not a weight
      std::vector<MatrixD> up = w, down = w;
      up[m](i) += h;
      down[m](i) -= h;
      const double fd = (loss_at(up) - loss_at(down)) / (2 * h);
      worst = std::max(worst, std::abs(g[m](i) - fd) / g[m].cwiseAbs().maxCoeff());
    }
  std::printf("  bptt: max |BPTT - finite difference| / max |gradient| = %.2e\n", worst);
  EXPECT_LT(worst, 1e-3);
}

struct Row {
  std::string algorithm, variant;
  std::function<void()> check;
};

const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      {"ep", "rate, end_of_phase, +-beta vs BPTT through the relaxation", ep_matches_bptt},
      {"ep", "rate, two_factor vs end_of_phase", rate_two_factor_matches_end_of_phase},
      {"eqspike", "end_of_phase on spikes vs rate EP", [] { spiking_matches_rate("end_of_phase", 1, 0.03); }},
      {"eqspike", "two_factor, trace 0.3 vs rate EP", [] { spiking_matches_rate("two_factor", 0.3f, 0.15); }},
      {"eqspike", "two_factor, trace of the post spikes vs rate EP (direction)", spike_trace_points_like_rate},
      {"ep", "rate, end_of_phase, flip vs symmetric", flip_equals_symmetric},
      {"eqspike", "two_factor, fresh free phase vs the stored free state", fresh_free_phase_equals_replay},
      {"eqspike", "two_factor, input as changes vs input as spikes", input_changes_equal_input_spikes},
      {"eprop", "symmetric, W_rec = 0 vs BPTT", eprop_equals_bptt_without_recurrence},
      {"eprop", "random B = W_out^T vs symmetric", random_feedback_equal_to_the_readout_is_symmetric},
      {"eprop", "adaptive B vs the Kolen-Pollack update", adaptive_feedback_follows_kolen_pollack},
      {"bptt", "vs finite differences", bptt_matches_finite_differences},
  };
  return rows;
}

TEST(RuleConformance, EveryRegisteredRuleHasARow) {
  std::set<std::string> covered;
  std::string variants;
  for (const Row& r : table()) {
    covered.insert(r.algorithm);
    variants += r.variant + "; ";
  }
  for (const std::string& name : learner_registry().names()) EXPECT_TRUE(covered.count(name)) << name << " has no row";
  for (const std::string& rule : ep_rule_registry().names())
    EXPECT_NE(variants.find(rule), std::string::npos) << "EP rule " << rule << " has no row";
  for (const char* feedback : {"random", "adaptive"}) EXPECT_NE(variants.find(feedback), std::string::npos) << feedback;
}

TEST(RuleConformance, EveryRuleMatchesItsReference) {
  for (const Row& r : table()) {
    SCOPED_TRACE(r.algorithm + ": " + r.variant);
    r.check();
  }
}

}  // namespace
}  // namespace plasticore
