// Blocking collectives on a few values over an MPI communicator, for the ranks of a job to agree
// during set-up: a reduction of one int, a barrier, and the job's host names. (The training
// groups' collectives are GroupComm's, comm/group_comm.h; the polling broadcast is in
// comm/mpi_link.h.)
//
// Thread safety: every function is collective over its communicator: every rank calls it, in the
// same order, from the thread that initialised MPI (MpiSession). MPI errors come back as a
// Status (MPI_CHECK).
#pragma once

#include <mpi.h>

#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::comm {

enum class ReduceOp { kSum, kMin, kMax };

// *out = `op` over every rank's `value` (MPI_Allreduce), on every rank of `comm`.
Status AllReduceInt(MPI_Comm comm, ReduceOp op, int value, int* out);

// Returns once every rank of `comm` has entered it (MPI_Barrier).
Status Barrier(MPI_Comm comm);

// The host names (MPI_Get_processor_name) of every rank of `comm`, distinct and sorted, into
// *hosts on `comm`'s rank 0 (cleared elsewhere).
Status GatherHostNames(MPI_Comm comm, std::vector<std::string>* hosts);

}  // namespace pwemoe::comm
