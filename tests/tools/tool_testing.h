// A temporary tree for the tools tests: a tiny pretrained model folder, three experts, heads,
// datasets, an experiment TOML over them; and a helper that runs a tool as a process.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/io/hf_config.h"
#include "pwemoe/io/tensor_io.h"
#include "pwemoe/moe/router.h"
#include "pwemoe/rays.h"

namespace pwemoe::tools::testing {

inline const std::vector<std::string> kTasks = {"task0", "task1", "task2"};

struct Tree {
  std::string root;        // holds everything below
  std::string experiment;  // root/exp.toml
  io::ClipVisionConfig config;
};

// Writes root/pre (model.safetensors + config.json), root/experts/<task> (model.safetensors +
// config.json), root/heads/<task>.safetensors, root/data/<task>/{train,test}.h5 (8 test images)
// and root/exp.toml ([upscale] init_lambda 0.25, 2 hidden layers). Fails the test on error.
Tree MakeTree();

// Routers for `tasks` (a subset of kTasks, in this order) initialised and moved off their initial
// values, saved to `path` with SaveRouters.
void WriteRouters(const Tree& tree, const std::vector<std::string>& tasks, const std::string& path);

// The merge-and-unload tensors computed in-process from the tree's files: LoadModelPool,
// UpscaleModel, LoadRouters(`routers`), MergeAndUnload at `ray`.
io::TensorMap MergeInProcess(const Tree& tree, const std::vector<std::string>& tasks,
                             const std::string& routers, const Ray& ray);

struct ToolRun {
  int exit_code = -1;
  std::string out, err;
};

// Runs PWEMOE_BINARY_DIR/bin/<tool> with `args` (joined by spaces, no quoting needed).
ToolRun RunTool(const std::string& tool, const std::string& args);

}  // namespace pwemoe::tools::testing
