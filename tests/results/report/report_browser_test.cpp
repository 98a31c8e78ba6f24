// report.html in a real browser: headless Chromium renders the sample report (report_samples.h)
// to a PNG, and the screenshot must show the charts (pixels of the LS and EPO colours, plenty of
// non-white pixels); Chromium's DOM after parsing must hold the same data-point elements as the
// file. On the 20-task sample, Chromium's own text boxes of the axis names (parallel coordinates,
// heat maps) must not overlap and must lie inside their charts. Skipped only when no chromium is
// installed (scripts/install-deps.sh installs Debian's).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "report_samples.h"
#include "results/report/report_charts.h"
#include "results/report/report_html.h"
#include "records_testing.h"

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
  // 14 charts as before, 3 histograms of mu, 2 x 2 pairwise hypervolume heat maps.
  EXPECT_EQ(check.svgs, 21);
}

// Appended to the 20-task page for the test only (the report has no script): the screen corners
// of every axis name's text box (getBBox through getScreenCTM, so rotations count) and the box
// of every svg, as lines in <pre id="boxes"> that --dump-dom writes out:
//   svg <k> <left> <top> <right> <bottom>
//   label <k> <x0> <y0> <x1> <y1> <x2> <y2> <x3> <y3>
constexpr const char* kMeasureScript = R"(<script>
var lines = [];
var svgs = Array.prototype.slice.call(document.querySelectorAll('svg'));
svgs.forEach(function (svg, k) {
  var r = svg.getBoundingClientRect();
  lines.push(['svg', k, r.left, r.top, r.right, r.bottom].join(' '));
  svg.querySelectorAll('text.axis-label').forEach(function (t) {
    var b = t.getBBox(), m = t.getScreenCTM(), out = ['label', k];
    [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
        .forEach(function (p) {
          out.push(m.a * p[0] + m.c * p[1] + m.e, m.b * p[0] + m.d * p[1] + m.f);
        });
    lines.push(out.join(' '));
  });
});
var pre = document.createElement('pre');
pre.id = 'boxes';
pre.textContent = lines.join('\n');
document.body.appendChild(pre);
</script>
)";

using Quad = std::vector<std::pair<double, double>>;

// Whether two convex quadrilaterals overlap by more than `slack` pixels along every axis of
// separation (their edges' normals).
bool QuadsOverlap(const Quad& a, const Quad& b, double slack) {
  for (const Quad* q : {&a, &b}) {
    for (size_t i = 0; i < q->size(); ++i) {
      const auto& p0 = (*q)[i];
      const auto& p1 = (*q)[(i + 1) % q->size()];
      const double nx = p0.second - p1.second, ny = p1.first - p0.first;
      const double len = std::hypot(nx, ny);
      if (len == 0) continue;
      double a_lo = INFINITY, a_hi = -INFINITY, b_lo = INFINITY, b_hi = -INFINITY;
      for (const auto& p : a) {
        const double d = (p.first * nx + p.second * ny) / len;
        a_lo = std::min(a_lo, d), a_hi = std::max(a_hi, d);
      }
      for (const auto& p : b) {
        const double d = (p.first * nx + p.second * ny) / len;
        b_lo = std::min(b_lo, d), b_hi = std::max(b_hi, d);
      }
      if (std::min(a_hi, b_hi) - std::max(a_lo, b_lo) <= slack) return false;
    }
  }
  return true;
}

TEST(ReportBrowser, TwentyAxisNamesDoNotOverlapOnScreen) {
  EXPECT_TRUE(QuadsOverlap({{0, 0}, {2, 0}, {2, 2}, {0, 2}}, {{1, 1}, {3, 1}, {3, 3}, {1, 3}}, 0));
  EXPECT_FALSE(QuadsOverlap({{0, 0}, {2, 0}, {2, 2}, {0, 2}}, {{3, 0}, {5, 0}, {5, 2}, {3, 2}}, 0));
  // Diamonds whose bounding boxes overlap but whose shapes do not.
  EXPECT_FALSE(QuadsOverlap({{0, 1}, {1, 0}, {2, 1}, {1, 2}}, {{1.6, 1.6}, {2.6, 0.6}, {3.6, 1.6}, {2.6, 2.6}}, 0));
  const std::string chromium = Chromium();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  ReportData data;
  const Status st = testing::ManyTaskReport(20, 300, 0, &data);
  ASSERT_TRUE(st.ok()) << st.ToString();
  TempDir dir;
  const std::string html = dir.File("report.html");
  std::string page = RenderHtml(data);
  page.insert(page.rfind("</body>"), kMeasureScript);
  testing::WriteFile(html, page);
  const std::string dom = dir.File("dom.html");
  ASSERT_TRUE(RunChromium(chromium, dir, html, "--window-size=1400,3000 --dump-dom", dom,
                          dir.File("stderr.txt")))
      << "chromium failed:\n" << testing::ReadFile(dir.File("stderr.txt"));
  const std::string text = testing::ReadFile(dom);
  const size_t begin = text.find("<pre id=\"boxes\">");
  ASSERT_NE(begin, std::string::npos) << "the measuring script did not run";
  std::istringstream in(text.substr(begin + 16, text.find("</pre>", begin) - begin - 16));
  std::map<int, std::vector<double>> svgs;
  std::map<int, std::vector<Quad>> labels;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind;
    int k = 0;
    fields >> kind >> k;
    std::vector<double> v;
    for (double x; fields >> x;) v.push_back(x);
    if (kind == "svg" && v.size() == 4) svgs[k] = v;
    if (kind == "label" && v.size() == 8) {
      labels[k].push_back({{v[0], v[1]}, {v[2], v[3]}, {v[4], v[5]}, {v[6], v[7]}});
    }
  }
  // The parallel coordinates (20 names) and one heat map per run (20 row and 20 column names).
  ASSERT_EQ(labels.size(), 3u);
  std::vector<size_t> counts;
  for (const auto& [k, quads] : labels) counts.push_back(quads.size());
  EXPECT_EQ(counts, (std::vector<size_t>{20, 40, 40}));
  for (const auto& [k, quads] : labels) {
    const std::vector<double>& box = svgs[k];
    for (size_t i = 0; i < quads.size(); ++i) {
      for (const auto& [x, y] : quads[i]) {
        EXPECT_GE(x, box[0] - 1) << "svg " << k << " name " << i << " sticks out on the left";
        EXPECT_LE(x, box[2] + 1) << "svg " << k << " name " << i << " sticks out on the right";
        EXPECT_LE(y, box[3] + 1) << "svg " << k << " name " << i << " sticks out at the bottom";
      }
      for (size_t j = i + 1; j < quads.size(); ++j) {
        // Font boxes include the line gap: half a pixel of overlap is not a visible one.
        EXPECT_FALSE(QuadsOverlap(quads[i], quads[j], 0.5))
            << "svg " << k << ": names " << i << " and " << j << " overlap";
      }
    }
  }
}

}  // namespace
}  // namespace pwemoe::results
