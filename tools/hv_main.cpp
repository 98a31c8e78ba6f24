// pwemoe-hv: the exact hypervolume of a CSV of points, for analysts.
//
// Reads one point a line (comma-separated numbers; blank lines and '#' comments skipped, see
// results/front/point_csv.h) from FILE.csv or, without it or with "-", from standard input, and prints
// the hypervolume with respect to --ref as the shortest %.Ng text (N <= 17) that reads back as
// the same double.
// Objectives are minimised unless --maximize is given (accuracies); points that do not strictly
// beat the reference in every objective add nothing.
//
// Exit codes: 0 success; 2 a bad command line or bad input (the message names the line and the
// column); 1 an unreadable file.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "pwemoe/util/strings.h"
#include "pwemoe/util/tool.h"
#include "results/front/hypervolume.h"
#include "results/front/point_csv.h"

namespace pwemoe::tools {
namespace {

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-hv",
        "pwemoe-hv --ref r1,...,rd [--maximize|--minimize] [FILE.csv]",
        "Prints the exact hypervolume of the points of FILE.csv (standard input without it or with\n"
        "'-'), one point a line as comma-separated numbers; blank lines and lines starting with '#'\n"
        "are skipped. Objectives are minimised unless --maximize is given.",
        {
            {"--ref", "R1,...,RD", "", "reference point, one value per objective (required)"},
            {"--maximize", "", "", "larger values are better (accuracies); the points must exceed --ref"},
            {"--minimize", "", "", "smaller values are better (losses); the default"},
        }};

struct Options {
  std::vector<double> ref;
  results::Sense sense = results::Sense::kMinimize;
  std::string file = "-";
};

Status ReadOptions(const ParsedFlags& flags, Options* o) {
  PWEMOE_RETURN_IF_ERROR(CheckPositional(kSpec, flags, 1));
  if (flags.Has("--maximize") && flags.Has("--minimize")) {
    return Status::InvalidArgument("--maximize and --minimize exclude each other");
  }
  if (!flags.Has("--ref")) return UsageError(kSpec, "--ref is required");
  Status st = results::ParseNumberRow(flags.Get("--ref"), &o->ref);
  if (!st.ok()) return Status::InvalidArgument("--ref: " + st.message());
  if (flags.Has("--maximize")) o->sense = results::Sense::kMaximize;
  if (!flags.positional.empty()) o->file = flags.positional[0];
  return Status::Ok();
}

Status ReadPoints(const std::string& file, std::vector<std::vector<double>>* points) {
  if (file == "-") return results::ReadPointsCsv(std::cin, "<stdin>", points);
  std::ifstream in(file);
  if (!in) return Status::IoError(file + ": cannot open for reading");
  return results::ReadPointsCsv(in, file, points);
}

Status Run(const ToolContext& ctx) {
  Options o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx.flags, &o));
  std::vector<std::vector<double>> points;
  PWEMOE_RETURN_IF_ERROR(ReadPoints(o.file, &points));
  if (!points.empty() && points[0].size() != o.ref.size()) {
    return Status::InvalidArgument("--ref has " + std::to_string(o.ref.size()) +
                                   " values, the points have " + std::to_string(points[0].size()));
  }
  double volume = 0;
  PWEMOE_RETURN_IF_ERROR(results::Hypervolume(points, o.ref, o.sense, &volume));
  std::printf("%s\n", FormatShortest(volume).c_str());
  return Status::Ok();
}

}  // namespace
}  // namespace pwemoe::tools

int main(int argc, char** argv) {
  using namespace pwemoe;
  return RunTool(tools::kSpec, argc, argv, [](ToolContext* ctx) { return tools::Run(*ctx); });
}
