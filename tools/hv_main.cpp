// pwemoe-hv: the hypervolume of a CSV of points, for analysts: exact where it finishes within a
// time budget, else a seeded Monte Carlo estimate with its confidence interval, saying which.
//
// Reads one point a line (comma-separated numbers; blank lines and '#' comments skipped, see
// results/front/point_csv.h) from FILE.csv or, without it or with "-", from standard input.
// Objectives are minimised unless --maximize is given (accuracies); points that do not strictly
// beat the reference in every objective add nothing. The choice between exact and estimate is
// results/front/hv_choose.h's: exact when it will finish within --exact-budget seconds.
//
// Output: the exact value alone, as the shortest %.Ng text (N <= 17) that reads back as the same
// double ("6"); or, for an estimate, the estimate first and then what it is:
// "4.2145 estimate [4.1724, 4.2567] 99% confidence, 602112 samples, seed 1". --json prints one
// object with the method, value, interval, samples, confidence and seed instead, and why the
// chooser went that way: "choice" (HvChoiceName), "predicted_seconds" (null: no prediction;
// "inf": a subsample ran out of time) and "probe_seconds".
//
// Exit codes: 0 success; 2 a bad command line or bad input (the message names the line and the
// column); 1 an unreadable file.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pwemoe/util/strings.h"
#include "pwemoe/util/tool.h"
#include "results/front/hv_choose.h"
#include "results/front/point_csv.h"

namespace pwemoe::tools {
namespace {

const ToolSpec kSpec =
    ToolSpec{
        "pwemoe-hv",
        "pwemoe-hv --ref r1,...,rd [--maximize|--minimize] [--exact-budget S] [FILE.csv]",
        "Prints the hypervolume of the points of FILE.csv (standard input without it or with\n"
        "'-'), one point a line as comma-separated numbers; blank lines and lines starting with '#'\n"
        "are skipped. Objectives are minimised unless --maximize is given. The value is exact when\n"
        "the exact algorithm finishes within --exact-budget seconds (a bare number), else a\n"
        "seeded Monte Carlo estimate followed by 'estimate [lo, hi] C% confidence, N samples'.",
        {
            {"--ref", "R1,...,RD", "", "reference point, one value per objective (required)"},
            {"--maximize", "", "", "larger values are better (accuracies); the points must exceed --ref"},
            {"--minimize", "", "", "smaller values are better (losses); the default"},
            {"--exact-budget", "SECONDS", "10",
             "compute exactly when that will take at most this long (inf: always exact; 0: estimate "
             "from 5 objectives on)"},
            {"--rel-error", "R", "0.01", "estimate: sample until the interval's half-width is R of the estimate"},
            {"--samples", "N", "", "estimate: draw exactly N samples instead of --rel-error"},
            {"--confidence", "C", "0.99", "estimate: confidence level of the interval"},
            {"--seed", "S", "1", "estimate: seed of the samples (same seed, same estimate)"},
            {"--json", "", "",
             "print {method, value, lo, hi, samples, confidence, seed, choice, predicted_seconds, "
             "probe_seconds} as JSON"},
        }};

struct Options {
  std::vector<double> ref;
  results::Sense sense = results::Sense::kMinimize;
  std::string file = "-";
  results::HvBudget budget;
  bool json = false;
};

Status ReadEstimateOptions(const ParsedFlags& flags, results::HvEstimateOptions* e) {
  int64_t seed = 0;
  PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--seed", 0, &seed));
  if (flags.Has("--samples")) {
    int64_t samples = 0;
    PWEMOE_RETURN_IF_ERROR(GetIntFlag(flags, "--samples", 1, &samples));
    *e = results::HvEstimateOptions::FixedSamples(static_cast<uint64_t>(samples),
                                                  static_cast<uint64_t>(seed));
  } else {
    double target = 0;
    PWEMOE_RETURN_IF_ERROR(GetDoubleFlag(flags, "--rel-error", 0, 1, &target));
    *e = results::HvEstimateOptions::RelativeHalfWidth(target, static_cast<uint64_t>(seed));
  }
  PWEMOE_RETURN_IF_ERROR(GetDoubleFlag(flags, "--confidence", 0, 1, &e->confidence));
  return results::CheckHvEstimateOptions(*e);
}

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
  PWEMOE_RETURN_IF_ERROR(GetDoubleFlag(flags, "--exact-budget", 0,
                                       std::numeric_limits<double>::infinity(),
                                       &o->budget.exact_seconds));
  o->json = flags.Has("--json");
  return ReadEstimateOptions(flags, &o->budget.estimate);
}

Status ReadPoints(const std::string& file, std::vector<std::vector<double>>* points) {
  if (file == "-") return results::ReadPointsCsv(std::cin, "<stdin>", points);
  std::ifstream in(file);
  if (!in) return Status::IoError(file + ": cannot open for reading");
  return results::ReadPointsCsv(in, file, points);
}

void Print(const Options& o, const results::HvResult& r) {
  const results::HvEstimateOptions& e = o.budget.estimate;
  if (o.json) {
    nlohmann::ordered_json out = {{"method", r.exact ? "exact" : "estimate"}, {"value", r.value},
                                  {"lo", r.lo}, {"hi", r.hi}, {"samples", r.samples}};
    if (!r.exact) {
      out["confidence"] = e.confidence;
      out["seed"] = e.seed;
    }
    out["choice"] = results::HvChoiceName(r.choice);
    // NaN (no prediction) as null; +inf (a probe passed the deadline) as the string "inf".
    if (std::isnan(r.predicted_seconds)) {
      out["predicted_seconds"] = nullptr;
    } else if (std::isinf(r.predicted_seconds)) {
      out["predicted_seconds"] = "inf";
    } else {
      out["predicted_seconds"] = r.predicted_seconds;
    }
    out["probe_seconds"] = r.probe_seconds;
    std::printf("%s\n", out.dump().c_str());
  } else if (r.exact) {
    std::printf("%s\n", FormatShortest(r.value).c_str());
  } else {
    std::printf("%s estimate [%s, %s] %s%% confidence, %llu samples, seed %llu\n",
                FormatShortest(r.value).c_str(), FormatShortest(r.lo).c_str(),
                FormatShortest(r.hi).c_str(), FormatShortest(100 * e.confidence).c_str(),
                static_cast<unsigned long long>(r.samples),
                static_cast<unsigned long long>(e.seed));
  }
}

Status Run(ToolContext* ctx) {
  Options o;
  PWEMOE_RETURN_IF_ERROR(ReadOptions(ctx->flags, &o));
  std::vector<std::vector<double>> points;
  PWEMOE_RETURN_IF_ERROR(ReadPoints(o.file, &points));
  if (!points.empty() && points[0].size() != o.ref.size()) {
    return Status::InvalidArgument("--ref has " + std::to_string(o.ref.size()) +
                                   " values, the points have " + std::to_string(points[0].size()));
  }
  results::HvResult result;
  PWEMOE_RETURN_IF_ERROR(
      results::HypervolumeWithBudget(points, o.ref, o.sense, o.budget, &result));
  Print(o, result);
  return Status::Ok();
}

}  // namespace
}  // namespace pwemoe::tools

PWEMOE_TOOL_MAIN(pwemoe::tools::kSpec, pwemoe::tools::Run)
