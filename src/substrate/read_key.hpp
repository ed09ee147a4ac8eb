// Which sample and time step a matrix read serves, for substrates whose reads are noisy. Device read noise
// is drawn from a stream keyed by (seed, state version, input, this key), so a spike pattern that recurs at
// another step, phase or sample draws fresh noise, while the numbers still depend only on the seed and the
// sample's position, never on the thread that reads. The code that steps a sample (RecurrentSNN,
// Relaxation, the learners) sets it on the thread that reads, in a ReadKeyScope, so that outside every
// scope it is {0, 0} on every thread: reads nobody keys are keyed by their input alone, never by what
// the thread happened to run before.
#pragma once
#include <cstdint>

#include "core/rng.hpp"

namespace plasticore {

struct ReadKey {
  uint64_t sample = 0;  // a hash of (purpose, split/epoch, sample index, phase): see sample_read_key
  uint64_t step = 0;    // the time step within the sample's phase
};

// The calling thread's current key.
inline ReadKey& thread_read_key() {
  thread_local ReadKey key;
  return key;
}

// Sets the thread's key for its lifetime, then restores the one before.
class ReadKeyScope {
 public:
  explicit ReadKeyScope(ReadKey key) : saved_(thread_read_key()) { thread_read_key() = key; }
  ~ReadKeyScope() { thread_read_key() = saved_; }
  ReadKeyScope(const ReadKeyScope&) = delete;
  ReadKeyScope& operator=(const ReadKeyScope&) = delete;

 private:
  ReadKey saved_;
};

// A sample's key from the numbers that name it (any count of them, order matters).
template <class... Parts>
uint64_t sample_read_key(Parts... parts) {
  uint64_t h = 0x6a09e667f3bcc908ULL;
  ((h = splitmix64(h) ^ static_cast<uint64_t>(parts)), ...);
  return splitmix64(h);
}

}  // namespace plasticore
