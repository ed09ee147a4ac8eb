// The networks the run-record fuzz target restores records into, and their tiny data sets; shared with
// make_run_record_seeds.cpp, which trains each for an epoch to write the seed corpus.
#pragma once
#include <memory>
#include <vector>

#include "data/array_dataset.hpp"

namespace plasticore::fuzz {

struct Kind {
  const char* config;
  bool sequences;
};

// Tiny networks: each input restores into all of them, so a record of any kind meets its own reader.
inline const Kind kKinds[] = {
    {"algorithm = \"ep\"\ntrain.epochs = 2\nnetwork.hidden = [5]\nep.free_steps = 4\nep.nudged_steps = 2\n", false},
    {"algorithm = \"eqspike\"\ntrain.epochs = 2\nnetwork.hidden = [5]\nep.free_steps = 4\nep.nudged_steps = 2\n", false},
    {"algorithm = \"eprop\"\ntrain.epochs = 2\nnetwork.recurrent = 6\nnetwork.adaptive = 2\ntrain.feedback = \"random\"\n",
     true},
    {"algorithm = \"eprop\"\ntrain.epochs = 2\nnetwork.recurrent = 6\nnetwork.adaptive = 0\n"
     "substrate.kind = \"pcm\"\nsubstrate.update = \"mixed_precision\"\n",
     true},
};

inline std::unique_ptr<ArrayDataset> dataset_for(bool sequences) {
  if (!sequences) {
    std::vector<Matrix> images, labels;  // three 12-pixel images (1 step each), one per class
    for (int c = 0; c < 3; ++c) {
      images.push_back(Matrix::Constant(1, 12, 0.25f * static_cast<Scalar>(c + 1)));
      labels.push_back(Matrix::Zero(1, 3));
      labels.back()(0, c) = 1;
    }
    return std::make_unique<ArrayDataset>(std::move(images), std::move(labels), Loss::cross_entropy);
  }
  Matrix x = Matrix::Zero(16, 3), y = Matrix::Zero(16, 1);
  for (Eigen::Index t = 0; t < 16; t += 3) x(t, t % 3) = 1;
  for (Eigen::Index t = 0; t < 16; ++t) y(t, 0) = static_cast<Scalar>(t % 4) / 4;
  return std::make_unique<ArrayDataset>(std::vector<Matrix>{x}, std::vector<Matrix>{y}, Loss::mse);
}

}  // namespace plasticore::fuzz
