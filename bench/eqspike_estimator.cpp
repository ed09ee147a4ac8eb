// How well does each EqSpike rule variant estimate the rate-based EP update? On a small 30-20-6 network
// with 8 fixed inputs, compares the spiking (sigma-delta) update against the rate-mode end-of-phase EP
// update of the same network and time constant:
//   per-sample error  = mean over 64 spike-phase seeds of ||dW_spiking - dW_rate|| / ||dW_rate||
//   error of the mean = || mean over the 64 seeds - dW_rate || / ||dW_rate||   (what survives averaging)
//   1 - cos (mean)    = the worst weight matrix's 1 - cosine between the mean and dW_rate: the direction error
//                       no per-layer learning rate absorbs (a trace lagging the state by a constant has none)
// One-sided (positive) variants are compared with rate EP's one-sided update, the others with the symmetric one.
// Usage: eqspike_estimator [OUT.json]. Figures quoted in docs/eqspike.md.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/array_dataset.hpp"
#include "learn/ep_learner.hpp"
#include "substrate/ideal.hpp"

using namespace plasticore;

namespace {

struct Variant {
  const char* name;
  const char* rule;
  Scalar trace_rate;
  double self_correction;
  bool spike_trace = false;  // the post trace follows the post spikes (ep.post_trace = "spikes")
  BetaSign beta_sign = BetaSign::symmetric;  // positive: compared with rate EP's one-sided update
};

std::vector<Matrix> ep_update(SpikeCoding coding, const Variant& v, Scalar leak, uint64_t seed) {
  auto net = std::make_unique<LayeredEPNetwork>(std::vector<int>{30, 20, 6}, ideal_substrates());
  net->initialize(3, {1.0, 0.5});
  for (int l = 0; l < net->weight_layers(); ++l) net->bias(l).setConstant(0.1f);
  Rng rng(11, "test_input");
  Matrix x(30, 8);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform();
  const std::vector<int32_t> labels = {0, 1, 2, 3, 4, 5, 0, 1};
  RelaxationParams relax{coding, leak, v.trace_rate, v.spike_trace};
  EPLearningParams learn;
  const int steps_per_tau = static_cast<int>(std::lround(1.0 / leak));
  learn.free_steps = 8 * steps_per_tau;
  learn.nudged_steps = 4 * steps_per_tau;
  learn.beta = 0.5f;
  learn.beta_sign = v.beta_sign;
  learn.rule = std::string(v.rule) == "two_factor" ? two_factor_rule(v.self_correction) : end_of_phase_rule();
  learn.learning_rates = {0.1, 0.05};
  EPLearner learner(std::move(net), relax, learn, seed);
  const ArrayDataset data = ArrayDataset::images(x, labels, 6);
  // Odd seeds run as odd batches: flip's order alternates between batches, and so does what it does not cancel.
  Batch batch{&data, Split::train, 0, static_cast<int64_t>(seed % 2), {0, 1, 2, 3, 4, 5, 6, 7}};
  std::vector<Matrix> dw;
  const std::vector<Matrix> gradient = learner.gradient_estimate(batch);  // w1, b1, w2, b2
  for (size_t p = 0; p < gradient.size(); p += 2) dw.push_back(-gradient[p]);  // the EP update dW / (beta phases B)
  return dw;
}

double relative(const std::vector<Matrix>& a, const std::vector<Matrix>& ref) {
  double num = 0, den = 0;
  for (size_t l = 0; l < ref.size(); ++l) {
    num += (a[l] - ref[l]).cast<double>().squaredNorm();
    den += ref[l].cast<double>().squaredNorm();
  }
  return std::sqrt(num / den);
}

// 1 - cosine of the angle between a and ref, per weight matrix, the worst of them: what no learning rate
// per layer can absorb (a rule that lags the state's change by a constant factor has error 0 here).
double direction_error(const std::vector<Matrix>& a, const std::vector<Matrix>& ref) {
  double worst = 0;
  for (size_t l = 0; l < ref.size(); ++l) {
    const double dot = (a[l].cast<double>().array() * ref[l].cast<double>().array()).sum();
    worst = std::max(worst, 1 - dot / (a[l].cast<double>().norm() * ref[l].cast<double>().norm()));
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Variant> variants = {
      {"end_of_phase (states)", "end_of_phase", 1.0f, 0.0},
      {"two_factor, literal", "two_factor", 1.0f, 0.0},
      {"two_factor, self-correction", "two_factor", 1.0f, 1.0},
      {"two_factor, trace 0.5", "two_factor", 0.5f, 0.0},
      {"two_factor, trace 0.3", "two_factor", 0.3f, 0.0},
      {"two_factor, trace 0.3 + correction", "two_factor", 0.3f, 1.0},
      {"two_factor, spike trace 0.3", "two_factor", 0.3f, 0.0, true},
      {"two_factor, spike trace 0.1", "two_factor", 0.1f, 0.0, true},
      {"two_factor, spike trace 0.05", "two_factor", 0.05f, 0.0, true},
      {"flip: trace 0.3", "two_factor", 0.3f, 0.0, false, BetaSign::flip},
      {"flip: spike trace 0.05", "two_factor", 0.05f, 0.0, true, BetaSign::flip},
      {"one-sided: end_of_phase", "end_of_phase", 1.0f, 0.0, false, BetaSign::positive},
      {"one-sided: trace 0.3", "two_factor", 0.3f, 0.0, false, BetaSign::positive},
      {"one-sided: spike trace 0.05", "two_factor", 0.05f, 0.0, true, BetaSign::positive},
  };
  constexpr int kSeeds = 64;
  nlohmann::json out = nlohmann::json::array();
  std::printf("%-36s %6s %18s %18s %16s\n", "variant", "leak", "per-sample error", "error of the mean", "1 - cos (mean)");
  for (const Scalar leak : {0.5f, 0.3333f, 0.125f}) {
    const auto symmetric_reference = ep_update(SpikeCoding::rate, variants[0], leak, 1);
    Variant one_sided = variants[0];
    one_sided.beta_sign = BetaSign::positive;
    const auto one_sided_reference = ep_update(SpikeCoding::rate, one_sided, leak, 1);
    for (const auto& v : variants) {
      const auto& reference = v.beta_sign == BetaSign::positive ? one_sided_reference : symmetric_reference;
      std::vector<Matrix> mean = reference;
      for (auto& m : mean) m.setZero();
      double per_sample = 0;
      for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
        const auto u = ep_update(SpikeCoding::sigma_delta, v, leak, seed);
        per_sample += relative(u, reference) / kSeeds;
        for (size_t l = 0; l < u.size(); ++l) mean[l] += u[l] / kSeeds;
      }
      const double of_mean = relative(mean, reference), angle = direction_error(mean, reference);
      std::printf("%-36s %6.3f %18.3f %18.3f %16.4f\n", v.name, leak, per_sample, of_mean, angle);
      out.push_back({{"variant", v.name}, {"leak", leak}, {"per_sample_error", per_sample}, {"error_of_mean", of_mean},
                     {"one_minus_cosine_of_mean", angle}});
    }
  }
  if (argc > 1) std::ofstream(argv[1]) << out.dump(2) << "\n";
  return 0;
}
