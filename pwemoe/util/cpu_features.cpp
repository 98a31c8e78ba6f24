#include "pwemoe/util/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace pwemoe {

namespace {

#if defined(__x86_64__) || defined(__i386__)
bool Bit(unsigned reg, int bit) { return ((reg >> bit) & 1u) != 0; }

bool Detect() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  const bool amx_bf16 = Bit(d, 22);
  const bool avx512_dq = Bit(b, 17), avx512_bw = Bit(b, 30), avx512_vl = Bit(b, 31);
  __cpuid_count(7, 1, a, b, c, d);
  const bool avx512_bf16 = Bit(a, 5);
  return amx_bf16 || (avx512_bf16 && avx512_bw && avx512_vl && avx512_dq);
}
#else
bool Detect() { return false; }
#endif

}  // namespace

bool CpuHasBf16Instructions() {
  static const bool has = Detect();
  return has;
}

}  // namespace pwemoe
