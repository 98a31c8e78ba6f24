// pwemoe_bench: merge, forward and training-step speed of PWE MoE on a ViT-B/32-sized random
// model, each as a fraction of a limit measured in the same run (bench/README.md).
//
// Environment: PWEMOE_BENCH_THREADS (LibTorch threads, default 1), PWEMOE_BENCH_DEVICE (cpu, the
// default, or cuda / cuda:<k>) and PWEMOE_BENCH_TF32 (on a GPU: 1 allows TF32, default 0); see
// threads.h and device.h. Arguments: Google Benchmark's (--benchmark_filter=...,
// --benchmark_format=json, ...).
#include <cstdlib>
#include <fstream>
#include <string>

#include <benchmark/benchmark.h>

#include "benchmarks.h"
#include "device.h"
#include "pwemoe/util/allocator.h"
#include "pwemoe/util/log.h"
#include "threads.h"

namespace {

// /proc/loadavg's first three fields, or "unknown".
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen)) return "unknown";
  return one + " " + five + " " + fifteen;
}

}  // namespace

int main(int argc, char** argv) {
  // PWEMOE_BENCH_GLIBC_MALLOC=1 measures glibc's default allocator (bench/README.md, "Allocator").
  const char* plain = std::getenv("PWEMOE_BENCH_GLIBC_MALLOC");
  const bool tuned = (plain == nullptr || std::string(plain) != "1") && pwemoe::TuneAllocator();
  benchmark::AddCustomContext("allocator", tuned ? "tuned (allocator.h)" : "glibc defaults");
  (void)pwemoe::SetupLogging("warn", 0, 1);  // keep Upscale's info line out of the table
  const int threads = pwemoe::bench::ApplyBenchThreads();
  benchmark::AddCustomContext("pwemoe_threads", std::to_string(threads));
  benchmark::AddCustomContext("load_average_at_start", LoadAverage());
  benchmark::AddCustomContext("pwemoe_device", pwemoe::bench::BenchDevice().str());
  benchmark::AddCustomContext("cuda_tf32", pwemoe::bench::ApplyBenchTf32());
  pwemoe::bench::RegisterMergeBenchmarks();
  pwemoe::bench::RegisterForwardBenchmarks();
  pwemoe::bench::RegisterTrainBenchmarks();
  pwemoe::bench::RegisterEpoBenchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
