// The one run record (docs/architecture.md): RUN_DIR/checkpoint.bin of every run, whatever its rule, network or
// substrate. It is a flat list of named tensors (core/named_tensors.hpp):
//   run/config_toml    text      the fully resolved config (what --resume and eval read back)
//   run/epochs_done    int64     epochs finished
//   run/wall_seconds   float64   training wall time so far
//   run/epoch_in_progress/...     only in a run stopped between batches (SIGINT, KeyboardInterrupt): the
//                      epoch after epochs_done is under way; batches_done (int64), train_score (float64,
//                      the Score sums), train_seconds (float64), training_ops (int64, OpCounters order)
//   history/<column>   float64   one entry per epoch (train/history.hpp)
//   w1, b1, ... | w_in, w_rec, w_out   the network's weights and biases, by the network's names
//   substrate/<matrix>/...              each device substrate's state (conductances, write times, drift
//                                       exponents, accumulator, clock, stream counters)
//   optimizer/...      the update count and Adam's moments per parameter
//   feedback           e-prop's B (random and adaptive feedback)
// File format "PLRUN001": the 8-byte magic, a little-endian uint32 tensor count, then per tensor a uint16
// name length, the name, a uint8 dtype, a uint8 rank, rank int64 dimensions and the data (C order).
// Written atomically (temporary file + rename) at the end of every epoch; every count and size is checked
// against the file's length before it is used. Python: plasticore.load_run; `plasticore export` -> .npz.
#pragma once
#include <string>

#include "core/named_tensors.hpp"
#include "learn/score.hpp"
#include "train/history.hpp"

namespace plasticore {

// The epoch after epochs_done, when a run stopped between two of its batches: what its end needs.
struct EpochInProgress {
  int64_t batches_done = 0;           // 0: the run stands at an epoch boundary
  Score train;                        // the epoch's training score so far
  double train_seconds = 0;           // its training time so far
  std::vector<int64_t> training_ops;  // its operation counts so far (OpCounters::data order)
};

struct RunRecord {
  std::string config_toml;
  int64_t epochs_done = 0;
  double wall_seconds = 0;
  History history;
  EpochInProgress in_progress;
  NamedTensors tensors;  // the learner's: network, substrate state, optimizer, learner state
};

// Every tensor of a record, the run/ and history/ ones included (what load_run and export show).
NamedTensors all_tensors(const RunRecord& record);

void write_run_record(const std::string& path, const RunRecord& record);
// RuntimeError naming the file: missing, another format (an older plasticore's checkpoint names its
// format), truncated, corrupt.
RunRecord read_run_record(const std::string& path);
NamedTensors read_record_tensors(const std::string& path);
// The same from the file's bytes (`path` only names it in errors): the fuzz targets' entry points.
RunRecord parse_run_record(const std::string& bytes, const std::string& path);
NamedTensors parse_record_tensors(const std::string& bytes, const std::string& path);

// RUN_DIR/checkpoint.bin, or the path itself if it is a file; UsageError if there is none.
std::string record_path(const std::string& run_dir_or_file);

}  // namespace plasticore
