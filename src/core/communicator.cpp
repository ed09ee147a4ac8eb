#include "core/communicator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#ifdef PLASTICORE_MPI
#include <mpi.h>
#endif

namespace plasticore {

void SerialCommunicator::abort(int exit_code) const { std::exit(exit_code); }

#ifdef PLASTICORE_MPI

namespace {

class MpiCommunicator final : public Communicator {
  static constexpr long long kMaxCount = 1LL << 30;  // bytes per MPI call (counts are int)

 public:
  explicit MpiCommunicator(MPI_Comm comm, bool owned) : comm_(comm), owned_(owned) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  ~MpiCommunicator() override {
    if (owned_) MPI_Comm_free(&comm_);
  }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void allgather(const std::string& local, Gathered& out) const override {
    const long long mine = static_cast<long long>(local.size());
    std::vector<long long> sizes(static_cast<size_t>(size_));
    MPI_Allgather(&mine, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, comm_);
    out.offsets.assign(static_cast<size_t>(size_) + 1, 0);
    for (size_t r = 0; r < sizes.size(); ++r) out.offsets[r + 1] = out.offsets[r] + static_cast<size_t>(sizes[r]);
    out.bytes.resize(out.offsets.back());
    if (out.offsets.back() <= static_cast<size_t>(kMaxCount)) {  // the usual case: one collective
      std::vector<int> counts(static_cast<size_t>(size_)), displacements(static_cast<size_t>(size_));
      for (size_t r = 0; r < counts.size(); ++r) {
        counts[r] = static_cast<int>(sizes[r]);
        displacements[r] = static_cast<int>(out.offsets[r]);
      }
      MPI_Allgatherv(local.data(), static_cast<int>(mine), MPI_BYTE, out.bytes.data(), counts.data(),
                     displacements.data(), MPI_BYTE, comm_);
      return;
    }
    // More than MPI's int counts: each rank's bytes broadcast in chunks.
    std::copy(local.begin(), local.end(), out.bytes.begin() + static_cast<std::ptrdiff_t>(out.offsets[static_cast<size_t>(rank_)]));
    for (int r = 0; r < size_; ++r) {
      const size_t begin = out.offsets[static_cast<size_t>(r)], end = out.offsets[static_cast<size_t>(r) + 1];
      for (size_t offset = begin; offset < end; offset += static_cast<size_t>(kMaxCount)) {
        const int count = static_cast<int>(std::min<size_t>(static_cast<size_t>(kMaxCount), end - offset));
        MPI_Bcast(out.bytes.data() + offset, count, MPI_BYTE, r, comm_);
      }
    }
  }
  void allreduce_sum(int64_t* data, size_t n) const override {
    MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_INT64_T, MPI_SUM, comm_);
  }
  void broadcast(std::string& data, int root) const override {
    long long n = static_cast<long long>(data.size());
    MPI_Bcast(&n, 1, MPI_LONG_LONG, root, comm_);
    data.resize(static_cast<size_t>(n));
    MPI_Bcast(data.data(), static_cast<int>(n), MPI_BYTE, root, comm_);
  }
  void barrier() const override {
    // MPI_Barrier polls a core at 100 % until the last rank arrives; test and sleep instead (from 50 us
    // up to 20 ms between tests), so a rank that waits leaves its core to the ranks still working.
    MPI_Request request;
    MPI_Ibarrier(comm_, &request);
    int done = 0;
    auto pause = std::chrono::microseconds(50);
    for (MPI_Test(&request, &done, MPI_STATUS_IGNORE); !done; MPI_Test(&request, &done, MPI_STATUS_IGNORE)) {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::microseconds(20000));
    }
  }
  std::unique_ptr<Communicator> split(int color) const override {
    MPI_Comm group;
    MPI_Comm_split(comm_, color, rank_, &group);
    return std::make_unique<MpiCommunicator>(group, /*owned=*/true);
  }
  [[noreturn]] void abort(int exit_code) const override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::exit(exit_code);
  }

 private:
  MPI_Comm comm_;
  bool owned_;
  int rank_ = 0, size_ = 1;
};

bool g_mpi = false;

}  // namespace

void init_world(int* argc, char*** argv) {
  // Only under a launcher: a plain run (no OMPI/PMI environment) stays serial and needs no MPI daemon.
  if (std::getenv("OMPI_COMM_WORLD_SIZE") == nullptr && std::getenv("PMI_SIZE") == nullptr &&
      std::getenv("PMIX_RANK") == nullptr)
    return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);  // OpenMP threads never call MPI
  g_mpi = true;
}

void finish_world() {
  if (g_mpi) MPI_Finalize();
  g_mpi = false;
}

const Communicator& world() {
  static const SerialCommunicator serial;
  if (!g_mpi) return serial;
  static const MpiCommunicator mpi(MPI_COMM_WORLD, /*owned=*/false);
  return mpi;
}

bool mpi_compiled_in() { return true; }

#else

void init_world(int*, char***) {}
void finish_world() {}
const Communicator& world() {
  static const SerialCommunicator serial;
  return serial;
}
bool mpi_compiled_in() { return false; }

#endif

}  // namespace plasticore
