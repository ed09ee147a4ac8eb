#include "learn/ep_learner.hpp"

#include <cmath>
#include <utility>

#include "core/error.hpp"
#include "core/product_chunks.hpp"
#include "core/team.hpp"
#include "learn/batch_exchange.hpp"

namespace plasticore {

namespace {

// Under data parallelism: each local step of a nudged phase is queued (the learning variable's change,
// the previous states and the spikes of every local sample); at the end of the phase the ranks exchange
// their queues once, and the rule is shown the phase again step by step as the whole batch, in sample
// order, so that it sums exactly what it sums in one process. One exchange per phase instead of one per
// step: the ranks meet 2 times per phase, not 2 T2 times.
class WholeBatchObserver final : public PhaseObserver {
 public:
  WholeBatchObserver(const Communicator& comm, PhaseObserver& rule, const Matrix& whole_input, bool spiking,
                     bool input_changes)
      : exchange_(comm), rule_(rule), input_(whole_input), spiking_(spiking), input_changes_(input_changes) {}
  void begin_phase(Phase phase, Scalar sign) override {
    rule_.begin_phase(phase, sign);
    steps_.clear();
  }

  void after_step(int step, const RelaxationState& local) override {
    layers_ = local.state.size();
    for (size_t l = 0; l < layers_; ++l) {
      if (l > 0) {
        exchange_.add(local.delta[l]);
        exchange_.add(local.previous[l]);
      }
      exchange_.add(local.events[l]);
    }
    if (input_changes_) {
      exchange_.add(local.input_on);
      exchange_.add(local.input_off);
    }
    steps_.push_back(step);
  }
  void end_phase() override {
    exchange_.exchange();
    for (const int step : steps_) replay(step);
    rule_.end_phase();
  }

 private:
  void replay(int step) {
    const Eigen::Index B = input_.cols();
    if (whole_.state.size() != layers_ || whole_.previous[0].cols() != B) {  // a new batch shape
      whole_.state.assign(layers_, Matrix());
      whole_.delta.assign(layers_, Matrix());
      whole_.previous.assign(layers_, Matrix());
      whole_.events.assign(layers_, {});
      whole_.spikes.assign(layers_, Matrix());
      whole_.state[0].resize(0, B);  // only its width: the batch
      whole_.delta[0].setZero(input_.rows(), B);
    }
    whole_.previous[0] = input_;
    for (size_t l = 0; l < layers_; ++l) {
      if (spiking_)  // clear the previous step's spikes: O(spikes), not O(neurons x batch)
        for (size_t b = 0; b < whole_.events[l].size(); ++b)
          for (const int32_t i : whole_.events[l][b]) whole_.spikes[l](i, static_cast<Eigen::Index>(b)) = 0;
      if (l > 0) {
        exchange_.take(whole_.delta[l]);
        exchange_.take(whole_.previous[l]);
      }
      exchange_.take(whole_.events[l]);
      if (!spiking_) continue;
      const Eigen::Index rows = l == 0 ? input_.rows() : whole_.delta[l].rows();
      if (whole_.spikes[l].rows() != rows || whole_.spikes[l].cols() != B) whole_.spikes[l].setZero(rows, B);
      for (size_t b = 0; b < whole_.events[l].size(); ++b)  // the spikes are the events
        for (const int32_t i : whole_.events[l][b]) whole_.spikes[l](i, static_cast<Eigen::Index>(b)) = 1;
    }
    if (input_changes_) {
      exchange_.take(whole_.input_on);
      exchange_.take(whole_.input_off);
    }
    rule_.after_step(step, whole_);
  }

