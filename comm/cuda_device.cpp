#include "comm/cuda_device.h"

#include <spdlog/spdlog.h>

#include <string>

#include "comm/check.h"
#include "comm/communicator.h"

namespace pwemoe::comm {

int VisibleCudaDevices() {
  int count = 0;
  if (!CUDA_CHECK(cudaGetDeviceCount(&count)).ok()) {
    (void)CUDA_CHECK(cudaGetLastError());  // clear the sticky "no driver" / "no device" error
    return 0;
  }
  return count;
}

Status BindDevice(MPI_Comm world, int* device) {
  int rank = 0, local = 0, len = 0;
  MPI_Comm raw = MPI_COMM_NULL;
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(world, &rank)));
  PWEMOE_RETURN_IF_ERROR(
      MPI_CHECK(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &raw)));
  OwnedComm node(raw);
  PWEMOE_RETURN_IF_ERROR(MPI_CHECK(MPI_Comm_rank(node.get(), &local)));
  PWEMOE_RETURN_IF_ERROR(node.Free());
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

}  // namespace pwemoe::comm
