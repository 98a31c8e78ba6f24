#include "results/report/report_charts.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <vector>

#include "results/report/report_mu.h"
#include "results/report/svg_plot.h"

namespace pwemoe::results {
namespace {

// Colour, marker and class of one run in the accuracy charts.
struct RunStyle {
  std::string color;
  MarkerShape shape = MarkerShape::kCircle;
  std::string css_class;
  std::string name;  // legend text
};

RunStyle StyleOfRun(const ReportData& data, const SubsetSummary& subset, size_t nth) {
  static const char* const kLs[] = {kLsColor, "#6baed6", "#08519c", "#9ecae1"};
  static const char* const kEpo[] = {kEpoColor, "#fc8d59", "#99000d", "#fcae91"};
  static const char* const kOther[] = {"#7f7f7f", "#b0b0b0", "#4d4d4d", "#cccccc"};
  const RunSummary& run = data.runs[subset.runs[nth]];
  // The k-th run of the same variant in this subset picks the k-th shade.
  size_t k = 0;
  for (size_t i = 0; i < nth; ++i) k += data.runs[subset.runs[i]].variant == run.variant;
  RunStyle s;
  if (run.variant == "LS") {
    s = {kLs[k % 4], MarkerShape::kCircle, "pt ls", ""};
  } else if (run.variant == "EPO") {
    s = {kEpo[k % 4], MarkerShape::kTriangle, "pt epo", ""};
  } else {
    s = {kOther[k % 4], MarkerShape::kSquare, "pt run", ""};
  }
  s.name = (run.variant.empty() ? run.run_name : run.variant) + " seed " + std::to_string(run.seed);
  return s;
}

struct BaselineStyle {
  std::string legend;
  std::string color;
  MarkerShape shape;
  double size;
};

BaselineStyle StyleOfBaseline(const std::string& method) {
  if (method == "pretrained") return {"pretrained", "#222222", MarkerShape::kSquare, 4};
  if (method == "expert") return {"experts", kExpertColor, MarkerShape::kStar, 4.5};
  if (method == "simple-average") {
    return {"simple average", "#9467bd", MarkerShape::kDiamond, 4.5};
  }
  if (method == "task-arithmetic") {
    return {"task arithmetic (λ sweep)", "#8c564b", MarkerShape::kCircle, 2.5};
  }
  if (method == "weighted-task-arithmetic") {
    return {"weighted task arithmetic", kWeightedTaColor, MarkerShape::kCross, 3.5};
  }
  return {method, "#999999", MarkerShape::kCircle, 3};
}

// Letters, digits and '-' of `method`, others as '-': a safe class name.
std::string ClassName(const std::string& method) {
  std::string out;
  for (char c : method) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '-';
  return out.empty() ? "other" : out;
}

// For each of `want`, its index in `have` (-1 when absent).
std::vector<int> TaskIndex(const std::vector<std::string>& have,
                           const std::vector<std::string>& want) {
  std::vector<int> out;
  for (const std::string& t : want) {
    const auto it = std::find(have.begin(), have.end(), t);
    out.push_back(it == have.end() ? -1 : static_cast<int>(it - have.begin()));
  }
  return out;
}

double At(const std::vector<double>& v, int i) {
  return i >= 0 && static_cast<size_t>(i) < v.size() ? v[static_cast<size_t>(i)] : kNoValue;
}

std::string Vector(const std::vector<double>& v) {
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + SvgNumber(v[i]);
  return out + ")";
}

std::string AccuracyLines(const std::vector<std::string>& tasks, const std::vector<double>& acc) {
  std::string out;
  for (size_t i = 0; i < tasks.size(); ++i) {
    out += "\n" + tasks[i] + ": " + Percent(At(acc, static_cast<int>(i))) + "%";
  }
  return out;
}

std::string RayTooltip(const RunSummary& run, const RayPoint& p) {
  return run.run_name + "\nray " + std::to_string(p.ray_index) +
         (p.label.empty() ? "" : " (" + p.label + ")") + " " + Vector(p.ray) +
         AccuracyLines(run.tasks, p.accuracy) + "\nmu " + Fixed(p.mu, 4) +
         (p.on_front ? "\non the front" : "\ndominated");
}

std::string BaselineTooltip(const SubsetSummary& subset, const BaselinePoint& b) {
  std::string out = b.name;
  if (std::isfinite(b.lambda)) out += "\nλ " + SvgNumber(b.lambda);
  if (b.ray_index >= 0) out += "\nray " + std::to_string(b.ray_index) + " " + Vector(b.ray);
  return out + AccuracyLines(subset.tasks, b.accuracy);
}

// Indices (into xs/ys) of the points no other point dominates in both coordinates (maximised),
// ordered by x.
std::vector<size_t> PlaneFront(const std::vector<double>& xs, const std::vector<double>& ys) {
  std::vector<size_t> front;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    bool dominated = false;
    for (size_t j = 0; j < xs.size() && !dominated; ++j) {
      dominated = xs[j] >= xs[i] && ys[j] >= ys[i] && (xs[j] > xs[i] || ys[j] > ys[i]);
    }
    if (!dominated) front.push_back(i);
  }
  std::stable_sort(front.begin(), front.end(), [&](size_t a, size_t b) { return xs[a] < xs[b]; });
  return front;
}

// One run's rays as a series, and its front as a line, in the plane of tasks (x, y).
void AddRunToPlane(const ReportData& data, const SubsetSummary& subset, size_t nth, size_t x,
                   size_t y, XYChart* chart) {
  const RunSummary& run = data.runs[subset.runs[nth]];
  const RunStyle style = StyleOfRun(data, subset, nth);
  const std::vector<int> idx = TaskIndex(run.tasks, subset.tasks);
  std::vector<double> xs, ys;
  for (const RayPoint& p : run.rays) {
    xs.push_back(100 * At(p.accuracy, idx[x]));
    ys.push_back(100 * At(p.accuracy, idx[y]));
  }
  std::vector<size_t> front;
  if (subset.tasks.size() == 2) {
    front = run.front;
    std::stable_sort(front.begin(), front.end(), [&](size_t a, size_t b) { return xs[a] < xs[b]; });
  } else {
    front = PlaneFront(xs, ys);
  }
  ChartLine line;
  line.css_class = "front " + style.css_class.substr(3);
  line.color = style.color;
  line.width = 1.4;
  line.opacity = 0.8;
  line.tooltip = run.run_name + ": front";
  for (size_t i : front) line.x.push_back(xs[i]), line.y.push_back(ys[i]);
  chart->lines.push_back(line);

  PointSeries series;
  series.name = style.name;
  series.css_class = style.css_class;
  series.data_run = run.run_name;
  series.color = style.color;
  series.shape = style.shape;
  series.size = 4;
  series.legend_dash = "solid";
  const bool label_all = subset.tasks.size() == 2;
  for (size_t i = 0; i < run.rays.size(); ++i) {
    const RayPoint& p = run.rays[i];
    const bool labelled =
        label_all || std::find(front.begin(), front.end(), i) != front.end();
    series.points.push_back({xs[i], ys[i], labelled ? std::to_string(p.ray_index) : "",
                             RayTooltip(run, p), p.on_front});
  }
  chart->series.push_back(series);
}

// The baselines of the subset in the plane of tasks (x, y): one series per method; the
// task-arithmetic sweep also as a line through its lambdas.
void AddBaselinesToPlane(const SubsetSummary& subset, size_t x, size_t y, XYChart* chart) {
  static const char* const kMethods[] = {"pretrained", "expert", "simple-average",
                                         "task-arithmetic", "weighted-task-arithmetic"};
  std::vector<std::string> methods(std::begin(kMethods), std::end(kMethods));
  for (const BaselinePoint& b : subset.baselines) {
    if (std::find(methods.begin(), methods.end(), b.method) == methods.end()) {
      methods.push_back(b.method);
    }
  }
  for (const std::string& method : methods) {
    const BaselineStyle style = StyleOfBaseline(method);
    PointSeries series;
    series.css_class = "pt baseline " + ClassName(method);
    series.color = style.color;
    series.shape = style.shape;
    series.size = style.size;
    std::vector<const BaselinePoint*> points;
    for (const BaselinePoint& b : subset.baselines) {
      if (b.method == method) points.push_back(&b);
    }
    if (points.empty()) continue;
    std::stable_sort(points.begin(), points.end(), [](const BaselinePoint* a, const BaselinePoint* b) {
      return a->lambda < b->lambda;
    });
    ChartLine sweep;
    for (const BaselinePoint* b : points) {
      const double px = 100 * At(b->accuracy, static_cast<int>(x));
      const double py = 100 * At(b->accuracy, static_cast<int>(y));
      const std::string label = method == "expert" ? b->name.substr(b->name.find(':') + 1) : "";
      series.points.push_back({px, py, label, BaselineTooltip(subset, *b), true});
      sweep.x.push_back(px);
      sweep.y.push_back(py);
    }
    series.name = style.legend;
    if (method == "task-arithmetic") {
      sweep.css_class = "sweep";
      sweep.color = style.color;
      sweep.width = 1.2;
      sweep.dash = "4 2";
      sweep.tooltip = "task arithmetic, λ ascending";
      chart->lines.push_back(sweep);
      series.legend_dash = "4 2";
    }
    chart->series.push_back(series);
  }
}

std::string AxisTitle(const std::string& task) { return task + " accuracy (%)"; }

// A line per value of `rows` (a [S][T] table) at the given column.
std::vector<double> Column(const std::vector<std::vector<double>>& rows, size_t column) {
  std::vector<double> out;
  for (const std::vector<double>& r : rows) out.push_back(column < r.size() ? r[column] : kNoValue);
  return out;
}

// The centred moving average of `v` over `window` values (fewer at the ends); NaN values are
// skipped.
std::vector<double> MovingAverage(const std::vector<double>& v, int64_t window) {
  std::vector<double> out;
  const int64_t n = static_cast<int64_t>(v.size());
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0;
    int64_t count = 0;
    for (int64_t j = std::max<int64_t>(0, i - window / 2); j <= std::min(n - 1, i + window / 2); ++j) {
      if (std::isfinite(v[static_cast<size_t>(j)])) sum += v[static_cast<size_t>(j)], ++count;
    }
    out.push_back(count > 0 ? sum / static_cast<double>(count) : kNoValue);
  }
  return out;
}

