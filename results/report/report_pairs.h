// The pairwise hypervolumes of a run: how well its rays trade off every two of its tasks, read
// from the same evaluations as the run's front. For experiments with many tasks the
// T-dimensional hypervolume says little about which pairs of tasks conflict; the T x T matrix of
// 2-D hypervolumes (report.html's heat map, summary.json's `pair_hypervolume`) does.
//
// Thread safety: pure function over its arguments.
#pragma once

#include <vector>

#include "results/report/report_model.h"

namespace pwemoe::results {

// The symmetric T x T matrix of `run` (T = run.tasks.size()):
//  - entry (i, j), i != j: the exact 2-D hypervolume (results/front/hypervolume.h) of every ray's
//    accuracies projected onto tasks (i, j), maximised, with `reference` in both coordinates.
//    Every ray counts, not only the run's T-dimensional front: a ray dominated in T dimensions
//    may be non-dominated in the plane of two tasks (the hypervolume drops the ones that are not);
//  - entry (i, i): the 1-D hypervolume of task i, max over the rays of accuracy_i - reference
//    (0 when no ray beats the reference); an upper bound of row i when accuracies are <= 1;
//  - NaN in every entry when the run has no rays, and in an entry whose coordinates are not all
//    finite (BuildReport's rays always are).
// An empty matrix for a run without tasks.
std::vector<std::vector<double>> PairHypervolumes(const RunSummary& run, double reference);

}  // namespace pwemoe::results
