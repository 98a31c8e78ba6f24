// The LibTorch thread count every benchmark runs with: PWEMOE_BENCH_THREADS (default 1), set
// explicitly so that a figure never depends on LibTorch's own default (all cores).
#pragma once

namespace pwemoe::bench {

// The thread count from PWEMOE_BENCH_THREADS: a positive integer, 1 when unset. Exits the process
// with a message on stderr for any other value (a benchmark run with an unknown count is useless).
int BenchThreads();

// torch::set_num_threads(BenchThreads()) and returns the count LibTorch reports afterwards.
int ApplyBenchThreads();

}  // namespace pwemoe::bench