// A training curve: with a smoothing window above 1 the raw values faint and their moving
// average in front (named in the legend), else the raw values alone.
void AddCurve(const std::string& name, const std::string& css_class, const std::string& color,
              double width, const std::vector<double>& steps, const std::vector<double>& values,
              XYChart* chart) {
  const int64_t window = SmoothingWindow(values.size());
  ChartLine line;
  line.name = name;
  line.css_class = css_class;
  line.color = color;
  line.width = width;
  line.x = steps;
  line.y = values;
  if (window > 1) {
    ChartLine raw = line;
    raw.name = "";
    raw.css_class += " raw";
    raw.width = 0.8;
    raw.opacity = 0.3;
    chart->lines.insert(chart->lines.begin(), raw);  // under every smoothed line
    line.y = MovingAverage(values, window);
  }
  chart->lines.push_back(line);
}

std::vector<double> StepsAsDouble(const RunSummary& run) {
  return std::vector<double>(run.steps.begin(), run.steps.end());
}

}  // namespace

std::string ShortSubsetName(const SubsetSummary& subset) {
  return subset.key.size() <= kLongName ? subset.key
                                        : std::to_string(subset.tasks.size()) + " tasks";
}

std::string ShortRunName(const RunSummary& run) {
  if (run.run_name.size() <= kLongName) return run.run_name;
  return (run.variant.empty() ? std::string("run") : run.variant) + " seed " +
         std::to_string(run.seed) + " (" + std::to_string(run.tasks.size()) + " tasks)";
}

