// Classification data sets of recorded events (N-MNIST: data/nmnist.hpp; SHD and SSC: data/heidelberg.hpp)
// behind the one dataset interface. A sample is a list of events (time, input channel) and a class label;
// its source (EventSource) reads it from disk when asked, so a data set of any size costs the memory of its
// file list. Two presentations:
//   sequences (recurrent networks)  the events are binned into T = task.steps steps of dt = task.dt_ms:
//                                   x[t][c] = the number of events of channel c with t dt <= time < (t+1) dt;
//                                   events at or after T dt are cut off. The target is the one-hot label on
//                                   the last D = task.decision_steps steps (D = T: every step), which the
//                                   cross-entropy scores and whose summed readout is the prediction.
//   static samples (layered EP)     one step: x[c] = the event count of channel c over the whole sample
//                                   divided by the largest count of the sample (so x is in [0, 1], like
//                                   pixels); the target is the one-hot label.
// The training order of epoch e is a permutation of the training samples drawn from (seed, "shuffle", e).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "data/dataset.hpp"

namespace plasticore {

struct Event {
  double time_ms = 0;   // from the start of the sample
  int32_t channel = 0;  // input channel, in [0, channels)
};

// Where the samples of one split come from. events() may be called from several threads at once.
class EventSource {
 public:
  virtual ~EventSource() = default;
  virtual int64_t size() const = 0;
  virtual int label(int64_t index) const = 0;
  // The events of sample `index`, every channel in [0, channels()); RuntimeError naming the file if damaged.
  virtual std::vector<Event> events(int64_t index) const = 0;
  virtual int channels() const = 0;
  virtual int classes() const = 0;
};

// The binning of one sample into steps (the header comment), as compressed rows: the events of step t are
// entries first[t] .. first[t+1]-1 of (channel, count), channels in increasing order.
struct BinnedEvents {
  std::vector<int32_t> first;  // T + 1 offsets
  std::vector<int32_t> channel;
  std::vector<float> count;
};
BinnedEvents bin_events(const std::vector<Event>& events, int64_t steps, double dt_ms);

struct EventPresentation {
  bool sequences = true;       // false: static samples (event counts) for layered EP networks
  int64_t steps = 100;         // T (task.steps)
  double dt_ms = 10.0;         // one step (task.dt_ms)
  int64_t decision_steps = 0;  // D (task.decision_steps), 1..T
  uint64_t seed = 1;
};

class EventDataset final : public Dataset {
 public:
  // UsageError if the splits disagree on channels or classes, or D is not in 1..T.
  EventDataset(std::unique_ptr<EventSource> train, std::unique_ptr<EventSource> test, EventPresentation presentation);
  int inputs() const override { return test_->channels(); }
  int outputs() const override { return test_->classes(); }
  Loss loss() const override { return Loss::cross_entropy; }
  Eigen::Index steps() const override { return presentation_.sequences ? presentation_.steps : 1; }
  double step_ms() const override { return presentation_.dt_ms; }
  int64_t size(Split split) const override;
  int64_t train_sample(int64_t epoch, int64_t position) const override;
  std::unique_ptr<SequenceStream> sequence(Split split, int64_t index) const override;

 private:
  std::unique_ptr<EventSource> train_, test_;  // train_ is null when only the test split was loaded
  EventPresentation presentation_;
  mutable std::mutex order_mutex_;  // the permutation of the epoch last asked for
  mutable int64_t order_epoch_ = -1;
  mutable std::vector<int64_t> order_;
};

}  // namespace plasticore