  BatchExchange exchange_;
  PhaseObserver& rule_;
  const Matrix& input_;
  bool spiking_, input_changes_;
  size_t layers_ = 0;
  std::vector<int> steps_;  // the steps queued in this phase
  RelaxationState whole_;
};

// The states of every layer of the whole batch, from each rank's slice.
void whole_states(const Communicator& comm, const RelaxationState& local, RelaxationState& whole) {
  BatchExchange exchange(comm);
  for (const Matrix& s : local.state) exchange.add(s);
  exchange.exchange();
  whole.state.resize(local.state.size());
  for (Matrix& s : whole.state) exchange.take(s);
}

// Every rank added columns slice_of(rank) of each sum; afterwards every rank holds all columns.
void gather_column_blocks(const Communicator& comm, const std::vector<Matrix*>& sums) {
  BatchExchange exchange(comm);
  for (const Matrix* m : sums) {
    int64_t begin = 0, end = 0;
    slice_of(m->cols(), comm.rank(), comm.size(), begin, end);
    exchange.add(Matrix(m->middleCols(begin, end - begin)));
  }
  exchange.exchange();
  for (Matrix* m : sums) exchange.take(*m);  // the blocks join in rank order: the columns in order
}

}  // namespace

int argmax_column(const Matrix& m, Eigen::Index col) {
  Eigen::Index best = 0;
  m.col(col).maxCoeff(&best);
  return static_cast<int>(best);
}

EPLearner::EPLearner(std::unique_ptr<LayeredEPNetwork> net, RelaxationParams relax, EPLearningParams learn, uint64_t seed)
    : net_(std::move(net)), relax_(*net_, relax), relax_params_(relax), learn_(std::move(learn)), seed_(seed) {
  // Every step sends the states (spikes) of each layer above the first back through W_l^T, which an exact
  // substrate then reads from a kept copy (one transpose per update).
  for (int l = 1; l < net_->weight_layers(); ++l) net_->weight(l).keep_transposed_weights();
  // Spiking: every step sums columns of each layer's weights by events (the input's at every step of every sample).
  if (relax.coding != SpikeCoding::rate)
    for (int l = 0; l < net_->weight_layers(); ++l) net_->weight(l).keep_aligned_columns();
  EPRuleSums sums;
  std::vector<double> rates;
  parameters_.reserve(static_cast<size_t>(2 * net_->weight_layers()));
  for (int l = 0; l < net_->weight_layers(); ++l) {
    Substrate& w = net_->weight(l);
    Vector& b = net_->bias(l);
    parameters_.push_back({LayeredEPNetwork::weight_name(l), &w, nullptr, w.rows(), w.cols(), Matrix::Zero(w.rows(), w.cols()), {}});
    parameters_.push_back({LayeredEPNetwork::bias_name(l), nullptr, b.data(), b.size(), 1, Matrix::Zero(b.size(), 1), {}});
    const double rate = learn_.learning_rates[std::min(static_cast<size_t>(l), learn_.learning_rates.size() - 1)];
    rates.insert(rates.end(), {rate, rate});  // a bias learns at its layer's rate
  }
  // The rule adds into the parameters' gradient sums directly (no copy per batch); parameters_ is never
  // resized after this, so the pointers stay valid.
  for (size_t p = 0; p < parameters_.size(); p += 2) {
    sums.weights.push_back(&parameters_[p].gradient);
    sums.biases.push_back(&parameters_[p + 1].gradient);
    sums.columns.push_back(&parameters_[p].columns);
  }
  rule_ = learn_.rule.build(*net_, relax_params_, std::move(sums));
  optimizer_ = std::make_unique<Optimizer>(learn_.optimizer, optimizer_slots(parameters_, rates));
}

void EPLearner::set_counters(OpCounters* counters) {
  counters_ = counters;
  relax_.set_counters(counters);
  net_->set_counters(counters);
  rule_->set_counters(repeated_work_counters());  // with several ranks, every rank runs the rule on the whole batch
}

void EPLearner::set_phase(Phase phase) {
  if (counters_ != nullptr) counters_->set_phase(phase);
}

void EPLearner::describe(nlohmann::json& m) const {
  m["rule"] = learn_.rule.name;
  const char* coding = relax_params_.coding == SpikeCoding::rate ? "rate"
                       : relax_params_.coding == SpikeCoding::sigma_delta ? "sigma_delta" : "bernoulli";
  m["spike_coding"] = coding;
  if (relax_params_.coding != SpikeCoding::rate) m["input_events"] = relax_params_.input_changes ? "changes" : "spikes";
  m["network"] = net_->sizes();
}

// The batch's inputs and labels. On a team each thread reads the samples of an equal chunk, the chunks rate mode
// relaxes, so that its columns start in that thread's caches (on the main thread alone the image reads were ~4 % of
// a 2-thread rate-EP batch, the other thread waiting). Datasets' sequence() is safe to call from several threads.
void EPLearner::gather(const Batch& batch) {
  const auto B = static_cast<Eigen::Index>(batch.samples.size());
  x_.resize(batch.dataset->inputs(), B);
  labels_.resize(batch.samples.size());
  const std::vector<ColumnChunk> chunks = equal_column_chunks(B, team_of_several() ? omp_get_max_threads() : 1);
  if (gather_scratch_.size() < chunks.size()) gather_scratch_.resize(chunks.size());
  const auto part = [&](int p, int) {
    auto& [column, target] = gather_scratch_[static_cast<size_t>(p)];
    column.resize(batch.dataset->inputs(), 1);
    target.resize(batch.dataset->outputs());
    const ColumnChunk& c = chunks[static_cast<size_t>(p)];
    for (Eigen::Index b = c.begin; b < c.begin + c.cols; ++b) {
      const auto sample = batch.dataset->sequence(batch.split, batch.samples[static_cast<size_t>(b)]);
      sample->input(0, column);
      sample->target(0, target);
      x_.col(b) = column.col(0);
      Eigen::Index label = 0;
      target.maxCoeff(&label);
      labels_[static_cast<size_t>(b)] = static_cast<int32_t>(label);
    }
  };
  if (chunks.size() > 1) run_team(static_cast<int>(chunks.size()), part);
  else part(0, 1);
}

void EPLearner::accumulate(const Batch& batch, Score& score) {
  if (batch.dataset->steps() != 1 || batch.dataset->loss() != Loss::cross_entropy)
    throw UsageError("EP learns to classify static samples; this dataset is a sequence task");
  if (parallel()) {
    if (observer_ != nullptr) throw UsageError("an analysis observer runs on one rank only");
    for (Parameter& p : parameters_) p.columns.mark_all();  // each rank marks only its columns of the sums
    gather(batch);  // the whole batch's input: the rule's presynaptic states of the input layer
    whole_input_ = x_;
    // Each rank adds its columns (presynaptic neurons) of the rule's sums, where that pays.
    split_columns_ = rule_->sums_column_blocks(static_cast<int64_t>(batch.samples.size()));
    std::vector<EPRule::ColumnBlock> columns;
    for (int l = 0; split_columns_ && l < net_->weight_layers(); ++l) {
      int64_t begin = 0, end = 0;
      slice_of(net_->sizes()[static_cast<size_t>(l)], comm_->rank(), comm_->size(), begin, end);
      columns.push_back({begin, end});
    }
    rule_->set_column_blocks(std::move(columns));
  }
  const Batch local = local_part(batch);
  gather(local);
  const OneThread one_thread(!shares_update(static_cast<int64_t>(batch.samples.size())));  // the batch's work too
  int64_t counts[2] = {run_phases(x_, labels_, local.samples, static_cast<uint64_t>(batch.epoch),
                                  static_cast<uint64_t>(batch.index)),
                       static_cast<int64_t>(local.samples.size())};
  comm_->allreduce_sum(counts, 2);
  score.correct += counts[0];
  score.samples += counts[1];
}

void EPLearner::train_batch(const Batch& batch, Score& score) {
  const auto B = static_cast<int64_t>(batch.samples.size());
  // One nudged phase: a second would add to the sum the first wrote (the step of a sum is not the sum of the steps).
  const bool one_phase = learn_.beta_sign != BetaSign::symmetric && learn_.beta_sign != BetaSign::flip;
  Matrix* w1 = one_phase && !parallel() ? sgd_in_place_target(0) : nullptr;
  const bool in_place = w1 != nullptr && rule_->update_first_layer_in_place({w1, gradient_scale(B), optimizer_->sgd_step(0)});
  struct Clear {  // the rule forgets the target however accumulate ends (gradient_estimate must only sum)
    EPRule& rule;
    bool active;
    ~Clear() {
      if (active) rule.update_first_layer_in_place({});
    }
  } clear{*rule_, in_place};
  accumulate(batch, score);
  parameters_[0].updated_in_place = in_place;
  apply_update(B);
}

void EPLearner::evaluate(const Batch& batch, Score& score) {
  const Batch local = local_part(batch);
  gather(local);
  predict(x_, local.samples, predicted_);
  int64_t counts[2] = {0, static_cast<int64_t>(predicted_.size())};
  for (size_t b = 0; b < predicted_.size(); ++b) counts[0] += predicted_[b] == labels_[b];
  comm_->allreduce_sum(counts, 2);  // integers: the same sums in any order
  score.correct += counts[0];
  score.samples += counts[1];
}

void EPLearner::predict(const Matrix& x, const std::vector<int64_t>& ids, std::vector<int32_t>& out) {
  set_phase(Phase::free);
  relax_.start(state_, x, seed_, "eval_phase", 0, ids);
  relax_.run(state_, learn_.free_steps, nullptr, 0, 0);
  out.resize(static_cast<size_t>(x.cols()));
  for (Eigen::Index b = 0; b < x.cols(); ++b) out[static_cast<size_t>(b)] = argmax_column(state_.state.back(), b);
}

// What the nudging scheme and the rule need on a chip besides the relaxation and the rule's synaptic work
// (docs/energy.md, "What is counted"), for a batch of B samples and `phases` nudged phases. Units: 32-bit words
// and per-neuron deliveries; once per batch, never per synapse. N is the non-input neurons.
//   symmetric + saved_free_state: the free state of every non-input neuron (its state, its sigma-delta
//     accumulator if spiking, its learning trace if any) stored at the end of the free phase and loaded back
//     before the -beta phase: W N B stores and W N B loads (nudged phase). fresh_free_phase recomputes it
//     (its T1 steps are counted as free-phase work), flip and the one-phase schemes never go back: 0.
//   a rule that reads the reference state at the update (end_of_phase: s^0 in every product): the state
//     word of every non-input neuron kept, N B stores unless the replay above already stored it (flip: one
//     per phase, the second phase's reference is the first's end), and read once per phase, N B loads each.
//   the sign of beta: delivered to every non-input neuron once per nudged phase, N B each (flip: the flip
//     is the second delivery).
void EPLearner::count_chip_state_traffic(int64_t B, int64_t phases) {
  if (counters_ == nullptr) return;
  int64_t N = 0;
  for (int l = 1; l <= net_->weight_layers(); ++l) N += net_->sizes()[static_cast<size_t>(l)];
  const bool replay = learn_.beta_sign == BetaSign::symmetric && learn_.nudged_start == NudgedStart::saved_free_state;
  const int64_t words = 1 + (relax_params_.coding != SpikeCoding::rate ? 1 : 0) + (relax_params_.uses_trace() ? 1 : 0);
  {
    const ThreadPhase nudged(Phase::nudged);
    counters_->add(Op::sign_broadcasts, N * B * phases);
    if (replay) {
      counters_->add(Op::state_stores, words * N * B);
      counters_->add(Op::state_loads, words * N * B);
    }
  }
  if (rule_->reads_reference_state()) {
    const ThreadPhase update(Phase::update);
    // flip compares its second phase with the end of the first: one more reference kept.
    if (!replay) counters_->add(Op::state_stores, N * B * (learn_.beta_sign == BetaSign::flip ? phases : 1));
    counters_->add(Op::state_loads, N * B * phases);
  }
}

int EPLearner::run_phases(const Matrix& x, const std::vector<int32_t>& labels, const std::vector<int64_t>& ids,
                          uint64_t epoch, uint64_t batch_index) {
  const auto B = x.cols();
  std::vector<PhaseObserver*>& observers = observers_;
  observers.clear();
  if (observer_ != nullptr) observers.push_back(observer_);
  set_phase(Phase::free);
  relax_.start(state_, x, seed_, "train_phase", epoch, ids);
  relax_.run(state_, learn_.free_steps, nullptr, 0, 0, observers);
  int correct = 0;
  for (Eigen::Index b = 0; b < B; ++b) correct += argmax_column(state_.state.back(), b) == labels[static_cast<size_t>(b)];

  targets_.setZero(net_->sizes().back(), B);
  for (Eigen::Index b = 0; b < B; ++b) targets_(labels[static_cast<size_t>(b)], b) = 1;

  std::vector<Scalar> signs;
  const Scalar alternate = batch_index % 2 == 0 ? Scalar{1} : Scalar{-1};
  switch (learn_.beta_sign) {
    case BetaSign::positive: signs = {1}; break;
    case BetaSign::symmetric: signs = {1, -1}; break;
    case BetaSign::random: {
      Rng rng(seed_, "beta_sign", epoch, batch_index);
      signs = {rng.uniform() < 0.5f ? Scalar{1} : Scalar{-1}};
    } break;
    case BetaSign::alternating: signs = {alternate}; break;
    case BetaSign::flip: signs = {alternate, -alternate}; break;
  }
  // flip: the second phase continues from the first's nudged state instead of the free state; the rule
  // learns in both, each with its own sign (docs/eqspike.md).
  const bool flip = learn_.beta_sign == BetaSign::flip;
  // Every phase after the first restarts from the saved free state: its input spikes, and so layer 1's input
  // drive, are the first phase's step for step (the weights change only after the batch).
  const bool replays_input = !flip && signs.size() > 1 && learn_.nudged_start == NudgedStart::saved_free_state;
  // Only a phase that restarts from the saved free state needs all of it; a rule reads only its states (as
  // whole_states gathers them with several ranks).
  relax_.copy_state(free_state_, state_, !replays_input);
  count_chip_state_traffic(B, static_cast<int64_t>(signs.size()));
  rule_->begin_batch();
  // Symmetric nudging: both nudged phases start from the same free state (stored, or recomputed bit for bit by
  // fresh_free_phase), so their input spikes are the same and the rule adds its first-layer sum once for both.
  rule_->pair_phases(learn_.beta_sign == BetaSign::symmetric);
  // With several ranks the rule sees the whole batch, step by step and at the end of each phase.
  std::unique_ptr<WholeBatchObserver> whole_batch;
  if (PhaseObserver* o = rule_->nudged_observer()) {
    if (parallel())
      whole_batch = std::make_unique<WholeBatchObserver>(*comm_, *o, whole_input_, relax_params_.coding != SpikeCoding::rate,
                                                         relax_params_.input_changes);
    observers.insert(observers.begin(), parallel() ? whole_batch.get() : o);
  }
  for (size_t phase = 0; phase < signs.size(); ++phase) {
    const Scalar sign = signs[phase];
    if (phase > 0 && flip) {
      relax_.copy_state(phase_start_, state_, true);  // what end_nudged_phase compares this phase's end with
    } else if (phase > 0 && learn_.nudged_start == NudgedStart::fresh_free_phase) {
      // The free phase again from zero states and the same initial spike phases: the same free state,
      // computed instead of stored.
      set_phase(Phase::free);
      relax_.start(state_, x, seed_, "train_phase", epoch, ids);
      relax_.run(state_, learn_.free_steps, nullptr, 0, 0);
    } else if (phase > 0 && phase + 1 == signs.size() && !rule_->reads_reference_state()) {
      std::swap(state_, free_state_);  // the last phase starts from the saved free state itself: nothing reads it after
    } else if (phase > 0) {
      relax_.copy_state(state_, free_state_);
    }
    const RelaxationState& start = phase > 0 && flip ? phase_start_ : free_state_;
    if (parallel() && (phase == 0 || flip)) whole_states(*comm_, start, whole_free_);
    set_phase(Phase::nudged);
    const InputDrive input = !replays_input ? InputDrive::compute : phase == 0 ? InputDrive::record : InputDrive::replay;
    relax_.run(state_, learn_.nudged_steps, &targets_, sign * learn_.beta, sign, observers, input);
    if (parallel()) {
      whole_states(*comm_, state_, whole_nudged_);
      rule_->end_nudged_phase(whole_nudged_, whole_free_, sign);
    } else {
      rule_->end_nudged_phase(state_, start, sign);
    }
  }
  if (parallel() && split_columns_) {
    std::vector<Matrix*> sums;
    for (size_t p = 0; p < parameters_.size(); p += 2) sums.push_back(&parameters_[p].gradient);
    gather_column_blocks(*comm_, sums);
  }
  return correct;
}

void EPLearner::finish_gradients(int64_t) { rule_->finish_batch(); }

// The mean over the batch and the phases, divided by beta; its negative is the gradient estimate.
Scalar EPLearner::gradient_scale(int64_t samples) const {
  return -(Scalar{1} / (learn_.beta * static_cast<Scalar>(beta_span()) * static_cast<Scalar>(samples)));
}

}  // namespace plasticore

