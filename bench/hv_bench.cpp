// pwemoe_hv_bench: wall time of the exact hypervolume (results/front/hypervolume.h) on the standard
// hard inputs, next to the times of the fastest public codes measured on the same 2-core AMD EPYC VM
// (bench/README.md, "Hypervolume", gives the date, load and commands).
//
// Inputs (fixed seeds; every set is mutually non-dominated): points drawn uniformly on a front
// in the positive orthant, maximised with respect to the origin, as in the WFG paper's data sets
// (While, Bradstreet, Barone 2012): "linear" = the simplex sum x_j = 1 (Dirichlet(1,...,1)),
// "spherical" = the unit sphere sum x_j^2 = 1 (|Gaussian| normalised). The minimisation cases
// use the same points against the reference 1.1 in every coordinate (the other bend of the
// same surfaces).
//
// The Monte Carlo estimate (results/front/hv_estimate.h) runs on the same fronts at d = 20, where
// no exact code finishes, and at d = 8 next to the exact value: to 1% relative half-width of the
// 99% interval, seed 1, one thread (the estimator has no threads).
//
// usage: pwemoe_hv_bench [CASE...]   (default: every case; a CASE is a name of the tables below)
// Prints one line per exact case: name, n, d, hypervolume, best wall seconds of its repeats, the
// chooser's predicted seconds (hv_choose.h; d <= 4) and the public figure to compare with (or
// "-"); one line per deadline case (deadline-*: WFG stopped by HypervolumeWithDeadline): how
// late it stopped; one line per estimate case: name, n, d, estimate, interval, relative half-width,
// samples, the sum of the box volumes V and the wall seconds; two lines per chooser case
// (choose-*: HypervolumeWithBudget at d >= 5, 10 s budget, minimised against 1.1): exact or
// estimate and why, the prediction, the probes' and the call's wall seconds, then the probe
// table (sizes and best times, the fitted exponent) of a second, separate probe.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "results/front/hv_choose.h"
#include "results/front/hv_estimate.h"
#include "results/front/hv_probe.h"
#include "results/front/hypervolume.h"

