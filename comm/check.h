// The checking macros for every MPI, CUDA runtime and NCCL return code of the project.
//
// Each macro evaluates its call once and yields a Status: OK on success, else IoError naming the
// call, the library's error string, and the file and line of the call. Use inside functions that
// return pwemoe::Status:
//   PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Barrier(comm)));
// MPI_CHECK is always there; CUDA_CHECK where the CUDA toolkit is (CMake defines
// PWEMOE_HAVE_CUDART), NCCL_CHECK where NCCL is too (PWEMOE_HAVE_NCCL).
#pragma once

#include <mpi.h>

#ifdef PWEMOE_HAVE_CUDART
#include <cuda_runtime.h>
#endif
#ifdef PWEMOE_HAVE_NCCL
#include <nccl.h>
#endif

#include "pwemoe/util/status.h"

namespace pwemoe::comm {

// Status for an MPI return code (OK for MPI_SUCCESS). Use through MPI_CHECK.
Status MpiStatus(int rc, const char* call, const char* file, int line);

#ifdef PWEMOE_HAVE_CUDART
// Status for a CUDA runtime return code (OK for cudaSuccess). Use through CUDA_CHECK.
Status CudaStatus(cudaError_t rc, const char* call, const char* file, int line);
#endif

#ifdef PWEMOE_HAVE_NCCL
// Status for an NCCL return code (OK for ncclSuccess). Use through NCCL_CHECK.
Status NcclStatus(ncclResult_t rc, const char* call, const char* file, int line);
#endif

}  // namespace pwemoe::comm

#define MPI_CHECK(call) ::pwemoe::comm::MpiStatus((call), #call, __FILE__, __LINE__)
#ifdef PWEMOE_HAVE_CUDART
#define CUDA_CHECK(call) ::pwemoe::comm::CudaStatus((call), #call, __FILE__, __LINE__)
#endif
#ifdef PWEMOE_HAVE_NCCL
#define NCCL_CHECK(call) ::pwemoe::comm::NcclStatus((call), #call, __FILE__, __LINE__)
#endif
