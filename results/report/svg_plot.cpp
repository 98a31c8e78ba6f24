#include "results/report/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pwemoe::results {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kFont = 11;        // axis titles, legend
constexpr double kTickFont = 10;    // tick labels
constexpr double kLabelFont = 9;    // point labels
constexpr double kTitleFont = 13;
constexpr double kCharWidth = 0.6;  // average glyph width / font size (DejaVu Sans, generous)
constexpr double kMarginLeft = 58;
constexpr double kMarginRight = 14;
constexpr double kMarginTop = 30;
constexpr double kMarginBottom = 46;
constexpr double kLegendRow = 16;
// A white outline under text drawn over lines, so that it stays readable.
constexpr const char* kHalo = " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"";
constexpr const char* kFontFamily = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

double TextWidth(const std::string& text, double font) {
  // UTF-8 continuation bytes do not start a glyph.
  size_t glyphs = 0;
  for (unsigned char c : text) glyphs += (c & 0xC0) != 0x80;
  return static_cast<double>(glyphs) * font * kCharWidth;
}

// Width an svg needs for its bold title (bold glyphs are about 10% wider).
double TitleWidth(const std::string& title) {
  return kMarginLeft + 1.1 * TextWidth(title, kTitleFont) + kMarginRight;
}

// printf("%.<digits>f", v); "n/a" for non-finite values.
std::string Decimals(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// A value range of an axis.
struct Range {
  double lo = 0;
  double hi = 1;
};

struct Extent {
  double lo = INFINITY;
  double hi = -INFINITY;
  void Add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
};

Range PaddedRange(const Extent& e, double pad) {
  if (!(e.lo <= e.hi)) return Range{0, 1};
  double lo = e.lo;
  double hi = e.hi;
  if (hi - lo <= 0) {
    const double unit = std::max(std::fabs(lo) * 0.1, 1.0);
    lo -= unit / 2;
    hi += unit / 2;
  }
  const double span = hi - lo;
  return Range{lo - pad * span, hi + pad * span};
}

// 1, 2 or 5 times a power of ten, about span / target.
double NiceStep(double span, double target) {
  const double raw = span / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

// Ticks over `r` drawn along `pixels`: about one per 60 pixels, at least 3.
std::vector<double> Ticks(const Range& r, double pixels) {
  const double step = NiceStep(r.hi - r.lo, std::max(3.0, pixels / 60));
  std::vector<double> ticks;
  const double first = std::ceil(r.lo / step - 1e-9);
  for (double k = first; k * step <= r.hi + 1e-9 * step; k += 1) ticks.push_back(k * step);
  return ticks;
}

// Maps a value of `r` onto pixels [p0, p1].
double Map(const Range& r, double v, double p0, double p1) {
  return p0 + (v - r.lo) / (r.hi - r.lo) * (p1 - p0);
}

std::string Attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + EscapeXml(value) + "\"";
}

std::string Attr(const char* name, double value) { return Attr(name, SvgNumber(value)); }

std::string Text(double x, double y, const std::string& text, double font, const char* anchor,
                 const std::string& extra = "") {
  return "<text" + Attr("x", x) + Attr("y", y) + Attr("font-size", font) +
         Attr("text-anchor", anchor) + extra + ">" + EscapeXml(text) + "</text>\n";
}

std::string Line(double x0, double y0, double x1, double y1, const std::string& stroke,
                 double width, const std::string& dash = "") {
  return "<line" + Attr("x1", x0) + Attr("y1", y0) + Attr("x2", x1) + Attr("y2", y1) +
         Attr("stroke", stroke) + Attr("stroke-width", width) +
         (dash.empty() ? "" : Attr("stroke-dasharray", dash)) + "/>\n";
}

std::string Polygon(const std::vector<double>& xy) {
  std::string points;
  for (size_t i = 0; i < xy.size(); i += 2) {
    if (i > 0) points += ' ';
    points += SvgNumber(xy[i]) + "," + SvgNumber(xy[i + 1]);
  }
  return Attr("points", points);
}

// One marker element (opening tag attributes + body); `attrs` are class/data attributes.
std::string Marker(MarkerShape shape, double x, double y, double r, const std::string& color,
                   bool filled, const std::string& attrs, const std::string& tooltip) {
  const std::string paint = Attr("fill", filled ? color : "#ffffff") + Attr("stroke", color) +
                            Attr("stroke-width", 1.3);
  std::string tag;
  std::string geometry;
  switch (shape) {
    case MarkerShape::kCircle:
      tag = "circle";
      geometry = Attr("cx", x) + Attr("cy", y) + Attr("r", r);
      break;
    case MarkerShape::kSquare:
      tag = "rect";
      geometry = Attr("x", x - 0.85 * r) + Attr("y", y - 0.85 * r) + Attr("width", 1.7 * r) +
                 Attr("height", 1.7 * r);
      break;
    case MarkerShape::kTriangle:
      tag = "polygon";
      geometry = Polygon({x, y - 1.2 * r, x + 1.05 * r, y + 0.7 * r, x - 1.05 * r, y + 0.7 * r});
      break;
    case MarkerShape::kDiamond:
      tag = "polygon";
      geometry = Polygon({x, y - 1.25 * r, x + r, y, x, y + 1.25 * r, x - r, y});
      break;
    case MarkerShape::kStar: {
      tag = "polygon";
      std::vector<double> xy;
      for (int k = 0; k < 10; ++k) {
        const double a = kPi / 2 + k * kPi / 5;
        const double rr = (k % 2 == 0 ? 1.45 : 0.6) * r;
        xy.push_back(x + rr * std::cos(a));
        xy.push_back(y - rr * std::sin(a));
      }
      geometry = Polygon(xy);
      break;
    }
    case MarkerShape::kCross: {
      tag = "path";
      const double d = 0.9 * r;
      geometry = Attr("d", "M" + SvgNumber(x - d) + "," + SvgNumber(y - d) + "L" +
                               SvgNumber(x + d) + "," + SvgNumber(y + d) + "M" +
                               SvgNumber(x - d) + "," + SvgNumber(y + d) + "L" +
                               SvgNumber(x + d) + "," + SvgNumber(y - d));
      return "<path" + attrs + geometry + Attr("fill", "none") + Attr("stroke", color) +
             Attr("stroke-width", 2) + ">" +
             (tooltip.empty() ? "" : "<title>" + EscapeXml(tooltip) + "</title>") + "</path>\n";
    }
  }
  return "<" + tag + attrs + geometry + paint + ">" +
         (tooltip.empty() ? "" : "<title>" + EscapeXml(tooltip) + "</title>") + "</" + tag +
         ">\n";
}

// "M x,y L x,y ..." through the given pixel vertices, broken at NaN ones.
std::string PathData(const std::vector<double>& px, const std::vector<double>& py) {
  std::string d;
  bool pen_down = false;
  for (size_t i = 0; i < px.size() && i < py.size(); ++i) {
    if (!std::isfinite(px[i]) || !std::isfinite(py[i])) {
      pen_down = false;
      continue;
    }
    if (!d.empty()) d += ' ';
    d += (pen_down ? "L" : "M") + SvgNumber(px[i]) + "," + SvgNumber(py[i]);
    pen_down = true;
  }
  return d;
}

std::string PathElement(const std::string& attrs, const std::string& d, const std::string& color,
                        double width, const std::string& dash, double opacity,
                        const std::string& tooltip) {
  return "<path" + attrs + Attr("d", d) + Attr("fill", "none") + Attr("stroke", color) +
         Attr("stroke-width", width) + Attr("stroke-linejoin", "round") +
         (dash.empty() ? "" : Attr("stroke-dasharray", dash)) +
         (opacity < 1 ? Attr("stroke-opacity", opacity) : "") + ">" +
         (tooltip.empty() ? "" : "<title>" + EscapeXml(tooltip) + "</title>") + "</path>\n";
}

std::string ClassAttrs(const std::string& css_class, const std::string& data_run) {
  return (css_class.empty() ? "" : Attr("class", css_class)) +
         (data_run.empty() ? "" : Attr("data-run", data_run));
}

// One legend entry: a swatch (line, marker or both) and its text.
struct LegendEntry {
  std::string name;
  std::string color;
  bool marker = false;
  MarkerShape shape = MarkerShape::kCircle;
  double size = 4;
  std::string dash;  // "" no line, "solid" or a dasharray
  double width = 1.5;
  double opacity = 1;
};

double LegendWidth(const std::vector<LegendEntry>& entries) {
  double w = 0;
  for (const LegendEntry& e : entries) w = std::max(w, TextWidth(e.name, kFont));
  return entries.empty() ? 0 : w + 40;
}

std::string RenderLegend(const std::vector<LegendEntry>& entries, double x, double y) {
  std::string out = "<g class=\"legend\">\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const LegendEntry& e = entries[i];
    const double cy = y + kLegendRow * (static_cast<double>(i) + 0.5);
    if (!e.dash.empty()) {
      out += "<line" + Attr("x1", x) + Attr("y1", cy) + Attr("x2", x + 24) + Attr("y2", cy) +
             Attr("stroke", e.color) + Attr("stroke-width", e.width) +
             (e.dash == "solid" ? "" : Attr("stroke-dasharray", e.dash)) +
             (e.opacity < 1 ? Attr("stroke-opacity", e.opacity) : "") + "/>\n";
    }
    if (e.marker) out += Marker(e.shape, x + 12, cy, e.size, e.color, true, "", "");
    out += Text(x + 30, cy + 0.35 * kFont, e.name, kFont, "start");
  }
  return out + "</g>\n";
}

