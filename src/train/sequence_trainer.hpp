// Trains a recurrent SNN (network/recurrent_snn.hpp) on a sequence task (data/sequence_task.hpp) with
// e-prop (learn/eprop.hpp, online, memory independent of T) or BPTT (learn/bptt.hpp, stores the states):
//   init     W_in ~ N(0, 1) input_scale / sqrt(n_in), W_rec ~ N(0, 1) recurrent_scale / sqrt(n_rec)
//            (zero diagonal), W_out ~ N(0, 1) readout_scale / sqrt(n_rec), from (seed, "init_w_*")
//   feedback e-prop learning signal B: W_out^T (symmetric), fixed random (random) or Kolen-Pollack
//            (adaptive, learn/adaptive_feedback.hpp; B is checkpointed as a 4th matrix)
//   epoch    data.train_limit sequences (evidence accumulation: fresh ones, index epoch * limit + k;
//            mnist: the loaded images in a new order each epoch; pattern generation: the one frozen
//            sequence), in mini-batches of train.batch_size; a batch's gradient is the mean of its
//            sequences' dLoss/dW (task loss + rate regularisation), applied through the optimizer
//            (learn/optimizer.hpp) as one update request per substrate
//   metrics  per epoch after the updates, on data.test_limit test sequences: loss per scored step;
//            mse tasks test_nmse = MSE / Var(y*); classification tasks accuracy = argmax of the mean
//            readout over the scored (decision) steps equals the target's class
// Sequences of a batch run in parallel (OpenMP); their gradients are summed in index order, so results
// are bit-identical for any thread count. metrics.csv and an atomic checkpoint after every epoch.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "train/sequence_checkpoint.hpp"
#include "train/sequence_config.hpp"

namespace plasticore {

// Runs (or resumes) training into out_dir; returns metrics.json's content.
nlohmann::json train_sequence_model(const SequenceRunConfig& config, const std::string& out_dir,
                                    const std::optional<SequenceCheckpoint>& resume_from, bool progress);

// Test figures of a saved model on config.test_limit test sequences: test_samples, test_loss and
// test_nmse (regression) or test_accuracy (classification), as in metrics.json.
nlohmann::json evaluate_sequence_model(const SequenceRunConfig& config, const SequenceCheckpoint& checkpoint);

}  // namespace plasticore
