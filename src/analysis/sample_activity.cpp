#include "analysis/sample_activity.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"
#include "learn/ep_learner.hpp"
#include "learn/phase_observer.hpp"
#include "learn/recurrent_learner.hpp"
#include "train/run.hpp"

namespace plasticore {

namespace {

constexpr int kTracedPerKind = 3;  // membrane traces of this many LIF and this many ALIF neurons

nlohmann::json row(const Eigen::Ref<const Vector>& v) { return std::vector<float>(v.data(), v.data() + v.size()); }

// Spikes and states of sample 0 of a relaxation, step by step.
class LayerActivity final : public PhaseObserver {
 public:
  explicit LayerActivity(const RelaxationState& start)
      : spikes_(start.state.size(), nlohmann::json::array()), states_(start.state.size(), nlohmann::json::array()) {
    for (size_t l = 1; l < start.state.size(); ++l) states_[l].push_back(row(start.state[l].col(0)));
  }
  void begin_phase(Phase, Scalar) override {}
  void after_step(int step, const RelaxationState& state) override {
    for (size_t l = 0; l < state.state.size(); ++l) {
      for (const int32_t i : state.events[l][0]) spikes_[l].push_back({step, i});
      if (l > 0) states_[l].push_back(row(state.state[l].col(0)));
    }
  }
  void end_phase() override {}
  nlohmann::json layer(size_t l) const {
    nlohmann::json j = {{"spikes", spikes_[l]}};
    if (l > 0) j["states"] = states_[l];
    return j;
  }

