#include "pwemoe/util/allocator.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pwemoe {

namespace {

constexpr int kOneGiB = 1 << 30;

#if defined(__GLIBC__)
// mallopt(param, value) unless the user set `env` (their setting wins).
bool Set(const char* env, int param, int value) {
  if (std::getenv(env) != nullptr) return true;
  return mallopt(param, value) == 1;
}
#endif

}  // namespace

bool TuneAllocator() {
  static const bool ok = [] {
#if defined(__GLIBC__)
    bool all = Set("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, kOneGiB);
    all = Set("MALLOC_TRIM_THRESHOLD_", M_TRIM_THRESHOLD, kOneGiB) && all;
    all = Set("MALLOC_ARENA_MAX", M_ARENA_MAX, 1) && all;
    return all;
#else
    return false;
#endif
  }();
  return ok;
}

}  // namespace pwemoe
