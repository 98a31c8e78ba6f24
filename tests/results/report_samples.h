// Hand-built ReportData for the report writers' tests, and the checks of report.html shared by
// the unit test and the browser test.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "results/report/report_model.h"

namespace pwemoe::results::testing {

// A report of three subsets: "clothing+digits" (2 tasks, 7 rays), "clothing+digits+letters"
// (3 tasks, 10 rays) and "a+b+c+d+e" (5 tasks, 12 rays), each with one LS and one EPO run
// (trained, with loss curves; EPO with mu), pretrained, experts, simple average, a 5-lambda
// task-arithmetic sweep and weighted task arithmetic at every ray. Special cases:
//  - the expert of "clothing" has no accuracy (NaN) on "letters" in the 3-task subset;
//  - the experiment name, a failure message, a run label and the TOML hold < & " > characters;
//  - two sessions, one with two hosts.
ReportData SampleReport();

// The number of chart elements with class "pt ..." that report.html must draw for `data`, keyed
// by "<class>|<data-run>" (data-run "" for baselines): per chart (one per task pair for 2 and 3
// tasks, one parallel-coordinates chart for more), one per ray of each run and one per baseline
// point with finite accuracies on the chart's tasks (parallel coordinates: every baseline point).
std::map<std::string, int64_t> ExpectedPointElements(const ReportData& data);

// Result of tests/results/report_html_check.py on a file.
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
