// The process's memory allocator, tuned for tensor work.
//
// glibc's malloc serves every block above its mmap threshold (dynamic, at most 32 MiB) with a
// fresh mmap and unmaps it on free, and trims the top of the heap above 128 KiB free. A ViT-B/32
// forward at batch 64 makes activations of 40-160 MiB, so each forward paid for every page of
// every large temporary again: about 1.3 million minor page faults in an 8-step training run, and
// evaluation at batch 64 ran at half the speed of batch 16. Threads other than the main one are
// worse still: they allocate from secondary arenas whose heaps are at most 64 MiB, so their large
// blocks are always mmapped, whatever the thresholds (rank 0's worker thread is such a thread).
//
// TuneAllocator keeps freed memory in the process for reuse instead:
//   M_MMAP_THRESHOLD 1 GiB   blocks up to 1 GiB come from the heap (and stay there once freed)
//   M_TRIM_THRESHOLD 1 GiB   the heap is given back to the system only above 1 GiB free at its top
//   M_ARENA_MAX      1       every thread allocates from the main heap, so the two settings above
//                            hold in worker threads too
// Measured (bench/README.md, "Allocator"): zero minor faults per forward once warm, against
// jemalloc and tcmalloc, which both still fault on blocks of this size. The cost is that memory
// freed in the middle of the heap stays resident until reused; the heap's peak is what a run
// needs anyway.
//
// Every binary of the project calls it first thing in main (StartTool does it for the tools),
// before any thread starts. Environment variables win: a MALLOC_MMAP_THRESHOLD_,
// MALLOC_TRIM_THRESHOLD_ or MALLOC_ARENA_MAX set by the user is left as it is (the setting is
// skipped), so the glibc tunables keep working for experiments.
#pragma once

namespace pwemoe {

// Applies the settings above (once per process; later calls do nothing). Returns true when all
// applied settings were accepted by mallopt (a non-glibc C library: false, nothing done). Not
// thread-safe: call it before any thread starts.
bool TuneAllocator();

}  // namespace pwemoe