std::string SvgOpen(double width, double height, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\"" + Attr("width", width) +
         Attr("height", height) +
         Attr("viewBox", "0 0 " + SvgNumber(width) + " " + SvgNumber(height)) +
         Attr("font-family", kFontFamily) + " role=\"img\">\n<title>" + EscapeXml(title) +
         "</title>\n<rect" + Attr("width", width) + Attr("height", height) +
         " fill=\"#ffffff\"/>\n" +
         (title.empty() ? "" : Text(kMarginLeft, 18, title, kTitleFont, "start",
                                    " font-weight=\"bold\""));
}

// A placed label's box in pixels.
struct Box {
  double x0, y0, x1, y1;
};

double Overlap(const Box& a, const Box& b) {
  const double w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const double h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  return w > 0 && h > 0 ? w * h : 0;
}

// Area of `b` outside `frame`.
double Outside(const Box& b, const Box& frame) {
  return (b.x1 - b.x0) * (b.y1 - b.y0) - Overlap(b, frame);
}

struct LabelRequest {
  double x, y, r;  // the marker, pixels
  std::string text;
  std::string color;
};

// Places each label next to its marker at the candidate position overlapping the fewest
// already placed labels and markers (and the outside of the plot area); ties go to the first.
std::string RenderLabels(const std::vector<LabelRequest>& labels, const std::vector<Box>& markers,
                         const Box& frame) {
  std::vector<Box> placed;
  std::string out = "<g class=\"labels\"" + Attr("font-size", kLabelFont) +
                    " stroke=\"#ffffff\" stroke-width=\"2.5\" paint-order=\"stroke\">\n";
  for (const LabelRequest& l : labels) {
    const double w = TextWidth(l.text, kLabelFont);
    const double h = kLabelFont;
    const double g = l.r + 1.5;
    const Box candidates[] = {
        {l.x + g, l.y - g - h, l.x + g + w, l.y - g},          // upper right
        {l.x + g, l.y + g, l.x + g + w, l.y + g + h},          // lower right
        {l.x - g - w, l.y - g - h, l.x - g, l.y - g},          // upper left
        {l.x - g - w, l.y + g, l.x - g, l.y + g + h},          // lower left
        {l.x + g + 1, l.y - h / 2, l.x + g + 1 + w, l.y + h / 2},  // right
        {l.x - g - 1 - w, l.y - h / 2, l.x - g - 1, l.y + h / 2},  // left
        {l.x - w / 2, l.y - g - h - 1, l.x + w / 2, l.y - g - 1},  // above
        {l.x - w / 2, l.y + g + 1, l.x + w / 2, l.y + g + 1 + h},  // below
    };
    double best_score = INFINITY;
    double best_label_overlap = 0;
    Box best = candidates[0];
    for (const Box& c : candidates) {
      double label_overlap = 0;
      for (const Box& p : placed) label_overlap += Overlap(c, p);
      double score = 1000 * Outside(c, frame) + label_overlap;
      for (const Box& m : markers) score += 0.5 * Overlap(c, m);
      if (score < best_score - 1e-9) {
        best_score = score;
        best_label_overlap = label_overlap;
        best = c;
      }
    }
    // A label that would cover a good part of another one is left out (the marker's tooltip
    // still has it): a pile of labels reads as none.
    if (best_label_overlap > 0.25 * w * h) continue;
    placed.push_back(best);
    out += "<text" + Attr("x", best.x0) + Attr("y", best.y1 - 1.5) + Attr("fill", l.color) + ">" +
           EscapeXml(l.text) + "</text>\n";
  }
  return out + "</g>\n";
}

