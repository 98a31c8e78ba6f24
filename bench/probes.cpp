#include "probes.h"

#include <algorithm>
#include <chrono>

#include <functional>

#include <torch/torch.h>

#include "device.h"

namespace pwemoe::bench {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The shortest time of one `op` over `runs` timed runs of `reps` ops each, after one untimed
// warm-up run; every run starts and ends with Synchronize(device).
double BestSeconds(const c10::Device& device, int runs, int reps, const std::function<void()>& op) {
  double best = 1e300;
  for (int r = 0; r <= runs; ++r) {  // run 0 is the warm-up
    Synchronize(device);
    const auto t0 = std::chrono::steady_clock::now();
    for (int k = 0; k < reps; ++k) op();
    Synchronize(device);
    const double s = Seconds(t0) / reps;
    if (r > 0) best = std::min(best, s);
  }
  return best;
}

}  // namespace

double MemoryBandwidthGBps(int64_t floats_per_array, int runs, const c10::Device& device,
                           int reps) {
  torch::NoGradGuard no_grad;
  const auto options = torch::TensorOptions().device(device);
  torch::Tensor a = torch::zeros({floats_per_array}, options);
  torch::Tensor b = torch::ones({floats_per_array}, options);
  torch::Tensor c = torch::full({floats_per_array}, 2.0f, options);
  const double bytes = 3.0 * 4.0 * static_cast<double>(floats_per_array);
  const double s = BestSeconds(device, runs, reps, [&] { torch::add_out(a, b, c, /*alpha=*/3.0); });
  return bytes / s / 1e9;
}

double GemmGflops(int64_t n, int runs, const c10::Device& device, int reps, c10::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  const auto options = torch::TensorOptions().device(device).dtype(dtype);
  torch::Tensor x = torch::randn({n, n}, options);
  torch::Tensor y = torch::randn({n, n}, options);
  torch::Tensor z = torch::empty({n, n}, options);
  const double flops = 2.0 * static_cast<double>(n) * n * n;
  const double s = BestSeconds(device, runs, reps, [&] { torch::mm_out(z, x, y); });
  return flops / s / 1e9;
}

}  // namespace pwemoe::bench
