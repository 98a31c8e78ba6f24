#include "comm/check.h"

#include <string>

namespace pwemoe::comm {
namespace {

Status Failed(const char* call, const std::string& error, const char* file, int line) {
  return Status::IoError(std::string(call) + " failed: " + error + " (" + file + ":" +
                         std::to_string(line) + ")");
}

}  // namespace

Status MpiStatus(int rc, const char* call, const char* file, int line) {
  if (rc == MPI_SUCCESS) return Status::Ok();
  char text[MPI_MAX_ERROR_STRING] = {0};
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  return Failed(call, std::string(text, len), file, line);
}

#ifdef PWEMOE_HAVE_CUDART
Status CudaStatus(cudaError_t rc, const char* call, const char* file, int line) {
  if (rc == cudaSuccess) return Status::Ok();
  return Failed(call, cudaGetErrorString(rc), file, line);
}
#endif

#ifdef PWEMOE_HAVE_NCCL
Status NcclStatus(ncclResult_t rc, const char* call, const char* file, int line) {
  if (rc == ncclSuccess) return Status::Ok();
  return Failed(call, ncclGetErrorString(rc), file, line);
}
#endif

}  // namespace pwemoe::comm
