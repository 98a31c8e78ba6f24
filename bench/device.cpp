#include "device.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include <torch/cuda.h>
#include <torch/torch.h>

namespace pwemoe::bench {
namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  std::exit(2);
}

c10::Device ParseBenchDevice() {
  const char* text = std::getenv("PWEMOE_BENCH_DEVICE");
  if (text == nullptr || *text == '\0') return c10::Device(c10::kCPU);
  const std::string value = text;
  std::optional<c10::Device> device;
  if (value == "cpu") return c10::Device(c10::kCPU);
  if (value == "cuda" || value.rfind("cuda:", 0) == 0) {
    try {
      device = c10::Device(value);
    } catch (const c10::Error&) {
    }
  }
  if (!device) {
    Die("PWEMOE_BENCH_DEVICE: expected cpu, cuda or cuda:<k>, found '" + value + "'");
  }
  if (!torch::cuda::is_available()) {
    Die("PWEMOE_BENCH_DEVICE=" + value + ": no CUDA device is available (this LibTorch has no "
        "CUDA support, or no GPU is visible)");
  }
  const int64_t index = device->has_index() ? device->index() : 0;
  const int64_t count = static_cast<int64_t>(torch::cuda::device_count());
  if (index >= count) {
    Die("PWEMOE_BENCH_DEVICE=" + value + ": only " + std::to_string(count) +
        " CUDA device(s) are visible");
  }
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

}  // namespace

c10::Device BenchDevice() {
  static const c10::Device device = ParseBenchDevice();
  return device;
}

void Synchronize(const c10::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

std::string ApplyBenchTf32() {
  if (!BenchDevice().is_cuda()) return "n/a";
  const char* text = std::getenv("PWEMOE_BENCH_TF32");
  const std::string value = text == nullptr ? "" : text;
  if (value != "" && value != "0" && value != "1") {
    Die("PWEMOE_BENCH_TF32: expected 0 or 1, found '" + value + "'");
  }
  const bool allow = value == "1";
  at::globalContext().setAllowTF32CuBLAS(allow);
  at::globalContext().setAllowTF32CuDNN(allow);
  return allow ? "on" : "off";
}

std::vector<model::Precision> BenchPrecisions() {
  const char* env = std::getenv("PWEMOE_BENCH_BF16");
  const std::string setting = env == nullptr ? "" : env;
  const bool bf16 = setting == "1" || (setting != "0" && model::FastBf16(BenchDevice()));
  std::vector<model::Precision> out = {model::Precision::kFp32};
  if (bf16) out.push_back(model::Precision::kBf16);
  return out;
}

}  // namespace pwemoe::bench
