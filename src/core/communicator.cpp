#include "core/communicator.hpp"

#include <cstdlib>

#ifdef PLASTICORE_MPI
#include <mpi.h>
#endif

namespace plasticore {

void SerialCommunicator::abort(int exit_code) const { std::exit(exit_code); }

#ifdef PLASTICORE_MPI

namespace {

class MpiCommunicator final : public Communicator {
 public:
  int rank() const override {
    int r = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
  }
  int size() const override {
    int s = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
  }
  std::vector<std::string> allgather(const std::string& local) const override {
    const int p = size();
    const long long mine = static_cast<long long>(local.size());
    std::vector<long long> sizes(static_cast<size_t>(p));
    MPI_Allgather(&mine, 1, MPI_LONG_LONG, sizes.data(), 1, MPI_LONG_LONG, MPI_COMM_WORLD);
    // Large messages go in chunks: MPI counts are int.
    std::vector<std::string> parts(static_cast<size_t>(p));
    for (int r = 0; r < p; ++r) parts[static_cast<size_t>(r)].resize(static_cast<size_t>(sizes[static_cast<size_t>(r)]));
    for (int r = 0; r < p; ++r) {
      std::string& part = parts[static_cast<size_t>(r)];
      if (r == rank()) part = local;
      constexpr size_t kChunk = size_t{1} << 30;
      for (size_t offset = 0; offset < part.size(); offset += kChunk) {
        const int count = static_cast<int>(std::min(kChunk, part.size() - offset));
        MPI_Bcast(part.data() + offset, count, MPI_BYTE, r, MPI_COMM_WORLD);
      }
    }
    return parts;
  }
  void allreduce_sum(int64_t* data, size_t n) const override {
    MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  }
  void broadcast(std::string& data, int root) const override {
    long long n = static_cast<long long>(data.size());
    MPI_Bcast(&n, 1, MPI_LONG_LONG, root, MPI_COMM_WORLD);
    data.resize(static_cast<size_t>(n));
    MPI_Bcast(data.data(), static_cast<int>(n), MPI_BYTE, root, MPI_COMM_WORLD);
  }
  void barrier() const override { MPI_Barrier(MPI_COMM_WORLD); }
  [[noreturn]] void abort(int exit_code) const override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::exit(exit_code);
  }
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
  static const MpiCommunicator mpi;
  if (g_mpi) return mpi;
  return serial;
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
