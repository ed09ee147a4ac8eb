// Free and nudged relaxation of a LayeredEPNetwork over a mini-batch (one column per sample),
// in rate mode (dense, batched matrix products; the input drive W_1 x is computed once because the
// input is clamped) or in spiking mode (event-driven: each step sums only the weight columns of the
// neurons that spiked). Observers (learn/phase_observer.hpp) see a phase step by step (the analyses, MPI's
// whole-batch replay) or sample by sample on the samples' threads (the rules that learn at every step,
// learn/two_factor_rule.hpp); a phase without observers, or whose observers all take samples, runs as one
// parallel region over the samples.
// Counts (if given counters): one neuron update per non-input neuron and step, the spikes of every
// layer (the input's encoder included: they are routed too), and one time step per sample and step.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "core/column_sums.hpp"
#include "core/nonzero_indices.hpp"
#include "core/rng.hpp"
#include "core/shares.hpp"
#include "network/layered_ep.hpp"
#include "neuron/ep_neuron.hpp"
#include "neuron/sigma_delta_layer.hpp"

namespace plasticore {

class PhaseObserver;  // learn/phase_observer.hpp

struct RelaxationParams {
  SpikeCoding coding = SpikeCoding::rate;
  Scalar leak = 1.0f;  // epsilon = 1/tau, per step
  // Rate lambda of the learning trace: hat_s += lambda (s - hat_s). The two-factor rule pairs a
  // presynaptic spike with the change of hat_s; lambda = 1 uses the state itself (hat_s = s).
  Scalar trace_rate = 1.0f;
  // What the trace follows: false, the neuron's analog state s(t+1); true, its spike train S(t) (a synaptic
  // trace built from the post spikes alone: no analog state leaves the neuron; in rate mode S = s).
  bool trace_of_spikes = false;
  // Spiking mode: layer 1's input drive W_1 S_0(t) is carried from step to step, adding only the columns of the
  // input neurons whose spike changed (on MNIST's sigma-delta input ~42 changes per step against ~102 spikes),
  // and the two-factor rule pairs the changes with the running sum of the postsynaptic change (ep.input_events
  // = "changes"). The same sums in another order: the last bits differ. Substrates without exact reads
  // compute every step's sum (the rule, on the host, still pairs the changes).
  bool input_changes = false;
  bool uses_trace() const { return trace_of_spikes || trace_rate < 1; }
};

// Everything one mini-batch carries through the phases. s[0] is the clamped input.
struct RelaxationState {
  std::vector<Matrix> state;        // s[l], n_l x B
  std::vector<Matrix> accumulator;  // sigma-delta accumulators a[l] (empty in rate mode)
  std::vector<Matrix> spikes;       // S[l] at the current step (0/1; empty in rate mode, where S = s; see
                                    // PhaseObserver for the input's while a phase runs sample by sample)
  std::vector<std::vector<SpikeEvents>> events;  // [layer][sample] indices that spiked
  std::vector<Rng> rng;             // one stream per sample (Bernoulli spikes)
  std::vector<uint64_t> read_sample;  // each sample's read key (substrate/read_key.hpp)
  std::vector<Matrix> trace;        // learning trace hat_s[l] (only when params.uses_trace())
  std::vector<Matrix> delta;        // change of the learning variable (s, or hat_s) in the last step
  std::vector<Matrix> previous;     // s[l] before the last step (previous[0]: the input)
  // params.input_changes: W_1 S_0(t) of the last step, and per sample the input neurons that started (on) and
  // stopped (off) spiking in it.
  Matrix input_drive;
  std::vector<SpikeEvents> input_on, input_off;
  // Sigma-delta coding: per sample ((n_0 + 15) / 16 flags per sample) whether a 16-neuron vector of the clamped
  // input is all 0, so that it never spikes and emit_spikes skips it (start(); empty: skip none; code that
  // changes s[0], a[0] or S[0] after start() must clear it).
  std::vector<uint8_t> quiet_input;
  int batch() const { return state.empty() ? 0 : static_cast<int>(state[0].cols()); }
};

// What a spiking phase does with layer 1's input drive W_1 S_0(t), which depends only on the clamped input's
// spikes: compute it; compute it and keep it for every step and sample; or take the kept one. Replay is for a
// phase that starts from the same state as the recorded one (EqSpike's -beta phase restarts from the saved
// free state: its input spikes are the +beta phase's, step for step) on weights that have not changed since.
// Only a substrate with exact, repeatable reads takes a replayed sum (Substrate::repeat_forward_events);
// it counts it as the events it stands for. The numbers are those of computing it again.
enum class InputDrive { compute, record, replay };

class Relaxation {
 public:
  Relaxation(const LayeredEPNetwork& net, RelaxationParams params) : net_(net), params_(params) {}
  void set_counters(OpCounters* counters) { counters_ = counters; }

  // Sets the input, zero states, and random initial spike phases from (seed, purpose, sample ids).
  void start(RelaxationState& st, const Matrix& input, uint64_t seed, const char* purpose, uint64_t epoch,
             const std::vector<int64_t>& sample_ids) const;
  // Runs `steps` steps. If targets != nullptr, nudges the output with strength beta (signed; sign is
  // its sign, 0 in the free phase). The observers see the phase in the order given, step by step, or sample by
  // sample if all of them take samples (PhaseObserver::observes_samples). `input` applies to spiking mode; a
  // replay needs a recorded phase of the same steps and batch.
  void run(RelaxationState& st, int steps, const Matrix* targets, Scalar beta, Scalar sign,
           std::span<PhaseObserver* const> observers = {}, InputDrive input = InputDrive::compute) const;
  const RelaxationParams& params() const { return params_; }
  // to = from, for a state this object last started: with several threads each sample's columns and lists are
  // copied on the team, in the shares that relax them (a batch's state, ~0.6 MB for EqSpike on MNIST, copied on
  // one thread left the others waiting). The same state as the assignment; states_only: to.state = from.state
  // and the other members left as they were (what an EP rule reads of its reference state).
  void copy_state(RelaxationState& to, const RelaxationState& from, bool states_only = false) const;

