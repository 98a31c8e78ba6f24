// DecideGpuPresence's table (what counts as a GPU on the node, and what it says), and ProbeGpu on
// this machine as the environment variable changes.
#include "pwemoe/util/gpu_presence.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace pwemoe {
namespace {

struct Case {
  const char* name;
  GpuProbe probe;
  bool found;
  const char* evidence;  // exact
};

TEST(GpuPresence, DecidesFromTheFirstEvidence) {
  const Case cases[] = {
      {"nothing", {-1, -1, false, ""}, false, ""},
      {"driver with devices", {2, -1, false, ""}, true, "the CUDA driver (libcuda.so.1) reports 2 devices"},
      {"one device", {1, 1, true, "0"}, true, "the CUDA driver (libcuda.so.1) reports 1 device"},
      {"driver answers none (it applied CUDA_VISIBLE_DEVICES)", {0, 4, true, "0"}, false, ""},
      {"kernel driver only", {-1, 4, false, ""}, true,
       "the NVIDIA kernel driver lists 4 GPUs in /proc/driver/nvidia/gpus"},
      {"empty /proc list", {-1, 0, false, ""}, false, ""},
      {"scheduler variable only", {-1, -1, true, "0,1"}, true, "CUDA_VISIBLE_DEVICES=0,1"},
      {"uuid form", {-1, -1, true, "GPU-8a1b"}, true, "CUDA_VISIBLE_DEVICES=GPU-8a1b"},
      {"empty variable hides all", {-1, -1, true, ""}, false, ""},
      {"-1 hides all", {-1, -1, true, "-1"}, false, ""},
      {"-1 first hides all", {-1, -1, true, "-1,0"}, false, ""},
      {"Slurm without GPUs", {-1, -1, true, "NoDevFiles"}, false, ""},
  };
  for (const Case& c : cases) {
    const GpuPresence got = DecideGpuPresence(c.probe);
    EXPECT_EQ(got.found, c.found) << c.name;
    EXPECT_EQ(got.evidence, c.evidence) << c.name;
  }
}

// Regression: a build without CUDA ran on the CPU of a GPU node without a word. On this machine
// the variable a scheduler sets is enough to be found, and hiding every device is not.
TEST(GpuPresence, ProbeReadsCudaVisibleDevices) {
  const GpuProbe before = ProbeGpu();
  if (before.driver_devices >= 0 || before.proc_gpus > 0) {
    GTEST_SKIP() << "this machine has an NVIDIA driver: the variable is not the deciding evidence";
  }
  ASSERT_EQ(setenv("CUDA_VISIBLE_DEVICES", "3", 1), 0);
  GpuPresence p = DetectGpu();
  EXPECT_TRUE(p.found);
  EXPECT_EQ(p.evidence, "CUDA_VISIBLE_DEVICES=3");
  ASSERT_EQ(setenv("CUDA_VISIBLE_DEVICES", "", 1), 0);
  EXPECT_FALSE(DetectGpu().found);
  ASSERT_EQ(unsetenv("CUDA_VISIBLE_DEVICES"), 0);
  EXPECT_FALSE(ProbeGpu().cuda_visible_devices_set);
}

}  // namespace
}  // namespace pwemoe
