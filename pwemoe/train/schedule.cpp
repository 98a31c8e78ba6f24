#include "pwemoe/train/schedule.h"

#include <cmath>
#include <random>

#include "pwemoe/util/splitmix64.h"

namespace pwemoe::train {
namespace {

// The stream tag of the ray draws; task streams use the task index (always < this).
constexpr uint64_t kRayStream = ~uint64_t{0};

}  // namespace

uint64_t MixSeed(uint64_t seed, uint64_t a, uint64_t b) {
  return SplitMix64Mix(SplitMix64Mix(SplitMix64Mix(seed) ^ a) ^ b);
}

Ray StepRay(int64_t num_tasks, double alpha, uint64_t seed, int64_t step,
            const std::vector<double>& fixed_ray) {
  if (!fixed_ray.empty()) return fixed_ray;
  const uint64_t gen_seed = MixSeed(seed, static_cast<uint64_t>(step), kRayStream);
  return DirichletRays(static_cast<int>(num_tasks), 1, alpha, gen_seed).front();
}

std::vector<int64_t> BatchIndices(uint64_t seed, int64_t step, int64_t task,
                                  int64_t dataset_size, int64_t batch_size) {
  std::mt19937_64 gen(MixSeed(seed, static_cast<uint64_t>(step), static_cast<uint64_t>(task)));
  std::uniform_int_distribution<int64_t> pick(0, dataset_size - 1);
  std::vector<int64_t> indices(static_cast<size_t>(batch_size));
  for (auto& i : indices) i = pick(gen);
  return indices;
}

double CosineLr(double lr, int64_t step, int64_t steps) {
  if (steps <= 1) return lr;
  const double kPi = std::acos(-1.0);
  const double progress = static_cast<double>(step) / static_cast<double>(steps);
  return 0.1 * lr + 0.9 * lr * (1.0 + std::cos(kPi * progress)) / 2.0;
}

}  // namespace pwemoe::train