// Grid, frame, ticks and tick labels of both axes of an x-y chart; `frame` in pixels.
std::string RenderAxes(const Range& xr, const Range& yr, const Box& f) {
  std::string grid = "<g class=\"grid\">\n";
  std::string ticks = "<g class=\"axes\">\n";
  for (double t : Ticks(xr, f.x1 - f.x0)) {
    const double px = Map(xr, t, f.x0, f.x1);
    grid += Line(px, f.y0, px, f.y1, "#e6e6e6", 1);
    ticks += Line(px, f.y1, px, f.y1 + 4, "#333333", 1);
    ticks += Text(px, f.y1 + 6 + kTickFont, SvgNumber(t + 0.0), kTickFont, "middle");
  }
  for (double t : Ticks(yr, f.y1 - f.y0)) {
    const double py = Map(yr, t, f.y1, f.y0);
    grid += Line(f.x0, py, f.x1, py, "#e6e6e6", 1);
    ticks += Line(f.x0 - 4, py, f.x0, py, "#333333", 1);
    ticks += Text(f.x0 - 6, py + 0.35 * kTickFont, SvgNumber(t + 0.0), kTickFont, "end");
  }
  ticks += "<rect" + Attr("x", f.x0) + Attr("y", f.y0) + Attr("width", f.x1 - f.x0) +
           Attr("height", f.y1 - f.y0) + " fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n";
  return grid + "</g>\n" + ticks + "</g>\n";
}

