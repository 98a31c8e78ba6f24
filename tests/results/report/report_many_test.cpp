// The report of many tasks (report_pairs.h, report_task_table.h, report_mu.h and the charts that
// show them) on the 20-task sample (report_samples.h: ManyTaskRecords through BuildReport): the
// pairwise hypervolumes against a 2-D sweep written here, the per-task table against the records
// themselves, mu's quantiles by hand, and the 20 axis names of the parallel coordinates and the
// heat map placed so that none overlaps another (by the renderer's own text-width rule; the
// browser test measures the real glyphs).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "report_samples.h"
#include "results/report/report_charts.h"
#include "results/report/report_html.h"
#include "results/report/report_md.h"
#include "results/report/report_mu.h"
#include "results/report/report_pairs.h"
#include "results/report/report_table.h"
#include "results/report/report_tables.h"
#include "results/report/report_task_table.h"
#include "results/report/svg_plot.h"

namespace pwemoe::results {
namespace {

using ::testing::HasSubstr;

constexpr double kPi = 3.14159265358979323846;
constexpr size_t kTasks = 20;
constexpr size_t kRays = 300;

// The 20-task report with reference 0, built once (BuildReport takes about two seconds).
const ReportData& Many() {
  static const ReportData data = [] {
    ReportData d;
    const Status st = testing::ManyTaskReport(kTasks, kRays, 0, &d);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return d;
  }();
  return data;
}

// The exact 2-D hypervolume of maximised points (x, y) with reference (ref, ref): the points
// sorted by x, largest first, each adding the strip its y raises above the best y so far.
double Hv2d(std::vector<std::pair<double, double>> points, double ref) {
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second > b.second;
  });
  double area = 0;
  double top = ref;
  for (const auto& [x, y] : points) {
    if (x <= ref || y <= top) continue;
    area += (x - ref) * (y - top);
    top = y;
  }
  return area;
}

void ExpectPairsOf(const RunSummary& run, double ref) {
  const std::vector<std::vector<double>> m = PairHypervolumes(run, ref);
  ASSERT_EQ(m.size(), run.tasks.size());
  for (size_t i = 0; i < m.size(); ++i) {
    ASSERT_EQ(m[i].size(), run.tasks.size());
    double best = ref;
    for (const RayPoint& p : run.rays) best = std::max(best, p.accuracy[i]);
    EXPECT_EQ(m[i][i], best - ref) << run.run_name << " task " << i;
    for (size_t j = 0; j < m.size(); ++j) {
      if (i == j) continue;
      std::vector<std::pair<double, double>> points;
      for (const RayPoint& p : run.rays) points.push_back({p.accuracy[i], p.accuracy[j]});
      const double expected = Hv2d(points, ref);
      EXPECT_NEAR(m[i][j], expected, 1e-12 * std::max(1.0, expected))
          << run.run_name << " tasks " << i << ", " << j;
      EXPECT_EQ(m[i][j], m[j][i]);
    }
  }
}

TEST(ReportMany, PairHypervolumesAreTheTwoDimensionalHypervolumeOfEveryPair) {
  const ReportData& d = Many();
  ASSERT_EQ(d.runs.size(), 2u);
  for (const RunSummary& run : d.runs) {
    ASSERT_EQ(run.tasks.size(), kTasks);
    ASSERT_EQ(run.rays.size(), kRays);
    ExpectPairsOf(run, 0);
    ExpectPairsOf(run, 0.5);  // some rays below the reference on a task
  }
  // A reference above every accuracy: nothing beats it, every entry is 0.
  for (const auto& row : PairHypervolumes(d.runs[0], 0.999)) {
    for (double v : row) EXPECT_EQ(v, 0);
  }
}