 private:
  std::vector<nlohmann::json> spikes_, states_;
};

nlohmann::json ep_activity(const EPLearner& learner, const Dataset& dataset, const std::string& algorithm) {
  const LayeredEPNetwork& net = learner.network();
  const std::vector<int>& sizes = net.sizes();
  const auto sample = dataset.sequence(Split::test, 0);
  Matrix image(dataset.inputs(), 1);
  Vector target(dataset.outputs());
  sample->input(0, image);
  sample->target(0, target);
  Eigen::Index label = 0;
  target.maxCoeff(&label);
  const RelaxationParams& relax_params = learner.relaxation();
  const Relaxation relax(net, relax_params);
  RelaxationState st;
  relax.start(st, image, learner.seed(), "eval_phase", 0, {0});  // as EPLearner::predict sees sample 0
  LayerActivity activity(st);
  PhaseObserver* observers[] = {&activity};
  relax.run(st, learner.learning().free_steps, nullptr, 0, 0, observers);

  nlohmann::json described;
  learner.describe(described);
  nlohmann::json j = {{"kind", "ep"},
                      {"algorithm", algorithm},
                      {"rule", learner.learning().rule.name},
                      {"spike_coding", described["spike_coding"]},
                      {"leak", relax_params.leak},
                      {"steps", learner.learning().free_steps},
                      {"label", label},
                      {"prediction", argmax_column(st.state.back(), 0)},
                      {"image", row(image.col(0))}};
  j["layers"] = nlohmann::json::array();
  for (size_t l = 0; l < sizes.size(); ++l) {
    nlohmann::json layer = activity.layer(l);
    layer["name"] = l == 0 ? "input" : l + 1 == sizes.size() ? "output" : "hidden " + std::to_string(l);
    layer["size"] = sizes[l];
    j["layers"].push_back(layer);
  }
  return j;
}

// The (up to) k neurons of [first, last) that spike most over the sequence, most active first.
std::vector<int> most_active(const Vector& counts, int first, int last, int k) {
  std::vector<int> index(static_cast<size_t>(last - first));
  std::iota(index.begin(), index.end(), first);
  std::stable_sort(index.begin(), index.end(), [&](int a, int b) { return counts(a) > counts(b); });
  index.resize(std::min(index.size(), static_cast<size_t>(k)));
  return index;
}

nlohmann::json sequence_activity(const RecurrentLearner& learner, const Dataset& dataset, const std::string& algorithm,
                                 const std::string& dataset_name) {
  const RecurrentSNN& net = learner.network();
  const RecurrentSNNSizes& sizes = net.sizes();
  const auto sequence = dataset.sequence(Split::test, 0);
  const Eigen::Index T = sequence->steps();
  RecurrentSNNState s;

  // First pass: which neurons to trace (the most active ones show the dynamics best).
  Vector counts = Vector::Zero(sizes.recurrent);
  net.start(s);
  for (Eigen::Index t = 0; t < T; ++t) {
    sequence->input(t, s.input);
    net.step(s);
    counts += s.spikes.col(0);
  }
  std::vector<int> traced = most_active(counts, 0, sizes.adaptive, kTracedPerKind);
  const std::vector<int> lif = most_active(counts, sizes.adaptive, sizes.recurrent, kTracedPerKind);
  traced.insert(traced.end(), lif.begin(), lif.end());

  const auto& neuron = net.params();
  nlohmann::json input_spikes = nlohmann::json::array(), recurrent_spikes = nlohmann::json::array(),
                 potential = nlohmann::json::array(), threshold = nlohmann::json::array(),
                 readout = nlohmann::json::array(), target = nlohmann::json::array();
  Vector y_target(sizes.outputs);
  net.start(s);
  for (Eigen::Index t = 0; t < T; ++t) {
    sequence->input(t, s.input);
    net.step(s);
    sequence->target(t, y_target);
    for (int i = 0; i < sizes.inputs; ++i)
      if (s.input(i, 0) != 0) input_spikes.push_back({t, i});
    for (int j = 0; j < sizes.recurrent; ++j)
      if (s.spikes(j, 0) != 0) recurrent_spikes.push_back({t, j});
    std::vector<float> v, a_th;
    for (const int j : traced) {
      v.push_back(s.membrane_potential(j));
      a_th.push_back(neuron.lif.v_th + (j < sizes.adaptive ? neuron.alif.adapt_beta * s.adaptation(j) : Scalar{0}));
    }
    potential.push_back(v);
    threshold.push_back(a_th);
    readout.push_back(row(s.readout));
    target.push_back(row(y_target));
  }
  return {{"kind", "sequence"},
          {"algorithm", algorithm},
          {"task", dataset_name},
          {"loss", dataset.loss() == Loss::mse ? "mse" : "cross_entropy"},
          {"dt_ms", dataset.step_ms()},
          {"steps", T},
          {"inputs", sizes.inputs},
          {"recurrent", sizes.recurrent},
          {"adaptive", sizes.adaptive},
          {"outputs", sizes.outputs},
          {"input_spikes", input_spikes},
          {"recurrent_spikes", recurrent_spikes},
          {"traced_neurons", traced},
          {"membrane_potential", potential},
          {"threshold", threshold},
          {"readout", readout},
          {"target", target}};
}

}  // namespace

nlohmann::json record_sample_activity(const std::string& checkpoint_path) {
  const RunRecord record = read_run_record(checkpoint_path);
  ConfigReader reader = ConfigReader::from_string(record.config_toml, checkpoint_path);
  reader.set_override("data.test_limit=1");  // one test sample is all it shows
  const RunSpec spec = read_run_spec(reader);
  BuiltRun run = build_run(spec, /*need_train=*/false);
  run.learner->restore(record.tensors);
  if (const auto* ep = dynamic_cast<const EPLearner*>(run.learner.get())) return ep_activity(*ep, *run.dataset, spec.algorithm);
  if (const auto* rsnn = dynamic_cast<const RecurrentLearner*>(run.learner.get()))
    return sequence_activity(*rsnn, *run.dataset, spec.algorithm, spec.dataset);
  throw RuntimeError(checkpoint_path + ": no activity recording for algorithm " + spec.algorithm);
}

}  // namespace plasticore
