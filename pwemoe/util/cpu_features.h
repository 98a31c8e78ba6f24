// What the processor this process runs on can do, from the CPUID instruction (x86-64; every
// answer is false elsewhere). Thread-safe: the answers are computed once.
#pragma once

namespace pwemoe {

// True when the CPU has bfloat16 matrix instructions that LibTorch's oneDNN uses for bfloat16
// products: AVX512-BF16 (CPUID leaf 7 subleaf 1, EAX bit 5) together with AVX512-BW, -VL and -DQ,
// or AMX-BF16 (leaf 7 subleaf 0, EDX bit 22). Without them bfloat16 products run on a reference
// loop far slower than float32 ones.
bool CpuHasBf16Instructions();

}  // namespace pwemoe
