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

#include <limits>
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
// over the finite values on it (padded like XYChart), groups drawn in order (later on top). Axis
// names are <text class="axis-label"> under their axes: horizontal when each fits in the space
// between two axes, else all rotated by kParallelLabelAngle (reading upwards to the axis), with
// the left and bottom margins grown to hold them, so that with many axes (20 tasks) no two
// labels overlap.
constexpr double kParallelLabelAngle = 40;  // degrees
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

// A heat map: a grid of coloured cells, rows and columns named. Each cell is a <rect> with the
// class `css_class` and a <title> (its tooltip, when not empty); its fill runs along the viridis
// scale from dark purple at `lo` to yellow at `hi` (NaN bounds: the min / max of the finite
// values), a NaN value is a light grey cell. A cell's text is drawn in it (white on dark cells,
// black on light ones) when it fits, else left to the tooltip. Row names sit left of the grid,
// column names under it rotated by 45 degrees (class "axis-label"); a strip of colour swatches
// under them gives the scale (scale_title, then lo ... hi in `digits` decimals).
struct HeatMap {
  std::string title;
  std::string scale_title;
  std::string css_class;                       // of each cell, e.g. "hv-cell"
  std::vector<std::string> rows;               // [R]
  std::vector<std::string> columns;            // [C]
  std::vector<std::vector<double>> values;     // [R][C]; NaN = no value
  std::vector<std::vector<std::string>> texts;     // [R][C] or empty: drawn in the cell
  std::vector<std::vector<std::string>> tooltips;  // [R][C] or empty
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
  int cell = 36;                               // cell side in pixels
  int digits = 3;                              // of the scale's numbers
};

std::string RenderHeatMap(const HeatMap& map);

// The viridis colour at t in [0, 1] (clamped) as "#rrggbb": 0 dark purple, 1 yellow.
std::string ViridisColor(double t);

}  // namespace pwemoe::results
