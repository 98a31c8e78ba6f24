#include "probes.h"

#include <algorithm>
#include <chrono>

#include <torch/torch.h>

namespace pwemoe::bench {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

double MemoryBandwidthGBps(int64_t floats_per_array, int runs) {
  torch::NoGradGuard no_grad;
  torch::Tensor a = torch::zeros({floats_per_array});
  torch::Tensor b = torch::ones({floats_per_array});
  torch::Tensor c = torch::full({floats_per_array}, 2.0f);
  const double bytes = 3.0 * 4.0 * static_cast<double>(floats_per_array);
  double best = 0;
  for (int r = 0; r <= runs; ++r) {  // run 0 is the warm-up
    const auto t0 = std::chrono::steady_clock::now();
    torch::add_out(a, b, c, /*alpha=*/3.0);
    const double s = Seconds(t0);
    if (r > 0) best = std::max(best, bytes / s / 1e9);
  }
  return best;
}

double GemmGflops(int64_t n, int runs) {
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::randn({n, n});
  torch::Tensor y = torch::randn({n, n});
  torch::Tensor z = torch::empty({n, n});
  const double flops = 2.0 * static_cast<double>(n) * n * n;
  double best = 0;
  for (int r = 0; r <= runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    torch::mm_out(z, x, y);
    const double s = Seconds(t0);
    if (r > 0) best = std::max(best, flops / s / 1e9);
  }
  return best;
}

}  // namespace pwemoe::bench
