// The binding of a rank to its GPU. Compiled wherever the CUDA toolkit is (CMake defines
// PWEMOE_HAVE_CUDART); needs no LibTorch and no NCCL, so a single-GPU run (groups of one) uses it
// without NCCL. CUDA_CHECK is in comm/check.h.
//
// Thread safety: BindDevice sets the calling thread's current device (cudaSetDevice) and is
// collective over its communicator: call it once per rank, from the thread that initialised MPI,
// before any CUDA work of the rank.
#pragma once

#ifdef PWEMOE_HAVE_CUDART

#include <mpi.h>

#include "pwemoe/util/status.h"

namespace pwemoe::comm {

// The number of CUDA devices this process sees; 0 (not an error) when the runtime finds no
// device or no driver. Never fails.
int VisibleCudaDevices();

// Binds this process to a GPU: its node-local rank among `world`'s ranks (MPI_Comm_split_type,
// MPI_COMM_TYPE_SHARED) modulo the number of visible devices; logs the rank, host, local rank and
// device. Collective over `world`. *device receives the device index. NotFound when no device is
// visible.
Status BindDevice(MPI_Comm world, int* device);

}  // namespace pwemoe::comm

#endif  // PWEMOE_HAVE_CUDART