std::vector<LegendEntry> XYLegend(const XYChart& chart) {
  std::vector<LegendEntry> entries;
  for (const PointSeries& s : chart.series) {
    if (s.name.empty()) continue;
    entries.push_back({s.name, s.color, true, s.shape, std::min(s.size, 5.0), s.legend_dash});
  }
  for (const ChartLine& l : chart.lines) {
    if (l.name.empty()) continue;
    entries.push_back({l.name, l.color, false, MarkerShape::kCircle, 0,
                       l.dash.empty() ? "solid" : l.dash, l.width, l.opacity});
  }
  return entries;
}

}  // namespace

std::string EscapeXml(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab/newline are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string SvgNumber(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  std::string s = buf;
  return s == "-0" ? "0" : s;
}

std::string RenderXYChart(const XYChart& chart) {
  Extent ex, ey;
  for (const ChartLine& l : chart.lines) {
    for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i) {
      if (std::isfinite(l.x[i]) && std::isfinite(l.y[i])) ex.Add(l.x[i]), ey.Add(l.y[i]);
    }
  }
  for (const PointSeries& s : chart.series) {
    for (const ChartPoint& p : s.points) {
      if (std::isfinite(p.x) && std::isfinite(p.y)) ex.Add(p.x), ey.Add(p.y);
    }
  }
  const Range xr = PaddedRange(ex, chart.pad);
  const Range yr = PaddedRange(ey, chart.pad);
  const std::vector<LegendEntry> legend = XYLegend(chart);
  const Box f{kMarginLeft, kMarginTop, kMarginLeft + chart.plot_width,
              kMarginTop + chart.plot_height};
  const double legend_w = LegendWidth(legend);
  const double width = std::max(f.x1 + kMarginRight + (legend_w > 0 ? legend_w + 8 : 0),
                                TitleWidth(chart.title));
  const double height =
      std::max(f.y1 + kMarginBottom, f.y0 + kLegendRow * static_cast<double>(legend.size()) + 8);

  std::string out = SvgOpen(width, height, chart.title);
  out += RenderAxes(xr, yr, f);
  out += Text(0.5 * (f.x0 + f.x1), f.y1 + 36, chart.x_title, kFont, "middle");
  const double ty = 0.5 * (f.y0 + f.y1);
  out += Text(14, ty, chart.y_title, kFont, "middle",
              " transform=\"rotate(-90 14 " + SvgNumber(ty) + ")\"");

  out += "<g class=\"data\">\n";
  for (const ChartLine& l : chart.lines) {
    std::vector<double> px, py;
    for (size_t i = 0; i < l.x.size() && i < l.y.size(); ++i) {
      px.push_back(std::isfinite(l.x[i]) ? Map(xr, l.x[i], f.x0, f.x1) : NAN);
      py.push_back(std::isfinite(l.y[i]) ? Map(yr, l.y[i], f.y1, f.y0) : NAN);
    }
    out += PathElement(ClassAttrs(l.css_class, ""), PathData(px, py), l.color, l.width, l.dash,
                       l.opacity, l.tooltip);
  }
  std::vector<LabelRequest> labels;
  std::vector<Box> marker_boxes;
  for (const PointSeries& s : chart.series) {
    const std::string attrs = ClassAttrs(s.css_class, s.data_run);
    for (const ChartPoint& p : s.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      const double px = Map(xr, p.x, f.x0, f.x1);
      const double py = Map(yr, p.y, f.y1, f.y0);
      out += Marker(s.shape, px, py, s.size, s.color, p.filled, attrs, p.tooltip);
      marker_boxes.push_back({px - s.size, py - s.size, px + s.size, py + s.size});
      if (!p.label.empty()) labels.push_back({px, py, s.size, p.label, s.color});
    }
  }
  out += "</g>\n";
  out += RenderLabels(labels, marker_boxes, f);
  if (!legend.empty()) out += RenderLegend(legend, f.x1 + kMarginRight + 4, f.y0);
  return out + "</svg>\n";
}