#include "learn/registry.hpp"

namespace plasticore {

namespace {

template <typename E>
E parse_enum(const std::string& v, std::initializer_list<std::pair<const char*, E>> table) {
  for (const auto& [name, e] : table)
    if (v == name) return e;
  return table.begin()->second;  // unreachable: the reader already checked the allowed set
}

// One value per weight layer: the defaults' last entry repeats for deeper networks.
std::vector<double> per_layer(std::vector<double> defaults, size_t layers) {
  defaults.resize(std::max(layers, defaults.size()), defaults.back());
  defaults.resize(layers);
  return defaults;
}

LearnerRecipe read_ep(ConfigReader& r, const LearnerContext& context) {
  const bool spiking = context.algorithm == "eqspike";
  std::vector<int> hidden;
  for (const int64_t h : r.get_int_list("network.hidden", {500}, 1, 1 << 16, "hidden layer sizes (input-H...-output)"))
    hidden.push_back(static_cast<int>(h));
  std::vector<std::string> names;
  for (size_t l = 0; l <= hidden.size(); ++l) names.push_back(LayeredEPNetwork::weight_name(static_cast<int>(l)));
  const std::vector<double> init_scale = r.get_per_name("network.init_scale", per_layer({1.0, 0.5}, names.size()),
                                                        names, 1e-6, 100.0, "Glorot-uniform multiplier per weight matrix");
  EPLearningParams learn;
  RelaxationParams relax;
  learn.free_steps = static_cast<int>(r.get_int("ep.free_steps", 20, 1, 100000, "T1, free-phase steps from zero states"));
  learn.nudged_steps = static_cast<int>(
      r.get_int("ep.nudged_steps", 4, 1, 100000, "T2, steps of each nudged phase, from the free state"));
  learn.beta = static_cast<Scalar>(r.get_double("ep.beta", 0.5, 0.0, 100.0, "nudging strength", true));
  learn.beta_sign = parse_enum<BetaSign>(
      r.get_choice("ep.beta_sign", "random", {"positive", "random", "alternating", "symmetric", "flip"},
                   "one +beta phase; one phase with a random sign per mini-batch; one phase whose sign alternates "
                   "between mini-batches; a +beta and a -beta phase from the free state; a phase of one sign, then one of "
                   "the other from where it ended (order alternating between mini-batches; nothing stored)"),
      {{"positive", BetaSign::positive}, {"random", BetaSign::random}, {"alternating", BetaSign::alternating},
       {"symmetric", BetaSign::symmetric}, {"flip", BetaSign::flip}});
  learn.nudged_start = parse_enum<NudgedStart>(
      r.get_choice("ep.nudged_start", "saved_free_state", {"saved_free_state", "fresh_free_phase"},
                   "beta_sign = symmetric: the -beta phase starts from the stored free state, or from a second free phase "
                   "from zero states and the same initial spike phases (the same state, computed: T1 more steps)"),
      {{"saved_free_state", NudgedStart::saved_free_state}, {"fresh_free_phase", NudgedStart::fresh_free_phase}});
  if (learn.nudged_start != NudgedStart::saved_free_state && learn.beta_sign != BetaSign::symmetric)
    r.fail("ep.nudged_start", "only symmetric nudging (ep.beta_sign = \"symmetric\") has a second phase from the free state");
  const std::string rule = r.get_choice("ep.rule", "end_of_phase", ep_rule_registry().names(),
                                        "standard EP from the states, or EqSpike's spike-triggered two-factor rule (docs/eqspike.md)");
  {
    const ConfigReader::Scope scope(r, "ep.rule " + rule);
    learn.rule = ep_rule_registry().at(rule, "ep.rule").read(r, relax);
  }
  relax.leak = static_cast<Scalar>(
      r.get_double("ep.leak", 1.0, 0.0, 1.0, "epsilon = 1/tau of the state update; 1 = prototypical discrete EP", true));
  relax.coding = parse_enum<SpikeCoding>(
      r.get_choice("ep.spike_coding", spiking ? "sigma_delta" : "rate", {"rate", "sigma_delta", "bernoulli"},
                   "how neurons emit spikes; rate replaces spikes by their rates"),
      {{"rate", SpikeCoding::rate}, {"sigma_delta", SpikeCoding::sigma_delta}, {"bernoulli", SpikeCoding::bernoulli}});
  if (!spiking && relax.coding != SpikeCoding::rate)
    r.fail("ep.spike_coding", "algorithm 'ep' is rate-based; use algorithm = \"eqspike\" for spikes");
  if (relax.coding != SpikeCoding::rate)
    relax.input_changes =
        r.get_choice("ep.input_events", "changes", {"spikes", "changes"},
                     "how layer 1 sums the clamped input: every step's spikes, or only the changes of its spikes carried on "
                     "from step to step (the same sums in another order, ~2x fewer input events on MNIST; exact-read "
                     "substrates only, others sum every step)") == "changes";
  learn.batch_size = static_cast<int>(r.get_int("train.batch_size", 20, 1, 100000, "samples per weight update"));
  learn.optimizer = read_optimizer_config(r, "sgd");
  learn.init_scale = init_scale;
  learn.learning_rates = r.get_per_name("train.learning_rate", per_layer({0.1, 0.05}, names.size()), names, 0.0, 1e6,
                                        "eta per weight matrix (a bias follows its matrix): a number, a list or a table");
  const uint64_t seed = context.seed;
  LearnerRecipe recipe;
  recipe.batch_size = learn.batch_size;
  recipe.build = [=](const Dataset& dataset, const SubstrateFactory& substrates) -> std::unique_ptr<Learner> {
    std::vector<int> sizes = {dataset.inputs()};
    sizes.insert(sizes.end(), hidden.begin(), hidden.end());
    sizes.push_back(dataset.outputs());
    auto net = std::make_unique<LayeredEPNetwork>(sizes, substrates);
    return std::make_unique<EPLearner>(std::move(net), relax, learn, seed);
  };
  return recipe;
}

}  // namespace

LearnerEntry ep_learner_entry() {
  return {"rate-based equilibrium propagation on a layered network", false, read_ep};
}

LearnerEntry eqspike_learner_entry() {
  return {"EqSpike: spiking equilibrium propagation (Martin et al. 2021)", false, read_ep};
}

}  // namespace plasticore
