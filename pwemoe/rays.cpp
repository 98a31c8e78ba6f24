#include "pwemoe/rays.h"

#include <limits>
#include <map>
#include <random>
#include <string>

namespace pwemoe {

namespace {
// Appends every composition of `left` into `slots` non-negative parts, first part descending.
void Compositions(int slots, int left, std::vector<int>* prefix, std::vector<std::vector<int>>* out) {
  if (slots == 1) {
    prefix->push_back(left);
    out->push_back(*prefix);
    prefix->pop_back();
    return;
  }
  for (int k = left; k >= 0; --k) {
    prefix->push_back(k);
    Compositions(slots - 1, left - k, prefix, out);
    prefix->pop_back();
  }
}
}  // namespace

std::vector<Ray> SimplexGrid(int num_tasks, int points_per_edge) {
  std::vector<std::vector<int>> parts;
  std::vector<int> prefix;
  int n = points_per_edge - 1;
  Compositions(num_tasks, n, &prefix, &parts);
  std::vector<Ray> rays;
  rays.reserve(parts.size());
  for (const auto& p : parts) {
    Ray r(p.size());
    for (size_t i = 0; i < p.size(); ++i) r[i] = static_cast<double>(p[i]) / n;
    rays.push_back(std::move(r));
  }
  return rays;
}

uint64_t SimplexGridSize(int num_tasks, int points_per_edge) {
  // C(n + k, k) with n = m - 1, k = T - 1, computed incrementally (exact at every step).
  uint64_t n = static_cast<uint64_t>(points_per_edge - 1), k = static_cast<uint64_t>(num_tasks - 1);
  unsigned __int128 c = 1;
  for (uint64_t i = 1; i <= k; ++i) {
    c = c * (n + i) / i;
    if (c > std::numeric_limits<uint64_t>::max()) return std::numeric_limits<uint64_t>::max();
  }
  return static_cast<uint64_t>(c);
}

std::string SimplexGridSizeDecimal(int num_tasks, int points_per_edge) {
  // The same incremental product on a little-endian base-1e9 number: c * (n + i) is divisible
  // by i at every step, so each division is exact.
  constexpr uint64_t kBase = 1000000000;
  const uint64_t n = static_cast<uint64_t>(points_per_edge - 1);
  const uint64_t k = static_cast<uint64_t>(num_tasks - 1);
  std::vector<uint64_t> c = {1};
  for (uint64_t i = 1; i <= k; ++i) {
    uint64_t carry = 0;
    for (uint64_t& limb : c) {
      const uint64_t x = limb * (n + i) + carry;  // < 2^64 while n + i < 1.8e10
      limb = x % kBase;
      carry = x / kBase;
    }
    for (; carry > 0; carry /= kBase) c.push_back(carry % kBase);
    uint64_t rest = 0;
    for (size_t j = c.size(); j-- > 0;) {
      const uint64_t x = rest * kBase + c[j];
      c[j] = x / i;
      rest = x % i;
    }
    while (c.size() > 1 && c.back() == 0) c.pop_back();
  }
  std::string out = std::to_string(c.back());
  for (size_t j = c.size() - 1; j-- > 0;) {
    const std::string limb = std::to_string(c[j]);
    out += std::string(9 - limb.size(), '0') + limb;
  }
  return out;
}

std::vector<Ray> OneHotRays(int num_tasks) {
  std::vector<Ray> rays;
  for (int i = 0; i < num_tasks; ++i) {
    Ray r(num_tasks, 0.0);
    r[i] = 1.0;
    rays.push_back(std::move(r));
  }
  return rays;
}

Ray EqualRay(int num_tasks) { return Ray(num_tasks, 1.0 / num_tasks); }

std::vector<Ray> DirichletRays(int num_tasks, int count, double alpha, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::gamma_distribution<double> gamma(alpha, 1.0);
  std::vector<Ray> rays;
  for (int k = 0; k < count; ++k) {
    Ray r(num_tasks);
    double sum = 0;
    for (auto& x : r) sum += (x = gamma(gen));
    if (sum <= 0) {  // every draw underflowed (tiny alpha): fall back to a uniform vertex choice
      std::fill(r.begin(), r.end(), 0.0);
      r[gen() % num_tasks] = 1.0;
      sum = 1.0;
    }
    for (auto& x : r) x /= sum;
    rays.push_back(std::move(r));
  }
  return rays;
}

std::vector<LabelledRay> MakeEvalRays(int num_tasks, const RaySetSpec& spec) {
  std::vector<LabelledRay> out;
  std::map<Ray, size_t> index;
  auto add = [&](const std::vector<Ray>& rays, const char* source) {
    for (const auto& r : rays) {
      auto it = index.find(r);
      if (it != index.end()) {
        out[it->second].sources.push_back(source);
        continue;
      }
      index.emplace(r, out.size());
      out.push_back({r, {source}});
    }
  };
  if (spec.grid) add(SimplexGrid(num_tasks, spec.grid_points), "grid");
  if (spec.one_hot) add(OneHotRays(num_tasks), "one-hot");
  if (spec.equal) add({EqualRay(num_tasks)}, "equal");
  if (spec.dirichlet_samples > 0) {
    add(DirichletRays(num_tasks, spec.dirichlet_samples, spec.dirichlet_alpha, spec.seed), "dirichlet");
  }
  return out;
}

}  // namespace pwemoe
