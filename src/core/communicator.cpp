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
  std::vector<std::string> allgather(const std::string& local) const override {
    const long long mine = static_cast<long long>(local.size());
    std::vector<long long> sizes(static_cast<size_t>(size_));
    MPI_Allgather(&mine, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, comm_);
    // Large messages go in chunks: MPI counts are int.
    std::vector<std::string> parts(static_cast<size_t>(size_));
    for (int r = 0; r < size_; ++r) {
      std::string& part = parts[static_cast<size_t>(r)];
      if (r == rank_) part = local;
      else part.resize(static_cast<size_t>(sizes[static_cast<size_t>(r)]));
      constexpr size_t kChunk = size_t{1} << 30;
      for (size_t offset = 0; offset < part.size(); offset += kChunk) {
        const int count = static_cast<int>(std::min(kChunk, part.size() - offset));
        MPI_Bcast(part.data() + offset, count, MPI_BYTE, r, comm_);
      }
    }
    return parts;
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
