// A prediction of the exact WFG hypervolume's time (d >= 5) on a non-dominated set, from WFG's
// time on nested seeded subsamples of it, so the chooser (hv_choose.h) starts the Monte Carlo
// estimate at once when the exact value will not come in time, instead of running WFG into its
// deadline.
//
// Method: a seeded permutation of the n rows (std::mt19937_64 with a fixed seed, Fisher-Yates
// with rng() % (i + 1): the same permutation on every platform); WFG times its prefixes of
// m = 8, 16, 32, ... rows up to n / 2 (the last one n / 2 itself when that is at least 1.25
// times the one before), each under the caller's deadline. A subset of a non-dominated set is
// non-dominated and, drawn at random, a sparser front of the same shape, so the probes follow
// the whole set's law t(m). A probe runs twice when one run takes at most 1% of the time left,
// up to 3 times while a run takes under 10 ms, and its best time counts (short timings are
// noisy, and one preempted run on a busy machine must not make the exponent). Two successive
// probes, both at least kHvProbeMinSeconds, times t' at m' and t at m, give the local growth
// exponent k = max(1, log(t / t') / log(m / m')) and
// predicted_seconds = kHvProbeSafety * t * (n / m)^k.
//
// The local exponent is no constant. At moderate d (6-10) it falls as m grows (measured: 10
// objectives, 100 spherical points, 4.6 at 27-40 points and 3.9 at 90-100; 8 objectives, 1000
// points, 4.2 at 16-32 and 2.4 at 128-256), so extrapolating from small probes overestimates;
// at d = 20 with tens of points WFG is in its exponential regime and the exponent rises (6 at
// 8-16 points, 9 at 16-20, 10 at 16-32), so it underestimates: on 1000 points the prediction is
// still beyond any budget by many orders, on 40 points it said 17 s (from 16-20; 0.7 s from
// 8-16 alone) against 36 s measured. Hence a safety factor, probes up to n / 2 while they are
// cheap, and the deadline as the safety net of the exact run.
//
// Decision after each prediction, `left` being the seconds left before the deadline:
//   predicted_seconds > 1000 * left: does not fit, stop (no further, possibly long, probe);
//   else the next probe, if it is predicted (t (m_next / m)^k) to take at most a tenth of both
//   `left` and the predicted exact time without the safety factor (the probes then cost at
//   most about a fifth of the exact run, and refine the exponent: small probes overestimate
//   the time at moderate d by up to a few hundred times from 32 points, and underestimate it
//   at d = 20 with tens of points);
//   else stop: fits when predicted_seconds <= left. Before a "does not fit", the last probe runs
//   once more if it took at most left / 10, and the prediction is made again from its best
//   time (noise only slows runs down, and a slowed last probe makes the exponent too high).
// No prediction (n < 16, or every probe up to n / 2 shorter than kHvProbeMinSeconds: the
// whole set is cheap): fits. A probe that the deadline stops: does not fit,
// predicted_seconds = +inf.
//
// Cost: the probes up to m take about t(m) (1 + 2^-k + 4^-k ...) <= 2 t(m) per run, and t(m)
// is at most about a tenth of the budget and of the exact time after a prediction; measured
// (bench/hv_bench.cpp, "choose-*" cases): about 5 ms at d = 20 on 1000 points (a prediction of
// 1e8 s and more: the estimate), under 1 ms at d = 6 on 200 points (0.06 s: exact).
//
// Thread safety: pure function (reads the steady clock); concurrent calls are independent.
#pragma once

#include <cstddef>
#include <vector>

#include "results/front/deadline.h"

namespace pwemoe::results {

// Only probes at least this long (best of their runs) fit the exponent.
inline constexpr double kHvProbeMinSeconds = 2e-5;
// The factor on the extrapolated time (headroom for the exponent's growth beyond the probes).
inline constexpr double kHvProbeSafety = 2;
// The smallest probe (sets of up to 6 points are inclusion-exclusion in WFG, not its recursion).
inline constexpr size_t kHvFirstProbe = 8;

struct HvProbe {
  bool fits = true;                // predicted to finish before the deadline
  double predicted_seconds = NAN;  // kHvProbeSafety * the extrapolated seconds; NaN: no
                                   // prediction (no two probes long enough); +inf: a probe
                                   // passed the deadline
  double exponent = NAN;           // the growth exponent k of the prediction
  double probe_seconds = 0;        // wall seconds of the probes, repeats included
  std::vector<size_t> sizes;       // the probes' sizes m, ascending
  std::vector<double> seconds;     // their best times
};

// Probes WFG (hv_kernels.h, VolumeWfgBefore) on the n mutually non-dominated minimised rows
// (row-major, d >= 5 coordinates, all strictly below `ref`; not checked) against `deadline`, by
// the rule above. n < 2 * kHvFirstProbe: no probe, fits.
HvProbe ProbeWfgSeconds(const double* rows, size_t n, size_t d, const double* ref,
                        const Deadline& deadline);

}  // namespace pwemoe::results
