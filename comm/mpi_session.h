// MpiSession: MPI's lifetime for one process (MPI_Init_thread at construction, MPI_Finalize at
// destruction), with this process's rank and the world size.
//
// Create exactly one, first thing in main(), before any other MPI use; the world communicator's
// error handler is set to MPI_ERRORS_RETURN so every failure comes back through MPI_CHECK as a
// Status instead of aborting. Not copyable. Only the main thread calls MPI (MPI_THREAD_FUNNELED).
#pragma once

#include <mpi.h>

#include "pwemoe/util/status.h"

namespace pwemoe::comm {

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

}  // namespace pwemoe::comm
