// Tiny random CLIP models, pools and dataset files for the pwemoe/eval and tools tests.
#pragma once

#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "pwemoe/io/hf_config.h"
#include "moe_testing.h"
#include "pwemoe/moe/pool.h"

namespace pwemoe::eval::testing {

using moe::testing::RandomParams;
using moe::testing::TinyConfig;

// A random head with `classes` rows of the projection width and logit scale 5.
model::ClassificationHead RandomHead(const io::ClipVisionConfig& config, int64_t classes,
                                     uint64_t seed);

// A pool of `num_tasks` experts ("task0", ...): each the pretrained vision tower (no
// visual_projection) plus N(0, 0.05^2) noise, with RandomHead(config, 3, ...).
moe::ModelPool RandomPool(const io::ClipVisionConfig& config, int64_t num_tasks, uint64_t seed);

// Writes a dataset file of `n` random images of the config's size with labels in [0, classes)
// (seeded), in ascending label order when `class_sorted`; fails the current test on error.
void WriteDataset(const std::string& path, const io::ClipVisionConfig& config, int64_t n,
                  int64_t classes, uint32_t seed, bool class_sorted = false);

// A fresh empty directory under the test temp dir.
std::string MakeTempDir(const std::string& stem);

}  // namespace pwemoe::eval::testing
