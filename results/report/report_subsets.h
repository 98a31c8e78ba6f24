// The per-subset half of BuildReport (report_model.h): the task subsets, the baselines placed in
// each subset's accuracy space, the experts' accuracies and the baselines' hypervolumes.
//
// Placement of a baseline unit (one model on one task) in a subset S:
//  - a unit with a subset (simple average, task arithmetic, weighted task arithmetic) belongs to
//    the subset whose key is its subset joined by '+', and to no other;
//  - a unit without a subset is one model for every subset: "pretrained" (and any other method
//    without a subset) is placed in every subset, an expert "expert:<t>" only in the subsets
//    that contain <t> (an expert of another task is not a point of interest there);
//  - the unit contributes its rows' accuracies to the coordinate of its task when that task is
//    one of S's tasks; a model's rows (same method, name and ray_index) on S's tasks make one
//    BaselinePoint, NaN where a task was not evaluated.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include "pwemoe/util/status.h"
#include "results/report/report_model.h"
#include "results/store/result_set.h"

namespace pwemoe::results {

// Fills data->subsets from data->runs (already built, ordered by name) and the baseline records:
// one subset per run subset key and per baseline subset, ordered by number of tasks, then key.
// InvalidArgument naming the baseline unit when its rows contradict another unit of the same model
// (different accuracy on the same task, different ray or lambda), when a row's accuracy is not
// finite, or when a row's ray has another length than the subset's tasks.
Status BuildSubsets(const ResultSet& records, const ReportOptions& options, ReportData* data);

// The hypervolume of maximised `points` with reference `ref` in every coordinate into *volume;
// NaN when there are no points. Exact within options.hv_exact_seconds, else estimated, and then
// noted in *estimates as `what` (HypervolumeWithBudget). InvalidArgument for non-finite values.
Status HypervolumeOrNan(const std::vector<std::vector<double>>& points, double ref,
                        const ReportOptions& options, const std::string& what, double* volume,
                        std::vector<HvEstimateNote>* estimates);

}  // namespace pwemoe::results
