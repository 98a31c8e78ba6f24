#include "results/front/hv_estimate.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>

#include "pwemoe/util/strings.h"
#include "results/front/hv_box_count.h"

// Bit-identical results on every platform: no a*b+c fused into one rounding (GCC does not fuse
// in ISO mode, -std=c++17; clang would where the target has FMA).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

namespace pwemoe::results {
namespace {

// A uniform double in [0, 1) from the top 53 bits: the same on every platform.
double Uniform(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1.0p-53; }

// The problem in coordinates normalised to the bounding box [lo, ref] of the points: box k is
// [u_k, 1]^d with u_k = (p_k - lo) / (ref - lo), its volume prod_j (1 - u_kj) in (0, 1].
struct Normalised {
  std::vector<double> corners;     // u_k, n x d row-major
  std::vector<double> cumulative;  // cumulative sums of the box volumes; back() = V (normalised)
  double scale = 1;                // prod_j (ref_j - lo_j): normalised volume -> volume
};

Normalised Normalise(const HvInput& input) {
  const size_t d = input.dim, n = input.count();
  const std::vector<double>& rows = input.rows;
  std::vector<double> lo(rows.begin(), rows.begin() + d);
  for (size_t k = 1; k < n; ++k)
    for (size_t j = 0; j < d; ++j) lo[j] = std::min(lo[j], rows[k * d + j]);
  Normalised norm;
  for (size_t j = 0; j < d; ++j) norm.scale *= input.ref[j] - lo[j];
  norm.corners.resize(n * d);
  norm.cumulative.resize(n);
  double sum = 0;
  for (size_t k = 0; k < n; ++k) {
    double box = 1;
    for (size_t j = 0; j < d; ++j) {
      const double u = (rows[k * d + j] - lo[j]) / (input.ref[j] - lo[j]);
      norm.corners[k * d + j] = u;
      box *= 1.0 - u;
    }
    sum += box;
    norm.cumulative[k] = sum;
  }
  return norm;
}

// Draws samples of the Karp-Luby estimator: a box by volume, a uniform point x in it, c(x).
class Sampler {
 public:
  Sampler(const hv::BoxSet& boxes, const std::vector<double>& cumulative, uint64_t seed)
      : boxes_(boxes), cumulative_(cumulative), rng_(seed), x_(boxes.dim()) {}

  // Adds `count` samples to hist (hist[c]: the samples with c(x) = c; size n + 1). False when a
  // sample lies in no box (a broken invariant: x is drawn inside one).
  bool Draw(uint64_t count, std::vector<uint64_t>* hist) {
    const size_t n = boxes_.size(), d = boxes_.dim();
    const double total = cumulative_.back();
    for (uint64_t s = 0; s < count; ++s) {
      const double t = Uniform(rng_) * total;
      size_t i = size_t(std::upper_bound(cumulative_.begin(), cumulative_.end(), t) -
                        cumulative_.begin());
      if (i >= n) i = n - 1;  // t rounded up to V
      const double* u = boxes_.corner(i);
      for (size_t j = 0; j < d; ++j) x_[j] = u[j] + (1.0 - u[j]) * Uniform(rng_);
      const size_t c = boxes_.Count(x_.data(), &scratch_);
      if (c == 0) return false;
      ++(*hist)[c];
    }
    return true;
  }

