#include "orchestrator/execute.h"

#include "pwemoe/util/strings.h"
#include "results/store/record_codec.h"

namespace pwemoe::orchestrator {
namespace {

worker::RayBlock RaysOf(const Plan& plan, const Unit& unit) {
  worker::RayBlock block;
  const std::vector<LabelledRay>& rays = plan.subset_rays.at(unit.subset);
  for (int i = unit.ray_begin; i < unit.ray_end; ++i) {
    block.index.push_back(i);
    block.label.push_back(Join(rays[i].sources, "+"));
    block.rays.push_back(rays[i].ray);
  }
  return block;
}

worker::BaselineMethod MethodOf(BaselineKind kind) {
  switch (kind) {
    case BaselineKind::kPretrained: return worker::BaselineMethod::kPretrained;
    case BaselineKind::kExpert: return worker::BaselineMethod::kExpert;
    case BaselineKind::kSimpleAverage: return worker::BaselineMethod::kSimpleAverage;
    case BaselineKind::kTaskArithmetic: return worker::BaselineMethod::kTaskArithmetic;
    case BaselineKind::kWeightedTaskArithmetic: return worker::BaselineMethod::kWeightedTaskArithmetic;
  }
  return worker::BaselineMethod::kPretrained;
}

template <typename Record>
void Put(const Status& st, results::RecordType type, const Record& record, WorkerReport* report) {
  if (!st.ok()) {
    report->failed = true;
    report->error = st.ToString();
    return;
  }
  report->record_type = static_cast<uint32_t>(type);
  report->record = results::Encode(record);
}

}  // namespace

worker::TrainSpec TrainSpecOf(const config::ExperimentConfig& config, const Plan& plan, const Unit& unit) {
  const TrainRun& run = plan.runs.at(unit.run);
  worker::TrainSpec spec;
  spec.unit_id = unit.id;
  spec.run_name = run.name;
  spec.variant = run.variant;
  spec.tasks = config.train.subsets.at(run.subset);
  spec.seed = run.seed;
  return spec;
}

worker::EvalSpec EvalSpecOf(const config::ExperimentConfig& config, const Plan& plan, const Unit& unit,
                            std::vector<results::NamedTensor> routers) {
  worker::EvalSpec spec;
  spec.unit_id = unit.id;
  spec.run_name = plan.runs.at(unit.run).name;
  spec.tasks = config.train.subsets.at(unit.subset);
  spec.task = unit.task;
  spec.rays = RaysOf(plan, unit);
  spec.routers = std::move(routers);
  return spec;
}

worker::BaselineSpec BaselineSpecOf(const config::ExperimentConfig& config, const Plan& plan, const Unit& unit) {
  worker::BaselineSpec spec;
  spec.unit_id = unit.id;
  spec.method = MethodOf(unit.baseline);
  if (unit.subset >= 0) spec.tasks = config.train.subsets.at(unit.subset);
  spec.task = unit.task;
  spec.expert = unit.expert;
  spec.lambda = unit.lambda;
  if (unit.baseline == BaselineKind::kWeightedTaskArithmetic) spec.rays = RaysOf(plan, unit);
  return spec;
}

Status ExecuteUnit(const ExecutionContext& c, const Unit& unit, const Assignment& assignment, WorkerReport* report) {
  switch (unit.kind) {
    case UnitKind::kTrain: {
      if (c.group == nullptr) {
        return Status::Internal("unit " + std::to_string(unit.id) + ": a training unit on a rank without a group");
      }
      results::TrainRecord record;
      const Status st = c.runner->RunTraining(TrainSpecOf(*c.config, *c.plan, unit), c.group, &record);
      if (st.ok() && c.group->rank() != 0) return Status::Ok();  // the group's first rank reports
      Put(st, results::RecordType::kTrain, record, report);
      return Status::Ok();
    }
    case UnitKind::kEval: {
      results::EvalRecord record;
      const Status st = c.runner->RunEvaluation(EvalSpecOf(*c.config, *c.plan, unit, assignment.routers), &record);
      Put(st, results::RecordType::kEval, record, report);
      return Status::Ok();
    }
    case UnitKind::kBaseline: {
      results::BaselineRecord record;
      const Status st = c.runner->RunBaseline(BaselineSpecOf(*c.config, *c.plan, unit), &record);
      Put(st, results::RecordType::kBaseline, record, report);
      return Status::Ok();
    }
  }
  return Status::Internal("unknown unit kind");
}

}  // namespace pwemoe::orchestrator
