// The merged model of a trained PWE MoE at one preference ray, from files: load the pool
// (pretrained + the chosen tasks' experts), upscale it, load the routers, merge and unload
// (docs/DESIGN.md, "Export"). What pwemoe-export writes and what a user merges by hand.
//
// Thread safety: no shared state; every input is only read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/rays.h"
#include "pwemoe/util/status.h"

namespace pwemoe::eval {

// The pool and the upscaling of an experiment, for a task subset (experts in ray order).
struct MergeSource {
  std::string pretrained;            // a .safetensors file, shard index or model folder
  std::vector<std::string> tasks;    // task names, in ray order
  std::vector<std::string> experts;  // one per task, as `pretrained`
  std::vector<std::string> modules;  // [upscale] modules (patterns)
  double init_lambda = 0.3;          // [upscale] init_lambda
  int router_hidden_layers = 2;      // [upscale] router_hidden_layers
};

// Where the routers come from: a router .safetensors file at `name` (fusion_bench key names,
// moe/router_io.h) when `tensors` is null, else the tensors already in memory (read from a
// results file, say), with `name` naming them in errors. Borrows `tensors`.
struct RouterSource {
  std::string name;
  const io::TensorMap* tensors = nullptr;
};

// Validates `ray` (T = source.tasks entries, named `ray_name` in errors), loads and upscales the
// pool, loads the routers of its layout and merges them at `ray` into *merged (replaced on
// success). InvalidArgument for a bad ray; Corrupt "<routers>: ... (expected routers for T tasks
// A,B, M modules, H hidden layers)" when the routers do not fit; NotFound for a missing router
// tensor; other errors as moe::LoadModelPool, moe::UpscaleModel and moe::MergeAndUnload.
Status MergeAtRay(const MergeSource& source, const RouterSource& routers, const Ray& ray,
                  const std::string& ray_name, io::TensorMap* merged);

}  // namespace pwemoe::eval
