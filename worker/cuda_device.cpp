#include "worker/cuda_device.h"

#include <spdlog/spdlog.h>

#include <string>

#include "worker/mpi_check.h"

namespace pwemoe::worker {

Status CudaStatus(cudaError_t rc, const char* call, const char* file, int line) {
  if (rc == cudaSuccess) return Status::Ok();
  return Status::IoError(std::string(call) + " failed: " + cudaGetErrorString(rc) + " (" + file +
                         ":" + std::to_string(line) + ")");
}

int VisibleCudaDevices() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no driver" / "no device" error
    return 0;
  }
  return count;
}

Status BindDevice(MPI_Comm world, int* device) {
  int rank = 0, local = 0, len = 0;
  MPI_Comm node = MPI_COMM_NULL;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(world, &rank)));
  PWEMOE_RETURN_IF_ERROR(
      MPI_CHECK(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node)));
  Status st = MPI_CHECK(MPI_Comm_rank(node, &local));
  Status freed = MPI_CHECK(MPI_Comm_free(&node));
  PWEMOE_RETURN_IF_ERROR(st);
  PWEMOE_RETURN_IF_ERROR(freed);
  const int count = VisibleCudaDevices();
  if (count < 1) return Status::NotFound("rank " + std::to_string(rank) + ": no CUDA device");
  *device = local % count;
  PWEMOE_RETURN_IF_ERROR(CUDA_CHECK(cudaSetDevice(*device)));
  char host[MPI_MAX_PROCESSOR_NAME] = {0};
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Get_processor_name(host, &len)));
  spdlog::info("rank {} on {}: node-local rank {}, CUDA device {} of {}{}", rank,
               std::string(host, len), local, *device, count,
               local >= count ? " (shared with another rank of this node)" : "");
  return Status::Ok();
}

}  // namespace pwemoe::worker
