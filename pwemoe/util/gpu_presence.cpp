#include "pwemoe/util/gpu_presence.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace pwemoe {
namespace {

// The two CUDA driver API entry points used, by their C signatures (CUresult is an int enum).
using CuInitFn = int (*)(unsigned int);
using CuDeviceGetCountFn = int (*)(int*);

int DriverDeviceCount() {
  void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (lib == nullptr) return -1;
  int count = -1;
  auto init = reinterpret_cast<CuInitFn>(dlsym(lib, "cuInit"));
  auto get_count = reinterpret_cast<CuDeviceGetCountFn>(dlsym(lib, "cuDeviceGetCount"));
  if (init != nullptr && get_count != nullptr) {
    int n = 0;
    // CUDA_ERROR_NO_DEVICE (100) from cuInit is an answer: no device.
    const int rc = init(0);
    if (rc == 0 && get_count(&n) == 0) count = n;
    if (rc == 100) count = 0;
  }
  dlclose(lib);
  return count;
}

int ProcGpuCount() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it("/proc/driver/nvidia/gpus", ec);
  if (ec) return -1;
  int n = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    ++n;
  }
  return n;
}

std::string Plural(int n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

GpuProbe ProbeGpu() {
  GpuProbe p;
  p.driver_devices = DriverDeviceCount();
  p.proc_gpus = ProcGpuCount();
  if (const char* v = std::getenv("CUDA_VISIBLE_DEVICES")) {
    p.cuda_visible_devices_set = true;
    p.cuda_visible_devices = v;
  }
  return p;
}

GpuPresence DecideGpuPresence(const GpuProbe& p) {
  if (p.driver_devices > 0) {
    return {true, "the CUDA driver (libcuda.so.1) reports " + Plural(p.driver_devices, "device")};
  }
  if (p.driver_devices == 0) return {};
  if (p.proc_gpus > 0) {
    return {true, "the NVIDIA kernel driver lists " + Plural(p.proc_gpus, "GPU") +
                      " in /proc/driver/nvidia/gpus"};
  }
  const std::string& v = p.cuda_visible_devices;
  if (p.cuda_visible_devices_set && !v.empty() && v.rfind("-1", 0) != 0 && v != "NoDevFiles") {
    return {true, "CUDA_VISIBLE_DEVICES=" + v};
  }
  return {};
}

GpuPresence DetectGpu() { return DecideGpuPresence(ProbeGpu()); }

}  // namespace pwemoe
