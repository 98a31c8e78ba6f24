// report.html on hand-built ReportData (report_samples.h): parses as XML (checked with
// PWEMOE_PYTHON3's xml.etree and html.parser), one data-point element per ray and per baseline
// point in every chart, no external URL, escaped text, deterministic bytes, atomic writing; the
// report's tables (report_subset_tables.h) cell for cell in report.html and report.md.
#include "results/report/report_html.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "report_samples.h"
#include "results/report/report_md.h"
#include "results/report/report_subset_tables.h"
#include "results/report/report_table.h"
#include "results/report/svg_plot.h"
#include "records_testing.h"

namespace pwemoe::results {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

// Every "http://" or "https://" in `text` that is not the SVG or XHTML namespace.
std::vector<std::string> ExternalUrls(const std::string& text) {
  std::vector<std::string> found;
  for (const char* scheme : {"http://", "https://"}) {
    for (size_t at = text.find(scheme); at != std::string::npos; at = text.find(scheme, at + 1)) {
      const std::string url = text.substr(at, text.find_first_of("\"' <>", at) - at);
      if (url != "http://www.w3.org/2000/svg" && url != "http://www.w3.org/1999/xhtml") {
        found.push_back(url);
      }
    }
  }
  return found;
}

testing::HtmlCheck RenderAndCheck(const ReportData& data, const TempDir& dir) {
  const std::string path = dir.File("report.html");
  testing::WriteFile(path, RenderHtml(data));
  return testing::CheckHtmlFile(PWEMOE_PYTHON3, path, /*xml=*/true);
}

TEST(ReportHtml, ParsesAsXmlWithATooltipOnEveryPoint) {
  TempDir dir;
  const testing::HtmlCheck check = RenderAndCheck(testing::SampleReport(), dir);
  ASSERT_TRUE(check.ran) << PWEMOE_PYTHON3 << " report_html_check.py --xml failed:\n"
                         << check.output;
  // 2 tasks: 1 plane; 3 tasks: 3 planes; 5 tasks: parallel coordinates; per subset 2 loss
  // charts, 1 EPO mu chart and 1 histogram of the rays' mu; for 3 and 5 tasks a pairwise
  // hypervolume heat map per run.
  EXPECT_EQ(check.svgs, 1 + 3 + 1 + 3 * 3 + 3 + 2 * 2);
}

TEST(ReportHtml, OnePointElementPerRayPerRunAndPerBaselinePoint) {
  TempDir dir;
  const ReportData data = testing::SampleReport();
  const testing::HtmlCheck check = RenderAndCheck(data, dir);
  ASSERT_TRUE(check.ran) << check.output;
  const auto expected = testing::ExpectedPointElements(data);
  EXPECT_EQ(check.points, expected);
  // The sample's own numbers, so that a wrong ExpectedPointElements cannot hide a wrong chart:
  // 7 rays in one plane, 10 rays in three planes, 12 rays in parallel coordinates.
  EXPECT_EQ(expected.at("pt ls|ls/clothing+digits/seed0"), 7);
  EXPECT_EQ(expected.at("pt epo|epo/clothing+digits+letters/seed0"), 30);
  EXPECT_EQ(expected.at("pt ls|ls/a+b+c+d+e/seed0"), 12);
  // Experts: 2 in one plane; in three planes 3 each, less 2 for clothing's NaN on letters; 5.
  EXPECT_EQ(expected.at("pt baseline expert|"), 2 + (9 - 2) + 5);
  EXPECT_EQ(expected.at("pt baseline weighted-task-arithmetic|"), 7 + 30 + 12);
}

TEST(ReportHtml, FrontLinesHighlightedInParallelCoordinates) {
  const ReportData data = testing::SampleReport();
  const std::string html = RenderHtml(data);
  const RunSummary& run = data.runs[data.subsets[2].runs[0]];
  size_t fronts = 0;
  const std::string needle = "class=\"pt " + std::string(run.variant == "LS" ? "ls" : "epo") +
                             " front\" data-run=\"" + run.run_name + "\"";
  for (size_t at = html.find(needle); at != std::string::npos; at = html.find(needle, at + 1)) {
    ++fronts;
  }
  EXPECT_EQ(fronts, run.front.size());
  EXPECT_GT(run.front.size(), 0u);
}

TEST(ReportHtml, NoExternalReferences) {
  const std::string html = RenderHtml(testing::SampleReport());
  EXPECT_THAT(ExternalUrls(html), ::testing::IsEmpty());
  EXPECT_THAT(html, HasSubstr("xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
}

TEST(ReportHtml, FindsAnExternalUrlWhenThereIsOne) {
  // The check above must be able to fail.
  EXPECT_THAT(ExternalUrls("<a href=\"https://example.org/x\">"),
              ::testing::ElementsAre("https://example.org/x"));
}

TEST(ReportHtml, EscapesText) {
  const std::string html = RenderHtml(testing::SampleReport());
  EXPECT_THAT(html, Not(HasSubstr("<&")));
  EXPECT_THAT(html, HasSubstr("<title>pwemoe report: mini &lt;&amp;&quot;&gt; test</title>"));
  EXPECT_THAT(html, HasSubstr("NaN loss at step 40 &lt;&amp;&quot;&gt;"));
  EXPECT_THAT(html, HasSubstr("# a &lt; b &amp;&amp; c &gt; d"));      // the TOML
  EXPECT_THAT(html, HasSubstr("grid &lt;&amp;&quot;&gt; odd"));       // a ray label
  EXPECT_THAT(html, HasSubstr("--set &#39;train.lr=0.005&#39;"));     // the command
}

TEST(ReportHtml, ShowsTheNumbers) {
  const std::string html = RenderHtml(testing::SampleReport());
  EXPECT_THAT(html, HasSubstr("Units done: <b>100 / 120</b>"));
  EXPECT_THAT(html, HasSubstr("failed: 1"));
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">0.6123</td>"));  // LS hypervolume
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">0.8234</td>"));  // EPO, normalised
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">0.5512</td>"));  // weighted TA
  EXPECT_THAT(html, HasSubstr("<td class=\"num\">6 / 7</td>"));    // wta dominated / points
  EXPECT_THAT(html, HasSubstr("node-a, node-b"));
  EXPECT_THAT(html, HasSubstr("cfg-123"));
  // The NaN accuracy of the clothing expert on letters.
  EXPECT_THAT(html, HasSubstr("<tr><th>expert:clothing</th><td>expert</td>"
                              "<td class=\"num\">–</td><td></td><td class=\"num\">92.00</td>"
                              "<td class=\"num\">45.00</td><td class=\"num\">–</td>"));
}

