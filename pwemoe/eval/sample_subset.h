// Which test samples an evaluation with a sample cap reads: a class-stratified subset, the same
// for every ray, run, baseline and tool that evaluates the same file with the same cap.
//
// Why not the first N: pwemoe-prepare-data writes images class by class, so the first N samples
// of SUN397's test set hold its first few classes only.
//
// Thread safety: pure functions; no LibTorch.
#pragma once

#include <cstdint>
#include <vector>

namespace pwemoe::eval {

// The seed every caller uses (pwemoe-orchestrate's units and pwemoe-eval alike), so a capped
// accuracy is comparable across experiments and tools.
inline constexpr uint64_t kSampleSubsetSeed = 0x5057454d6f45ULL;  // "PWEMoE"

// The sorted indices of min(cap, N) of the N samples with `labels`, N = labels.size():
// every index when cap == 0 or cap >= N. Otherwise each class c (n_c samples) gets
// floor(cap n_c / N) places, and the places left over go one each to the classes with the largest
// remainders (cap n_c mod N; ties to the smaller label), so the subset's class proportions are
// the file's to within one sample per class; a class's samples are chosen by a Fisher-Yates
// shuffle of its indices from a SplitMix64 generator seeded by (seed, label), so the choice
// inside one class does not depend on the others. Preconditions: cap >= 0, labels >= 0.
std::vector<int64_t> StratifiedSubset(const std::vector<int64_t>& labels, int64_t cap,
                                      uint64_t seed);

}  // namespace pwemoe::eval
