#include "analysis/stdp_training.hpp"

#include "analysis/stdp_recorder.hpp"
#include "core/error.hpp"

namespace plasticore {

EPLearner& require_two_factor_learner(Learner& learner, const std::string& algorithm, const std::string& source) {
  auto* ep = dynamic_cast<EPLearner*>(&learner);
  const auto coding = ep != nullptr ? ep->relaxation().coding : SpikeCoding::rate;
  const std::string rule = ep != nullptr ? ep->learning().rule.name : "-";
  if (ep != nullptr && ep->learning().optimizer.kind != "sgd")
    throw UsageError(source + ": stdp logs the SGD update of each pairing; train.optimizer must be sgd");
  if (algorithm != "eqspike" || rule != "two_factor" || coding != SpikeCoding::sigma_delta)
    throw UsageError(source + ": stdp needs an EqSpike config (algorithm = \"eqspike\", ep.rule = \"two_factor\", " +
                     "ep.spike_coding = \"sigma_delta\"); it has algorithm = \"" + algorithm + "\", ep.rule = \"" + rule +
                     "\", ep.spike_coding = \"" +
                     (coding == SpikeCoding::sigma_delta ? "sigma_delta" : coding == SpikeCoding::bernoulli ? "bernoulli" : "rate") +
                     "\"");
  return *ep;
}

StdpTrainingResult measure_stdp_in_training(EPLearner& learner, const Dataset& dataset, int64_t samples,
                                            int synapses_per_layer, uint64_t seed, double seconds_per_update) {
  const EPLearningParams& learn = learner.learning();
  StdpRecorder recorder({learner.network().sizes(), learn.learning_rates, learn.beta,
                         learner.beta_span(), synapses_per_layer, seed});
  learner.set_observer(&recorder);
  const int64_t n = std::min(samples, dataset.size(Split::train));
  Batch batch{&dataset, Split::train, 0, 0, {}};
  Score score;
  for (int64_t start = 0; start < n; start += learn.batch_size, ++batch.index) {
    batch.samples.clear();
    for (int64_t i = start; i < std::min<int64_t>(start + learn.batch_size, n); ++i) batch.samples.push_back(i);
    learner.accumulate(batch, score);
    learner.apply_update(static_cast<int64_t>(batch.samples.size()));
    learner.advance(seconds_per_update);  // device time between writes, as in training
  }
  learner.set_observer(nullptr);
  return {recorder.window(), recorder.phase_window(1), recorder.phase_window(-1), recorder.unpaired(),
          recorder.synapses(), n};
}

}  // namespace plasticore