// Each row of every subset table, as report.md and report.html write it: one definition, the
// same formatted cells in both.
TEST(ReportHtml, TablesMatchTheMarkdownCellForCell) {
  const ReportData data = testing::SampleReport();
  const std::string html = RenderHtml(data);
  const std::string md = RenderMarkdown(data);
  size_t rows = 0;
  for (const SubsetSummary& s : data.subsets) {
    const SubsetTables t = MakeSubsetTables(data, s);
    for (const ReportTable* table : {&t.runs, &t.tasks, &t.mu, &t.baselines, &t.weighted_ta}) {
      for (const TableRow& row : table->rows) {
        std::string md_row = "| " + row.label + " |";
        std::string html_row = "<tr><th>" + EscapeXml(row.label) + "</th>";
        for (const TableCell& c : row.cells) {
          md_row += " " + FormatCell(c) + " |";
          html_row += std::string(c.missing || IsNumeric(c) ? "<td class=\"num\">" : "<td>") +
                      EscapeXml(FormatCell(c)) + "</td>";
        }
        // report.md lists the weighted-TA points by their hypervolume only.
        if (table != &t.weighted_ta) {
          EXPECT_THAT(md, HasSubstr(md_row + "\n")) << md_row;
        }
        EXPECT_THAT(html, HasSubstr(html_row + "</tr>")) << html_row;
        ++rows;
      }
    }
  }
  EXPECT_GT(rows, 100u);
}

TEST(ReportHtml, SameDataSameBytes) {
  const ReportData data = testing::SampleReport();
  const std::string first = RenderHtml(data);
  EXPECT_EQ(first, RenderHtml(data));
  EXPECT_EQ(first, RenderHtml(testing::SampleReport()));
  ReportData changed = data;
  changed.runs[0].rays[0].accuracy[0] += 0.01;
  EXPECT_NE(first, RenderHtml(changed));
}

TEST(ReportHtml, EmptyReportIsAPage) {
  ReportData empty;
  TempDir dir;
  const testing::HtmlCheck check = RenderAndCheck(empty, dir);
  ASSERT_TRUE(check.ran) << check.output;
  EXPECT_EQ(check.svgs, 0);
  EXPECT_THAT(RenderHtml(empty), HasSubstr("(unnamed experiment)"));
}

TEST(WriteHtmlReport, ReplacesTheFileWholeAndLeavesNoTemporary) {
  TempDir dir;
  const std::string path = dir.File("report.html");
  testing::WriteFile(path, "old");
  const ReportData data = testing::SampleReport();
  ASSERT_TRUE(WriteHtmlReport(data, path).ok());
  EXPECT_EQ(testing::ReadFile(path), RenderHtml(data));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.File(""))) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"report.html"});
}

TEST(WriteHtmlReport, FailureNamesThePath) {
  TempDir dir;
  const std::string path = dir.File("missing/report.html");
  const Status s = WriteHtmlReport(testing::SampleReport(), path);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_THAT(s.message(), HasSubstr(path));
}

}  // namespace
}  // namespace pwemoe::results