namespace {

// The padded value range of each of the chart's axes.
std::vector<Range> ParallelRanges(const ParallelChart& chart) {
  const size_t n = chart.axes.size();
  std::vector<Extent> extents(n);
  for (const ParallelGroup& g : chart.groups) {
    for (const ParallelLine& l : g.lines) {
      for (size_t i = 0; i < n && i < l.values.size(); ++i) extents[i].Add(l.values[i]);
    }
  }
  std::vector<Range> ranges;
  for (const Extent& e : extents) ranges.push_back(PaddedRange(e, chart.pad));
  return ranges;
}

std::vector<LegendEntry> ParallelLegend(const ParallelChart& chart) {
  std::vector<LegendEntry> legend;
  for (const ParallelGroup& g : chart.groups) {
    if (g.name.empty()) continue;
    legend.push_back({g.name, g.color, false, MarkerShape::kCircle, 0,
                      g.dash.empty() ? "solid" : g.dash, std::max(g.width, 1.5),
                      std::max(g.opacity, 0.6)});
  }
  return legend;
}

// Where a parallel chart's parts go.
struct ParallelLayout {
  Box f;                     // the plot area
  bool rotate = false;       // axis names rotated by kParallelLabelAngle
  double value_title_y = 0;  // baseline of the value axis title
  double width = 0;
  double height = 0;
  size_t axes = 0;