 private:
  // A sigma-delta input in a phase run sample by sample: the clamped input's lists of each step of the phase (with
  // the input as changes also those of the inputs that started and stopped), emitted before its first step (they
  // depend on nothing else; run()), for the sample a thread is on (one per thread: [t] for step t, each with room
  // for the whole layer, swapped into the state at its step), and `summed`: the substrate also summed the steps'
  // input drives at once (Substrate::forward_event_change_steps, or forward_event_steps for the input as spikes),
  // into `drive` (n_1 x steps; a recorded phase's go into the record instead).
  struct InputSteps {
    std::vector<SpikeEvents> events, on, off;
    std::vector<int32_t*> events_at, on_at, off_at;  // the lists' data, for sigma_delta_layer_steps
    std::vector<LayerSpikeCounts> counts;
    std::vector<StepChanges> changes;
    std::vector<StepEvents> spikes;
    Matrix drive;
    bool summed = false;
  };
  // Step t's spikes (the input's from `ahead` if not null); returns the spikes emitted.
  int64_t emit_spikes(RelaxationState& st, int b, int t, InputSteps* ahead) const;
  // The clamped input's lists of a phase's `steps` steps for sample b into `ahead`, and if the substrate can, their
  // drives.
  void emit_input_steps(RelaxationState& st, int b, int steps, InputDrive input, InputSteps& ahead) const;
  // Where sample b's input drive of step t goes when the substrate sums a phase's at once: the record, or `in`.
  Scalar* ahead_drive(InputSteps& in, const RelaxationState& st, int b, int t, InputDrive input) const;
  void mark_quiet_input(RelaxationState& st) const;
  // Layer 1's input drive of sample b at step t, into `y` (params.input_changes: y holds the last step's), or where
  // a replayed phase recorded it; returns where it is. A replay carries it into y (params.input_changes) at every
  // step if carry_each_step, else at the phase's last (where the input's lists were emitted ahead: PhaseObserver).
  const Scalar* input_drive(RelaxationState& st, int b, int t, InputDrive input, Scalar* y, bool carry_each_step) const;
  void integrate(RelaxationState& st, int l, Eigen::Index b, const Scalar* drive, const Scalar* feedback, const Matrix* targets,
                 Scalar beta, bool keep_previous) const;
  // Step t of sample b (spiking mode); returns the spikes emitted.
  int64_t step_sample(RelaxationState& st, int b, int t, const Matrix* targets, Scalar beta, InputDrive input,
                      InputSteps* ahead = nullptr) const;
  // A rate-mode step of the samples [chunk.begin, chunk.begin + chunk.cols), whose states are s's columns from 0.
  struct RateChunk;
  void step_rate(RelaxationState& s, RateChunk& chunk, int t, const Matrix* targets, Scalar beta) const;
  // A rate-mode phase of one chunk of several on its thread, in its own copy of its samples' states.
  void run_rate_chunk(RelaxationState& st, RateChunk& chunk, int steps, const Matrix* targets, Scalar beta) const;
  void prepare_scratch(int batch) const;
  void prepare_rate_chunks(int batch) const;

  const LayeredEPNetwork& net_;
  RelaxationParams params_;
  OpCounters* counters_ = nullptr;
  // The phases run since start(): part of the read key, so each phase reads with fresh noise (a phase that
  // restarts from a saved state does not restart this count; start() does, so a recomputed phase repeats).
  mutable uint64_t phases_ = 0, read_phase_ = 0;
  mutable int phase_steps_ = 0;  // the steps of the phase under way
  // Whether the phase under way keeps each step's change ds in delta: only observers read it, and a rate phase
  // without them skips its store (one of the neuron update's seven streams).
  mutable bool changes_read_ = true;
  mutable Matrix input_drive_;  // W_1 x for rate mode, valid for the current batch
  mutable std::vector<Matrix> scratch_drive_, scratch_feedback_;  // spiking mode, [layer]
  mutable std::vector<double> sample_work_;  // spiking mode: each sample's expected work per step, for the threads' shares
  mutable ShareQueues sample_queues_;
  mutable Matrix recorded_input_drive_;  // InputDrive::record: W_1 S_0(t) of sample b in column t B + b
  mutable std::vector<InputSteps> input_steps_;
  // Rate mode: the samples of a batch in column chunks, one per thread, with their own operands and drives.
  struct RateChunk {
    Eigen::Index begin = 0, cols = 0;
    std::vector<Matrix> drive;      // W_l s_{l-1} of the chunk's samples (l >= 2; layer 1's is the batch's input drive)
    std::vector<Matrix> feedback;   // W_{l+1}^T s_{l+1} (l < L)
    Matrix input, input_drive;
    // One chunk of several: its samples' states, previous states (and traces) through a phase, copied in and out
    // at its ends (in the batch's matrices a chunk's first and last columns share 64-byte lines with the
    // next chunk's, which moved between the cores at every step), and the nudged layer's targets.
    RelaxationState own;
    Matrix targets;
  };
  mutable RateChunk whole_batch_;
  mutable std::vector<RateChunk> rate_chunks_;  // empty: one thread
};

}  // namespace plasticore
