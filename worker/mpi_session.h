// MpiSession: MPI's lifetime for one process (MPI_Init_thread at construction, MPI_Finalize at
// destruction), with this process's rank and the world size.
//
// Create exactly one, first thing in main(), before any other MPI use; the world communicator's
// error handler is set to MPI_ERRORS_RETURN so every failure comes back through MPI_CHECK as a
// Status instead of aborting. Not copyable. Only the main thread calls MPI (MPI_THREAD_FUNNELED).
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::worker {

class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // Non-OK when MPI could not be initialised (then rank() is 0 and size() is 1).
  const Status& status() const { return status_; }
  int rank() const { return rank_; }
  int size() const { return size_; }

  // Ends every rank of the job with `exit_code` (MPI_Abort): for a rank that must stop while
  // others may be blocked in a collective. Does not return.
  [[noreturn]] void Abort(int exit_code);

 private:
  Status status_;
  bool initialized_ = false;
  int rank_ = 0;
  int size_ = 1;
};

// The host names (MPI_Get_processor_name) of every rank of `comm`, distinct and sorted, into
// *hosts on `comm`'s rank 0 (cleared elsewhere). Collective over `comm`; MPI errors come back
// as a Status (MPI_CHECK). Main thread only.
Status GatherHostNames(MPI_Comm comm, std::vector<std::string>* hosts);

}  // namespace pwemoe::worker
