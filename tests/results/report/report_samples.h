// Hand-built ReportData for the report writers' tests, and the checks of report.html shared by
// the unit test and the browser test.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "results/report/report_model.h"
#include "results/store/result_set.h"

namespace pwemoe::results::testing {

// A report of three subsets: "clothing+digits" (2 tasks, 7 rays), "clothing+digits+letters"
// (3 tasks, 10 rays) and "a+b+c+d+e" (5 tasks, 12 rays), each with one LS and one EPO run
// (trained, with loss curves; EPO with mu), pretrained, experts, simple average, a 5-lambda
// task-arithmetic sweep and weighted task arithmetic at every ray. Special cases:
//  - the expert of "clothing" has no accuracy (NaN) on "letters" in the 3-task subset;
//  - the experiment name, a failure message, a run label and the TOML hold < & " > characters;
//  - two sessions, one with two hosts.
ReportData SampleReport();

// The names of the 20 tasks of ManyTaskRecords (the TALL20 vision benchmark: names of 3 to 17
// characters, as long as real ones).
std::vector<std::string> ManyTaskNames(size_t tasks);

// The records of a many-task experiment over the first `tasks` (<= 20) of ManyTaskNames, one
// subset: an LS and an EPO run (trained, 40 logged steps) evaluated at `rays` (> tasks) rays:
// index 0 the equal ray, 1..T the one-hot rays, then interior rays drawn from a fixed seed;
// accuracies a smooth function of the ray (LS and EPO differ) plus a small fixed perturbation,
// losses falling with the accuracy. Baselines: pretrained and every expert on every task, simple
// average, task arithmetic at 3 lambdas and weighted task arithmetic at every ray.
ResultSet ManyTaskRecords(size_t tasks, size_t rays);

// BuildReport of ManyTaskRecords with hv_exact_seconds = 0 (the T-dimensional hypervolumes are
// estimates: an exact one in 20 dimensions may take long) and `reference`.
Status ManyTaskReport(size_t tasks, size_t rays, double reference, ReportData* out);

// The number of chart elements with class "pt ..." that report.html must draw for `data`, keyed
// by "<class>|<data-run>" (data-run "" for baselines): per chart (one per task pair for 2 and 3
// tasks, one parallel-coordinates chart for more), one per ray of each run and one per baseline
// point with finite accuracies on the chart's tasks (parallel coordinates: every baseline point).
std::map<std::string, int64_t> ExpectedPointElements(const ReportData& data);

// Result of tests/results/report/report_html_check.py on a file.
struct HtmlCheck {
  bool ran = false;             // the interpreter exited 0
  std::string output;           // what it printed (errors included)
  std::map<std::string, int64_t> points;  // "<class>|<data-run>" -> count
  int64_t svgs = 0;             // <svg> elements
};

// Runs PWEMOE_PYTHON3 report_html_check.py on `html_path`. `xml` also parses the file as XML
// (well-formedness, every point element has a <title>); otherwise only the HTML parser counts.
HtmlCheck CheckHtmlFile(const std::string& python3, const std::string& html_path, bool xml);

}  // namespace pwemoe::results::testing
