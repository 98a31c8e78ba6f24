// GroupComm over NCCL, for groups of GPU ranks. Compiled wherever the CUDA toolkit and NCCL are
// (CMake defines PWEMOE_HAVE_NCCL), with or without a CUDA LibTorch; comm/group_comm.h has the
// contract, comm/cuda_device.h the binding of a rank to its GPU.
//
// Order of use: MpiSession, BindDevice, MakeNcclGroups. Buffers given to the GroupComm are CUDA
// device memory on the bound device (device_memory() is true); the communicator works on its own
// stream, created with cudaStreamCreate, so it is ordered after work on the legacy default stream;
// work on other streams must be synchronised by the caller. Every call synchronises its stream
// before returning.
//
// All-reduce: ncclAllGather of every rank's buffer into a device scratch of size() x n elements,
// copied to the host, summed there in rank order (SumRowsInRankOrder) and copied back. So it is
// deterministic by construction and bit-identical to the MPI and in-process groups. ncclAllReduce
// is not used: its summation order follows NCCL's ring or tree, not rank order. Broadcast is
// ncclBroadcast; Barrier is MPI_Barrier over the group's MPI communicator.
//
// Thread safety and lifetime: as the MPI group (only the thread that initialised MPI; destroy
// before the MpiSession). A set-up error on one rank may leave the others blocked in NCCL's
// initialisation: on any error here, end the job (MpiSession::Abort).
#pragma once

#ifdef PWEMOE_HAVE_NCCL

#include <mpi.h>

#include <memory>

#include "comm/group_comm.h"
#include "pwemoe/util/status.h"

namespace pwemoe::comm {

// This process's group communicator over NCCL for consecutive groups of `ranks_per_group` ranks
// of `parent` (SplitConsecutive): the group's rank 0 creates the NCCL unique id and sends it by
// MPI_Bcast, then every rank joins with ncclCommInitRank. Collective over `parent`; call after
// BindDevice. Ranks of one group must be on distinct devices (an NCCL rule).
Status MakeNcclGroups(int ranks_per_group, MPI_Comm parent, std::unique_ptr<GroupComm>* out);

}  // namespace pwemoe::comm

#endif  // PWEMOE_HAVE_NCCL
