// The SVG chart builders: escaping, number text, one element per finite point, broken lines,
// ticks over the data, point labels kept apart.
#include "results/report/svg_plot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <regex>
#include <string>

namespace pwemoe::results {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(SvgPlot, EscapesAllXmlSpecialCharacters) {
  EXPECT_EQ(EscapeXml("a<b & \"c\" > 'd'"), "a&lt;b &amp; &quot;c&quot; &gt; &#39;d&#39;");
  EXPECT_EQ(EscapeXml("µ\n"), "µ\n");
  EXPECT_EQ(EscapeXml(std::string("x\x01y")), "x?y");  // not allowed in XML 1.0
}

TEST(SvgPlot, NumbersHaveFourSignificantDigits) {
  EXPECT_EQ(SvgNumber(0.1 + 0.2), "0.3");
  EXPECT_EQ(SvgNumber(123.456), "123.5");
  EXPECT_EQ(SvgNumber(-0.0), "0");
  EXPECT_EQ(SvgNumber(-1e-20 * 0), "0");
  EXPECT_EQ(SvgNumber(NAN), "nan");
}

XYChart ThreePoints() {
  XYChart chart;
  chart.title = "t <1>";
  PointSeries s;
  s.name = "LS & co";
  s.css_class = "pt ls";
  s.data_run = "ls/a+b/seed0";
  s.color = "#1f77b4";
  s.points = {{0, 0, "0", "first", true}, {10, 5, "1", "second", false}, {NAN, 3, "2", "nan", true}};
  chart.series.push_back(s);
  return chart;
}

TEST(SvgPlot, OneElementPerFinitePointWithItsTooltip) {
  const std::string svg = RenderXYChart(ThreePoints());
  EXPECT_EQ(Occurrences(svg, "class=\"pt ls\" data-run=\"ls/a+b/seed0\""), 2u);
  EXPECT_THAT(svg, HasSubstr("<title>first</title>"));
  EXPECT_THAT(svg, HasSubstr("<title>second</title>"));
  EXPECT_THAT(svg, Not(HasSubstr("<title>nan</title>")));
  EXPECT_THAT(svg, HasSubstr("fill=\"#ffffff\" stroke=\"#1f77b4\""));  // the hollow one
  EXPECT_THAT(svg, HasSubstr(">LS &amp; co</text>"));                 // legend, escaped
  EXPECT_THAT(svg, HasSubstr("<title>t &lt;1&gt;</title>"));
}

TEST(SvgPlot, TicksCoverThePaddedDataRange) {
  const std::string svg = RenderXYChart(ThreePoints());
  // x in [0, 10] padded by 6%: ticks 0, 2, ..., 10; y in [0, 5]: 0, 1, ..., 5.
  for (const char* tick : {">0</text>", ">2</text>", ">10</text>", ">5</text>"}) {
    EXPECT_THAT(svg, HasSubstr(tick));
  }
  EXPECT_THAT(svg, Not(HasSubstr(">12</text>")));
  EXPECT_THAT(svg, Not(HasSubstr(">-2</text>")));
}

TEST(SvgPlot, LineBreaksAtNaN) {
  XYChart chart;
  ChartLine line;
  line.css_class = "curve";
  line.color = "#000000";
  line.x = {0, 1, 2, 3, 4};
  line.y = {1, 2, NAN, 3, 4};
  chart.lines.push_back(line);
  const std::string svg = RenderXYChart(chart);
  const std::smatch m = [&] {
    std::smatch found;
    std::regex_search(svg, found, std::regex("class=\"curve\" d=\"([^\"]*)\""));
    return found;
  }();
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(Occurrences(m[1].str(), "M"), 2u);
  EXPECT_EQ(Occurrences(m[1].str(), "L"), 2u);
}

TEST(SvgPlot, LabelsOfNearbyPointsDoNotOverlap) {
  XYChart chart;
  PointSeries s;
  s.css_class = "pt";
  s.color = "#000000";
  // Four points close together in the middle of a wide range.
  s.points = {{0, 0, "", "", true}, {100, 100, "", "", true}};
  for (int i = 0; i < 4; ++i) s.points.push_back({50 + 0.5 * i, 50, "ray" + std::to_string(i), "", true});
  chart.series.push_back(s);
  const std::string svg = RenderXYChart(chart);
  std::vector<std::pair<double, double>> at;
  const std::regex label("<text x=\"([-0-9.e+]+)\" y=\"([-0-9.e+]+)\" fill=\"#000000\">ray");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label); it != std::sregex_iterator(); ++it) {
    at.push_back({std::atof((*it)[1].str().c_str()), std::atof((*it)[2].str().c_str())});
  }
  ASSERT_EQ(at.size(), 4u);
  for (size_t i = 0; i < at.size(); ++i) {
    for (size_t j = i + 1; j < at.size(); ++j) {
      // 4 glyphs of a 9 px font: about 21.6 x 9 pixels.
      const bool apart = std::fabs(at[i].first - at[j].first) >= 21 ||
                         std::fabs(at[i].second - at[j].second) >= 9;
      EXPECT_TRUE(apart) << "labels " << i << " and " << j << " overlap";
    }
  }
}

TEST(SvgPlot, LabelsThatWouldPileUpAreLeftOutButTheirMarkersStay) {
  XYChart chart;
  PointSeries s;
  s.css_class = "pt";
  s.color = "#000000";
  for (int i = 0; i < 20; ++i) s.points.push_back({1, 1, "r" + std::to_string(i), "", true});
  chart.series.push_back(s);
  const std::string svg = RenderXYChart(chart);
  EXPECT_EQ(Occurrences(svg, "class=\"pt\""), 20u);
  const size_t labels = Occurrences(svg, "fill=\"#000000\">r");
  EXPECT_GE(labels, 4u);   // the free spots around the marker
  EXPECT_LE(labels, 8u);   // at most one per spot
  EXPECT_THAT(svg, HasSubstr(">r0</text>"));  // the first is always placed
}

TEST(SvgPlot, ParallelChartDrawsOneLinePerPoint) {
  ParallelChart chart;
  chart.axes = {"a", "b", "c", "d"};
  ParallelGroup g;
  g.css_class = "pt epo";
  g.color = "#d62728";
  g.lines = {{{0.1, 0.2, 0.3, 0.4}, "one"}, {{0.5, NAN, 0.2, 0.1}, "two"}};
  chart.groups.push_back(g);
  const std::string svg = RenderParallelChart(chart);
  EXPECT_EQ(Occurrences(svg, "class=\"pt epo\""), 2u);
  EXPECT_THAT(svg, HasSubstr("<title>two</title>"));
  for (const char* axis : {">a</text>", ">b</text>", ">c</text>", ">d</text>"}) {
    EXPECT_THAT(svg, HasSubstr(axis));
  }
  EXPECT_EQ(RenderParallelChart(chart), svg);
}

}  // namespace
}  // namespace pwemoe::results
