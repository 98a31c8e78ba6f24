// pwemoe-report: the report of an experiment's results file.
//
// Reads RESULTS.h5 (results/store/SCHEMA.md) and writes report.md, report.html (self-contained, inline
// SVG plots), fronts.csv and summary.json into --out (default: a folder "report" beside the
// file), then prints their paths. pwemoe-orchestrate writes the same report at the end of an
// experiment; this tool redoes it on any results file, finished or not, e.g. with another
// hypervolume reference.
//
// Exit codes: 0 success; 2 a bad command line; 1 an unreadable or inconsistent results file or
// an unwritable output folder (the message names the file).
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "pwemoe/util/tool.h"
#include "results/store/h5_reader.h"
#include "results/front/point_csv.h"
#include "results/report/report_files.h"
#include "results/report/report_util.h"

namespace pwemoe::tools {
namespace {

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-report",
        "pwemoe-report RESULTS.h5 [--out DIR] [--ref R]",
        "Writes the report of an experiment's results file: report.md, report.html (plots inline,\n"
        "no network needed), fronts.csv (every evaluated ray and baseline point) and summary.json\n"
        "(the tables' numbers: hypervolumes, fronts, ray alignment, baselines, provenance).",
        {
            {"--out", "DIR", "<folder of RESULTS.h5>/report", "folder to write the report into"},
            {"--ref", "R", "[report] reference of the experiment, else 0",
             "hypervolume reference for raw accuracies, in every coordinate (in [0, 1))"},
            {"--exact-budget", "SECONDS", "10",
             "each hypervolume exact when that takes at most this long (inf: always), else a "
             "Monte Carlo estimate, listed as such"},
        }};

struct Options {
  std::string results;
  std::string out;
  bool reference_given = false;  // --ref; else the experiment's [report] reference
  results::ReportOptions report;
};

Status ReadOptions(const ParsedFlags& flags, Options* o) {
  if (flags.positional.size() != 1) return UsageError(kSpec, "expected one results file");
  o->results = flags.positional[0];
  o->out = flags.Has("--out") ? flags.Get("--out")
                              : (std::filesystem::path(o->results).parent_path() / "report").string();
  if (flags.Has("--ref")) {
    const std::string text = flags.Get("--ref");
    std::vector<double> values;
    if (!results::ParseNumberRow(text, &values).ok() || values.size() != 1 ||
        !(values[0] >= 0 && values[0] < 1)) {
      return Status::InvalidArgument("--ref: '" + text + "' is not a number in [0, 1)");
    }
    o->report.reference = values[0];
    o->reference_given = true;
  }
  return GetDoubleFlag(flags, "--exact-budget", 0, std::numeric_limits<double>::infinity(),
                       &o->report.hv_exact_seconds);
}

Status Run(ToolContext* ctx) {
  Options o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx->flags, &o));
  results::StoreHeader header;
  results::ResultSet records;
  PWEMOE_RETURN_IF_ERROR(results::ReadResults(o.results, &header, &records));
  if (!o.reference_given) o.report.reference = results::ReportReferenceFromToml(header.experiment_toml);
  results::ReportFiles files;
  PWEMOE_RETURN_IF_ERROR(
      results::WriteReport(header, records, o.report, o.out, &files).WithContext(o.results));
  for (const std::string& path : {files.markdown, files.html, files.fronts_csv, files.summary_json}) {
    std::printf("%s\n", path.c_str());
  }
  return Status::Ok();
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
