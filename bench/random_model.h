// Random ViT-B/32-sized models, upscaled pools, heads and training data for the benchmarks.
// Values are random (no checkpoint is read); only sizes matter for speed.
//
// Thread safety: SharedUpscaled keeps a process-wide cache and must be called from one thread at
// a time (Google Benchmark runs benchmarks sequentially); everything else keeps no state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/model/head.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/train/task_data.h"
#include "pwemoe/util/status.h"

namespace pwemoe::bench {

// CLIP ViT-B/32: hidden 768, 12 layers, 12 heads, intermediate 3072, image 224, patch 32,
// 3 channels, quick_gelu, projection 512 (ClipVisionConfig's defaults, spelled out).
io::ClipVisionConfig VitB32Config();

// Random float32 parameters of `config` with its visual projection, every key of
// model::ClipVisionParamShapes: matrices ~ N(0, 1/fan_in), layer-norm gains 1 + N(0, 0.1^2),
// other vectors N(0, 0.1^2). Seeded through torch::manual_seed(seed).
io::TensorMap RandomVitParams(const io::ClipVisionConfig& config, uint64_t seed);

// A random model upscaled with the default options (every `mlp`, routers with 2 hidden layers,
// init_lambda 0.3) for `num_tasks` experts.
struct BenchModel {
  io::ClipVisionConfig config;
  moe::UpscaledModel model;
  std::vector<moe::Router> routers;
  std::vector<model::ClassificationHead> heads;  // from the pool's files; empty for a random model
};

// PWEMOE_BENCH_POOL, or "" when unset: a folder of model files that replaces the random model, so
// that pwemoe and PyTorch eager (bench/peer) time the same weights. Its layout is the one
// `bench/peer/peer_bench.py make-pool` writes: pretrained/ (config.json + model.safetensors, the
// vision tower with visual_projection), experts/task<i>/ (vision-only), heads/task<i>.safetensors.
std::string BenchPoolDir();

// The parameters BM_Forward runs: the pool's pretrained model (BenchPoolDir() set) or
// RandomVitParams(VitB32Config(), 0), with its config. Errors from loading the pool's files.
Status BenchVitParams(io::ClipVisionConfig* config, io::TensorMap* params);

// Builds a BenchModel through moe::Upscale over a pool whose pretrained model is
// RandomVitParams(config, seed) and whose expert i adds N(0, 0.01^2) noise to every MLP tensor
// and shares every other tensor with the pretrained model (so the pool holds one extra copy of
// the MLPs per expert, not of the whole model; upscaling costs the same, the task-arithmetic
// merge of the shared keys gives the pretrained values). The pool is freed before returning:
// only the stacked task vectors stay. Errors from moe::Upscale.
Status BuildBenchModel(const io::ClipVisionConfig& config, int64_t num_tasks, uint64_t seed,
                       BenchModel* out);

// BuildBenchModel(VitB32Config(), num_tasks, seed 0) on `device` (or, with BenchPoolDir() set,
// the pool's pretrained model and its first `num_tasks` experts and heads upscaled with the same
// defaults) (built on the CPU, then the
// upscaled model and routers moved with moe::UpscaledModelTo and moe::RoutersTo), built on first
// use and kept for the rest of the process (one per task count and device). Errors from
// BuildBenchModel and the moves (nothing cached then).
Status SharedBenchModel(int64_t num_tasks, const torch::Device& device,
                        std::shared_ptr<const BenchModel>* out);

// `num_tasks` random heads of `classes` rows of width config.projection_dim (unit rows, logit
// scale 100, as CLIP zero-shot heads).
std::vector<model::ClassificationHead> RandomHeads(const io::ClipVisionConfig& config,
                                                   int64_t num_tasks, int64_t classes,
                                                   uint64_t seed);

// `num_tasks` in-memory training sets (train::TensorTaskData) of `examples` N(0, 1) images of the
// config's size with labels uniform in [0, classes).
std::vector<train::TaskData> RandomTaskData(const io::ClipVisionConfig& config,
                                            int64_t num_tasks, int64_t examples, int64_t classes,
                                            uint64_t seed);

// "task0", "task1", ...
std::vector<std::string> TaskNames(int64_t num_tasks);

}  // namespace pwemoe::bench
