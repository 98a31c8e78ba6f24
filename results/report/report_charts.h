// The charts of the HTML report (report_html.h), built from a ReportData with svg_plot.h: where
// runs and baselines sit in a subset's accuracy space, and each run's training curves.
//
// Styles: LS runs are blue circles (class "pt ls"), EPO runs red triangles ("pt epo"), other
// variants grey squares ("pt run"); further runs of the same variant take other shades. Filled
// markers are on the run's Pareto front, hollow ones dominated. Baselines: pretrained black
// square, experts green stars, simple average purple diamond, the task-arithmetic sweep a brown
// dashed line through its lambdas, weighted task arithmetic teal crosses; class "pt baseline
// <method>". Accuracies are drawn as percentages.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "results/report/report_model.h"

namespace pwemoe::results {

// Colours of the LS and EPO variants' first runs, of the experts and of weighted task
// arithmetic; used by nothing else on the page (the browser test looks for them).
constexpr const char* kLsColor = "#1f77b4";
constexpr const char* kEpoColor = "#d62728";
constexpr const char* kExpertColor = "#2ca02c";
constexpr const char* kWeightedTaColor = "#17becf";

// Names for titles and table headings: the subset key and the run name themselves up to
// kLongName characters; beyond (the keys of many tasks), "<T> tasks" and "<variant> seed <N>
// (<T> tasks)", which keep charts and tables within the page. Tooltips give the full names.
constexpr size_t kLongName = 48;
std::string ShortSubsetName(const SubsetSummary& subset);
std::string ShortRunName(const RunSummary& run);

// The plane of the subset's tasks `x` and `y` (indices into subset.tasks): every ray of every run
// of the subset, labelled by its ray index (with 3 or more tasks only the rays non-dominated in
// this plane are labelled), each run's front as a line (with 3 or more tasks: the rays
// non-dominated in this plane), and the baselines.
std::string AccuracyPlaneSvg(const ReportData& data, const SubsetSummary& subset, size_t x,
                             size_t y);

// Parallel coordinates over all of the subset's tasks: one line per ray of every run (front rays
// bold, dominated ones faint) and per baseline point.
std::string ParallelAccuracySvg(const ReportData& data, const SubsetSummary& subset);

// Plot width of ParallelAccuracySvg for `axes` tasks: 150 pixels per axis up to 7 axes (at least
// 420), then 1060 pixels, the axes closer the more there are, and from 20 axes on 56 pixels
// between axes (the page scrolls sideways past about 24).
int ParallelPlotWidth(size_t axes);

// Stroke opacity of one of `lines` lines drawn over each other: `base` up to kOpaqueLines lines,
// then base * kOpaqueLines / lines, but not below min(floor, base); so that hundreds of rays show
// their density instead of one solid band. ParallelAccuracySvg's floors: 0.08 for front rays,
// 0.03 for the others; with more than kManyAxes tasks it draws the experts thin at opacity 0.45.
constexpr size_t kOpaqueLines = 20;
constexpr size_t kManyAxes = 8;
double LineOpacity(double base, size_t lines, double floor);

// The heat map of a run's pairwise hypervolumes `pairs` (PairHypervolumes, report_pairs.h): one
// cell per pair of tasks (class "hv-cell"), the value written in it and in its tooltip, coloured
// on the scale lo..hi (shared by the runs of a subset so that their maps compare; NaN: this
// run's own range). The diagonal (1-D hypervolumes, an upper bound of their row) is grey and left
// out of the scale; its tooltip gives the value.
std::string PairHypervolumeSvg(const RunSummary& run,
                               const std::vector<std::vector<double>>& pairs, double lo,
                               double hi);

// Histograms of the interior rays' mu (report_mu.h) of every run of the subset, on shared bins
// (about sqrt(rays), 5 to 30, over the runs' range widened to at least 0.01), one outline per run
// in its colour (class "mu-hist ls|epo|run"), its median marked on the axis ("mu-median ...");
// "" when no run has an interior ray.
std::string MuHistogramSvg(const ReportData& data, const SubsetSummary& subset);

// The run's per-task losses and total loss over the logged steps ("" when it has none).
std::string LossCurveSvg(const RunSummary& run);

// EPO's mu over the logged steps ("" when the run has none).
std::string EpoMuSvg(const RunSummary& run);

// Training curves of more than 2 * kSmoothFraction logged steps are drawn raw (faint) and as a
// centred moving average over SmoothingWindow(steps) values (an odd number, steps /
// kSmoothFraction or one more); shorter ones raw only (window 1).
constexpr size_t kSmoothFraction = 25;
int64_t SmoothingWindow(size_t steps);

// "81.23" for 0.81234; "n/a" for NaN.
std::string Percent(double accuracy);

// printf("%.<digits>f"); "n/a" for NaN.
std::string Fixed(double v, int digits);

}  // namespace pwemoe::results
