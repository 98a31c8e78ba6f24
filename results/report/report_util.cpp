#include "results/report/report_util.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include <toml++/toml.h>

#include "pwemoe/train/epo_mu.h"

namespace pwemoe::results {

double RayAlignmentMu(const std::vector<double>& ray, const std::vector<double>& losses) {
  const size_t t = ray.size();
  if (t == 0 || losses.size() != t) return std::nan("");
  for (size_t i = 0; i < t; ++i) {
    if (!std::isfinite(ray[i]) || !std::isfinite(losses[i])) return std::nan("");
  }
  return ComputeEpoRelativeLosses(ray, losses).mu;
}

Dominance CompareMaximized(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return Dominance::kIncomparable;
  bool better = false, worse = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return Dominance::kIncomparable;
    better = better || a[i] > b[i];
    worse = worse || a[i] < b[i];
  }
  if (better && worse) return Dominance::kIncomparable;
  return better ? Dominance::kDominates : worse ? Dominance::kDominatedBy : Dominance::kEqual;
}

bool Dominates(const std::vector<double>& a, const std::vector<double>& b) {
  return CompareMaximized(a, b) == Dominance::kDominates;
}

bool DivideByScale(const std::vector<std::vector<double>>& points,
                   const std::vector<double>& scale, std::vector<std::vector<double>>* out) {
  for (double s : scale) {
    if (!(s > 0)) return false;
  }
  std::vector<std::vector<double>> scaled = points;
  for (std::vector<double>& p : scaled) {
    if (p.size() != scale.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) p[i] /= scale[i];
  }
  *out = std::move(scaled);
  return true;
}

namespace {

// Parses a stored experiment configuration (config::ToToml's text, which always parses); false
// for anything else, whose keys then count as absent.
bool Parse(const std::string& text, toml::table* root) {
  try {
    *root = toml::parse(text);
    return true;
  } catch (const toml::parse_error&) {
    return false;
  }
}

}  // namespace

std::string ExperimentNameFromToml(const std::string& toml) {
  toml::table root;
  if (!Parse(toml, &root)) return "";
  return root["experiment"]["name"].value<std::string>().value_or("");
}

std::string ComputePrecisionFromToml(const std::string& toml) {
  toml::table root;
  if (!Parse(toml, &root)) return "fp32";
  return root["compute"]["precision"].value<std::string>().value_or("fp32");
}

double ReportReferenceFromToml(const std::string& toml) {
  toml::table root;
  if (!Parse(toml, &root)) return 0;
  const std::optional<double> v = root["report"]["reference"].value<double>();
  return v && *v >= 0 && *v < 1 ? *v : 0;
}

}  // namespace pwemoe::results
