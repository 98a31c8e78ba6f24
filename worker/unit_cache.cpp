#include "worker/unit_cache.h"

#include <filesystem>
#include <utility>

#include "pwemoe/io/tensor_io.h"

namespace pwemoe::worker {
namespace {

namespace fs = std::filesystem;

// config.json of the pretrained model: its folder's, or the one next to a .safetensors file.
std::string ConfigPath(const std::string& pretrained) {
  std::error_code ec;
  if (fs::is_directory(pretrained, ec)) return pretrained;
  return (fs::path(pretrained).parent_path() / "config.json").string();
}

Status LoadPool(const config::ExperimentConfig& config, const std::vector<int>& subset,
                moe::ModelPool* out) {
  if (subset.empty()) return io::LoadTensors(config.model.pretrained, &out->pretrained);
  moe::PoolSpec spec;
  spec.pretrained = config.model.pretrained;
  for (int i : subset) spec.tasks.push_back({config.tasks[i].name, config.tasks[i].expert, ""});
  return moe::LoadModelPool(spec, out);
}

}  // namespace

UnitCache::UnitCache(const config::ExperimentConfig& config, torch::Device device, int max_subsets)
    : config_(config), device_(device), max_subsets_(max_subsets < 1 ? 1 : max_subsets) {}

Status UnitCache::Config(io::ClipVisionConfig* out) {
  if (!have_config_) {
    PWEMOE_RETURN_IF_ERROR(io::LoadClipVisionConfig(ConfigPath(config_.model.pretrained),
                                                    &clip_config_));
    have_config_ = true;
  }
  *out = clip_config_;
  return Status::Ok();
}

Status UnitCache::Find(const std::vector<int>& subset, Entry** out) {
  for (auto it = subsets_.begin(); it != subsets_.end(); ++it) {
    if (it->subset != subset) continue;
    subsets_.splice(subsets_.begin(), subsets_, it);
    *out = &subsets_.front();
    return Status::Ok();
  }
  auto pool = std::make_shared<moe::ModelPool>();
  PWEMOE_RETURN_IF_ERROR(LoadPool(config_, subset, pool.get()));
  subsets_.push_front({subset, std::move(pool), nullptr});
  while (subsets_.size() > max_subsets_) subsets_.pop_back();
  *out = &subsets_.front();
  return Status::Ok();
}

Status UnitCache::Pool(const std::vector<int>& subset, std::shared_ptr<const moe::ModelPool>* out) {
  Entry* entry = nullptr;
  PWEMOE_RETURN_IF_ERROR(Find(subset, &entry));
  *out = entry->pool;
  return Status::Ok();
}

Status UnitCache::Upscaled(const std::vector<int>& subset,
                           std::shared_ptr<const moe::UpscaledModel>* out) {
  if (subset.empty()) return Status::InvalidArgument("upscaling: no task");
  Entry* entry = nullptr;
  PWEMOE_RETURN_IF_ERROR(Find(subset, &entry));
  if (entry->model == nullptr) {
    moe::UpscaledModel cpu;
    PWEMOE_RETURN_IF_ERROR(moe::UpscaleModel(*entry->pool, config_.upscale.modules,
                                             config_.upscale.init_lambda, &cpu));
    auto model = std::make_shared<moe::UpscaledModel>();
    if (device_.is_cpu()) {
      *model = std::move(cpu);
    } else {
      PWEMOE_RETURN_IF_ERROR(moe::UpscaledModelTo(cpu, device_, model.get()));
    }
    entry->model = std::move(model);
  }
  *out = entry->model;
  return Status::Ok();
}

Status UnitCache::Head(int task, std::shared_ptr<const model::ClassificationHead>* out) {
  auto it = heads_.find(task);
  if (it == heads_.end()) {
    auto head = std::make_shared<model::ClassificationHead>();
    PWEMOE_RETURN_IF_ERROR(model::LoadHead(config_.tasks[task].head, head.get()));
    it = heads_.emplace(task, std::move(head)).first;
  }
  *out = it->second;
  return Status::Ok();
}

Status UnitCache::Dataset(const std::string& path, std::shared_ptr<const data::Dataset>* out) {
  auto it = datasets_.find(path);
  if (it == datasets_.end()) {
    auto dataset = std::make_shared<data::Dataset>();
    PWEMOE_RETURN_IF_ERROR(data::OpenDataset(path, dataset.get()));
    it = datasets_.emplace(path, std::move(dataset)).first;
  }
  *out = it->second;
  return Status::Ok();
}

}  // namespace pwemoe::worker
