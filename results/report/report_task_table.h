// The per-task accuracy table of a task subset: one row per task, what each run reaches on it
// (its best ray and its equal-preference ray) next to the task's expert and weighted task
// arithmetic. With many tasks this says which tasks a run gives up, which the hypervolume hides.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "results/report/report_model.h"

namespace pwemoe::results {

// One run's columns.
struct TaskTableRun {
  size_t run = 0;              // index into ReportData::runs
  std::vector<double> best;    // [T] max over the run's rays of the accuracy on each task
  std::vector<double> equal;   // [T] at the run's equal ray (IsEqualRay); NaN without one
};

struct TaskTable {
  std::vector<std::string> tasks;  // [T] the subset's tasks: one row each
  std::vector<TaskTableRun> runs;  // the subset's runs, in SubsetSummary::runs order
  std::vector<double> expert;      // [T] the task's own expert (SubsetSummary::expert_accuracy)
  // Weighted task arithmetic (the subset's "weighted-task-arithmetic" baseline points): at its
  // equal ray (the first such point in the subset's order, i.e. the smallest lambda) and the max
  // over its points; NaN where it has no (finite) value.
  std::vector<double> wta_equal;   // [T]
  std::vector<double> wta_best;    // [T]
};

// Whether every coordinate of `ray` is the same (within 1e-9 relative to the largest): the equal
// preference 1/T, whatever label the ray set gave it. False for an empty ray.
bool IsEqualRay(const std::vector<double>& ray);

// The table of `subset` over data.runs. NaN wherever a value is missing (a run without rays, a
// task without an expert, no weighted task arithmetic).
TaskTable MakeTaskTable(const ReportData& data, const SubsetSummary& subset);

}  // namespace pwemoe::results
