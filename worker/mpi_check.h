// The one checking macro for MPI return codes (NCCL and CUDA get theirs beside their code).
//
// MPI_CHECK(call) evaluates an MPI call once; on failure it yields a Status naming the call, the
// MPI error string, and the file and line. Use inside functions that return pwemoe::Status:
//   PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Barrier(comm)));
#pragma once

#include <mpi.h>

#include <string>

#include "pwemoe/util/status.h"

namespace pwemoe::worker {

// Status for an MPI return code (OK for MPI_SUCCESS).
Status MpiStatus(int rc, const char* call, const char* file, int line);

}  // namespace pwemoe::worker

#define MPI_CHECK(call) ::pwemoe::worker::MpiStatus((call), #call, __FILE__, __LINE__)