  // The x of axis i.
  double AxisX(size_t i) const {
    return axes <= 1 ? 0.5 * (f.x0 + f.x1)
                     : f.x0 + (f.x1 - f.x0) * static_cast<double>(i) /
                                  static_cast<double>(axes - 1);
  }
};

// Axis names: horizontal when each fits between two axes, else all rotated, with room made on
// the left (the first names reach left of their axes) and at the bottom.
ParallelLayout LayOutParallel(const ParallelChart& chart, const std::vector<LegendEntry>& legend) {
  const size_t n = chart.axes.size();
  const double spacing =
      n <= 1 ? chart.plot_width : chart.plot_width / static_cast<double>(n - 1);
  std::vector<double> name_width;
  double widest = 0;
  for (const std::string& axis : chart.axes) {
    name_width.push_back(1.1 * TextWidth(axis, kFont));  // bold
    widest = std::max(widest, name_width.back());
  }
  ParallelLayout l;
  l.axes = n;
  l.rotate = n > 1 && widest > spacing - 8;
  const double angle = kParallelLabelAngle * kPi / 180;
  double left = kMarginLeft;
  double name_depth = 0;  // below the name's anchor
  if (l.rotate) {
    for (size_t i = 0; i < n; ++i) {
      const double reach = name_width[i] * std::cos(angle) + kFont * std::sin(angle) + 4;
      left = std::max(left, reach - spacing * static_cast<double>(i));
      name_depth = std::max(name_depth, name_width[i] * std::sin(angle) + 0.3 * kFont);
    }
  }
  l.value_title_y = l.rotate ? kMarginTop + chart.plot_height + 12 + name_depth + 16
                             : kMarginTop + chart.plot_height + 36;
  l.f = Box{left, kMarginTop, left + chart.plot_width, kMarginTop + chart.plot_height};
  const double legend_w = LegendWidth(legend);
  l.width = std::max(l.f.x1 + kMarginRight + 10 + (legend_w > 0 ? legend_w + 8 : 0),
                     TitleWidth(chart.title));
  l.height = std::max({l.f.y1 + kMarginBottom, l.value_title_y + 10,
                       l.f.y0 + kLegendRow * static_cast<double>(legend.size()) + 8});
  return l;
}

// The axes with their ticks and names, and the value axis title.
std::string ParallelAxes(const ParallelChart& chart, const std::vector<Range>& ranges,
                         const ParallelLayout& l) {
  const Box& f = l.f;
  std::string out = "<g class=\"axes\">\n";
  for (size_t i = 0; i < l.axes; ++i) {
    const double x = l.AxisX(i);
    out += Line(x, f.y0, x, f.y1, "#333333", 1);
    for (double t : Ticks(ranges[i], f.y1 - f.y0)) {
      const double y = Map(ranges[i], t, f.y1, f.y0);
      out += Line(x - 4, y, x, y, "#333333", 1);
      out += Text(x - 6, y + 0.35 * kTickFont, SvgNumber(t + 0.0), kTickFont, "end", kHalo);
    }
    if (l.rotate) {
      const double ax = x + 3;
      const double ay = f.y1 + 12;
      out += Text(ax, ay, chart.axes[i], kFont, "end",
                  " class=\"axis-label\" font-weight=\"bold\" transform=\"rotate(" +
                      SvgNumber(-kParallelLabelAngle) + " " + SvgNumber(ax) + " " +
                      SvgNumber(ay) + ")\"");
    } else {
      out += Text(x, f.y1 + 18, chart.axes[i], kFont, "middle",
                  " class=\"axis-label\" font-weight=\"bold\"");
    }
  }
  out += Text(0.5 * (f.x0 + f.x1), l.value_title_y, chart.value_title, kFont, "middle");
  return out + "</g>\n";
}

// One path per line, in group order.
std::string ParallelData(const ParallelChart& chart, const std::vector<Range>& ranges,
                         const ParallelLayout& l) {
  std::string out = "<g class=\"data\">\n";
  for (const ParallelGroup& g : chart.groups) {
    const std::string attrs = ClassAttrs(g.css_class, g.data_run);
    for (const ParallelLine& line : g.lines) {
      std::vector<double> px, py;
      for (size_t i = 0; i < l.axes; ++i) {
        const double v = i < line.values.size() ? line.values[i] : NAN;
        px.push_back(l.AxisX(i));
        py.push_back(std::isfinite(v) ? Map(ranges[i], v, l.f.y1, l.f.y0) : NAN);
      }
      out += PathElement(attrs, PathData(px, py), g.color, g.width, g.dash, g.opacity,
                         line.tooltip);
    }
  }
  return out + "</g>\n";
}

}  // namespace

std::string RenderParallelChart(const ParallelChart& chart) {
  const std::vector<Range> ranges = ParallelRanges(chart);
  const std::vector<LegendEntry> legend = ParallelLegend(chart);
  const ParallelLayout l = LayOutParallel(chart, legend);
  std::string out = SvgOpen(l.width, l.height, chart.title);
  out += ParallelAxes(chart, ranges, l);
  out += ParallelData(chart, ranges, l);
  if (!legend.empty()) out += RenderLegend(legend, l.f.x1 + kMarginRight + 14, l.f.y0);
  return out + "</svg>\n";
}

