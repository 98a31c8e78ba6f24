#include "pwemoe/eval/sample_subset.h"

#include <algorithm>
#include <map>
#include <numeric>

#include "pwemoe/util/splitmix64.h"

namespace pwemoe::eval {
namespace {

// Uniform in [0, n) from the SplitMix64 stream of `*state`, by rejection (no modulo bias). n >= 1.
uint64_t Below(uint64_t n, uint64_t* state) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x = SplitMix64Next(state);
  while (x >= limit) x = SplitMix64Next(state);
  return x % n;
}

// The first `k` of a seeded shuffle of `indices` (a partial Fisher-Yates shuffle).
void TakeShuffled(std::vector<int64_t> indices, int64_t k, uint64_t seed, int64_t label,
                  std::vector<int64_t>* out) {
  uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * static_cast<uint64_t>(label + 1));
  const size_t n = indices.size();
  for (size_t i = 0; i < static_cast<size_t>(k); ++i) {
    const size_t j = i + static_cast<size_t>(Below(n - i, &state));
    std::swap(indices[i], indices[j]);
    out->push_back(indices[i]);
  }
}

}  // namespace

std::vector<int64_t> StratifiedSubset(const std::vector<int64_t>& labels, int64_t cap,
                                      uint64_t seed) {
  const int64_t n = static_cast<int64_t>(labels.size());
  std::vector<int64_t> all(labels.size());
  std::iota(all.begin(), all.end(), int64_t{0});
  if (cap <= 0 || cap >= n) return all;
  std::map<int64_t, std::vector<int64_t>> by_class;  // ascending label order
  for (int64_t i = 0; i < n; ++i) by_class[labels[static_cast<size_t>(i)]].push_back(i);
  struct Quota {
    int64_t label, places, remainder;
  };
  std::vector<Quota> quotas;
  int64_t given = 0;
  for (const auto& [label, members] : by_class) {
    const __int128 share = static_cast<__int128>(cap) * static_cast<int64_t>(members.size());
    quotas.push_back({label, static_cast<int64_t>(share / n), static_cast<int64_t>(share % n)});
    given += quotas.back().places;
  }
  std::vector<size_t> order(quotas.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return quotas[a].remainder > quotas[b].remainder;
  });
  for (size_t k = 0; given < cap; ++k, ++given) ++quotas[order[k]].places;
  std::vector<int64_t> picked;
  picked.reserve(static_cast<size_t>(cap));
  for (const Quota& q : quotas) TakeShuffled(by_class[q.label], q.places, seed, q.label, &picked);
  std::sort(picked.begin(), picked.end());
  return picked;
}

}  // namespace pwemoe::eval
