// Small SVG charts for the HTML report: an x-y chart with linear axes (markers, polylines, point
// labels, legend) and a parallel-coordinates chart. Each chart is described by a plain struct and
// rendered to one self-contained <svg> element (inline styles, no scripts, no external
// references; the only URI is the SVG namespace).
//
// Output is deterministic: numbers are written with "%.4g" (SvgNumber), elements in the order of
// the description, so the same description always gives the same bytes. Every text is escaped
// (EscapeXml). Every marker of a PointSeries and every line of a ParallelGroup is one element
// carrying the series' css_class and a <title> child (its tooltip), so that tests and readers can
// find the data points (e.g. class="pt ls"); axes, grid, legend and labels never carry a css_class
// of a series.
//
// Non-finite coordinates are not drawn: a point with a NaN coordinate is left out, a polyline is
// broken at a NaN vertex.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <string>
#include <vector>

namespace pwemoe::results {

// `text` with & < > " ' replaced by XML entities; safe in element text and attribute values.
std::string EscapeXml(const std::string& text);

// `v` formatted with "%.4g" ("-0" written as "0"); "nan" / "inf" for non-finite values.
std::string SvgNumber(double v);

enum class MarkerShape { kCircle, kSquare, kTriangle, kDiamond, kCross, kStar };

// One data point of a PointSeries.
struct ChartPoint {
  double x = 0;
  double y = 0;
  std::string label;    // small text next to the marker ("" = none)
  std::string tooltip;  // the marker's <title>
  bool filled = true;   // false: hollow marker (outline only)
};

// Markers of one kind; one SVG element per point.
struct PointSeries {
  std::string name;       // legend entry ("" = not in the legend)
  std::string css_class;  // class attribute of each marker, e.g. "pt ls"
  std::string data_run;   // data-run attribute of each marker ("" = none)
  std::string color;      // CSS colour, e.g. "#1f77b4"
  MarkerShape shape = MarkerShape::kCircle;
  double size = 4;        // marker radius in pixels
  std::string legend_dash;  // legend shows a line behind the marker: "" none, "solid", or a
                            // stroke-dasharray such as "4 2"
  std::vector<ChartPoint> points;
};

// A polyline through (x[i], y[i]) in the given order; a NaN vertex breaks it.
struct ChartLine {
  std::string name;       // legend entry ("" = not in the legend)
  std::string css_class;  // class attribute ("" = none)
  std::string color;
  double width = 1.5;
  std::string dash;       // stroke-dasharray ("" = solid)
  double opacity = 1;
  std::vector<double> x;
  std::vector<double> y;
  std::string tooltip;    // <title> of the line ("" = none)
};

// An x-y chart with linear axes. The axis ranges cover every finite coordinate of `lines` and
// `series` plus `pad` of the span on each side (an empty or zero span gets a unit span); ticks
// at 1, 2 or 5 times a power of ten, about one per 60 pixels (at least 3 per axis). The legend sits right of the plot area when any entry has a
// name. Lines are drawn below markers; labels above both, each placed at one of eight spots
// around its marker where it overlaps the fewest other labels and markers; a label that would
// still cover more than a quarter of its area with other labels is left out (its marker and
// tooltip stay).
struct XYChart {
  std::string title;
  std::string x_title;
  std::string y_title;
  int plot_width = 340;   // pixels of the plot area; margins and legend are added around it
  int plot_height = 300;
  double pad = 0.06;
  std::vector<ChartLine> lines;
  std::vector<PointSeries> series;
};

std::string RenderXYChart(const XYChart& chart);

// One polyline of a parallel-coordinates chart: one value per axis (NaN = no value there).
struct ParallelLine {
  std::vector<double> values;
  std::string tooltip;
};

// Lines of one kind; one SVG element per line.
struct ParallelGroup {
  std::string name;       // legend entry ("" = not in the legend)
  std::string css_class;  // class attribute of each line
  std::string data_run;   // data-run attribute of each line ("" = none)
  std::string color;
  double width = 1.2;
  double opacity = 1;
  std::string dash;       // stroke-dasharray ("" = solid)
  std::vector<ParallelLine> lines;
};

// A parallel-coordinates chart: one vertical axis per entry of `axes`, each with its own range
// over the finite values on it (padded like XYChart), groups drawn in order (later on top).
struct ParallelChart {
  std::string title;
  std::string value_title;  // what the axes measure, e.g. "accuracy (%)"
  std::vector<std::string> axes;
  int plot_width = 560;
  int plot_height = 300;
  double pad = 0.06;
  std::vector<ParallelGroup> groups;
};

std::string RenderParallelChart(const ParallelChart& chart);

}  // namespace pwemoe::results