TEST(ReportMany, PairHypervolumesByHand) {
  RunSummary run;
  run.tasks = {"a", "b", "c"};
  EXPECT_TRUE(std::isnan(PairHypervolumes(run, 0)[0][1]));  // no rays
  EXPECT_TRUE(std::isnan(PairHypervolumes(run, 0)[2][2]));
  for (const std::vector<double>& acc :
       std::vector<std::vector<double>>{{0.9, 0.2, 0.5}, {0.5, 0.6, 0.5}, {0.1, 0.9, 0.4}}) {
    RayPoint p;
    p.ray = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    p.accuracy = acc;
    run.rays.push_back(p);
  }
  const auto m = PairHypervolumes(run, 0);
  EXPECT_NEAR(m[0][1], 0.9 * 0.2 + 0.5 * 0.4 + 0.1 * 0.3, 1e-15);
  EXPECT_NEAR(m[0][2], 0.9 * 0.5, 1e-15);
  EXPECT_NEAR(m[1][2], 0.9 * 0.4 + 0.6 * 0.1, 1e-15);
  EXPECT_EQ(m[2][1], m[1][2]);
  EXPECT_EQ(m[0][0], 0.9);
  EXPECT_EQ(m[2][2], 0.5);
  // Reference 0.3: the third ray is below it on task a, the first on task b.
  const auto r = PairHypervolumes(run, 0.3);
  EXPECT_NEAR(r[0][1], 0.2 * 0.3, 1e-15);
  EXPECT_NEAR(r[0][0], 0.6, 1e-15);
}

TEST(ReportMany, SummaryJsonHasThePairMatrixAndMuQuantiles) {
  const ReportData& d = Many();
  const nlohmann::json j = nlohmann::json::parse(SummaryJson(d));
  const nlohmann::json& runs = j["subsets"][0]["runs"];
  ASSERT_EQ(runs.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    const RunSummary& run = d.runs[d.subsets[0].runs[k]];
    const auto m = PairHypervolumes(run, 0);
    ASSERT_EQ(runs[k]["pair_hypervolume"].size(), kTasks);
    for (size_t i = 0; i < kTasks; ++i) {
      for (size_t l = 0; l < kTasks; ++l) {
        EXPECT_EQ(runs[k]["pair_hypervolume"][i][l].get<double>(), m[i][l]);
      }
    }
    const MuQuantiles q = MuDistribution(run);
    EXPECT_EQ(runs[k]["mu_quantiles"]["interior_rays"], q.rays);
    EXPECT_EQ(runs[k]["mu_quantiles"]["median"].get<double>(), q.median);
    EXPECT_EQ(runs[k]["mu_quantiles"]["p90"].get<double>(), q.p90);
  }
  const nlohmann::json& table = j["subsets"][0]["task_table"];
  EXPECT_EQ(table["expert"].size(), kTasks);
  EXPECT_EQ(table["runs"][0]["best"].size(), kTasks);
  EXPECT_EQ(table["runs"][1]["equal_ray"].size(), kTasks);
}

// ------------------------------------------------------------------ per-task table

TEST(ReportMany, IsEqualRay) {
  EXPECT_TRUE(IsEqualRay({0.5, 0.5}));
  EXPECT_TRUE(IsEqualRay(std::vector<double>(20, 1.0 / 20)));
  EXPECT_TRUE(IsEqualRay({1.0 / 3, 1.0 / 3, 1 - 2.0 / 3}));
  EXPECT_FALSE(IsEqualRay({0.5, 0.4999}));
  EXPECT_FALSE(IsEqualRay({}));
  EXPECT_FALSE(IsEqualRay({NAN, NAN}));
}

// The records' values, read without BuildReport: per (run, task) the accuracies by ray index.
struct RecordValues {
  std::map<std::pair<std::string, std::string>, std::map<int64_t, double>> eval;
  std::map<std::string, double> expert;                   // task -> its expert on it
  std::map<std::string, std::map<int64_t, double>> wta;   // task -> ray index -> accuracy
};

RecordValues ReadRecords() {
  RecordValues v;
  const ResultSet set = testing::ManyTaskRecords(kTasks, kRays);
  for (const auto& [id, e] : set.eval()) {
    for (size_t k = 0; k < e.ray_index.size(); ++k) {
      v.eval[{e.run_name, e.task}][e.ray_index[k]] = e.accuracy[k];
    }
  }
  for (const auto& [id, b] : set.baselines()) {
    if (b.name == "expert:" + b.task) v.expert[b.task] = b.rows[0].accuracy;
    if (b.method == "weighted-task-arithmetic") {
      for (const BaselineRow& r : b.rows) v.wta[b.task][r.ray_index] = r.accuracy;
    }
  }
  return v;
}

double MaxOf(const std::map<int64_t, double>& m) {
  double best = -1;
  for (const auto& [k, a] : m) best = std::max(best, a);
  return best;
}

