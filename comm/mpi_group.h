// GroupComm over MPI, for groups of CPU ranks (comm/group_comm.h has the contract).
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

#include "comm/group_comm.h"
#include "pwemoe/util/status.h"

namespace pwemoe::comm {

// This process's group communicator: SplitConsecutive(parent, ranks_per_group)
// (comm/communicator.h) wrapped as a GroupComm over host memory. Collective over `parent`. Group
// rank 0 keeps a scratch buffer of size() x min(n, 2^20) elements for the largest all-reduce it
// has seen.
Status MakeMpiGroups(int ranks_per_group, MPI_Comm parent, std::unique_ptr<GroupComm>* out);

}  // namespace pwemoe::comm
