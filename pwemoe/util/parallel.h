// Independent jobs on a few threads: the built-in benchmark fits its experts and measures its
// pool this way, one job per task, each job single-threaded inside.
//
// Thread safety: ParallelFor itself may be called from any thread; `body` runs on up to
// `workers` threads at once and must be safe to call so (each call should write only its own
// result slot). LibTorch code in `body` starts its intra-op thread count from the process-wide
// setting (at::set_num_threads) on each new thread.
#pragma once

#include <cstddef>
#include <functional>

#include "pwemoe/util/status.h"

namespace pwemoe {

// Calls body(0) ... body(n - 1), each exactly once unless one fails, on min(workers, n) threads
// (the caller's thread is one of them; workers <= 1 runs them in order on the caller's thread).
// Jobs are handed out in index order; after a failure no new job starts. Returns Ok, or the
// failed job's Status of the lowest index among the jobs that failed. Results do not depend on
// `workers` when each job depends only on its index.
Status ParallelFor(size_t n, int workers, const std::function<Status(size_t)>& body);

// The number of workers to use by default: the CPUs the calling thread may run on (its affinity
// mask: under mpirun's default binding a rank's one core), at least 1.
int DefaultWorkers();

}  // namespace pwemoe