TEST(ReportMany, TaskTableHasOneRowPerTaskWithTheRecordsValues) {
  const ReportData& d = Many();
  const RecordValues v = ReadRecords();
  const TaskTable table = MakeTaskTable(d, d.subsets[0]);
  ASSERT_EQ(table.tasks.size(), kTasks);
  EXPECT_EQ(table.tasks, testing::ManyTaskNames(kTasks));
  ASSERT_EQ(table.runs.size(), 2u);
  for (const TaskTableRun& r : table.runs) {
    const std::string& name = d.runs[r.run].run_name;
    ASSERT_EQ(r.best.size(), kTasks);
    for (size_t t = 0; t < kTasks; ++t) {
      const auto& acc = v.eval.at({name, table.tasks[t]});
      EXPECT_EQ(r.best[t], MaxOf(acc)) << name << " " << table.tasks[t];
      EXPECT_EQ(r.equal[t], acc.at(0)) << name << " " << table.tasks[t];  // ray 0: equal
    }
  }
  for (size_t t = 0; t < kTasks; ++t) {
    EXPECT_EQ(table.expert[t], v.expert.at(table.tasks[t]));
    EXPECT_EQ(table.wta_best[t], MaxOf(v.wta.at(table.tasks[t])));
    EXPECT_EQ(table.wta_equal[t], v.wta.at(table.tasks[t]).at(0));
  }
}

TEST(ReportMany, TaskTableWithoutEqualRayOrWeightedTaIsNan) {
  ReportData d;
  RunSummary run;
  run.tasks = {"a", "b"};
  RayPoint p;
  p.ray = {0.25, 0.75};
  p.accuracy = {0.5, 0.7};
  run.rays.push_back(p);
  d.runs.push_back(run);
  SubsetSummary s;
  s.tasks = {"a", "b"};
  s.runs = {0};
  const TaskTable t = MakeTaskTable(d, s);
  EXPECT_EQ(t.runs[0].best, (std::vector<double>{0.5, 0.7}));
  EXPECT_TRUE(std::isnan(t.runs[0].equal[0]));
  EXPECT_TRUE(std::isnan(t.expert[1]));
  EXPECT_TRUE(std::isnan(t.wta_best[0]));
  EXPECT_TRUE(std::isnan(t.wta_equal[1]));
}

// The text between `begin` and the next `end` after it.
std::string Between(const std::string& text, const std::string& begin, const std::string& end) {
  const size_t at = text.find(begin);
  if (at == std::string::npos) return "";
  return text.substr(at, text.find(end, at) - at);
}

size_t Occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(ReportMany, HtmlAndMarkdownShowTheTaskTable) {
  const ReportData& d = Many();
  const std::string html = RenderHtml(d);
  const std::string table = Between(html, "<table class=\"tasks\">", "</table>");
  ASSERT_FALSE(table.empty());
  EXPECT_EQ(Occurrences(table, "<tr>"), 1 + kTasks);  // one header row
  const TaskTable t = MakeTaskTable(d, d.subsets[0]);
  // The LS run's columns come first (LS, then EPO).
  const TaskTableRun& ls = d.runs[t.runs[0].run].variant == "LS" ? t.runs[0] : t.runs[1];
  ASSERT_EQ(d.runs[ls.run].variant, "LS");
  for (size_t i = 0; i < kTasks; ++i) {
    EXPECT_THAT(table, HasSubstr("<tr><th>" + t.tasks[i] + "</th><td class=\"num\">" +
                                 FormatCell(AccuracyCell(ls.best[i])) +
                                 "</td><td class=\"num\">" +
                                 FormatCell(AccuracyCell(ls.equal[i])) + "</td>"));
  }
  const std::string md = RenderMarkdown(d);
  const std::string md_table = Between(md, "| task (accuracy %) |", "\n\n");
  EXPECT_EQ(Occurrences(md_table, "\n"), 1 + kTasks);  // the rule and one line per task
  EXPECT_THAT(md_table, HasSubstr("| LS seed 0 best | LS seed 0 equal ray | EPO seed 0 best |"));
}

// ------------------------------------------------------------------ mu

