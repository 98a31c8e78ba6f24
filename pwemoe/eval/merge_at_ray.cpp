#include "pwemoe/eval/merge_at_ray.h"

#include "pwemoe/eval/ray_check.h"
#include "pwemoe/eval/ray_eval.h"
#include "pwemoe/moe/merge.h"
#include "pwemoe/moe/pool.h"
#include "pwemoe/moe/router_io.h"
#include "pwemoe/moe/upscale.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::eval {

namespace {

Status LoadUpscaled(const MergeSource& s, moe::UpscaledModel* model) {
  if (s.experts.size() != s.tasks.size()) {
    return Status::InvalidArgument("MergeAtRay: " + std::to_string(s.tasks.size()) + " tasks, " +
                                   std::to_string(s.experts.size()) + " experts");
  }
  moe::PoolSpec spec;
  spec.pretrained = s.pretrained;
  for (size_t i = 0; i < s.tasks.size(); ++i) spec.tasks.push_back({s.tasks[i], s.experts[i], ""});
  moe::ModelPool pool;
  PWEMOE_RETURN_IF_ERROR(moe::LoadModelPool(spec, &pool));
  return moe::UpscaleModel(pool, s.modules, s.init_lambda, model);
}

// The routers of `layout`; a Corrupt error says what was expected.
Status LoadRouters(const RouterSource& r, const moe::RouterLayout& layout,
                   const std::vector<std::string>& tasks, std::vector<moe::Router>* routers) {
  Status st = r.tensors != nullptr ? moe::RoutersFromTensorMap(r.name, *r.tensors, layout, routers)
                                   : moe::LoadRouters(r.name, layout, routers);
  if (st.code() != Status::Code::kCorrupt) return st;
  return Status::Corrupt(st.message() + " (expected routers for " + std::to_string(tasks.size()) +
                         " tasks " + Join(tasks, ",") + ", " +
                         std::to_string(layout.modules.size()) + " modules, " +
                         std::to_string(layout.hidden_layers) + " hidden layers)");
}

}  // namespace

Status MergeAtRay(const MergeSource& source, const RouterSource& routers, const Ray& ray,
                  const std::string& ray_name, io::TensorMap* merged) {
  PWEMOE_RETURN_IF_ERROR(ValidateRay(ray, static_cast<int64_t>(source.tasks.size()), ray_name));
  moe::UpscaledModel model;
  PWEMOE_RETURN_IF_ERROR(LoadUpscaled(source, &model));
  const moe::RouterLayout layout{moe::ModuleNames(model), static_cast<int64_t>(source.tasks.size()),
                                 source.router_hidden_layers};
  std::vector<moe::Router> loaded;
  PWEMOE_RETURN_IF_ERROR(LoadRouters(routers, layout, source.tasks, &loaded));
  return moe::MergeAndUnload(model, loaded, RayTensor(ray), merged);
}

}  // namespace pwemoe::eval
