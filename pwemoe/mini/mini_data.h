// The built-in benchmark's data: every task's train and test split and the pretraining set,
// written as dataset HDF5 files (pwemoe/data/FORMAT.md; the tasks are described in DATA.md).
// No LibTorch.
//
// Thread safety: the functions keep no state. Two WriteMiniData calls must not write into the
// same folder at once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe::mini {

enum class Size { kMicro, kFull };

// Parses "micro" / "full" into `*out` (untouched on failure); InvalidArgument naming the value
// otherwise.
Status ParseSize(const std::string& text, Size* out);

// "micro" or "full".
const char* SizeName(Size size);

// Examples per split.
struct SplitSizes {
  int64_t pretrain_train, pretrain_test, task_train, task_test;
};

// full: 12000, 2000, 8000, 1000; micro: 1024, 256, 256, 128.
SplitSizes SizesFor(Size size);

// The default benchmark's 8 task names in their fixed order: clothing, digits, letters,
// rotation, fonts, inverted, lowercase, coarse. The reference stays valid for the whole program.
const std::vector<std::string>& MiniTaskNames();

// Every task's name (the 8, then the 12 more of the 20-task benchmark; tasks.h, DATA.md), in
// seed-derivation order. The reference stays valid for the whole program.
const std::vector<std::string>& AllMiniTaskNames();

// The position of task `name` in AllMiniTaskNames() (its index in the models' seed
// derivation), or -1 when there is no such task.
int64_t TaskIndex(const std::string& name);

// The names of the first `count` tasks of AllMiniTaskNames() into *out (replaced): 8 is the
// default benchmark, 20 all tasks. InvalidArgument naming the range otherwise.
Status FirstTasks(int64_t count, std::vector<std::string>* out);

// The tasks a benchmark of `count` tasks (0: chosen from `wanted`) must have so that it holds
// every task of `wanted` (an experiment's [tasks] names), into *out (replaced): count 0 gives
// the default 8 when `wanted` is among them, else all 20; count N the first N (FirstTasks).
// InvalidArgument naming the task when one of `wanted` is not a benchmark task (with a
// did-you-mean) or not among the first `count` (saying which count holds it).
Status BenchmarkTasks(int64_t count, const std::vector<std::string>& wanted,
                      std::vector<std::string>* out);

struct DataOptions {
  Size size = Size::kFull;
  uint64_t seed = 0;
  std::string fashion_dir = "/usr/share/datasets/fashion-mnist";
  // Empty: the default 8; else names of AllMiniTaskNames(), written in this order. Models are
  // seeded by position in this list (make_mini.h): list a prefix of AllMiniTaskNames() to get
  // the files of the 8 or 20-task benchmark.
  std::vector<std::string> tasks;
};

// Writes out_dir/data/{task}/train.h5 and test.h5 for each task of `options`, and always
// out_dir/data/pretrain/train.h5 and test.h5, each with data::DatasetWriter (atomic: a file under
// its final name is whole), creating the folders. Every image is 28 x 28 x 1; every file has its
// class names, `task` and `split` attributes, and one normalization: the mean and std of the
// pretraining train split's pixels / 255 (like CLIP's fixed mean/std). Calls `progress` (may be
// empty) with a line after each file. Deterministic: the same options give byte-identical pixel
// and label arrays. Errors: InvalidArgument for an unknown task name (with a did-you-mean) or a
// repeated one, before anything is read or written; NotFound naming a missing Fashion-MNIST file
// or font with the Debian package to install; Corrupt naming a malformed input file; IoError
// naming the folder or file that cannot be written.
Status WriteMiniData(const DataOptions& options, const std::string& out_dir,
                     const std::function<void(const std::string&)>& progress);

}  // namespace pwemoe::mini