 private:
  const hv::BoxSet& boxes_;
  const std::vector<double>& cumulative_;
  std::mt19937_64 rng_;
  std::vector<double> x_;
  hv::CountScratch scratch_;
};

// Mean and sample standard deviation of 1/c over `samples` draws (+inf below 2 draws), from the
// histogram of c: the same whatever order the samples came in.
struct Moments {
  double mean = 0, sd = INFINITY;
};

Moments Summarise(const std::vector<uint64_t>& hist, uint64_t samples) {
  Moments m;
  double sum = 0;
  for (size_t c = 1; c < hist.size(); ++c) {
    if (hist[c] != 0) sum += double(hist[c]) / double(c);
  }
  m.mean = sum / double(samples);
  if (samples < 2) return m;
  double squares = 0;
  for (size_t c = 1; c < hist.size(); ++c) {
    const double dv = 1.0 / double(c) - m.mean;
    if (hist[c] != 0) squares += double(hist[c]) * dv * dv;
  }
  m.sd = std::sqrt(squares / double(samples - 1));
  return m;
}

// z with P(|Z| <= z) = confidence for a standard normal Z: erfc(z / sqrt 2) = 1 - confidence,
// by bisection (erfc decreases; 0 < confidence < 1).
double NormalQuantile(double confidence) {
  double lo = 0, hi = 40;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (std::erfc(mid / std::sqrt(2.0)) > 1.0 - confidence) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

// Draws until the options' stopping rule holds; *samples and *met as in HvEstimate.
bool Run(Sampler* sampler, const HvEstimateOptions& options, double z, std::vector<uint64_t>* hist,
         uint64_t* samples, bool* met) {
  using Stop = HvEstimateOptions::Stop;
  *samples = 0;
  *met = true;
  if (options.stop == Stop::kSamples) {
    *samples = options.samples;
    return sampler->Draw(options.samples, hist);
  }
  while (true) {
    const uint64_t next = std::min(options.max_samples, *samples + kHvEstimateBlock);
    if (!sampler->Draw(next - *samples, hist)) return false;
    *samples = next;
    const Moments m = Summarise(*hist, *samples);
    if (z * m.sd / std::sqrt(double(*samples)) <= options.target_relative_half_width * m.mean) {
      return true;
    }
    if (*samples == options.max_samples) {
      *met = false;
      return true;
    }
  }
}

std::string Range(const char* option, const std::string& value, const char* need) {
  return std::string("hypervolume estimate option ") + option + ": " + value + " (need " + need +
         ")";
}

}  // namespace

HvEstimateOptions HvEstimateOptions::FixedSamples(uint64_t n, uint64_t seed) {
  HvEstimateOptions o;
  o.stop = Stop::kSamples;
  o.samples = n;
  o.seed = seed;
  return o;
}

HvEstimateOptions HvEstimateOptions::RelativeHalfWidth(double target, uint64_t seed) {
  HvEstimateOptions o;
  o.stop = Stop::kHalfWidth;
  o.target_relative_half_width = target;
  o.seed = seed;
  return o;
}

Status CheckHvEstimateOptions(const HvEstimateOptions& o) {
  using Stop = HvEstimateOptions::Stop;
  if (!(o.confidence > 0 && o.confidence < 1)) {
    return Status::InvalidArgument(
        Range("confidence", FormatDouble(o.confidence), "0 < confidence < 1"));
  }
  if (o.stop == Stop::kSamples && o.samples == 0) {
    return Status::InvalidArgument(Range("samples", "0", "at least 1"));
  }
  if (o.stop == Stop::kHalfWidth && !(o.target_relative_half_width > 0)) {
    return Status::InvalidArgument(Range("target_relative_half_width",
                                         FormatDouble(o.target_relative_half_width), "> 0"));
  }
  if (o.stop == Stop::kHalfWidth && o.max_samples == 0) {
    return Status::InvalidArgument(Range("max_samples", "0", "at least 1"));
  }
  return Status::Ok();
}

Status EstimateHypervolume(const HvInput& input, const HvEstimateOptions& options, HvEstimate* out) {
  PWEMOE_RETURN_IF_ERROR(CheckHvEstimateOptions(options));
  if (input.count() == 0) {
    *out = HvEstimate{};
    return Status::Ok();
  }
  Normalised norm = Normalise(input);
  const hv::BoxSet boxes(std::move(norm.corners), input.dim);
  Sampler sampler(boxes, norm.cumulative, options.seed);
  std::vector<uint64_t> hist(boxes.size() + 1, 0);
  const double z = NormalQuantile(options.confidence);
  HvEstimate e;
  if (!Run(&sampler, options, z, &hist, &e.samples, &e.target_met)) {
    return Status::Internal("hypervolume estimate: a sample lies in no box");
  }
  const Moments m = Summarise(hist, e.samples);
  e.box_volume_sum = norm.scale * norm.cumulative.back();
  e.estimate = e.box_volume_sum * m.mean;
  const double half = e.box_volume_sum * (z * m.sd / std::sqrt(double(e.samples)));
  e.lo = std::max(0.0, e.estimate - half);
  e.hi = std::min(e.box_volume_sum, e.estimate + half);
  *out = e;
  return Status::Ok();
}

Status EstimateHypervolume(const std::vector<std::vector<double>>& points,
                           const std::vector<double>& ref, Sense sense,
                           const HvEstimateOptions& options, HvEstimate* out) {
  HvInput input;
  PWEMOE_RETURN_IF_ERROR(PrepareHvInput(points, ref, sense, &input));
  return EstimateHypervolume(input, options, out);
}

}  // namespace pwemoe::results
