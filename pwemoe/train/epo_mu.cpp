#include "pwemoe/train/epo_mu.h"

#include <cmath>

namespace pwemoe {

EpoRelativeLosses ComputeEpoRelativeLosses(const std::vector<double>& ray,
                                           const std::vector<double>& losses) {
  const size_t t = ray.size();
  const double td = static_cast<double>(t);
  EpoRelativeLosses out;
  out.rl.resize(t);
  double sum_rl = 0;
  for (size_t i = 0; i < t; ++i) {
    out.rl[i] = ray[i] * losses[i];
    sum_rl += out.rl[i];
  }
  // sum(rl) <= 0: l_hat uniform (no task is behind any other), hence mu = 0 exactly (summing
  // (1/T) log(T (1/T)) could leave a rounding residue of 1e-16 for some T).
  out.l_hat.assign(t, 1.0 / td);
  if (!(sum_rl > 0)) return out;
  for (size_t i = 0; i < t; ++i) out.l_hat[i] = out.rl[i] / sum_rl;
  // Terms with l_hat_i = 0 contribute 0 (the limit of x log x).
  for (double l : out.l_hat) {
    if (l > 0) out.mu += l * std::log(td * l);
  }
  return out;
}

}  // namespace pwemoe
