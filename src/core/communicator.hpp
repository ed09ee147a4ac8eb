// The ranks of a data-parallel run (docs/scaling.md): each rank trains on its slice of every global
// batch, and the learners combine the slices with these collectives in a fixed order, so that every rank
// applies the same update. The serial communicator (one rank) is the default; under `mpirun` with MPI
// compiled in (PLASTICORE_MPI), world() is MPI_COMM_WORLD. Rules and substrates never see this: the
// learners and the trainer do.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace plasticore {

// What allgather returns: every rank's bytes, one after the other in rank order (one buffer: no copy per rank).
struct Gathered {
  std::string bytes;
  std::vector<size_t> offsets;  // rank r's bytes are [offsets[r], offsets[r + 1])
  size_t size(size_t rank) const { return offsets[rank + 1] - offsets[rank]; }
  const char* data(size_t rank) const { return bytes.data() + offsets[rank]; }
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Every rank gives its bytes; every rank receives all of them, in rank order, into out (whose buffer is
  // reused: a learner exchanges every phase).
  virtual void allgather(const std::string& local, Gathered& out) const = 0;
  // Element-wise sums over the ranks, in place (exact for integers).
  virtual void allreduce_sum(int64_t* data, size_t n) const = 0;
  // The root's bytes on every rank.
  virtual void broadcast(std::string& data, int root) const = 0;
  // Waits for every rank without spinning (ranks may wait long: a sweep's groups finish apart).
  virtual void barrier() const = 0;
  // The ranks of this communicator that pass the same color, in rank order (one group of a sweep).
  virtual std::unique_ptr<Communicator> split(int color) const = 0;
  // Stops every rank (a failed rank must not leave the others waiting in a collective).
  [[noreturn]] virtual void abort(int exit_code) const = 0;
  bool root() const { return rank() == 0; }
};

class SerialCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allgather(const std::string& local, Gathered& out) const override {
    out.bytes = local;
    out.offsets = {0, local.size()};
  }
  void allreduce_sum(int64_t*, size_t) const override {}
  void broadcast(std::string&, int) const override {}
  void barrier() const override {}
  std::unique_ptr<Communicator> split(int) const override { return std::make_unique<SerialCommunicator>(); }
  [[noreturn]] void abort(int exit_code) const override;
};

// The communicator of this process: MPI's world once init_world() ran under mpirun, else serial.
const Communicator& world();
// Starts MPI if it is compiled in (no-op otherwise); finish_world() ends it.
void init_world(int* argc, char*** argv);
void finish_world();
bool mpi_compiled_in();

// The slice [begin, end) of n items that rank r of p takes: contiguous, in rank order, sizes within one.
inline void slice_of(int64_t n, int rank, int ranks, int64_t& begin, int64_t& end) {
  begin = n * rank / ranks;
  end = n * (rank + 1) / ranks;
}

}  // namespace plasticore