std::string Percent(double accuracy) { return Fixed(100 * accuracy, 2); }

std::string Fixed(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  std::string s = buf;
  // "-0.00" reads as a sign error.
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s = s.substr(1);
  return s;
}

std::string AccuracyPlaneSvg(const ReportData& data, const SubsetSummary& subset, size_t x,
                             size_t y) {
  XYChart chart;
  chart.title = subset.tasks[x] + " vs " + subset.tasks[y];
  chart.x_title = AxisTitle(subset.tasks[x]);
  chart.y_title = AxisTitle(subset.tasks[y]);
  chart.plot_width = 360;
  chart.plot_height = 330;
  // Baselines first: the runs are drawn on top of them.
  AddBaselinesToPlane(subset, x, y, &chart);
  for (size_t i = 0; i < subset.runs.size(); ++i) AddRunToPlane(data, subset, i, x, y, &chart);
  return RenderXYChart(chart);
}

std::string ParallelAccuracySvg(const ReportData& data, const SubsetSummary& subset) {
  ParallelChart chart;
  chart.title = ShortSubsetName(subset) + ": accuracy on each task";
  chart.value_title = "accuracy (%) — each axis its own range";
  chart.axes = subset.tasks;
  chart.plot_width = ParallelPlotWidth(subset.tasks.size());
  for (const BaselinePoint& b : subset.baselines) {
    const BaselineStyle style = StyleOfBaseline(b.method);
    ParallelGroup* group = nullptr;
    for (ParallelGroup& g : chart.groups) {
      if (g.name == style.legend) group = &g;
    }
    if (group == nullptr) {
      const bool many = b.method == "task-arithmetic" || b.method == "weighted-task-arithmetic";
      chart.groups.push_back({style.legend, "pt baseline " + ClassName(b.method), "", style.color,
                              many ? 0.9 : 1.8, many ? 0.45 : 1.0,
                              b.method == "pretrained" ? "5 3" : "", {}});
      group = &chart.groups.back();
    }
    std::vector<double> values;
    for (double a : b.accuracy) values.push_back(100 * a);
    group->lines.push_back({values, BaselineTooltip(subset, b)});
  }
  for (size_t nth = 0; nth < subset.runs.size(); ++nth) {
    const RunSummary& run = data.runs[subset.runs[nth]];
    const RunStyle style = StyleOfRun(data, subset, nth);
    const std::vector<int> idx = TaskIndex(run.tasks, subset.tasks);
    ParallelGroup dominated{style.name + " dominated", style.css_class, run.run_name,
                            style.color, 0.8, 0.3, "", {}};
    ParallelGroup front{style.name + " front", style.css_class + " front", run.run_name,
                        style.color, 1.8, 0.95, "", {}};
    for (const RayPoint& p : run.rays) {
      std::vector<double> values;
      for (int i : idx) values.push_back(100 * At(p.accuracy, i));
      (p.on_front ? front : dominated).lines.push_back({values, RayTooltip(run, p)});
    }
    chart.groups.push_back(dominated);
    chart.groups.push_back(front);
  }
  // Hundreds of lines of one kind stay readable: fainter the more there are.
  for (ParallelGroup& g : chart.groups) {
    const bool front = g.css_class.find(" front") != std::string::npos;
    g.opacity = LineOpacity(g.opacity, g.lines.size(), front ? 0.08 : 0.03);
    // Each expert is high on its own axis only: with many axes their zig-zags would hide the
    // runs, so they are drawn thin and half transparent.
    if (chart.axes.size() > kManyAxes && g.css_class == "pt baseline expert") {
      g.width = 1;
      g.opacity = 0.45;
    }
  }
  // Front lines on top of everything.
  std::stable_partition(chart.groups.begin(), chart.groups.end(), [](const ParallelGroup& g) {
    return g.css_class.find(" front") == std::string::npos;
  });
  return RenderParallelChart(chart);
}

