// The CUDA and NCCL code of comm/ without a GPU: it compiles and links wherever the toolkit and
// NCCL are (CI), the checking macros name the call, the error and the place, and the runtime's
// "no driver" or "no device" reads as zero devices, not as a failure.
#include <gtest/gtest.h>
#include <nccl.h>

#include <string>

#include "comm/check.h"
#include "comm/cuda_device.h"
#include "comm/nccl_group.h"

namespace pwemoe::comm {
namespace {

TEST(CudaNccl, CheckMacrosNameCallErrorAndPlace) {
  EXPECT_TRUE(CUDA_CHECK(cudaSuccess).ok());
  EXPECT_TRUE(NCCL_CHECK(ncclSuccess).ok());
  const Status cuda = CUDA_CHECK(cudaErrorInvalidValue);
  ASSERT_FALSE(cuda.ok());
  EXPECT_NE(cuda.message().find("cudaErrorInvalidValue failed: invalid argument"), std::string::npos)
      << cuda.message();
  EXPECT_NE(cuda.message().find("cuda_nccl_test.cpp:"), std::string::npos) << cuda.message();
  const Status nccl = NCCL_CHECK(ncclInvalidArgument);
  ASSERT_FALSE(nccl.ok());
  EXPECT_NE(nccl.message().find("ncclInvalidArgument failed: "), std::string::npos) << nccl.message();
  EXPECT_NE(nccl.message().find(ncclGetErrorString(ncclInvalidArgument)), std::string::npos);
  EXPECT_NE(nccl.message().find("cuda_nccl_test.cpp:"), std::string::npos) << nccl.message();
}

TEST(CudaNccl, LibraryVersionIsReadableWithoutADevice) {
  int version = 0;
  ASSERT_TRUE(NCCL_CHECK(ncclGetVersion(&version)).ok());
  EXPECT_GE(version, 2000);  // NCCL 2.x: major * 10000 + minor * 100 + patch (>= 2.9)
}

TEST(CudaNccl, NoDeviceCountsAsZero) {
  const int n = VisibleCudaDevices();
  EXPECT_GE(n, 0);
  // And a second call after the first's error answers the same (the sticky error was cleared).
  EXPECT_EQ(VisibleCudaDevices(), n);
}

}  // namespace
}  // namespace pwemoe::comm
