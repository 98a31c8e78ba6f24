// GroupComm over MPI, for groups of CPU ranks (worker/group_comm.h has the contract).
//
// Groups are consecutive blocks of a parent communicator's ranks. The all-reduce is deterministic
// by construction: each chunk of the buffer is gathered to the group's rank 0, summed there in
// rank order (SumRowsInRankOrder), and broadcast back; it gives the same bits as MakeLocalGroup
// for the same group size and inputs.
//
// Thread safety and lifetime: MPI is initialised MPI_THREAD_FUNNELED (MpiSession), so only the
// thread that initialised MPI may use these objects. A GroupComm from MakeMpiGroups owns its MPI
// communicator and frees it when destroyed: destroy it before the MpiSession.
#pragma once

#include <mpi.h>

#include <memory>

#include "pwemoe/util/status.h"
#include "worker/group_comm.h"

namespace pwemoe::worker {

// Splits `parent` into consecutive groups of `ranks_per_group` ranks: parent ranks 0..g-1 form
// group 0, g..2g-1 group 1, and so on; the last group is smaller when g does not divide the
// parent's size. Ranks keep their parent order. Collective over `parent`. On success *group is a
// new communicator with error handler MPI_ERRORS_RETURN, which the caller frees (MPI_Comm_free).
// InvalidArgument when ranks_per_group < 1.
Status SplitConsecutive(MPI_Comm parent, int ranks_per_group, MPI_Comm* group);

// This process's group communicator: SplitConsecutive(parent, ranks_per_group) wrapped as a
// GroupComm over host memory. Collective over `parent`. Group rank 0 keeps a scratch buffer of
// size() x min(n, 2^20) elements for the largest all-reduce it has seen.
Status MakeMpiGroups(int ranks_per_group, MPI_Comm parent, std::unique_ptr<GroupComm>* out);

}  // namespace pwemoe::worker
