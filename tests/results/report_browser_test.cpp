// report.html in a real browser: headless Chromium renders the sample report (report_samples.h)
// to a PNG, and the screenshot must show the charts (pixels of the LS and EPO colours, plenty of
// non-white pixels); Chromium's DOM after parsing must hold the same data-point elements as the
// file. Skipped only when no chromium is installed (scripts/install-deps.sh installs Debian's).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "report_samples.h"
#include "results/report/report_charts.h"
#include "results/report/report_html.h"
#include "test_records.h"

namespace pwemoe::results {
namespace {

using testing::TempDir;

// The chromium executable, or "" when none is installed.
std::string Chromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

// Runs chromium headless on `html` with `args` (stdout to `out`, stderr to `log`), in its own
// profile folder, killed after 120 s. True when it exited 0.
bool RunChromium(const std::string& chromium, const TempDir& dir, const std::string& html,
                 const std::string& args, const std::string& out, const std::string& log) {
  static int profile = 0;
  const std::string cmd = "timeout -k 5 120 " + chromium +
                          " --headless --no-sandbox --disable-gpu --no-first-run"
                          " --hide-scrollbars --user-data-dir=" + dir.File("profile" + std::to_string(profile++)) +
                          " " + args + " file://" + html + " >" + out + " 2>" + log;
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Parses report_png_check.py's output: "nonwhite" and each colour's count.
std::map<std::string, long> ParsePixels(const std::string& output) {
  std::map<std::string, long> counts;
  std::istringstream in(output);
  std::string kind, name;
  long n = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    fields >> kind;
    if (kind == "nonwhite" && fields >> n) counts["nonwhite"] = n;
    if (kind == "color" && fields >> name >> n) counts[name] = n;
  }
  return counts;
}

TEST(ReportBrowser, ScreenshotShowsTheCharts) {
  const std::string chromium = Chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  TempDir dir;
  const std::string html = dir.File("report.html");
  ASSERT_TRUE(WriteHtmlReport(testing::SampleReport(), html).ok());
  const std::string png = dir.File("shot.png");
  ASSERT_TRUE(RunChromium(chromium, dir, html, "--window-size=1200,1400 --screenshot=" + png,
                          dir.File("stdout.txt"), dir.File("stderr.txt")))
      << "chromium failed:\n" << testing::ReadFile(dir.File("stderr.txt"));

  const std::string out = dir.File("pixels.txt");
  std::string colors;
  for (const char* c : {kLsColor, kEpoColor, kExpertColor, kWeightedTaColor}) {
    colors += std::string(" ") + (c + 1);
  }
  const std::string cmd = std::string(PWEMOE_PYTHON3) + " " + PWEMOE_TEST_DATA_DIR +
                          "/report_png_check.py " + png + colors + " >" + out + " 2>&1";
  const int status = std::system(cmd.c_str());
  const std::string output = testing::ReadFile(out);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  const auto pixels = ParsePixels(output);
  // Not blank: text, tables and charts cover far more than 2% of the 1200 x 1400 pixels.
  EXPECT_GT(pixels.at("nonwhite"), 1200 * 1400 / 50) << output;
  // The chart colours appear nowhere else on the page: with the SVGs hidden each count is 0;
  // with them the first accuracy plane and the loss charts give about 480 LS, 150 EPO, 200
  // expert and 170 weighted-TA pixels (filled markers, legend swatches).
  for (const char* c : {kLsColor, kEpoColor, kExpertColor, kWeightedTaColor}) {
    EXPECT_GT(pixels.at(c + 1), 50) << "few pixels of " << c << ": are the charts drawn?\n"
                                    << output;
  }
}

TEST(ReportBrowser, ParsedDomHoldsEveryPointElement) {
  const std::string chromium = Chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  TempDir dir;
  const ReportData data = testing::SampleReport();
  const std::string html = dir.File("report.html");
  ASSERT_TRUE(WriteHtmlReport(data, html).ok());
  const std::string dom = dir.File("dom.html");
  ASSERT_TRUE(RunChromium(chromium, dir, html, "--dump-dom", dom, dir.File("stderr.txt")))
      << "chromium failed:\n" << testing::ReadFile(dir.File("stderr.txt"));
  const testing::HtmlCheck check = testing::CheckHtmlFile(PWEMOE_PYTHON3, dom, /*xml=*/false);
  ASSERT_TRUE(check.ran) << check.output;
  EXPECT_EQ(check.points, testing::ExpectedPointElements(data));
  EXPECT_EQ(check.svgs, 14);
}

}  // namespace
}  // namespace pwemoe::results
