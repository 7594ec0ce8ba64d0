// MPI transport (mpi_transport.h). Everything MPI is under SAFSIM_HAVE_MPI; without it every
// call is the single-process case (rank 0 of 1, nothing to send or receive).
#include "sim/sweep/mpi_transport.h"

#include <cstdlib>
#include <string>
#include <vector>

#if SAFSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace safsim {
namespace {

/// mpirun (OpenMPI), MPICH/Hydra and srun (PMI/PMIx) set one of these in every rank.
bool launched_by_mpi() {
  const char* off = std::getenv("SAFSIM_MPI");
  if (off != nullptr && std::string(off) == "0") {
    return false;
  }
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(var) != nullptr) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool MpiTransport::built_with_mpi() {
#if SAFSIM_HAVE_MPI
  return true;
#else
  return false;
#endif
}

#if SAFSIM_HAVE_MPI

MpiTransport::MpiTransport() {
  if (!launched_by_mpi()) {
    return;
  }
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  }
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &ranks_on_node_);
  MPI_Comm_free(&node);
}

MpiTransport::~MpiTransport() {
  if (active_) {
    MPI_Finalize();
  }
}

void MpiTransport::broadcast(std::string& data) {
  if (!active_) {
    return;
  }
  unsigned long long n = data.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  data.resize(n);
  if (n > 0) {
    MPI_Bcast(data.data(), int(n), MPI_CHAR, 0, MPI_COMM_WORLD);
  }
}

void MpiTransport::send_to_root(MpiTag tag, const std::string& message) {
  if (!active_) {
    return;
  }
  MPI_Send(message.data(), int(message.size()), MPI_CHAR, 0, int(tag), MPI_COMM_WORLD);
}

bool MpiTransport::poll(MpiTag& tag, int& source, std::string& message) {
  if (!active_) {
    return false;
  }
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
  if (!flag) {
    return false;
  }
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  message.assign(size_t(count), '\0');
  MPI_Recv(message.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  tag = MpiTag(status.MPI_TAG);
  source = status.MPI_SOURCE;
  return true;
}

void MpiTransport::barrier() {
  if (active_) {
    MPI_Barrier(MPI_COMM_WORLD);
  }
}

void MpiTransport::abort(int exit_code) {
  if (active_) {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
  }
  std::exit(exit_code);
}

#else  // !SAFSIM_HAVE_MPI: a single process

MpiTransport::MpiTransport() { (void)launched_by_mpi; }
MpiTransport::~MpiTransport() = default;
void MpiTransport::broadcast(std::string& /*data*/) {}
void MpiTransport::send_to_root(MpiTag /*tag*/, const std::string& /*message*/) {}
bool MpiTransport::poll(MpiTag& /*tag*/, int& /*source*/, std::string& /*message*/) {
  return false;
}
void MpiTransport::barrier() {}
void MpiTransport::abort(int exit_code) { std::exit(exit_code); }

#endif

}  // namespace safsim
