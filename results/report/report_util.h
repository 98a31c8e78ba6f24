// The small calculations behind BuildReport (report_model.h), public so that tests can pin them
// down one by one: EPO's ray alignment mu in doubles, Pareto dominance of maximised
// vectors, accuracies normalised by the experts', and the experiment name of a configuration's
// TOML.
//
// Thread safety: pure functions over their arguments.
#pragma once

#include <string>
#include <vector>

namespace pwemoe::results {

// EPO's non-uniformity of ray r and losses l (ComputeEpoRelativeLosses,
// pwemoe/train/epo_mu.h, the one EPO's step uses: no LibTorch, no GLPK): rl = r * l,
// l_hat = rl / sum(rl), mu = sum_i l_hat_i log(T l_hat_i); terms with l_hat_i = 0 count 0;
// sum(rl) <= 0 gives 0. NaN when the sizes differ, T = 0, or any value is not finite.
double RayAlignmentMu(const std::vector<double>& ray, const std::vector<double>& losses);

// How maximised vector a stands against b, with pareto.h's dominance: kDominates when a >= b in
// every coordinate and a > b in one; kEqual when a == b in every coordinate; kDominatedBy when b
// dominates a; kIncomparable otherwise, and when the sizes differ or a coordinate is NaN.
enum class Dominance { kDominates, kEqual, kDominatedBy, kIncomparable };
Dominance CompareMaximized(const std::vector<double>& a, const std::vector<double>& b);

// Whether a dominates b (maximised; CompareMaximized(a, b) == kDominates).
bool Dominates(const std::vector<double>& a, const std::vector<double>& b);

// Each point's coordinate i divided by scale[i], into *out. False (and *out untouched) when the
// scale has another size than a point or an entry that is NaN or <= 0.
bool DivideByScale(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& scale, std::vector<std::vector<double>>* out);

// The stored experiment configuration (StoreHeader::experiment_toml, config::ToToml's text) read
// with a TOML parser (toml++): each function gives its default when the text does not parse or
// the key is absent or of another type.

// `name` under `[experiment]`: "" when absent.
std::string ExperimentNameFromToml(const std::string& toml);

// `precision` under `[compute]` (what the experiment's forwards and backwards computed in: "fp32"
// or "bf16"; pwemoe-orchestrate stores it resolved): "fp32" when absent (files written before
// the setting existed computed in float32).
std::string ComputePrecisionFromToml(const std::string& toml);

// `reference` under `[report]` (the hypervolume reference the experiment asks for): 0 when absent,
// not a number, or outside [0, 1).
double ReportReferenceFromToml(const std::string& toml);

}  // namespace pwemoe::results
