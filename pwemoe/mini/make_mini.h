// pwemoe-make-mini as a library call: builds the whole built-in benchmark into one folder, in the
// layout an experiment's [benchmark] section expects,
//
//   DIR/data/<task>/{train,test}.h5      every task's splits (mini_data.h, DATA.md)
//   DIR/data/pretrain/{train,test}.h5    the generalist pretraining set
//   DIR/pretrained/                      model.safetensors + config.json (with visual_projection)
//   DIR/heads/<task>.safetensors         linear-probe heads on the pretrained features, frozen
//   DIR/experts/<task>/                  model.safetensors + config.json (vision tower only)
//   DIR/manifest.json                    configuration hash, figures, quality gates, timings
//
// in stages: data; generalist pretraining; probes; one expert per task (the pretrained model
// fine-tuned with its task's head frozen); quality gates (quality.h). The manifest is written last
// and atomically, and removed before a rebuild starts: a folder whose manifest carries the current
// configuration hash and whose files all exist is complete, and MakeMini leaves it as it is.
//
// Determinism: for a size, seed and task list the files' tensors are bitwise identical (fits use
// recipe.threads LibTorch threads, set for the call and restored after), whatever `workers`. The
// models of a task are seeded by its position in the list, so the first 8 of a 20-task list are
// the default benchmark's files.
// Thread safety: one call at a time per folder; the call changes LibTorch's global thread count
// and runs up to `workers` threads of its own.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pwemoe/mini/mini_data.h"
#include "pwemoe/mini/quality.h"
#include "pwemoe/util/status.h"

namespace pwemoe::mini {

struct MakeOptions {
  std::string out_dir;
  DataOptions data;    // size, seed, tasks (empty: the default 8), Fashion-MNIST folder
  bool force = false;  // rebuild even when the folder is complete for this configuration
  int threads = 0;     // > 0: LibTorch threads instead of the recipe's (changes the hash)
  // Probes, experts and quality evaluations run as one job per task, this many at once (each
  // with `threads` LibTorch threads); 0: DefaultWorkers() (util/parallel.h). Does not change the
  // files, nor the hash.
  int workers = 0;
};

struct MakeResult {
  bool reused = false;  // the folder was complete already; nothing was done
  std::string config_hash;
  std::string manifest_path;
  QualityReport quality;  // empty when reused
  bool gates_enforced = false;  // full size: a failed gate makes MakeMini fail
  double seconds = 0;
};

// Called with one line of progress at a time (stage, step counts, losses, accuracies).
using MakeLog = std::function<void(const std::string&)>;

// The hash MakeMini would write for `options` (recipe + data options), without doing anything.
std::string ConfigHash(const MakeOptions& options);

// True when out_dir/manifest.json exists, parses, has config_hash == `hash`, and every file it
// lists exists.
bool IsComplete(const std::string& out_dir, const std::string& hash);

// Builds (or reuses) the benchmark. Errors: those of each stage, naming the file or task;
// IoError naming the folder when it cannot be created. When the gates are enforced (full size)
// and one fails, every file and the manifest (with "gates_passed": false) are still written and
// the result is Aborted("quality gates failed: ..." naming the failed gates); reusing such a
// folder is Aborted too. *result is filled on success and on a gate failure.
Status MakeMini(const MakeOptions& options, const MakeLog& log, MakeResult* result);

}  // namespace pwemoe::mini
