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
#include <vector>

#include <c10/core/Device.h>

#include "pwemoe/model/precision.h"

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

// The compute precisions the forward and training benchmarks run in: fp32, then bf16 where
// model::FastBf16(BenchDevice()) or PWEMOE_BENCH_BF16=1 (without bfloat16 instructions a bf16
// ViT-B/32 forward takes minutes: LibTorch's reference loop; PWEMOE_BENCH_BF16=0 leaves bf16 out).
std::vector<model::Precision> BenchPrecisions();

}  // namespace pwemoe::bench
