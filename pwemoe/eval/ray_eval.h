// Evaluating a set of models on a set of tasks: one plain model on every task, and a trained
// PWE MoE at each preference ray (merge once per ray with moe::MergeAndUnload, then inference on
// every task; docs/DESIGN.md, "Evaluate").
//
// Thread safety: no function keeps state; every input is only read.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/eval/evaluate.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/rays.h"

namespace pwemoe::eval {

// One task to evaluate on: its name, head and test data. Borrows both (the caller keeps them
// alive during the call).
struct EvalTask {
  std::string name;
  const model::ClassificationHead* head = nullptr;
  const data::Dataset* dataset = nullptr;
};

// Evaluates `params` on every task in order, into *out (replaced on success: one result per task).
// InvalidArgument for a task without head or dataset; other errors as EvaluateModel, with the
// task's name as context. *out untouched on error.
Status EvaluateOnTasks(const io::ClipVisionConfig& config, const io::TensorMap& params,
                       const std::vector<EvalTask>& tasks, const EvalOptions& options,
                       std::vector<EvalResult>* out);

// The per-task results at one ray.
struct RayResult {
  Ray ray;
  std::vector<EvalResult> tasks;  // in the order of the tasks evaluated
};

// For each ray in order: MergeAndUnload(model, routers, ray) once, then EvaluateOnTasks. Rays
// are validated first (ValidateRay with T = model.num_tasks, named "ray <k>"). *out replaced on
// success (one RayResult per ray), untouched on error. Errors as ValidateRay, MergeAndUnload and
// EvaluateOnTasks, with the ray's index as context.
Status EvaluateRays(const io::ClipVisionConfig& config, const moe::UpscaledModel& model,
                    const std::vector<moe::Router>& routers, const std::vector<Ray>& rays,
                    const std::vector<EvalTask>& tasks, const EvalOptions& options,
                    std::vector<RayResult>* out);

// The ray as a float64 CPU tensor (what MergeAndUnload takes).
torch::Tensor RayTensor(const Ray& ray);

}  // namespace pwemoe::eval