TEST(ReportMany, QuantilesInterpolateLinearly) {
  EXPECT_EQ(Quantile({3, 1, 2, 4}, 0), 1);
  EXPECT_EQ(Quantile({3, 1, 2, 4}, 0.5), 2.5);
  EXPECT_NEAR(Quantile({3, 1, 2, 4}, 0.9), 3.7, 1e-15);  // position 2.7
  EXPECT_EQ(Quantile({3, 1, 2, 4}, 1), 4);
  EXPECT_EQ(Quantile({7}, 0.9), 7);
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
  EXPECT_NEAR(Quantile({0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 0.9), 90, 1e-12);
}

TEST(ReportMany, MuQuantilesOverTheInteriorRays) {
  RunSummary run;
  auto add = [&](std::vector<double> ray, double mu) {
    RayPoint p;
    p.ray = std::move(ray);
    p.mu = mu;
    run.rays.push_back(p);
  };
  add({1, 0}, std::log(2.0));  // a one-hot ray: left out
  add({0.5, 0.5}, 0.4);
  add({0.2, 0.8}, 0.1);
  add({0.8, 0.2}, NAN);         // not finite: left out
  add({0.3, 0.7}, 0.3);
  add({0.6, 0.4}, 0.2);
  const MuQuantiles q = MuDistribution(run);
  EXPECT_EQ(q.rays, 4);
  EXPECT_EQ(q.min, 0.1);
  EXPECT_NEAR(q.median, 0.25, 1e-15);
  EXPECT_NEAR(q.p90, 0.37, 1e-15);  // position 2.7 of 0.1 0.2 0.3 0.4
  EXPECT_EQ(q.max, 0.4);
  EXPECT_TRUE(std::isnan(MuDistribution(RunSummary{}).median));
  EXPECT_EQ(MuDistribution(RunSummary{}).rays, 0);
}

TEST(ReportMany, MuQuantilesOfTheTwentyTaskRuns) {
  const ReportData& d = Many();
  for (const RunSummary& run : d.runs) {
    std::vector<double> mus;
    for (const RayPoint& p : run.rays) {
      if (*std::min_element(p.ray.begin(), p.ray.end()) > 0) mus.push_back(p.mu);
    }
    ASSERT_EQ(mus.size(), kRays - kTasks);  // all but the one-hot rays
    std::sort(mus.begin(), mus.end());
    const MuQuantiles q = MuDistribution(run);
    EXPECT_EQ(q.rays, static_cast<int64_t>(kRays - kTasks));
    EXPECT_EQ(q.min, mus.front());
    EXPECT_EQ(q.max, mus.back());
    // 280 values: the median halfway between the 140th and 141st, 90% at position 251.1.
    EXPECT_NEAR(q.median, (mus[139] + mus[140]) / 2, 1e-12);
    EXPECT_NEAR(q.p90, mus[251] + 0.1 * (mus[252] - mus[251]), 1e-12);
    EXPECT_LE(q.min, q.median);
    EXPECT_LE(q.median, q.p90);
    EXPECT_LE(q.p90, q.max);
  }
  const std::string md = RenderMarkdown(d);
  EXPECT_THAT(md, HasSubstr("| run | interior rays | min | median | 90% | max |"));
  EXPECT_THAT(md, HasSubstr("| EPO seed 0 | 280 |"));
  const std::string html = RenderHtml(d);
  EXPECT_EQ(Occurrences(html, "class=\"mu-hist "), 2u);  // one histogram outline per run
}

// ------------------------------------------------------------------ 20 axis names

// An axis name of a chart: its anchor, rotation (degrees, SVG's sense) and text.
struct AxisLabel {
  double x = 0, y = 0, angle = 0;
  std::string anchor, text;
};

std::vector<AxisLabel> AxisLabels(const std::string& svg) {
  std::vector<AxisLabel> out;
  const std::regex label(
      "<text x=\"([-0-9.e+]+)\" y=\"([-0-9.e+]+)\" font-size=\"[0-9.]+\" text-anchor=\"(\\w+)\" "
      "class=\"axis-label\"[^>]*?(?:transform=\"rotate\\(([-0-9.e+]+) [^)]*\\)\")?>([^<]*)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), label); it != std::sregex_iterator();
       ++it) {
    AxisLabel l;
    l.x = std::stod((*it)[1].str());
    l.y = std::stod((*it)[2].str());
    l.anchor = (*it)[3].str();
    l.angle = (*it)[4].matched ? std::stod((*it)[4].str()) : 0;
    l.text = (*it)[5].str();
    out.push_back(l);
  }
  return out;
}

// The label's text box in the frame turned back by its rotation (all labels of a chart share
// one angle, so boxes there are axis-parallel): `em` wide per glyph of a `font` pixel font,
// from 0.8 font above the baseline to 0.25 font below.
struct Box {
  double x0, y0, x1, y1;
};

Box UnrotatedBox(const AxisLabel& l, double font, double em) {
  const double a = -l.angle * kPi / 180;  // turn back
  const double u = l.x * std::cos(a) - l.y * std::sin(a);
  const double v = l.x * std::sin(a) + l.y * std::cos(a);
  const double w = em * font * static_cast<double>(l.text.size());
  const double x0 = l.anchor == "end" ? u - w : l.anchor == "middle" ? u - w / 2 : u;
  return {x0, v - 0.8 * font, x0 + w, v + 0.25 * font};
}

bool Overlap(const Box& a, const Box& b) {
  return std::min(a.x1, b.x1) > std::max(a.x0, b.x0) && std::min(a.y1, b.y1) > std::max(a.y0, b.y0);
}

// Corners of the box turned forth again, in the svg's pixels.
std::vector<std::pair<double, double>> Corners(const Box& b, double angle) {
  const double a = angle * kPi / 180;
  std::vector<std::pair<double, double>> out;
  for (double u : {b.x0, b.x1}) {
    for (double v : {b.y0, b.y1}) {
      out.push_back({u * std::cos(a) - v * std::sin(a), u * std::sin(a) + v * std::cos(a)});
    }
  }
  return out;
}

double SvgSize(const std::string& svg, const char* what) {
  std::smatch m;
  std::regex_search(svg, m, std::regex(std::string(what) + "=\"([0-9.]+)\""));
  return std::stod(m[1].str());
}

// Every label of `svg` apart from every other and inside the svg, for glyphs `em` wide.
void ExpectLabelsApartAndInside(const std::string& svg, const std::vector<AxisLabel>& labels,
                                double font, double em) {
  const double width = SvgSize(svg, "width");
  const double height = SvgSize(svg, "height");
  for (size_t i = 0; i < labels.size(); ++i) {
    const Box bi = UnrotatedBox(labels[i], font, em);
    for (size_t j = i + 1; j < labels.size(); ++j) {
      if (labels[i].angle != labels[j].angle) continue;  // row and column names of a heat map
      EXPECT_FALSE(Overlap(bi, UnrotatedBox(labels[j], font, em)))
          << labels[i].text << " and " << labels[j].text;
    }
    for (const auto& [x, y] : Corners(bi, labels[i].angle)) {
      EXPECT_GE(x, 0) << labels[i].text;
      EXPECT_LE(x, width) << labels[i].text;
      EXPECT_LE(y, height) << labels[i].text;
    }
  }
}

TEST(ReportMany, ParallelCoordinatesNamesAllTwentyAxesWithoutOverlap) {
  const ReportData& d = Many();
  const std::string svg = ParallelAccuracySvg(d, d.subsets[0]);
  const std::vector<AxisLabel> labels = AxisLabels(svg);
  ASSERT_EQ(labels.size(), kTasks);
  for (size_t i = 0; i < kTasks; ++i) {
    EXPECT_EQ(labels[i].text, d.subsets[0].tasks[i]);
    EXPECT_EQ(labels[i].angle, -kParallelLabelAngle);
  }
  // Bold 11 px DejaVu Sans is about 0.7 em per glyph; allow 0.8.
  ExpectLabelsApartAndInside(svg, labels, 11, 0.8);
  // Side by side unrotated they would overlap: rotating is needed at all.
  EXPECT_GT(0.7 * 11 * 17, labels[1].x - labels[0].x);  // "oxford_flowers102"
  // Width grows with the axes but stays within a wide screen.
  EXPECT_EQ(ParallelPlotWidth(kTasks), 56 * 19);
  EXPECT_LE(SvgSize(svg, "width"), 1400);
}

TEST(ReportMany, ParallelCoordinatesFadeHundredsOfLinesAndKeepTheFrontOnTop) {
  EXPECT_EQ(LineOpacity(0.95, 12, 0.08), 0.95);  // few lines: as before
  EXPECT_EQ(LineOpacity(0.3, 20, 0.03), 0.3);
  EXPECT_NEAR(LineOpacity(0.95, 200, 0.08), 0.095, 1e-15);
  EXPECT_EQ(LineOpacity(0.95, 10000, 0.08), 0.08);
  EXPECT_EQ(LineOpacity(0.05, 10000, 0.08), 0.05);  // never above its base
  const ReportData& d = Many();
  const std::string svg = ParallelAccuracySvg(d, d.subsets[0]);
  // Every ray of both runs is one line; front lines come after every other line.
  const RunSummary& run = d.runs[d.subsets[0].runs[1]];
  const std::string front = "class=\"pt ls front\" data-run=\"" + run.run_name + "\"";
  EXPECT_EQ(Occurrences(svg, front), run.front.size());
  EXPECT_GT(svg.find("class=\"pt epo front\""), svg.rfind("class=\"pt baseline"));
  const double opacity = LineOpacity(0.95, run.front.size(), 0.08);
  EXPECT_LT(opacity, 0.95);
  EXPECT_THAT(svg, HasSubstr("stroke-opacity=\"" + SvgNumber(opacity) + "\"><title>" +
                             run.run_name));
}

TEST(ReportMany, HeatMapHasEveryPairNamedAndValued) {
  const ReportData& d = Many();
  const RunSummary& run = d.runs[0];
  const auto m = PairHypervolumes(run, 0);
  const std::string svg = PairHypervolumeSvg(run, m, NAN, NAN);
  EXPECT_EQ(Occurrences(svg, "class=\"hv-cell\""), kTasks * kTasks);
  for (size_t i = 0; i < kTasks; ++i) {
    for (size_t j = 0; j < kTasks; ++j) {
      const std::string what = i == j ? "1-D hypervolume (best accuracy − reference) "
                                      : run.tasks[j] + "\n2-D hypervolume ";
      EXPECT_THAT(svg, HasSubstr("<title>" + run.tasks[i] + (i == j ? "\n" : " × ") + what +
                                 Fixed(m[i][j], 4)));
    }
  }
  const std::vector<AxisLabel> labels = AxisLabels(svg);
  ASSERT_EQ(labels.size(), 2 * kTasks);  // rows, then columns
  for (size_t i = 0; i < kTasks; ++i) {
    EXPECT_EQ(labels[i].text, run.tasks[i]);
    EXPECT_EQ(labels[i].angle, 0);
    EXPECT_EQ(labels[kTasks + i].text, run.tasks[i]);
    EXPECT_EQ(labels[kTasks + i].angle, -45);
  }
  ExpectLabelsApartAndInside(svg, labels, 10, 0.65);
}

TEST(ReportMany, FewTasksKeepHorizontalAxisNames) {
  const ReportData sample = testing::SampleReport();
  const std::string svg = ParallelAccuracySvg(sample, sample.subsets[2]);  // 5 tasks
  const std::vector<AxisLabel> labels = AxisLabels(svg);
  ASSERT_EQ(labels.size(), 5u);
  for (const AxisLabel& l : labels) {
    EXPECT_EQ(l.angle, 0);
    EXPECT_EQ(l.anchor, "middle");
  }
  EXPECT_EQ(ParallelPlotWidth(5), 750);  // 150 per axis, as before
  EXPECT_EQ(ParallelPlotWidth(2), 420);
}

TEST(ReportMany, LongSubsetKeysGiveShortTitles) {
  const ReportData& d = Many();
  EXPECT_EQ(ShortSubsetName(d.subsets[0]), "20 tasks");
  EXPECT_EQ(ShortRunName(d.runs[0]), "EPO seed 0 (20 tasks)");
  const ReportData sample = testing::SampleReport();
  EXPECT_EQ(ShortRunName(sample.runs[0]), sample.runs[0].run_name);
  const std::string html = RenderHtml(d);
  EXPECT_THAT(html, HasSubstr("<th class=\"epo\" title=\"" + d.runs[0].run_name +
                              "\">EPO seed 0</th>"));
}

}  // namespace
}  // namespace pwemoe::results