std::string ViridisColor(double t) {
  static const int kStops[][3] = {{0x44, 0x01, 0x54}, {0x48, 0x28, 0x78}, {0x3e, 0x49, 0x89},
                                  {0x31, 0x68, 0x8e}, {0x26, 0x82, 0x8e}, {0x1f, 0x9e, 0x89},
                                  {0x35, 0xb7, 0x79}, {0x6e, 0xce, 0x58}, {0xfd, 0xe7, 0x25}};
  const double x = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) * 8 : 0;
  const int k = std::min(7, static_cast<int>(x));
  const double f = x - k;
  char buf[8];
  int rgb[3];
  for (int c = 0; c < 3; ++c) {
    rgb[c] = static_cast<int>(std::lround(kStops[k][c] + f * (kStops[k + 1][c] - kStops[k][c])));
  }
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return buf;
}

namespace {

constexpr double kHeatSwatch = 24;  // width of one swatch of the colour scale
constexpr int kHeatSwatches = 7;

double HeatValue(const HeatMap& map, size_t i, size_t j) {
  return i < map.values.size() && j < map.values[i].size() ? map.values[i][j] : NAN;
}

std::string HeatText(const std::vector<std::vector<std::string>>& t, size_t i, size_t j) {
  return i < t.size() && j < t[i].size() ? t[i][j] : std::string();
}

// Where a heat map's parts go, and its colour scale.
struct HeatLayout {
  double lo = 0;       // the values at the ends of the colour scale
  double hi = 0;
  std::string lo_text;
  std::string hi_text;
  double x0 = 0;       // the grid
  double y0 = 0;
  double x1 = 0;
  double y1 = 0;
  double scale_y = 0;  // top of the scale's swatches
  double strip_x = 0;  // left of the first swatch
  double width = 0;
  double height = 0;

