// A seeded Monte Carlo estimate of the hypervolume, for many objectives where the exact
// algorithms (hypervolume.h: exponential in d) take too long. Same conventions as Hypervolume:
// Sense, points that do not strictly beat the reference ignored, same validation and errors.
//
// Method: the Karp-Luby estimator of the volume of a union of boxes, as in Bringmann and
// Friedrich's FPRAS for the hypervolume (2010). With V = sum of the boxes' volumes, a sample
// picks box i with probability vol_i / V (cumulative sums, binary search), a uniform point x in
// box i, and the count c(x) >= 1 of boxes containing x (hv_box_count.h). E[1/c(x)] = HV / V, so
// estimate = V * mean(1/c); its relative variance is bounded by n - 1 whatever d is, and is far
// smaller on real fronts. Work is in coordinates normalised to the bounding box of the points
// and the reference (every box volume in (0, 1]): no underflow at d = 20.
//
// Interval: estimate +- z * V * s / sqrt(N), s the sample standard deviation of 1/c and z the
// two-sided normal quantile of `confidence`, clipped to the hard bounds [0, V].
// Default confidence 0.99, not 0.95: a report shows one interval per front, tens of them, and
// with 0.95 one in twenty would miss the truth; the normal approximation also covers a little
// less than its nominal level when 1/c is skewed (few samples, rare large counts), and 0.99 keeps
// the real coverage above 0.95 there (tests/results/front/hv_estimate_test.cpp checks it at d = 3..8).
// It costs (2.576 / 1.960)^2 = 1.7 times the samples of 0.95 for the same half-width.
//
// Determinism: the same input, options and seed give the same result bit for bit on every
// platform: std::mt19937_64 (its sequence is fixed by the standard), uniforms made as
// (bits >> 11) * 2^-53 (not std::uniform_real_distribution, whose algorithm is not), counts kept
// as an integer histogram, and no fused multiply-add in the estimator. Only the interval's z goes
// through std::erfc (the last bit of lo and hi could differ between C libraries).
//
// Cost: O(d n log n) to set up, then per sample O(d log n + d n / 64) (hv_box_count.h). Memory:
// the boxes, their sorted columns and a counting table of at most 64 MiB (2.6 MB for 1000
// points at d = 20). On the 1000-point fronts at d = 20 (bench/hv_bench.cpp), 1% relative
// half-width at 0.99 takes 4096 to 600,000 samples and 0.015 to 1.1 s on one core.
//
// Thread safety: pure functions; concurrent calls are independent (each owns its generator).
#pragma once

#include <cstdint>
#include <vector>

#include "pwemoe/util/status.h"
#include "results/front/hv_input.h"
#include "results/front/point_set.h"

namespace pwemoe::results {

struct HvEstimateOptions {
  enum class Stop {
    kSamples,    // draw exactly `samples`
    kHalfWidth,  // draw blocks of kHvEstimateBlock samples until half-width / estimate <=
                 // target_relative_half_width, at most max_samples
  };
  Stop stop = Stop::kHalfWidth;
  uint64_t seed = 1;
  uint64_t samples = 100000;                 // kSamples: >= 1
  double target_relative_half_width = 0.01;  // kHalfWidth: > 0
  uint64_t max_samples = 100000000;          // kHalfWidth: >= 1 (the last block is cut there)
  double confidence = 0.99;                  // of the interval: 0 < confidence < 1

  // Exactly `n` samples with this seed.
  static HvEstimateOptions FixedSamples(uint64_t n, uint64_t seed);
  // Until half-width / estimate <= `target` (e.g. 0.01), with this seed.
  static HvEstimateOptions RelativeHalfWidth(double target, uint64_t seed);
};

// kHalfWidth checks the stopping rule after every block of this many samples (the first check
// after one block: fewer samples make too rough a standard deviation).
inline constexpr uint64_t kHvEstimateBlock = 4096;

struct HvEstimate {
  double estimate = 0;        // the hypervolume estimate
  double lo = 0, hi = 0;      // the interval at the options' confidence (lo <= estimate <= hi)
  uint64_t samples = 0;       // samples drawn
  double box_volume_sum = 0;  // V: the sum of the boxes' volumes (an upper bound of the volume)
  bool target_met = true;     // kHalfWidth: the target was reached before max_samples
};

// Checks the options: InvalidArgument naming the option at fault ("samples", "confidence",
// "target_relative_half_width", "max_samples") with its value and the allowed range.
Status CheckHvEstimateOptions(const HvEstimateOptions& options);

// The estimate of the hypervolume of `points` w.r.t. `ref` into *out. An empty set, or one
// where no point strictly beats the reference, gives exactly 0 with lo == hi == 0 and no
// samples. InvalidArgument from PrepareHvInput (points, reference) or CheckHvEstimateOptions;
// Internal on a broken invariant (a sample in no box). *out untouched on failure.
Status EstimateHypervolume(const std::vector<std::vector<double>>& points,
                           const std::vector<double>& ref, Sense sense,
                           const HvEstimateOptions& options, HvEstimate* out);

// The same on an already prepared problem (PrepareHvInput); the options are checked here too.
Status EstimateHypervolume(const HvInput& input, const HvEstimateOptions& options, HvEstimate* out);

}  // namespace pwemoe::results
