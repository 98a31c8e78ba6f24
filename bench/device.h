// Where the benchmarks run: PWEMOE_BENCH_DEVICE, "cpu" (the default) or "cuda" / "cuda:<k>" in a
// build against a CUDA LibTorch, and what timing on a GPU needs: kernels run asynchronously, so
// every timed region starts and ends with Synchronize(device).
//
// On a GPU the precision is explicit: PWEMOE_BENCH_TF32=1 allows TF32 in cuBLAS and cuDNN for the
// whole run (probes and benchmarks alike); by default it is off, so the GPU computes plain
// float32 as the CPU does and the GEMM probe measures float32 matrix products.
//
// Thread safety: call from one thread at a time (main and the benchmarks, which Google Benchmark
// runs one after the other).
#pragma once

#include <string>

#include <c10/core/Device.h>

namespace pwemoe::bench {

// The device from PWEMOE_BENCH_DEVICE (read once, then cached): CPU when unset or empty. Exits
// the process with status 2 and a message on stderr for a value that is not "cpu", "cuda" or
// "cuda:<k>", or for a CUDA device when torch::cuda::is_available() is false (a CPU-only
// LibTorch or no GPU) or k is not below torch::cuda::device_count(): a run on another device
// than asked is useless.
c10::Device BenchDevice();

// Waits until every kernel queued on `device` has finished (torch::cuda::synchronize of its
// index); returns at once for the CPU.
void Synchronize(const c10::Device& device);

// On a CUDA BenchDevice(): sets LibTorch's process-wide TF32 flags for cuBLAS and cuDNN from
// PWEMOE_BENCH_TF32 ("1": allowed; unset, empty or "0": not allowed; anything else exits with
// status 2 and a message) and returns "on" or "off". On the CPU changes nothing and returns "n/a".
std::string ApplyBenchTf32();

}  // namespace pwemoe::bench
