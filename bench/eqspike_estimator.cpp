// How well does each EqSpike rule variant estimate the rate-based EP update? On a small 30-20-6 network
// with 8 fixed inputs, compares the spiking (sigma-delta) update against the rate-mode end-of-phase EP
// update of the same network and time constant:
//   per-sample error  = mean over 64 spike-phase seeds of ||dW_spiking - dW_rate|| / ||dW_rate||
//   error of the mean = || mean over the 64 seeds - dW_rate || / ||dW_rate||   (what survives averaging)
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
};

std::vector<Matrix> ep_update(SpikeCoding coding, const Variant& v, Scalar leak, uint64_t seed) {
  auto net = std::make_unique<LayeredEPNetwork>(std::vector<int>{30, 20, 6}, ideal_substrates());
  net->initialize(3, {1.0, 0.5});
  for (int l = 0; l < net->weight_layers(); ++l) net->bias(l).setConstant(0.1f);
  Rng rng(11, "test_input");
  Matrix x(30, 8);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform();
  const std::vector<int32_t> labels = {0, 1, 2, 3, 4, 5, 0, 1};
  RelaxationParams relax{coding, leak, v.trace_rate};
  EPLearningParams learn;
  const int steps_per_tau = static_cast<int>(std::lround(1.0 / leak));
  learn.free_steps = 8 * steps_per_tau;
  learn.nudged_steps = 4 * steps_per_tau;
  learn.beta = 0.5f;
  learn.beta_sign = BetaSign::symmetric;
  learn.rule = std::string(v.rule) == "two_factor" ? two_factor_rule(v.self_correction) : end_of_phase_rule();
  learn.learning_rates = {0.1, 0.05};
  EPLearner learner(std::move(net), relax, learn, seed);
  const ArrayDataset data = ArrayDataset::images(x, labels, 6);
  Batch batch{&data, Split::train, 0, 0, {0, 1, 2, 3, 4, 5, 6, 7}};
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

}  // namespace

int main(int argc, char** argv) {
  const std::vector<Variant> variants = {
      {"end_of_phase (states)", "end_of_phase", 1.0f, 0.0},
      {"two_factor, literal", "two_factor", 1.0f, 0.0},
      {"two_factor, self-correction", "two_factor", 1.0f, 1.0},
      {"two_factor, trace 0.5", "two_factor", 0.5f, 0.0},
      {"two_factor, trace 0.3", "two_factor", 0.3f, 0.0},
      {"two_factor, trace 0.3 + correction", "two_factor", 0.3f, 1.0},
  };
  constexpr int kSeeds = 64;
  nlohmann::json out = nlohmann::json::array();
  std::printf("%-36s %6s %18s %18s\n", "variant", "leak", "per-sample error", "error of the mean");
  for (const Scalar leak : {0.5f, 0.3333f, 0.125f}) {
    const auto reference = ep_update(SpikeCoding::rate, variants[0], leak, 1);
    for (const auto& v : variants) {
      std::vector<Matrix> mean = reference;
      for (auto& m : mean) m.setZero();
      double per_sample = 0;
      for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
        const auto u = ep_update(SpikeCoding::sigma_delta, v, leak, seed);
        per_sample += relative(u, reference) / kSeeds;
        for (size_t l = 0; l < u.size(); ++l) mean[l] += u[l] / kSeeds;
      }
      const double of_mean = relative(mean, reference);
      std::printf("%-36s %6.3f %18.3f %18.3f\n", v.name, leak, per_sample, of_mean);
      out.push_back({{"variant", v.name}, {"leak", leak}, {"per_sample_error", per_sample}, {"error_of_mean", of_mean}});
    }
  }
  if (argc > 1) std::ofstream(argv[1]) << out.dump(2) << "\n";
  return 0;
}
