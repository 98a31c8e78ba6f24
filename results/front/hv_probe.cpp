#include "results/front/hv_probe.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>

#include "results/front/hv_kernels.h"

namespace pwemoe::results {
namespace {

// The permutation's seed (any fixed value: the probes must be the same on every run).
constexpr uint64_t kPermutationSeed = 20261207;
// Every probe runs twice when a run takes at most kRepeatFraction of the seconds left, and up to
// kMaxRuns times while a run takes under kRepeatBelow; its best time counts. One preempted run on
// a busy machine (measured: a 1.5 ms probe taking 15 ms at load 2.7 on 2 cores, which made the
// prediction 200 times too high) must not make the exponent.
constexpr double kRepeatBelow = 1e-2, kRepeatFraction = 0.01;
constexpr int kMaxRuns = 3;
// A prediction more than kHopeless times the seconds left decides "does not fit" at once; else
// a further probe runs when predicted to take at most kNextProbeFraction of both the seconds
// left and the predicted exact time (without the safety factor).
constexpr double kHopeless = 1000, kNextProbeFraction = 0.1;
// The last probe is n / 2 when the doubling would pass it, if at least this ratio above the
// one before (closer sizes fit the exponent badly).
constexpr double kMinStep = 1.25;

// The rows in a seeded random order.
std::vector<double> Shuffled(const double* rows, size_t n, size_t d) {
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::mt19937_64 rng(kPermutationSeed);
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  std::vector<double> out(n * d);
  for (size_t i = 0; i < n; ++i) {
    std::copy(rows + order[i] * d, rows + order[i] * d + d, out.begin() + i * d);
  }
  return out;
}

// WFG's best time on the first m rows, *best lowered by each run (up to `max_runs`; after the
// first, only while runs are short, or once more when one is cheap against the time left);
// false when the deadline passed first. *total gets every run's time.
bool TimeProbe(const std::vector<double>& rows, size_t m, size_t d, const double* ref,
               const Deadline& deadline, int max_runs, double* best, double* total) {
  using Clock = std::chrono::steady_clock;
  for (int run = 0; run < max_runs; ++run) {
    double volume = 0;
    const Clock::time_point start = Clock::now();
    const bool done = hv::VolumeWfgBefore(rows.data(), m, d, ref, deadline, &volume);
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    *total += took;
    if (!done) return false;
    *best = std::min(*best, took);
    const bool again =
        took < kRepeatBelow || (run == 0 && took <= kRepeatFraction * deadline.SecondsLeft());
    if (!again) break;
  }
  return true;
}

// The probe after one of m rows on a set of n: 2 m, or n / 2 where that is less (0: none).
size_t NextProbe(size_t m, size_t n) {
  if (2 * m <= n / 2) return 2 * m;
  return double(n / 2) >= kMinStep * double(m) ? n / 2 : 0;
}

}  // namespace

HvProbe ProbeWfgSeconds(const double* rows, size_t n, size_t d, const double* ref,
                        const Deadline& deadline) {
  HvProbe out;
  if (n < 2 * kHvFirstProbe) return out;
  const std::vector<double> shuffled = Shuffled(rows, n, d);
  for (size_t m = kHvFirstProbe; m != 0; m = NextProbe(m, n)) {
    double t = INFINITY;
    if (!TimeProbe(shuffled, m, d, ref, deadline, kMaxRuns, &t, &out.probe_seconds)) {
      out.fits = false;
      out.predicted_seconds = INFINITY;
      return out;
    }
    out.sizes.push_back(m);
    out.seconds.push_back(t);
    const size_t k = out.seconds.size();
    if (k < 2 || out.seconds[k - 2] < kHvProbeMinSeconds || t < kHvProbeMinSeconds) continue;
    bool confirmed = false;  // the last probe re-run before a refusal
    for (;;) {
      const double m_ratio = double(m) / double(out.sizes[k - 2]);
      out.exponent = std::max(1.0, std::log(t / out.seconds[k - 2]) / std::log(m_ratio));
      out.predicted_seconds = kHvProbeSafety * t * std::pow(double(n) / double(m), out.exponent);
      const double left = deadline.SecondsLeft();
      out.fits = out.predicted_seconds <= left;
      const size_t next = NextProbe(m, n);
      const double next_seconds = t * std::pow(double(next) / double(m), out.exponent);
      const double affordable =
          kNextProbeFraction * std::min(left, out.predicted_seconds / kHvProbeSafety);
      const bool hopeless = out.predicted_seconds > kHopeless * left;
      if (!hopeless && next != 0 && next_seconds <= affordable) break;  // probe further
      // Deciding here. Timing noise only slows runs down, and a slow last probe makes the
      // exponent too high: before refusing, run it again once if that is cheap.
      if (out.fits || confirmed || t > kNextProbeFraction * left) return out;
      confirmed = true;
      if (!TimeProbe(shuffled, m, d, ref, deadline, 1, &t, &out.probe_seconds)) {
        out.fits = false;
        out.predicted_seconds = INFINITY;
        return out;
      }
      out.seconds[k - 1] = t;
    }
  }
  return out;  // fits unless the last prediction exceeded the time left
}

}  // namespace pwemoe::results