std::string LossCurveSvg(const RunSummary& run) {
  if (run.steps.empty()) return "";
  // Eight colours, then twelve more for up to 20 tasks (none of them LS's or EPO's).
  static const char* const kTaskColors[] = {
      "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
      "#7f7f7f", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd",
      "#e6550d", "#31a354", "#756bb1", "#636363", "#9c9ede", "#e7ba52"};
  XYChart chart;
  chart.title = ShortRunName(run) + ": training loss";
  chart.x_title = "step";
  chart.y_title = "loss";
  chart.plot_width = 330;
  chart.plot_height = 200;
  chart.pad = 0.04;
  const std::vector<double> steps = StepsAsDouble(run);
  for (size_t t = 0; t < run.tasks.size(); ++t) {
    AddCurve(run.tasks[t], "curve", kTaskColors[t % 20], 1.2, steps, Column(run.losses, t), &chart);
  }
  AddCurve("total (ray-weighted)", "curve total", "#000000", 1.6, steps, run.total_loss, &chart);
  return RenderXYChart(chart);
}

std::string EpoMuSvg(const RunSummary& run) {
  if (run.epo_mu.empty() || run.steps.empty()) return "";
  XYChart chart;
  chart.title = ShortRunName(run) + ": EPO ray alignment μ";
  chart.x_title = "step";
  chart.y_title = "μ";
  chart.plot_width = 330;
  chart.plot_height = 110;
  chart.pad = 0.04;
  AddCurve("", "curve mu", kEpoColor, 1.2, StepsAsDouble(run), run.epo_mu, &chart);
  return RenderXYChart(chart);
}

