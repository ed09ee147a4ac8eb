// Trains and evaluates a classification run (rate EP or EqSpike on MNIST-like data): epochs of
// shuffled mini-batches, test evaluation after each epoch, metrics.csv and an atomic checkpoint at
// the end of every epoch, metrics.json at the end.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.hpp"
#include "train/checkpoint.hpp"
#include "train/run_config.hpp"

namespace plasticore {

struct LoadedData {
  ClassificationSet train, test;
};
LoadedData load_data(const RunConfig& config, bool need_train = true);

// Runs (or resumes) training into out_dir; returns metrics.json's content.
nlohmann::json train_classifier(const RunConfig& config, const LoadedData& data, const std::string& out_dir,
                                const std::optional<Checkpoint>& resume_from, bool progress);

// Test accuracy of a network on a set (free phase only).
double evaluate_accuracy(EPLearner& learner, const ClassificationSet& set, int batch_size);

}  // namespace plasticore
