// The MPI transport of the coordinator-worker links (comm/link.h has the Link contract and the
// in-process links): the links of an MPI process, and the polling broadcast the ranks use while
// rank 0 sets up. The only header of the link layer that includes <mpi.h>.
//
// Thread safety: as comm/link.h says for MakeMpiLinks; PollingBroadcast from the thread that
// initialised MPI.
#pragma once

#include <mpi.h>

#include <memory>

#include "comm/link.h"
#include "pwemoe/util/status.h"

namespace pwemoe::comm {

// The links of this MPI process over `world` (the job's communicator, error handler
// MPI_ERRORS_RETURN). On rank 0: *coordinator hears every rank (ranks >= 1 by MPI, its own
// worker through an in-process queue), and *local_worker is that rank-0 worker's end (no MPI).
// On other ranks: *coordinator is null and *local_worker talks to rank 0 by MPI. Message kinds
// travel as MPI tags, so kind < 32767 (MPI_TAG_UB's minimum).
Status MakeMpiLinks(MPI_Comm world, std::unique_ptr<Link>* coordinator,
                    std::unique_ptr<Link>* local_worker);

// Waits, without spinning, until every rank of `comm` has called it, and gives every rank rank 0's
// `*value` (MPI_Ibcast polled with sleeps): for ranks that wait on rank 0's long set-up (building
// the benchmark, opening the result store) and must learn whether it succeeded. Collective.
Status PollingBroadcast(MPI_Comm comm, int* value);

}  // namespace pwemoe::comm