namespace {

using Points = std::vector<std::vector<double>>;
using pwemoe::results::Sense;

enum class Shape { kLinear, kSpherical };

Points Front(Shape shape, size_t n, size_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> expo(1.0);
  std::normal_distribution<double> gauss(0.0, 1.0);
  Points points(n, std::vector<double>(d));
  for (auto& p : points) {
    double norm = 0;
    for (double& v : p) {
      v = shape == Shape::kLinear ? expo(rng) : std::fabs(gauss(rng));
      norm += shape == Shape::kLinear ? v : v * v;
    }
    if (shape == Shape::kSpherical) norm = std::sqrt(norm);
    for (double& v : p) v /= norm;
  }
  return points;
}

struct Case {
  const char* name;
  Shape shape;
  size_t n, d;
  Sense sense;
  int repeats;
  const char* public_figure;  // the fastest public code's time, same VM (bench/README.md)
};

const Case kCases[] = {
    {"linear-8d-600-max", Shape::kLinear, 600, 8, Sense::kMaximize, 3, "0.3 s (WFG)"},
    {"linear-8d-600-min", Shape::kLinear, 600, 8, Sense::kMinimize, 3, "-"},
    {"spherical-8d-1000-max", Shape::kSpherical, 1000, 8, Sense::kMaximize, 1, "25 s (WFG)"},
    {"spherical-8d-1000-min", Shape::kSpherical, 1000, 8, Sense::kMinimize, 1, "-"},
    {"spherical-4d-10000-max", Shape::kSpherical, 10000, 4, Sense::kMaximize, 3, "0.04 s (HV4D+)"},
    {"spherical-4d-10000-min", Shape::kSpherical, 10000, 4, Sense::kMinimize, 3, "-"},
    {"spherical-3d-100000-max", Shape::kSpherical, 100000, 3, Sense::kMaximize, 3, "-"},
    {"spherical-2d-1000000-max", Shape::kSpherical, 1000000, 2, Sense::kMaximize, 3, "-"},
};

void Run(const Case& c) {
  const Points points = Front(c.shape, c.n, c.d, 20261129 + c.d);
  const std::vector<double> ref(c.d, c.sense == Sense::kMaximize ? 0.0 : 1.1);
  double best = INFINITY, volume = 0;
  for (int r = 0; r < c.repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const pwemoe::Status st = pwemoe::results::Hypervolume(points, ref, c.sense, &volume);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (!st.ok()) {
      std::fprintf(stderr, "%s: %s\n", c.name, st.ToString().c_str());
      return;
    }
    best = std::min(best, took.count());
  }
  std::printf("%-26s n=%-8zu d=%zu  hv=%.12g  %.4f s  (predicted: %.3g s; public: %s)\n", c.name,
              c.n, c.d, volume, best, pwemoe::results::PredictExactSeconds(c.n, c.d),
              c.public_figure);
  std::fflush(stdout);
}

// How late WFG notices its deadline (hypervolume.h: HypervolumeWithDeadline): the 8-objective
// min cases (seconds of work) stopped after 0.1, 0.2 and 0.5 s; prints each overshoot.
void RunDeadline(const std::string& name) {
  const bool spherical = name == "deadline-spherical-8d-1000-min";
  const size_t n = spherical ? 1000 : 600;
  const Points points = Front(spherical ? Shape::kSpherical : Shape::kLinear, n, 8, 20261129 + 8);
  const std::vector<double> ref(8, 1.1);
  std::printf("%-32s", name.c_str());
  for (double seconds : {0.1, 0.2, 0.5}) {
    double volume = 0;
    const auto start = std::chrono::steady_clock::now();
    const pwemoe::Status st = pwemoe::results::HypervolumeWithDeadline(
        points, ref, Sense::kMinimize, pwemoe::results::Deadline::After(seconds), &volume);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("  %.1f s: %s, %.2f ms late", seconds, st.ok() ? "finished" : "stopped",
                1e3 * (took.count() - seconds));
  }
  std::printf("\n");
  std::fflush(stdout);
}

struct EstimateCase {
  const char* name;
  Shape shape;
  size_t n, d;
  Sense sense;
};

const EstimateCase kEstimateCases[] = {
    {"estimate-spherical-20d-1000-max", Shape::kSpherical, 1000, 20, Sense::kMaximize},
    {"estimate-spherical-20d-1000-min", Shape::kSpherical, 1000, 20, Sense::kMinimize},
    {"estimate-linear-20d-1000-max", Shape::kLinear, 1000, 20, Sense::kMaximize},
    {"estimate-linear-20d-1000-min", Shape::kLinear, 1000, 20, Sense::kMinimize},
    {"estimate-spherical-8d-1000-max", Shape::kSpherical, 1000, 8, Sense::kMaximize},
};

void RunEstimate(const EstimateCase& c) {
  const Points points = Front(c.shape, c.n, c.d, 20261129 + c.d);
  const std::vector<double> ref(c.d, c.sense == Sense::kMaximize ? 0.0 : 1.1);
  const auto options = pwemoe::results::HvEstimateOptions::RelativeHalfWidth(0.01, 1);
  pwemoe::results::HvEstimate e;
  const auto start = std::chrono::steady_clock::now();
  const pwemoe::Status st = pwemoe::results::EstimateHypervolume(points, ref, c.sense, options, &e);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", c.name, st.ToString().c_str());
    return;
  }
  std::printf("%-32s n=%-5zu d=%-2zu est=%.6g [%.6g, %.6g] rel.half=%.4f%s samples=%llu V=%.4g  %.3f s\n",
              c.name, c.n, c.d, e.estimate, e.lo, e.hi, (e.hi - e.lo) / (2 * e.estimate),
              e.target_met ? "" : " (cap)", static_cast<unsigned long long>(e.samples),
              e.box_volume_sum, took.count());
  std::fflush(stdout);
}

