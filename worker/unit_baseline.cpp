// UnitRunner's baseline units (eval/baselines.h): one merged model, or one per ray for
// preference-weighted task arithmetic, evaluated on one task. The pretrained baseline loads the
// pretrained model alone and an expert baseline that expert alone (a one-task pool): the same
// parameters the whole pool gives, for less loading.
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

#include "pwemoe/eval/baselines.h"
#include "worker/unit_runner_impl.h"

namespace pwemoe::worker {
namespace {

const char* MethodName(BaselineMethod m) {
  switch (m) {
    case BaselineMethod::kPretrained: return "pretrained";
    case BaselineMethod::kExpert: return "expert";
    case BaselineMethod::kSimpleAverage: return "simple-average";
    case BaselineMethod::kTaskArithmetic: return "task-arithmetic";
    case BaselineMethod::kWeightedTaskArithmetic: return "weighted-task-arithmetic";
  }
  return "unknown";
}

bool TakesLambda(BaselineMethod m) {
  return m == BaselineMethod::kTaskArithmetic || m == BaselineMethod::kWeightedTaskArithmetic;
}

bool MergesSubset(BaselineMethod m) {
  return m != BaselineMethod::kPretrained && m != BaselineMethod::kExpert;
}

// "pretrained", "expert:<task>", "simple-average", "task-arithmetic:<lambda %g>", ...
std::string BaselineLabel(const config::ExperimentConfig& config, const BaselineSpec& spec) {
  std::string name = MethodName(spec.method);
  if (spec.method == BaselineMethod::kExpert) name += ":" + TaskLabel(config, spec.expert);
  if (TakesLambda(spec.method)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", spec.lambda);
    name += std::string(":") + buf;
  }
  return name;
}

eval::BaselineKind KindOf(BaselineMethod m) {
  switch (m) {
    case BaselineMethod::kPretrained: return eval::BaselineKind::kPretrained;
    case BaselineMethod::kExpert: return eval::BaselineKind::kExpert;
    case BaselineMethod::kSimpleAverage: return eval::BaselineKind::kSimpleAverage;
    case BaselineMethod::kTaskArithmetic: return eval::BaselineKind::kTaskArithmetic;
    case BaselineMethod::kWeightedTaskArithmetic: return eval::BaselineKind::kWeightedTaskArithmetic;
  }
  return eval::BaselineKind::kPretrained;
}

// The pool subset a baseline merges: none (pretrained), its expert alone, or its subset.
Status PoolSubset(const config::ExperimentConfig& config, const BaselineSpec& spec,
                  std::vector<int>* out) {
  std::vector<std::string> names;
  switch (spec.method) {
    case BaselineMethod::kPretrained:
      out->clear();
      return Status::Ok();
    case BaselineMethod::kExpert:
      *out = {spec.expert};
      return CheckSubset(config, *out, &names);
    default:
      *out = spec.tasks;
      return CheckSubset(config, *out, &names);
  }
}

// The models to evaluate: one baseline, or one per ray of the block (weighted), with its row.
std::vector<std::pair<eval::Baseline, results::BaselineRow>> Models(const BaselineSpec& spec) {
  eval::Baseline b;
  b.kind = KindOf(spec.method);
  b.lambda = spec.lambda;
  if (spec.method != BaselineMethod::kWeightedTaskArithmetic) return {{b, {}}};
  std::vector<std::pair<eval::Baseline, results::BaselineRow>> models;
  for (size_t k = 0; k < spec.rays.rays.size(); ++k) {
    b.ray = spec.rays.rays[k];
    results::BaselineRow row;
    row.ray_index = spec.rays.index[k];
    row.ray = spec.rays.rays[k];
    models.emplace_back(b, row);
  }
  return models;
}

}  // namespace

Status UnitRunner::Impl::BaselineRows(const BaselineSpec& spec,
                                      std::vector<results::BaselineRow>* out) {
  if (spec.task < 0 || spec.task >= static_cast<int>(config.tasks.size())) {
    return Status::InvalidArgument("evaluated task index " + std::to_string(spec.task) +
                                   " is out of range");
  }
  if (spec.method == BaselineMethod::kWeightedTaskArithmetic) {
    PWEMOE_RETURN_IF_ERROR(CheckRayBlock(spec.rays));
  }
  PWEMOE_RETURN_IF_ERROR(device_status);
  std::vector<int> subset;
  PWEMOE_RETURN_IF_ERROR(PoolSubset(config, spec, &subset));
  std::shared_ptr<const moe::ModelPool> pool;
  PWEMOE_RETURN_IF_ERROR(cache.Pool(subset, &pool));
  io::ClipVisionConfig clip;
  PWEMOE_RETURN_IF_ERROR(cache.Config(&clip));
  std::shared_ptr<const model::ClassificationHead> head;
  PWEMOE_RETURN_IF_ERROR(cache.Head(spec.task, &head));
  std::shared_ptr<const data::Dataset> dataset;
  PWEMOE_RETURN_IF_ERROR(cache.Dataset(config.tasks[spec.task].test_data, &dataset));
  const eval::EvalOptions options = EvalOptionsOf(config, device);
  std::vector<results::BaselineRow> rows;
  for (auto& [baseline, row] : Models(spec)) {
    io::TensorMap params;
    PWEMOE_RETURN_IF_ERROR(eval::BaselineParams(*pool, baseline, &params));
    PWEMOE_RETURN_IF_ERROR(ParamsToDevice(&params));
    eval::EvalResult result;
    PWEMOE_RETURN_IF_ERROR(eval::EvaluateModel(clip, params, *head, *dataset, options.batch_size,
                                               options.sample_cap, options.precision, &result));
    row.accuracy = result.accuracy;
    row.mean_loss = result.mean_loss;
    row.count = result.count;
    rows.push_back(std::move(row));
  }
  *out = std::move(rows);
  return Status::Ok();
}

Status UnitRunner::Impl::ParamsToDevice(io::TensorMap* params) {
  if (device.is_cpu()) return Status::Ok();
  try {
    for (auto& [key, t] : *params) t = t.to(device);
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("moving parameters to the device: ") +
                            e.what_without_backtrace());
  }
  return Status::Ok();
}

Status UnitRunner::Impl::Baseline(const BaselineSpec& spec, results::BaselineRecord* out) {
  const auto start = std::chrono::steady_clock::now();
  results::BaselineRecord r;
  r.unit_id = spec.unit_id;
  r.method = MethodName(spec.method);
  r.name = BaselineLabel(config, spec);
  r.lambda = TakesLambda(spec.method) ? spec.lambda : std::numeric_limits<double>::quiet_NaN();
  r.task = TaskLabel(config, spec.task);
  if (MergesSubset(spec.method)) {
    for (int i : spec.tasks) r.subset.push_back(TaskLabel(config, i));
  }
  Status st = BaselineRows(spec, &r.rows);
  if (!st.ok()) return st.WithContext("baseline " + r.name + " on task '" + r.task + "'");
  r.seconds = SecondsSince(start);
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace pwemoe::worker