  // Where v lies on the colour scale, in [0, 1] for values within [lo, hi].
  double Scale(double v) const { return hi > lo ? (v - lo) / (hi - lo) : 0.5; }
};

// Row names left of the grid; column names under it, rotated, reaching left and down.
HeatLayout LayOutHeatMap(const HeatMap& map) {
  const size_t rows = map.rows.size();
  const size_t cols = map.columns.size();
  Extent e;
  for (size_t i = 0; i < rows; ++i) {
    for (size_t j = 0; j < cols; ++j) e.Add(HeatValue(map, i, j));
  }
  HeatLayout l;
  l.lo = std::isfinite(map.lo) ? map.lo : e.lo;
  l.hi = std::isfinite(map.hi) ? map.hi : e.hi;
  const double cell = map.cell;
  const double angle = kPi / 4;
  double row_w = 0;
  for (const std::string& r : map.rows) row_w = std::max(row_w, TextWidth(r, kTickFont));
  l.x0 = 1.1 * row_w + 12;  // glyphs may be wider than TextWidth's average
  double depth = 0;
  for (size_t j = 0; j < cols; ++j) {
    const double w = TextWidth(map.columns[j], kTickFont);
    l.x0 = std::max(l.x0, w * std::cos(angle) + kTickFont * std::sin(angle) + 4 -
                              cell * (static_cast<double>(j) + 0.5));
    depth = std::max(depth, w * std::sin(angle) + 0.3 * kTickFont);
  }
  l.y0 = kMarginTop;
  l.x1 = l.x0 + cell * static_cast<double>(cols);
  l.y1 = l.y0 + cell * static_cast<double>(rows);
  l.scale_y = l.y1 + 10 + depth + 12;
  l.lo_text = Decimals(l.lo, map.digits);
  l.hi_text = Decimals(l.hi, map.digits);
  l.strip_x = l.x0 + TextWidth(map.scale_title, kTickFont) + 8 +
              TextWidth(l.lo_text, kTickFont) + 4;
  const double strip_end =
      l.strip_x + kHeatSwatch * kHeatSwatches + 4 + TextWidth(l.hi_text, kTickFont);
  l.width = std::max({l.x1 + kMarginRight, strip_end + kMarginRight, TitleWidth(map.title)});
  l.height = l.scale_y + 10 + 10;
  return l;
}

// One cell: its rectangle with its tooltip, and its text when the text fits.
std::string HeatCell(const HeatMap& map, const HeatLayout& l, size_t i, size_t j) {
  const double cell = map.cell;
  const double font = cell >= 30 ? 9 : 8;
  const double v = HeatValue(map, i, j);
  const double x = l.x0 + cell * static_cast<double>(j);
  const double y = l.y0 + cell * static_cast<double>(i);
  const std::string fill = std::isfinite(v) ? ViridisColor(l.Scale(v)) : "#eeeeee";
  const std::string tip = HeatText(map.tooltips, i, j);
  std::string out = "<rect" +
                    (map.css_class.empty() ? std::string() : Attr("class", map.css_class)) +
                    Attr("x", x) + Attr("y", y) + Attr("width", cell) + Attr("height", cell) +
                    Attr("fill", fill) + " stroke=\"#ffffff\" stroke-width=\"1\">" +
                    (tip.empty() ? "" : "<title>" + EscapeXml(tip) + "</title>") + "</rect>\n";
  const std::string text = HeatText(map.texts, i, j);
  if (!text.empty() && TextWidth(text, font) <= cell - 4) {
    const bool dark = std::isfinite(v) && l.Scale(v) < 0.6;
    out += Text(x + cell / 2, y + cell / 2 + 0.35 * font, text, font, "middle",
                Attr("fill", dark ? "#ffffff" : "#1a1a1a") + " pointer-events=\"none\"");
  }
  return out;
}

// The row and column names.
std::string HeatAxes(const HeatMap& map, const HeatLayout& l) {
  const double cell = map.cell;
  std::string out = "<g class=\"axes\">\n";
  for (size_t i = 0; i < map.rows.size(); ++i) {
    out += Text(l.x0 - 6, l.y0 + cell * (static_cast<double>(i) + 0.5) + 0.35 * kTickFont,
                map.rows[i], kTickFont, "end", " class=\"axis-label\"");
  }
  for (size_t j = 0; j < map.columns.size(); ++j) {
    const double ax = l.x0 + cell * (static_cast<double>(j) + 0.5) + 3;
    const double ay = l.y1 + 10;
    out += Text(ax, ay, map.columns[j], kTickFont, "end",
                " class=\"axis-label\" transform=\"rotate(-45 " + SvgNumber(ax) + " " +
                    SvgNumber(ay) + ")\"");
  }
  return out + "</g>\n";
}

// The colour scale under the grid: its title, its ends' values and the swatches between.
std::string HeatScale(const HeatMap& map, const HeatLayout& l) {
  std::string out = "<g class=\"scale\">\n";
  out += Text(l.x0, l.scale_y + 9, map.scale_title, kTickFont, "start");
  out += Text(l.strip_x - 4, l.scale_y + 9, l.lo_text, kTickFont, "end");
  for (int k = 0; k < kHeatSwatches; ++k) {
    out += "<rect" + Attr("x", l.strip_x + kHeatSwatch * k) + Attr("y", l.scale_y) +
           Attr("width", kHeatSwatch) + Attr("height", 11) +
           Attr("fill", ViridisColor(k / (kHeatSwatches - 1.0))) + "/>\n";
  }
  out += Text(l.strip_x + kHeatSwatch * kHeatSwatches + 4, l.scale_y + 9, l.hi_text, kTickFont,
              "start");
  return out + "</g>\n";
}

}  // namespace

std::string RenderHeatMap(const HeatMap& map) {
  const HeatLayout l = LayOutHeatMap(map);
  std::string out = SvgOpen(l.width, l.height, map.title);
  out += "<g class=\"cells\">\n";
  for (size_t i = 0; i < map.rows.size(); ++i) {
    for (size_t j = 0; j < map.columns.size(); ++j) out += HeatCell(map, l, i, j);
  }
  out += "</g>\n";
  out += HeatAxes(map, l);
  out += HeatScale(map, l);
  return out + "</svg>\n";
}

}  // namespace pwemoe::results
