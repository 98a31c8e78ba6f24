// Registration of the pwemoe benchmarks with Google Benchmark (called once from main, before
// benchmark::Initialize). Every benchmark uses manual timing (seconds of wall-clock time per
// iteration, after one untimed warm-up where noted) and reports its probes (limits.h). Each runs
// on BenchDevice() (device.h), and its timed regions start and end with a synchronisation.
#pragma once

namespace pwemoe::bench {

// BM_Merge/T:2 and BM_Merge/T:8: moe::MergeAndUnload of the upscaled ViT-B/32 at the equal-weight
// ray; counters merge_GBps (bytes streamed / s) and frac_of_bw (of the bandwidth probe).
void RegisterMergeBenchmarks();

// BM_Forward/batch:16 and /batch:64 (and /batch:256 on a GPU): model::ClipVisionForward without
// gradients; counters GFLOPs (flops.h), frac_of_gemm and images_per_s.
void RegisterForwardBenchmarks();

// BM_TrainStep/{LS,EPO}/T:{2,8}: one train::ComputeTaskGradients over every task (batch 16 per
// task) plus train::ApplyStep; counters grad_s, apply_s, GFLOPs and frac_of_gemm.
void RegisterTrainBenchmarks();

// BM_EpoStep/T:{2,8,20}: EpoCombine (the LP of an EPO step) on random losses, rays and the Gram
// matrix of the mini benchmark's router gradients; counters lp_us, gram_ms, params, buffer_KiB.
void RegisterEpoBenchmarks();

}  // namespace pwemoe::bench
