// MPI communicators made by splitting another: OwnedComm, the handle that frees one, and the
// splits the project makes (by colour; into consecutive groups).
//
// Thread safety: MPI is initialised MPI_THREAD_FUNNELED (MpiSession), so only the thread that
// initialised MPI makes, uses and destroys these. Destroy them before the MpiSession (after
// MPI_Finalize a handle frees nothing).
#pragma once

#include <mpi.h>

#include "pwemoe/util/status.h"

namespace pwemoe::comm {

// Owns an MPI communicator (or MPI_COMM_NULL) and frees it (MPI_Comm_free) when destroyed; a
// failure there is logged as a warning. Movable, not copyable.
class OwnedComm {
 public:
  OwnedComm() = default;
  // Takes ownership of `comm` (MPI_COMM_NULL allowed).
  explicit OwnedComm(MPI_Comm comm) : comm_(comm) {}
  ~OwnedComm();
  OwnedComm(OwnedComm&& other) noexcept;
  OwnedComm& operator=(OwnedComm&& other) noexcept;
  OwnedComm(const OwnedComm&) = delete;
  OwnedComm& operator=(const OwnedComm&) = delete;

  MPI_Comm get() const { return comm_; }
  bool is_null() const { return comm_ == MPI_COMM_NULL; }

  // Frees the communicator now; the handle is null afterwards, also on error. OK when it was
  // null or MPI is finalised already; an MPI error as MPI_CHECK gives it.
  Status Free();

 private:
  // Free, with a failure logged as a warning (for the destructor and the move assignment).
  void FreeOrWarn();

  MPI_Comm comm_ = MPI_COMM_NULL;
};

// Splits `parent` by colour: the ranks that pass the same colour >= 0 form one new communicator,
// in their parent order, with error handler MPI_ERRORS_RETURN; a rank that passes a negative
// colour gets a null one (MPI_UNDEFINED). Collective over `parent`. *out replaced on success.
Status SplitByColor(MPI_Comm parent, int color, OwnedComm* out);

// Splits `parent` into consecutive groups of `ranks_per_group` ranks: parent ranks 0..g-1 form
// group 0, g..2g-1 group 1, and so on; the last group is smaller when g does not divide the
// parent's size. SplitByColor with colour parent rank / g. InvalidArgument when
// ranks_per_group < 1.
Status SplitConsecutive(MPI_Comm parent, int ranks_per_group, OwnedComm* group);

}  // namespace pwemoe::comm
