// UnitCache: what a worker keeps between work units (docs/DESIGN.md, "Work units and scheduling"): the
// pretrained model's config.json, model pools and their upscaled models per task subset (least
// recently used first out), heads per task, and opened datasets per file. Part of UnitRunner
// (unit_runner.h); not used elsewhere.
//
// Pools are loaded on the CPU without heads; upscaled models live on the runner's device. A subset
// is a list of indices into config.tasks in its ray order; the empty subset is the pretrained
// model alone (a pool with no task: what the pretrained baseline needs).
//
// Thread safety: one thread at a time. Handed-out pointers stay valid after eviction.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "config/experiment_config.h"
#include "pwemoe/data/dataset.h"
#include "pwemoe/io/hf_config.h"
#include "pwemoe/model/head.h"
#include "pwemoe/moe/pool.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/util/status.h"

namespace pwemoe::worker {

class UnitCache {
 public:
  // Keeps references to `config` (which must outlive the cache). max_subsets < 1 counts as 1.
  UnitCache(const config::ExperimentConfig& config, torch::Device device, int max_subsets);

  // The pretrained model's config.json (its folder's, or the one next to a .safetensors file),
  // read once. Errors as io::LoadClipVisionConfig.
  Status Config(io::ClipVisionConfig* out);

  // The pool of `subset` (experts without heads; for the empty subset the pretrained model
  // alone), loaded on first use. Errors as moe::LoadModelPool / io::LoadTensors.
  Status Pool(const std::vector<int>& subset, std::shared_ptr<const moe::ModelPool>* out);

  // The upscaled model of a non-empty `subset` ([upscale] modules and init_lambda) on the
  // device, built on first use. Errors as Pool, moe::UpscaleModel and moe::UpscaledModelTo.
  Status Upscaled(const std::vector<int>& subset, std::shared_ptr<const moe::UpscaledModel>* out);

  // The head of config.tasks[task], loaded once. Errors as model::LoadHead.
  Status Head(int task, std::shared_ptr<const model::ClassificationHead>* out);

  // The dataset file at `path`, opened once. Errors as data::OpenDataset.
  Status Dataset(const std::string& path, std::shared_ptr<const data::Dataset>* out);

  const torch::Device& device() const { return device_; }

 private:
  struct Entry {
    std::vector<int> subset;
    std::shared_ptr<const moe::ModelPool> pool;
    std::shared_ptr<const moe::UpscaledModel> model;  // null until first asked for
  };

  // The subset's entry, moved to the front (loaded, evicting the least recently used, when absent).
  Status Find(const std::vector<int>& subset, Entry** out);

  const config::ExperimentConfig& config_;
  torch::Device device_;
  size_t max_subsets_;
  bool have_config_ = false;
  io::ClipVisionConfig clip_config_;
  std::list<Entry> subsets_;  // most recently used first
  std::map<int, std::shared_ptr<const model::ClassificationHead>> heads_;
  std::map<std::string, std::shared_ptr<const data::Dataset>> datasets_;
};

}  // namespace pwemoe::worker
