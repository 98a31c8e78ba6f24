// DescribePlan / DescribeUnit: the plan as text for --dry-run and logs.
#include <map>
#include <sstream>

#include "orchestrator/plan.h"
#include "pwemoe/util/strings.h"

namespace pwemoe::orchestrator {

using config::ExperimentConfig;

namespace {

std::string RayRange(const Unit& u) {
  return "rays " + std::to_string(u.ray_begin) + "-" + std::to_string(u.ray_end - 1);
}

// "11 rays (grid 11, one-hot 2, equal 1)"
std::string RaySummary(const std::vector<LabelledRay>& rays) {
  std::map<std::string, int> by_source;
  for (const auto& r : rays) {
    for (const auto& s : r.sources) ++by_source[s];
  }
  std::vector<std::string> parts;
  for (const char* s : {"grid", "one-hot", "equal", "dirichlet"}) {
    if (by_source.count(s)) parts.push_back(std::string(s) + " " + std::to_string(by_source[s]));
  }
  return std::to_string(rays.size()) + " rays (" + Join(parts, ", ") + ")";
}

}  // namespace

std::string DescribeUnit(const ExperimentConfig& c, const Plan& plan, const Unit& u) {
  std::string task = u.task >= 0 ? c.tasks[u.task].name : "";
  switch (u.kind) {
    case UnitKind::kTrain:
      return "train " + plan.runs[u.run].name;
    case UnitKind::kEval:
      return "eval " + plan.runs[u.run].name + " " + RayRange(u) + " on " + task;
    case UnitKind::kBaseline: break;
  }
  std::string s = std::string("baseline ") + BaselineName(u.baseline);
  if (u.baseline == BaselineKind::kExpert) s += " " + c.tasks[u.expert].name;
  if (u.subset >= 0) s += " over " + Join(c.SubsetNames(c.train.subsets[u.subset]), "+");
  std::ostringstream lambda;
  lambda << u.lambda;
  if (u.baseline == BaselineKind::kTaskArithmetic) s += " lambda " + lambda.str();
  if (u.baseline == BaselineKind::kWeightedTaskArithmetic) s += " lambda " + lambda.str() + " " + RayRange(u);
  return s + " on " + task;
}

std::string DescribePlan(const ExperimentConfig& c, const Plan& plan, bool list_units) {
  std::ostringstream o;
  o << "plan of experiment " << c.experiment.name << ": " << plan.units.size() << " units ("
    << plan.num_train << " training, " << plan.num_eval << " evaluation, " << plan.num_baseline
    << " baseline)\n";
  o << "training runs: " << plan.runs.size() << " = " << c.train.variants.size() << " variants x "
    << c.train.subsets.size() << " subsets x " << c.train.seeds.size() << " seeds, " << c.train.steps
    << " steps each\n";
  for (const auto& run : plan.runs) o << "  run " << run.id << ": " << run.name << "\n";
  o << "evaluation rays per subset:\n";
  for (size_t s = 0; s < c.train.subsets.size(); ++s) {
    o << "  " << Join(c.SubsetNames(c.train.subsets[s]), "+") << ": " << RaySummary(plan.subset_rays[s]) << "\n";
  }
  std::map<int, int> eval_per_run;
  std::map<std::string, int> per_baseline;
  for (const auto& u : plan.units) {
    if (u.kind == UnitKind::kEval) ++eval_per_run[u.run];
    if (u.kind == UnitKind::kBaseline) ++per_baseline[BaselineName(u.baseline)];
  }
  o << "evaluation units: " << plan.num_eval << " (runs x ray blocks of " << c.eval.rays_per_unit
    << " x tasks)\n";
  for (const auto& run : plan.runs) {
    const auto& subset = c.train.subsets[run.subset];
    o << "  " << run.name << ": " << plan.subset_rays[run.subset].size() << " rays x " << subset.size()
      << " tasks = " << eval_per_run[run.id] << " units\n";
  }
  o << "baseline units: " << plan.num_baseline << "\n";
  for (const auto& [name, n] : per_baseline) o << "  " << name << ": " << n << "\n";
  if (list_units) {
    o << "units:\n";
    for (const auto& u : plan.units) {
      o << "  " << u.id << ": " << DescribeUnit(c, plan, u);
      if (!u.deps.empty()) o << " (after unit " << u.deps[0] << ")";
      o << "\n";
    }
  }
  return o.str();
}

}  // namespace pwemoe::orchestrator
