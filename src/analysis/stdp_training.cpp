#include "analysis/stdp_training.hpp"

#include "analysis/stdp_recorder.hpp"
#include "core/error.hpp"

namespace plasticore {

void require_two_factor_config(const RunConfig& c, const std::string& source) {
  if (c.algorithm != "eqspike" || c.learn.rule != EPRule::two_factor || c.relax.coding != SpikeCoding::sigma_delta)
    throw UsageError(source + ": stdp needs an EqSpike config (algorithm = \"eqspike\", ep.rule = \"two_factor\", " +
                     "ep.spike_coding = \"sigma_delta\"); it has algorithm = \"" + c.algorithm + "\", ep.rule = \"" +
                     rule_name(c.learn.rule) + "\", ep.spike_coding = \"" + coding_name(c.relax.coding) + "\"");
}

StdpTrainingResult measure_stdp_in_training(const RunConfig& c, const ClassificationSet& train, int synapses_per_layer) {
  std::vector<int> sizes = {static_cast<int>(train.images.rows())};
  sizes.insert(sizes.end(), c.hidden.begin(), c.hidden.end());
  sizes.push_back(train.n_classes);
  LayeredEPNetwork net(sizes, c.substrate);
  net.initialize(c.seed, c.init_scale);
  EPLearner learner(net, c.relax, c.learn, c.seed);
  StdpRecorder recorder({sizes, c.learn.learning_rates, c.learn.beta, c.learn.beta_sign == BetaSign::symmetric ? 2 : 1,
                         synapses_per_layer, c.seed});
  learner.set_observer(&recorder);

  const int64_t n = train.size();
  Matrix x;
  std::vector<int32_t> labels;
  std::vector<int64_t> ids;
  for (int64_t start = 0, batch_index = 0; start < n; start += c.train.batch_size, ++batch_index) {
    ids.clear();
    for (int64_t i = start; i < std::min<int64_t>(start + c.train.batch_size, n); ++i) ids.push_back(i);
    x.resize(train.images.rows(), static_cast<Eigen::Index>(ids.size()));
    labels.resize(ids.size());
    for (size_t b = 0; b < ids.size(); ++b) {
      x.col(static_cast<Eigen::Index>(b)) = train.images.col(ids[b]);
      labels[b] = train.labels[static_cast<size_t>(ids[b])];
    }
    learner.train_batch(x, labels, ids, 0, static_cast<uint64_t>(batch_index), 1.0);
  }
  return {recorder.window(), recorder.phase_window(1), recorder.phase_window(-1), recorder.unpaired(),
          recorder.synapses(), n};
}

}  // namespace plasticore
