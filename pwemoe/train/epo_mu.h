// EPO's relative losses and their non-uniformity mu, without LibTorch or GLPK: the one
// implementation behind the EPO step (epo.h, ComputeEpoAdjustments) and the report's ray
// alignment (results/report/report_util.h, RayAlignmentMu).
//
//   rl = r * loss, l_hat = rl / sum(rl), mu = sum_i l_hat_i log(T l_hat_i) (>= 0: the KL
//   divergence of l_hat from uniform); terms with l_hat_i = 0 count 0 (the limit of x log x);
//   sum(rl) <= 0 (no weighted loss above zero) gives a uniform l_hat and mu = 0.
//
// Thread safety: a pure function.
#pragma once

#include <vector>

namespace pwemoe {

struct EpoRelativeLosses {
  std::vector<double> rl;     // r * loss
  std::vector<double> l_hat;  // rl / sum(rl), or uniform when sum(rl) <= 0
  double mu = 0;              // sum_i l_hat_i log(T l_hat_i)
};

// The quantities above for a ray and losses of one length T >= 1. Nothing is checked: callers
// validate (ComputeEpoAdjustments) or map bad input to NaN (RayAlignmentMu) first.
EpoRelativeLosses ComputeEpoRelativeLosses(const std::vector<double>& ray,
                                           const std::vector<double>& losses);

}  // namespace pwemoe
