// The one trainer (docs/architecture.md, "learner x trainer"): a single epoch loop for every learning rule.
//   for each epoch e (from the run record's epochs_done):
//     learning-rate factor of the schedule (learn/lr_schedule.hpp)
//     for each mini-batch of the dataset's training order: learner.accumulate -> learner.apply_update
//       (substrate writes) -> learner.advance(seconds_per_update) (device time between writes)
//     divergence check; evaluation of the test split; the epoch's row of the history
//     checkpoint.bin (the run record, atomically), then metrics.csv (a row on disk has its checkpoint)
// A stop request (TrainingControl: SIGINT in the CLI, Ctrl-C in Python) is looked at between batches:
// the trainer then writes a checkpoint of the epoch so far (run_record.hpp, EpochInProgress) and throws
// TrainingInterrupted; --resume continues at the next batch with the same numbers as a run never stopped.
// Operations are counted for the last epoch (training) and the evaluation after it (inference): the
// same whether or not the run was resumed, and the activity of the most trained network.
#pragma once
#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "learn/learner.hpp"
#include "train/run_record.hpp"

namespace plasticore {

struct TrainerSettings {
  int epochs = 1;
  int batch_size = 1;
  std::string lr_schedule = "constant";  // constant | cosine
  double lr_final_factor = 0.1;
  double seconds_per_update = 0;         // simulated time between weight updates (device substrates)
  bool measure_threads = false;          // threads = 0: the team size measured (train/thread_choice.hpp)
};

// What a caller may do while train() runs. Every rank looks at its own; a stop on any rank stops all.
struct TrainingControl {
  std::atomic<bool> stop{false};          // set to stop between two batches (lock-free: a signal handler may set it)
  std::function<void()> between_batches;  // called after every batch, before `stop` is read (Python polls Ctrl-C)
  // After an epoch's checkpoint (Python's callbacks); false: that epoch is the last (early stopping).
  std::function<bool(const EpochRecord&)> after_epoch;
};

// With several ranks (core/communicator.hpp) every rank runs the same loop on its slices of the batches
// (the learner combines them); rank 0 alone writes files and logs, and the op counts are summed.
class Trainer {
 public:
  Trainer(TrainerSettings settings, const Dataset& dataset, Learner& learner, const Communicator& comm = world());

  // Trains from record.epochs_done (and record.in_progress) to settings.epochs, writing checkpoint.bin
  // and metrics.csv into out_dir after every epoch (nothing when out_dir is empty: `record` is then the
  // only copy); `record` holds the config and what the epochs before produced. Returns the trainer's
  // part of metrics.json. TrainingInterrupted when `control` asked to stop.
  nlohmann::json train(RunRecord& record, const std::string& out_dir, bool progress, TrainingControl* control = nullptr);
  // One training step: the batch's gradient estimates -> update -> device time (what train() does per batch).
  void train_batch(const Batch& batch, Score& score);
  // The score of a split (all its samples), in evaluation batches.
  Score evaluate(Split split);
  // RuntimeError naming `source` unless `record` can continue this run: its epoch counter within the
  // configured epochs, its history this run's columns with possible values.
  void check_resumable(const RunRecord& record, const std::string& source) const;
  // The figures of a test score as metrics.json and `eval --json` name them (test_loss, test_accuracy, test_nmse).
  void add_test_figures(const Score& test, nlohmann::json& out) const;
  // The history columns this run writes (train/history.hpp), in order.
  std::vector<std::string> columns() const;

 private:
  EpochRecord record_of(int epoch, const Score& train, const Score& test, double seconds, double samples_per_second,
                        double lr_scale) const;
  bool stop_requested(TrainingControl* control) const;

  TrainerSettings settings_;
  const Dataset& dataset_;
  Learner& learner_;
  const Communicator& comm_;
};

}  // namespace plasticore
