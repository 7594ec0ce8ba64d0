// The only place that talks MPI: spreads sweep trials over ranks and brings results to rank 0.
// Built without MPI (or not started by an MPI launcher) it is one process, rank 0 of 1; the
// interface is the same either way, so callers never #ifdef.
#pragma once

#include <string>

namespace safsim {

/// Message tags between ranks.
enum class MpiTag : int { kResult = 1, kDone = 2, kError = 3 };

/// One MPI job (or a single process). Only the thread that created it may call it (the
/// library is initialised with MPI_THREAD_FUNNELED: worker threads never touch MPI).
///   MpiTransport mpi;
///   if (mpi.rank() == 0) { ... mpi.poll(tag, from, msg) ... } else { mpi.send_to_root(...); }
class MpiTransport {
 public:
  /// Joins the MPI job when built with MPI and started by a launcher (mpirun/srun set
  /// OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK) unless SAFSIM_MPI=0 is in the environment.
  MpiTransport();
  ~MpiTransport();
  MpiTransport(const MpiTransport&) = delete;
  MpiTransport& operator=(const MpiTransport&) = delete;

  /// Whether this binary was built with MPI (SAFSIM_HAVE_MPI).
  static bool built_with_mpi();
  /// Whether MPI was initialised (false for a plain single process).
  bool active() const { return active_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Ranks sharing this node (for the default thread count per rank).
  int ranks_on_node() const { return ranks_on_node_; }

  /// Rank 0's `data` replaces `data` on every rank.
  void broadcast(std::string& data);
  /// Blocking send of one message to rank 0 (not called on rank 0).
  void send_to_root(MpiTag tag, const std::string& message);
  /// Rank 0: receives one pending message if there is one; false when none is waiting.
  bool poll(MpiTag& tag, int& source, std::string& message);
  void barrier();
  /// Ends every rank of the job (an error on one rank must not leave the others waiting).
  [[noreturn]] void abort(int exit_code);

 private:
  bool active_ = false;
  int rank_ = 0;
  int size_ = 1;
  int ranks_on_node_ = 1;
};

}  // namespace safsim