struct ChooseCase {
  const char* name;
  Shape shape;
  size_t n, d;
  double budget;  // exact_seconds
};

// The chooser (hv_choose.h) at d >= 5: which way it went, its prediction, the probes' sizes and
// times, and the wall time of the whole call (probes, exact or estimate); minimised against 1.1.
const ChooseCase kChooseCases[] = {
    {"choose-spherical-20d-1000", Shape::kSpherical, 1000, 20, 10},
    {"choose-linear-20d-1000", Shape::kLinear, 1000, 20, 10},
    {"choose-spherical-10d-100", Shape::kSpherical, 100, 10, 10},
    {"choose-spherical-8d-300", Shape::kSpherical, 300, 8, 10},
    {"choose-spherical-8d-1000", Shape::kSpherical, 1000, 8, 10},
    {"choose-spherical-6d-200", Shape::kSpherical, 200, 6, 10},
    {"choose-spherical-6d-1000", Shape::kSpherical, 1000, 6, 10},
    {"choose-spherical-5d-50", Shape::kSpherical, 50, 5, 10},
};

void RunChoose(const ChooseCase& c) {
  const Points points = Front(c.shape, c.n, c.d, 20261129 + c.d);
  const std::vector<double> ref(c.d, 1.1);
  pwemoe::results::HvBudget budget;
  budget.exact_seconds = c.budget;
  budget.estimate = pwemoe::results::HvEstimateOptions::RelativeHalfWidth(0.01, 1);
  pwemoe::results::HvResult r;
  const auto start = std::chrono::steady_clock::now();
  const pwemoe::Status st =
      pwemoe::results::HypervolumeWithBudget(points, ref, Sense::kMinimize, budget, &r);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", c.name, st.ToString().c_str());
    return;
  }
  std::printf("%-28s n=%-5zu d=%-2zu budget=%g s  %s (%s) predicted=%.3g s probes=%.4f s  "
              "total %.3f s\n",
              c.name, c.n, c.d, c.budget, r.exact ? "exact" : "estimate",
              pwemoe::results::HvChoiceName(r.choice), r.predicted_seconds, r.probe_seconds,
              took.count());
  // The probe table itself, on the same points (minimised rows, a fresh deadline).
  std::vector<double> rows;
  for (const auto& p : points) rows.insert(rows.end(), p.begin(), p.end());
  const pwemoe::results::HvProbe probe = pwemoe::results::ProbeWfgSeconds(
      rows.data(), c.n, c.d, ref.data(), pwemoe::results::Deadline::After(c.budget));
  std::printf("  probes:");
  for (size_t i = 0; i < probe.sizes.size(); ++i) {
    std::printf(" %zu:%.2es", probe.sizes[i], probe.seconds[i]);
  }
  std::printf("  k=%.2f fits=%d\n", probe.exponent, int(probe.fits));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  for (const Case& c : kCases) {
    bool wanted = argc == 1;
    for (int i = 1; i < argc; ++i) wanted = wanted || c.name == std::string(argv[i]);
    if (wanted) Run(c);
  }
  for (const char* name : {"deadline-spherical-8d-1000-min", "deadline-linear-8d-600-min"}) {
    bool wanted = argc == 1;
    for (int i = 1; i < argc; ++i) wanted = wanted || name == std::string(argv[i]);
    if (wanted) RunDeadline(name);
  }
  for (const EstimateCase& c : kEstimateCases) {
    bool wanted = argc == 1;
    for (int i = 1; i < argc; ++i) wanted = wanted || c.name == std::string(argv[i]);
    if (wanted) RunEstimate(c);
  }
  for (const ChooseCase& c : kChooseCases) {
    bool wanted = argc == 1;
    for (int i = 1; i < argc; ++i) wanted = wanted || c.name == std::string(argv[i]);
    if (wanted) RunChoose(c);
  }
  return 0;
}
