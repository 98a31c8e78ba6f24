// The model pool of PWE MoE: one pretrained model, one fine-tuned expert per task and (optionally)
// one frozen classification head per task, all as name -> tensor maps in Hugging Face key layout.
//
// Key roles (every function below uses these definitions):
//   - merged keys: the keys the experts hold whose pretrained tensor is floating point. Every
//     expert holds the same key set; tau_i = theta_i - theta_pre is formed only for these.
//   - pretrained-only keys: keys no expert holds (for example `visual_projection.weight` when the
//     experts are vision-only checkpoints). They are used as they are, never merged.
//   - non-floating keys the experts hold (integer buffers such as position_ids) are checked like
//     the others but never merged: the pretrained value is used.
//
// Thread safety: no function keeps state; a validated pool may be read from many threads at once.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/io/tensor_io.h"
#include "pwemoe/model/head.h"
#include "pwemoe/util/status.h"

namespace pwemoe::moe {

using io::TensorMap;

// Owns its tensors (LibTorch handles; copying a ModelPool shares them). Task i is tasks[i],
// experts[i] and heads[i]; T = tasks.size().
struct ModelPool {
  TensorMap pretrained;
  std::vector<std::string> tasks;                // unique, non-empty names
  std::vector<TensorMap> experts;                // one per task
  std::vector<model::ClassificationHead> heads;  // one per task, or empty (merge-only uses)

  int64_t num_tasks() const { return static_cast<int64_t>(tasks.size()); }
};

// Checks the pool, reporting the first problem, every message starting "model pool: ":
//   InvalidArgument: no task; an empty or repeated task name; experts (or non-empty heads) not
//     one per task; a head that model::ValidateHead rejects (naming the task);
//   NotFound: an expert key the pretrained model lacks ("task 'X': expert tensor 'K' is not in
//     the pretrained model"); a key one expert holds and another lacks (naming the lacking task);
//   InvalidArgument: an undefined tensor; an expert tensor whose shape, dtype or device differs
//     from the pretrained one ("task 'X': tensor 'K': expert shape [..] differs from the
//     pretrained shape [..]", likewise for dtype and device).
// Tasks are checked in order, each task's keys in map order. Never modifies the pool.
Status ValidateModelPool(const ModelPool& pool);

// The merged keys (see above) in map order. Precondition: ValidateModelPool(pool) passed.
std::vector<std::string> MergedKeys(const ModelPool& pool);

// tau = experts[task][key] - pretrained[key] as a fresh tensor in float32 (float64 when the
// tensors are float64), into *out. InvalidArgument for a task index out of range or a key that is
// not a merged key; Internal with LibTorch's message if LibTorch fails. *out untouched on error.
Status TaskVector(const ModelPool& pool, int64_t task, const std::string& key, torch::Tensor* out);

// The T task vectors of `key` stacked: a fresh contiguous [T, ...shape] tensor (dtype as
// TaskVector), into *out. Errors as TaskVector.
Status StackedTaskVectors(const ModelPool& pool, const std::string& key, torch::Tensor* out);

// Where the pool's files are. `head` may be empty for every task (no heads are loaded), else it
// must be set for all.
struct PoolSpec {
  struct Task {
    std::string name;
    std::string expert;  // a .safetensors file, shard index or model folder
    std::string head;    // a head .safetensors file (see model::LoadHead), or ""
  };
  std::string pretrained;  // as Task::expert
  std::vector<Task> tasks;
};

// Loads every file of `spec` (io::LoadTensors with default options: F16/BF16 become F32;
// model::LoadHead) and validates the result with ValidateModelPool. Keys the merged vision model
// never reads are dropped from every checkpoint first: a full CLIPModel's `text_model.*`,
// `text_projection.weight` and `logit_scale`, and every `*.position_ids` buffer (saved by older
// transformers versions only), so a CLIPModel pairs with CLIPVisionModel experts whichever
// transformers version saved them. Errors from loading name the
// file; InvalidArgument when some tasks have a head path and others do not. *out is replaced only
// on success.
Status LoadModelPool(const PoolSpec& spec, ModelPool* out);

}  // namespace pwemoe::moe
