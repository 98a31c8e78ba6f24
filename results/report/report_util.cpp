#include "results/report/report_util.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

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

bool WeaklyDominates(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] >= b[i])) return false;
  }
  return true;
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

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The string value at the start of `v` ("..." with escapes, or '...' literally); "" otherwise.
std::string StringValue(const std::string& v) {
  if (v.empty() || (v[0] != '"' && v[0] != '\'')) return "";
  const char quote = v[0];
  std::string out;
  for (size_t i = 1; i < v.size(); ++i) {
    const char c = v[i];
    if (c == quote) return out;
    if (c == '\\' && quote == '"' && i + 1 < v.size()) {
      const char e = v[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      continue;
    }
    out += c;
  }
  return "";  // unterminated
}

}  // namespace

std::string TomlValueText(const std::string& toml, const std::string& table, const std::string& key) {
  std::istringstream in(toml);
  std::string line;
  bool in_table = false;
  const std::string header = "[" + table + "]";
  while (std::getline(in, line)) {
    const std::string s = Trim(line);
    if (s.empty() || s[0] == '#') continue;
    if (s[0] == '[') {
      const std::string rest = Trim(s.substr(s.find(']') + 1));
      in_table = s.rfind(header, 0) == 0 && (rest.empty() || rest[0] == '#');
      continue;
    }
    if (!in_table) continue;
    const size_t eq = s.find('=');
    if (eq == std::string::npos || Trim(s.substr(0, eq)) != key) continue;
    return Trim(s.substr(eq + 1));
  }
  return "";
}

std::string ExperimentNameFromToml(const std::string& toml) {
  const std::string text = TomlValueText(toml, "experiment", "name");
  return text.empty() ? "" : StringValue(text);
}

std::string ComputePrecisionFromToml(const std::string& toml) {
  std::string text = TomlValueText(toml, "compute", "precision");
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front()) {
    text = text.substr(1, text.size() - 2);
  }
  return text.empty() ? "fp32" : text;
}

double ReportReferenceFromToml(const std::string& toml) {
  std::string text = TomlValueText(toml, "report", "reference");
  const size_t comment = text.find('#');
  if (comment != std::string::npos) text = Trim(text.substr(0, comment));
  if (text.empty()) return 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && v >= 0 && v < 1 ? v : 0;
}

}  // namespace pwemoe::results
