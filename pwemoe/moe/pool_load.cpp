#include <iterator>
#include <string>
#include <utility>

#include "pwemoe/moe/pool.h"

namespace pwemoe::moe {

namespace {

// All tasks name a head, or none does.
Status CheckHeadPaths(const PoolSpec& spec, bool* with_heads) {
  size_t named = 0;
  for (const PoolSpec::Task& task : spec.tasks) named += task.head.empty() ? 0 : 1;
  if (named != 0 && named != spec.tasks.size()) {
    return Status::InvalidArgument("model pool: " + std::to_string(named) + " of " +
                                   std::to_string(spec.tasks.size()) +
                                   " tasks name a head file; name one for every task or none");
  }
  *with_heads = named != 0;
  return Status::Ok();
}

// Keys the merged vision model never reads: a full CLIPModel checkpoint's text side, and the
// position_ids buffers (arange constants) that older transformers versions saved and newer ones
// do not. Dropped at load, so a CLIPModel pretrained checkpoint pairs with vision-only experts and
// checkpoints of either transformers generation pair with each other.
bool UnusedByTheVisionModel(const std::string& key) {
  const std::string ids = ".position_ids";
  return key.rfind("text_model.", 0) == 0 || key == "text_projection.weight" || key == "logit_scale" ||
         (key.size() >= ids.size() && key.compare(key.size() - ids.size(), ids.size(), ids) == 0);
}

void DropUnused(io::TensorMap* tensors) {
  for (auto it = tensors->begin(); it != tensors->end();) {
    it = UnusedByTheVisionModel(it->first) ? tensors->erase(it) : std::next(it);
  }
}

}  // namespace

Status LoadModelPool(const PoolSpec& spec, ModelPool* out) {
  bool with_heads = false;
  PWEMOE_RETURN_IF_ERROR(CheckHeadPaths(spec, &with_heads));
  ModelPool pool;
  PWEMOE_RETURN_IF_ERROR(io::LoadTensors(spec.pretrained, &pool.pretrained));
  DropUnused(&pool.pretrained);
  for (const PoolSpec::Task& task : spec.tasks) {
    pool.tasks.push_back(task.name);
    pool.experts.emplace_back();
    PWEMOE_RETURN_IF_ERROR(io::LoadTensors(task.expert, &pool.experts.back()));
    DropUnused(&pool.experts.back());
    if (with_heads) {
      pool.heads.emplace_back();
      PWEMOE_RETURN_IF_ERROR(model::LoadHead(task.head, &pool.heads.back()));
    }
  }
  PWEMOE_RETURN_IF_ERROR(ValidateModelPool(pool));
  *out = std::move(pool);
  return Status::Ok();
}

}  // namespace pwemoe::moe
