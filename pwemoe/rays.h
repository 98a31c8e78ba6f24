// Preference rays: points r on the probability simplex (length T, r_i >= 0, sum r_i = 1) at which
// a Pareto set is evaluated.
//
// Every function is pure, deterministic for its arguments (Dirichlet draws depend only on the
// seed), and thread-safe. Rays are plain doubles so the planner can use them without LibTorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pwemoe {

using Ray = std::vector<double>;

// All rays whose coordinates are multiples of 1/(m-1): C(m+T-2, T-1) rays, in lexicographic order
// of their integer numerators, descending in the first coordinate ((1,0,..), ..., (0,..,1)).
// Requires T >= 1, m >= 2.
std::vector<Ray> SimplexGrid(int num_tasks, int points_per_edge);

// Number of rays SimplexGrid would return, without making them; saturates at UINT64_MAX.
uint64_t SimplexGridSize(int num_tasks, int points_per_edge);

// The same count exactly, in decimal, however large (e.g. "42504" for 20 tasks and 6 points
// per edge; 82 digits for 20 tasks and 100000). Requires T >= 1, m >= 2.
std::string SimplexGridSizeDecimal(int num_tasks, int points_per_edge);

// The T one-hot rays e_1, ..., e_T.
std::vector<Ray> OneHotRays(int num_tasks);

// (1/T, ..., 1/T).
Ray EqualRay(int num_tasks);

// k draws from Dirichlet(alpha, ..., alpha), reproducible for a seed on a given standard library.
std::vector<Ray> DirichletRays(int num_tasks, int count, double alpha, uint64_t seed);

// Which ray sets make up an evaluation set.
struct RaySetSpec {
  bool grid = true;
  int grid_points = 11;
  bool one_hot = true;
  bool equal = true;
  int dirichlet_samples = 0;  // 0: none
  double dirichlet_alpha = 1.0;
  uint64_t seed = 0;
};

// A ray with the names of the sets that produced it ("grid", "one-hot", "equal", "dirichlet").
struct LabelledRay {
  Ray ray;
  std::vector<std::string> sources;
};

// The union of the sets in `spec`, in the order grid, one-hot, equal, Dirichlet, each ray once
// (a ray produced by several sets keeps its first position and lists every source).
std::vector<LabelledRay> MakeEvalRays(int num_tasks, const RaySetSpec& spec);

}  // namespace pwemoe
