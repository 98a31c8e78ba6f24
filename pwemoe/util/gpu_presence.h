// Whether this node has an NVIDIA GPU, found without the CUDA toolkit, so that a build without
// CUDA support can say it is running on the CPU of a GPU node instead of doing so silently.
// Thread-safe; no global state.
#pragma once

#include <string>

namespace pwemoe {

// What DetectGpu looked at. A count of -1 means "could not tell" (no driver library, no /proc
// entry); `cuda_visible_devices_set` is false when the variable is absent.
struct GpuProbe {
  int driver_devices = -1;        // cuDeviceGetCount through the CUDA driver (libcuda.so.1)
  int proc_gpus = -1;             // entries of /proc/driver/nvidia/gpus (the kernel driver)
  bool cuda_visible_devices_set = false;
  std::string cuda_visible_devices;  // its value, as a scheduler (Slurm --gpus) sets it
};

// The answer: `found` with a human-readable `evidence` ("the CUDA driver (libcuda.so.1) reports
// 2 devices"), or not found with an empty evidence.
struct GpuPresence {
  bool found = false;
  std::string evidence;
};

// Reads the system: loads libcuda.so.1 with dlopen if it is there (cuInit, cuDeviceGetCount,
// the query nvidia-smi itself makes), lists /proc/driver/nvidia/gpus, reads CUDA_VISIBLE_DEVICES.
// Never fails: what cannot be read counts as "could not tell".
GpuProbe ProbeGpu();

// The decision from a probe, first evidence first: the driver's count, then the kernel driver's
// GPUs, then a CUDA_VISIBLE_DEVICES that names a device (not empty, not "-1", not "NoDevFiles").
// A driver that answers 0 devices wins over the rest (it has applied CUDA_VISIBLE_DEVICES).
GpuPresence DecideGpuPresence(const GpuProbe& probe);

// DecideGpuPresence(ProbeGpu()).
GpuPresence DetectGpu();

}  // namespace pwemoe
