// The report of a results store as files: what pwemoe-report writes and what pwemoe-orchestrate
// writes at the end of an experiment.
//
// Into one folder: report.md (RenderMarkdown), report.html (self-contained, inline SVG),
// fronts.csv and summary.json (the same numbers for scripts). Each file is written atomically
// (pwemoe/util/files.h), so a reader sees the previous report or the new one.
//
// Thread safety: independent calls on different folders are safe; two calls on the same folder
// race like renames do (the last one wins, each file whole).
#pragma once

#include <string>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/store/records.h"
#include "results/report/report_model.h"
#include "results/store/result_set.h"

namespace pwemoe::results {

// The paths WriteReport wrote, in the order above.
struct ReportFiles {
  std::string markdown;
  std::string html;
  std::string fronts_csv;
  std::string summary_json;
};

// Builds the report of `records` (BuildReport) and writes its four files into `out_dir`,
// creating the folder when needed. On failure returns the first error (InvalidArgument from
// BuildReport naming the run, or IoError naming the file) and *files lists nothing; files
// written before the failure stay (each is complete).
Status WriteReport(const StoreHeader& header, const ResultSet& records, const ReportOptions& options,
                   const std::string& out_dir, ReportFiles* files);

}  // namespace pwemoe::results
