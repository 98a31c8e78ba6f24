#include "threads.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include <torch/torch.h>

namespace pwemoe::bench {

int BenchThreads() {
  const char* text = std::getenv("PWEMOE_BENCH_THREADS");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (*end != '\0' || n < 1 || n > 4096) {
    std::fprintf(stderr, "PWEMOE_BENCH_THREADS: expected a positive integer, found '%s'\n", text);
    std::exit(2);
  }
  return static_cast<int>(n);
}

int ApplyBenchThreads() {
  torch::set_num_threads(BenchThreads());
  return torch::get_num_threads();
}

}  // namespace pwemoe::bench