int ParallelPlotWidth(size_t axes) {
  const int n = static_cast<int>(axes);
  return std::max(420, std::min(150 * n, std::max(1060, 56 * (n - 1))));
}

double LineOpacity(double base, size_t lines, double floor) {
  if (lines <= kOpaqueLines) return base;
  return std::max(std::min(floor, base),
                  base * static_cast<double>(kOpaqueLines) / static_cast<double>(lines));
}

std::string PairHypervolumeSvg(const RunSummary& run,
                               const std::vector<std::vector<double>>& pairs, double lo,
                               double hi) {
  const size_t t = run.tasks.size();
  HeatMap map;
  map.title = ShortRunName(run) + ": pairwise hypervolume";
  map.scale_title = "2-D hypervolume";
  map.css_class = "hv-cell";
  map.rows = run.tasks;
  map.columns = run.tasks;
  map.lo = lo;
  map.hi = hi;
  map.cell = std::clamp(static_cast<int>(600 / std::max<size_t>(t, 1)), 34, 48);
  map.values.assign(t, std::vector<double>(t, kNoValue));
  map.texts.assign(t, std::vector<std::string>(t));
  map.tooltips.assign(t, std::vector<std::string>(t));
  for (size_t i = 0; i < t && i < pairs.size(); ++i) {
    for (size_t j = 0; j < t && j < pairs[i].size(); ++j) {
      const double v = pairs[i][j];
      if (i == j) {
        map.tooltips[i][j] = run.tasks[i] + "\n1-D hypervolume (best accuracy − reference) " +
                             Fixed(v, 4);
        continue;
      }
      map.values[i][j] = v;
      map.texts[i][j] = Fixed(v, 3);
      map.tooltips[i][j] = run.tasks[i] + " × " + run.tasks[j] + "\n2-D hypervolume " +
                           Fixed(v, 4) + "\n" + run.run_name;
    }
  }
  return RenderHeatMap(map);
}

