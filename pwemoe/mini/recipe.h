// How the built-in benchmark's models are made, per size: the tiny CLIP vision transformer's
// configuration and the budgets of the three fits (generalist pretraining, linear-probe heads,
// per-task experts), plus the quality gates. One plain value per size, so that a manifest can
// record it whole and a hash of it decides whether an existing benchmark can be reused.
//
// Thread safety: pure functions of their arguments.
#pragma once

#include <cstdint>
#include <string>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/mini/mini_data.h"

namespace pwemoe::mini {

// One supervised fit of fit.h: AdamW with linear warm-up and cosine decay to zero.
struct FitBudget {
  int64_t steps = 0;       // >= 1
  int64_t batch_size = 0;  // >= 1
  double lr = 0;           // peak learning rate
  double weight_decay = 0;
  double warmup = 0.1;     // fraction of steps with a linear warm-up
};

struct Recipe {
  Size size = Size::kFull;
  io::ClipVisionConfig model;
  FitBudget pretrain;  // every vision parameter, the projection and a temporary head
  FitBudget probe;     // each task's head on frozen pretrained features
  FitBudget expert;    // the vision tower per task; projection and head frozen
  double probe_logit_scale = 0;  // initial logit scale of the probes (learned with them)
  // Quality gates (points of accuracy, 0..100), checked on the test splits.
  double min_expert_gain = 10;          // every expert over the pretrained model, own task
  double min_mean_expert_gain = 15;     // the mean of those gains
  double task_arithmetic_lambda = 0.3;  // task arithmetic over all tasks at this lambda ...
  double min_task_arithmetic_gap = 5;   // ... is at least this far below the experts on average
  // ... and task arithmetic at min(task_arithmetic_lambda, task_arithmetic_total / T) is above
  // the pretrained model on average: T task vectors at the same total scale as 8 at 0.3 (at 20
  // tasks 0.3 each adds up to 6, which no merge survives; the gap gate keeps 0.3).
  double task_arithmetic_total = 2.4;
  // LibTorch threads while fitting. 1: the tiny models gain little from more, and OpenMP threads
  // spinning on a loaded 2-core machine made 2 threads several times slower than 1.
  int threads = 1;
};

// The recipe for `size`. Never fails.
Recipe RecipeFor(Size size);

// A canonical text of everything that determines the benchmark's files: the recipe, the data
// options (size, seed, task list) and a format version. Equal texts give identical benchmarks.
std::string RecipeText(const Recipe& recipe, const DataOptions& data);

// A 16-hex-digit FNV-1a hash of `text` (what the manifest stores as "config_hash").
std::string HashText(const std::string& text);

}  // namespace pwemoe::mini
