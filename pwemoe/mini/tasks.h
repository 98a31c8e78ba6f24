// The tasks of the built-in benchmark and its pretraining set: what each one's classes are, and
// how each of its examples is made from Fashion-MNIST or rendered glyphs (DATA.md describes them
// for users).
//
// Data separation: Fashion-MNIST's train file is cut into disjoint slices, [0, 20000) for
// pretraining and one slice of 10000 per clothing task of the first 8 after it; the clothing
// tasks of the 12 more draw from all of [20000, 60000) (sharing images with the first 8's train
// splits, never with pretraining). So the pretraining set and the tasks' train splits never share
// an image; test splits come from the t10k file. Every example
// draws from its own Rng seeded by (seed, task stream, split, index), and every task (and the
// pretraining set) has its own stream, so glyph examples of pretraining never reuse a task's
// seeds.
//
// Thread safety: the definitions are constants. MakeExamples only reads the FashionMnist and uses
// the GlyphRenderer it is given: calls that share a renderer must not run at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pwemoe/mini/glyphs.h"
#include "pwemoe/mini/idx.h"
#include "pwemoe/util/status.h"

namespace pwemoe::mini {

enum class Split { kTrain, kTest };

// "train" or "test".
const char* SplitName(Split split);

// One example in the making (tasks.cpp): its own random stream, the task's Fashion-MNIST images
// and the glyph renderer, and the image and label its maker writes.
struct ExampleDraw;

// How a task's examples are made (see DATA.md): fills draw's image and label. The random draws it
// makes, and their order, fix the task's bytes.
using ExampleMaker = Status (*)(ExampleDraw* draw);

// One task: adding a task is one more entry in MiniTasks() (tasks.cpp).
struct TaskDef {
  std::string name;
  ExampleMaker make = nullptr;
  std::vector<std::string> classes;
  // The slice [fashion_begin, fashion_end) of Fashion-MNIST's train file that the train split
  // draws from; both -1 for tasks made only of glyphs.
  int64_t fashion_begin = -1;
  int64_t fashion_end = -1;
  // The task's stream in seed derivation (distinct for every task and the pretraining set).
  uint64_t stream = 0;
  // The Fashion-MNIST classes the task keeps (label = position in this list); empty: all 10,
  // labelled by the task's own rule.
  std::vector<int> fashion_classes;
};

// Every task, in its fixed order: the 8 of the default benchmark (clothing, digits, letters,
// rotation, fonts, inverted, lowercase, coarse), then the 12 more of the 20-task benchmark
// (DATA.md). A task's position in this list is its index in seed derivation, so the 8 make the
// same files whether the benchmark has 8 or 20 tasks.
const std::vector<TaskDef>& MiniTasks();

// How many tasks the default benchmark has (the first of MiniTasks()).
inline constexpr size_t kDefaultTaskCount = 8;

// The pretraining set ("pretrain"): 72 classes, the 10 clothing classes, then '0'..'9', 'A'..'Z'
// and 'a'..'z'.
const TaskDef& PretrainTask();

// Fashion-MNIST's class names, in label order.
const std::vector<std::string>& ClothingClasses();

// The examples of one split, in file layout.
struct Examples {
  int64_t count = 0;
  std::vector<uint8_t> pixels;  // uint8 [count, 28, 28]
  std::vector<int64_t> labels;  // [count]
  // Per example: the index into Fashion-MNIST's train file it was made from, or -1 (an image of
  // the t10k file or a glyph). Not written to files; lets tests check data separation.
  std::vector<int64_t> fashion_train_index;
};

// What examples are made from: Fashion-MNIST (read only) and a glyph renderer (used, not owned).
struct Sources {
  const FashionMnist* fashion = nullptr;
  GlyphRenderer* glyphs = nullptr;
};

// Makes `count` examples of `task`'s `split` for `seed` into `*out` (replaced). The same
// arguments give the same bytes. InvalidArgument when `count` is not positive or exceeds the
// images available to the split (the task's train slice, or the 10000 of t10k); the glyph
// renderer's errors (a missing font names the file and its package).
Status MakeExamples(const TaskDef& task, Split split, int64_t count, uint64_t seed,
                    const Sources& sources, Examples* out);

}  // namespace pwemoe::mini
