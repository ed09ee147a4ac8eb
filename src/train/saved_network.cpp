#include "train/saved_network.hpp"

#include "core/error.hpp"
#include "learn/recurrent_learner.hpp"
#include "substrate/ideal.hpp"
#include "train/run.hpp"
#include "train/run_record.hpp"

namespace plasticore {

namespace {

// What the learner's builder asks of a dataset, taken from the record: the network's sizes come from its
// weights and the step from the config (task.dt_ms, which every sequence dataset reads).
class RecordShape final : public Dataset {
 public:
  RecordShape(int inputs, int outputs, double step_ms) : inputs_(inputs), outputs_(outputs), step_ms_(step_ms) {}
  int inputs() const override { return inputs_; }
  int outputs() const override { return outputs_; }
  Loss loss() const override { return Loss::mse; }  // not used: nothing is trained or scored
  Eigen::Index steps() const override { return 1; }
  double step_ms() const override { return step_ms_; }
  int64_t size(Split) const override { return 0; }
  int64_t train_sample(int64_t, int64_t) const override { return 0; }
  std::unique_ptr<SequenceStream> sequence(Split, int64_t) const override { return nullptr; }

 private:
  int inputs_, outputs_;
  double step_ms_;
};

int dimension(const NamedTensors& tensors, const std::string& name, size_t axis, const std::string& path) {
  const Tensor& t = tensors.at(name);
  if (t.shape.size() != 2) throw RuntimeError(path + ": tensor " + name + " is not a matrix");
  return static_cast<int>(t.shape[axis]);
}

}  // namespace

std::unique_ptr<RecurrentSNN> saved_recurrent_network(const std::string& target) {
  const std::string path = record_path(target);
  RunRecord record = read_run_record(path);
  ConfigReader reader = ConfigReader::from_string(record.config_toml, path);
  const RunSpec spec = read_run_spec(reader);
  if (!learner_registry().at(spec.algorithm, "algorithm").sequences)
    throw UsageError(path + ": algorithm '" + spec.algorithm +
                     "' trains a layered EP network, which NIR cannot express (its neurons clip their state to [0, 1] "
                     "and are read at the equilibrium of a relaxation: docs/nir.md); export --npz has its weights");
  record.tensors.set_source(path);
  const double step_ms = reader.get_double("task.dt_ms", 1.0, 0.0, 1000.0, "one time step, in ms", true);
  const RecordShape shape(dimension(record.tensors, "w_in", 1, path), dimension(record.tensors, "w_out", 0, path), step_ms);
  std::unique_ptr<Learner> learner = spec.learner.build(shape, ideal_substrates());
  learner->restore(record.tensors);
  auto& recurrent = dynamic_cast<RecurrentLearner&>(*learner);
  const RecurrentSNN& saved = recurrent.network();
  auto net = std::make_unique<RecurrentSNN>(saved.sizes(), saved.params(), ideal_substrates());
  net->set_weights(saved.input_weights().weights(), saved.recurrent_weights().weights(), saved.readout_weights().weights());
  return net;
}

}  // namespace plasticore