namespace {

// The bins of a subset's mu histogram: every run's interior mus on one set of bins.
struct MuBins {
  std::vector<std::vector<double>> mus;  // per run of the subset, InteriorMus
  size_t bins = 0;                       // 0 when no run has an interior ray
  double lo = INFINITY;
  double hi = -INFINITY;
  double width = 0;                      // of one bin
};

MuBins MuBinsOf(const ReportData& data, const SubsetSummary& subset) {
  MuBins b;
  size_t most = 0;
  for (size_t r : subset.runs) {
    b.mus.push_back(InteriorMus(data.runs[r]));
    for (double m : b.mus.back()) b.lo = std::min(b.lo, m), b.hi = std::max(b.hi, m);
    most = std::max(most, b.mus.back().size());
  }
  if (most == 0) return b;
  b.bins = std::clamp<size_t>(
      static_cast<size_t>(std::ceil(std::sqrt(static_cast<double>(most)))), 5, 30);
  // A span of at least 0.01 (mu >= 0): a few rays of nearly equal mu make one readable bar,
  // not ticks in the sixth decimal.
  constexpr double kMinSpan = 0.01;
  if (b.hi - b.lo < kMinSpan) {
    b.lo = std::max(0.0, 0.5 * (b.lo + b.hi) - 0.5 * kMinSpan);
    b.hi = b.lo + kMinSpan;
  }
  b.width = (b.hi - b.lo) / static_cast<double>(b.bins);
  return b;
}

// The outline of one run's histogram on the bins of `b`.
ChartLine MuHistogramLine(const RunSummary& run, const RunStyle& style,
                          const std::vector<double>& mus, const MuBins& b) {
  std::vector<double> counts(b.bins, 0);
  for (double m : mus) {
    counts[std::min(b.bins - 1, static_cast<size_t>((m - b.lo) / b.width))] += 1;
  }
  ChartLine line;
  line.name = style.name + " (" + std::to_string(mus.size()) + " rays)";
  line.css_class = "mu-hist " + style.css_class.substr(3);
  line.color = style.color;
  line.width = 1.6;
  line.tooltip = run.run_name + ": μ histogram, " + std::to_string(b.bins) + " bins of " +
                 Fixed(b.width, 4);
  line.x.push_back(b.lo);
  line.y.push_back(0);
  for (size_t k = 0; k < b.bins; ++k) {
    const double x0 = b.lo + b.width * static_cast<double>(k);
    line.x.push_back(x0), line.y.push_back(counts[k]);
    line.x.push_back(x0 + b.width), line.y.push_back(counts[k]);
  }
  line.x.push_back(b.hi);
  line.y.push_back(0);
  return line;
}

// The marker of one run's median mu on the x axis, its quantiles in the tooltip.
PointSeries MuMedianMarker(const RunSummary& run, const RunStyle& style) {
  PointSeries median;
  median.css_class = "mu-median " + style.css_class.substr(3);
  median.color = style.color;
  median.shape = style.shape;
  median.size = 4;
  const MuQuantiles& q = run.mu_quantiles;
  median.points.push_back({q.median, 0, "", run.run_name + "\nμ median " + Fixed(q.median, 4) +
                           ", 90% " + Fixed(q.p90, 4) + ", max " + Fixed(q.max, 4), true});
  return median;
}

}  // namespace

std::string MuHistogramSvg(const ReportData& data, const SubsetSummary& subset) {
  const MuBins b = MuBinsOf(data, subset);
  if (b.bins == 0) return "";
  XYChart chart;
  chart.title = ShortSubsetName(subset) + ": ray alignment μ per run";
  chart.x_title = "μ of the interior rays (0: losses in the ray's proportions)";
  chart.y_title = "rays";
  chart.plot_width = 360;
  chart.plot_height = 200;
  chart.pad = 0.03;
  for (size_t nth = 0; nth < subset.runs.size(); ++nth) {
    if (b.mus[nth].empty()) continue;
    const RunStyle style = StyleOfRun(data, subset, nth);
    const RunSummary& run = data.runs[subset.runs[nth]];
    chart.lines.push_back(MuHistogramLine(run, style, b.mus[nth], b));
    chart.series.push_back(MuMedianMarker(run, style));
  }
  return RenderXYChart(chart);
}

int64_t SmoothingWindow(size_t steps) {
  return steps >= 2 * kSmoothFraction ? static_cast<int64_t>(steps / kSmoothFraction) | 1 : 1;
}

}  // namespace pwemoe::results
