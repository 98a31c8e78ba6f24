#include "results/report/report_files.h"

#include <filesystem>
#include <system_error>

#include "pwemoe/util/files.h"
#include "results/report/report_html.h"
#include "results/report/report_md.h"
#include "results/report/report_tables.h"

namespace pwemoe::results {

Status WriteReport(const StoreHeader& header, const ResultSet& records, const ReportOptions& options,
                   const std::string& out_dir, ReportFiles* files) {
  *files = ReportFiles();
  ReportData data;
  PWEMOE_RETURN_IF_ERROR(BuildReport(header, records, options, &data));
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Status::IoError(out_dir + ": cannot create the report folder: " + ec.message());
  const std::filesystem::path dir(out_dir);
  ReportFiles out{(dir / "report.md").string(), (dir / "report.html").string(),
                  (dir / "fronts.csv").string(), (dir / "summary.json").string()};
  PWEMOE_RETURN_IF_ERROR(WriteFileAtomically(out.markdown, RenderMarkdown(data)));
  PWEMOE_RETURN_IF_ERROR(WriteHtmlReport(data, out.html));
  PWEMOE_RETURN_IF_ERROR(WriteFrontsCsv(data, out.fronts_csv));
  PWEMOE_RETURN_IF_ERROR(WriteSummaryJson(data, out.summary_json));
  *files = std::move(out);
  return Status::Ok();
}

}  // namespace pwemoe::results
