// The two hardware limits every benchmark is reported against, measured in the same process with
// the same LibTorch thread count (docs/DESIGN.md, "Performance model"):
//   - memory bandwidth: a STREAM triad a = b + s * c over float32 arrays far larger than any
//     last-level cache, bytes counted as STREAM does (two reads and one write per element, no
//     write-allocate traffic);
//   - GEMM throughput: torch::mm of two square float32 matrices, 2 n^3 FLOPs per product.
// Each returns the best of several timed runs after one untimed warm-up run. On a CUDA device the
// arrays live on the device, each timed run queues `reps` operations between two
// synchronisations (device.h) and counts their average, so that launch latency and the
// synchronisation itself do not weigh on a kernel that takes well under a millisecond.
//
// Thread safety: call from one thread at a time (the probes use LibTorch's intra-op pool).
#pragma once

#include <cstdint>

#include <c10/core/Device.h>

namespace pwemoe::bench {

// Triad bandwidth in GB/s (1e9 bytes per second): best of `runs` over three arrays of
// `floats_per_array` float32 each (default 2^25: 128 MiB per array) on `device`, `reps` triads
// per timed run. Allocates the arrays for the call only.
double MemoryBandwidthGBps(int64_t floats_per_array = int64_t{1} << 25, int runs = 5,
                           const c10::Device& device = c10::Device(c10::kCPU), int reps = 1);

// GEMM throughput in GFLOP/s (1e9 FLOP per second): best of `runs` products of two random n x n
// matrices of `dtype` (default float32; bfloat16 for the bf16 compute path) (default n 2048) on `device`, `reps` products per timed run. On a GPU the
// result is TF32 or plain float32 as LibTorch's TF32 flag for cuBLAS says (device.h).
double GemmGflops(int64_t n = 2048, int runs = 5,
                  const c10::Device& device = c10::Device(c10::kCPU), int reps = 1,
                  c10::ScalarType dtype = c10::kFloat);

}  // namespace pwemoe::bench
