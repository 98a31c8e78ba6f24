#include "pwemoe/train/epo.h"

#include <glpk.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "pwemoe/train/epo_mu.h"

namespace pwemoe {

namespace {

constexpr double kRaySumTolerance = 1e-6;

// Validates a length-T vector of non-negative finite entries; `what` names it in messages.
Status CheckNonNegative(const std::vector<double>& v, const char* what) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return Status::Numerical(std::string("EPO: ") + what + " of task " + std::to_string(i) +
                               " is " + std::to_string(v[i]));
    }
    if (v[i] < 0) {
      return Status::InvalidArgument(std::string("EPO: ") + what + " of task " +
                                     std::to_string(i) + " is negative (" +
                                     std::to_string(v[i]) + ")");
    }
  }
  return Status::Ok();
}

Status CheckRayAndLosses(const std::vector<double>& ray, const std::vector<double>& losses) {
  if (ray.empty()) return Status::InvalidArgument("EPO: the ray is empty (T = 0)");
  if (losses.size() != ray.size()) {
    return Status::InvalidArgument("EPO: " + std::to_string(losses.size()) +
                                   " losses for a ray of " + std::to_string(ray.size()) + " tasks");
  }
  PWEMOE_RETURN_IF_ERROR(CheckNonNegative(ray, "ray entry"));
  PWEMOE_RETURN_IF_ERROR(CheckNonNegative(losses, "loss"));
  double sum = 0;
  for (double x : ray) sum += x;
  if (std::fabs(sum - 1.0) > kRaySumTolerance) {
    return Status::InvalidArgument("EPO: the ray sums to " + std::to_string(sum) +
                                   ", not 1 (it must lie on the simplex)");
  }
  return Status::Ok();
}

Status CheckGram(const std::vector<double>& gram, size_t t) {
  if (gram.size() != t * t) {
    return Status::InvalidArgument("EPO: the Gram matrix has " + std::to_string(gram.size()) +
                                   " entries, expected " + std::to_string(t) + " x " +
                                   std::to_string(t));
  }
  for (size_t k = 0; k < gram.size(); ++k) {
    if (!std::isfinite(gram[k])) {
      return Status::Numerical("EPO: Gram matrix entry (" + std::to_string(k / t) + ", " +
                               std::to_string(k % t) + ") is " + std::to_string(gram[k]));
    }
  }
  return Status::Ok();
}

// y = M x for a t x t row-major M.
std::vector<double> MatVec(const std::vector<double>& m, const std::vector<double>& x) {
  size_t t = x.size();
  std::vector<double> y(t, 0.0);
  for (size_t i = 0; i < t; ++i) {
    for (size_t j = 0; j < t; ++j) y[i] += m[i * t + j] * x[j];
  }
  return y;
}

std::vector<double> Row(const std::vector<double>& m, size_t i, size_t t) {
  return std::vector<double>(m.begin() + i * t, m.begin() + (i + 1) * t);
}

double Dot(const std::vector<double>& x, const std::vector<double>& y) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

// C / max|C_ij| (C itself when it is all zeros).
std::vector<double> ScaledGram(const std::vector<double>& gram) {
  double scale = 0;
  for (double c : gram) scale = std::max(scale, std::fabs(c));
  if (scale == 0) return gram;
  std::vector<double> out(gram);
  for (double& c : out) c /= scale;
  return out;
}

// Balance LP (docs/DESIGN.md): maximise alpha . Ca; rows for J* (>= 0) and for j outside J and J*
// (>= (Ca)_j); with J empty, C alpha >= 0.
SimplexLp BalanceLp(const std::vector<double>& c, const std::vector<double>& ca,
                    const std::vector<double>& rl) {
  size_t t = ca.size();
  double max_rl = *std::max_element(rl.begin(), rl.end());
  bool j_empty = std::none_of(ca.begin(), ca.end(), [](double v) { return v > 0; });
  SimplexLp lp;
  lp.objective = ca;
  for (size_t j = 0; j < t; ++j) {
    bool in_j = ca[j] > 0;
    bool in_j_star = rl[j] == max_rl;
    if (j_empty || in_j_star) {
      lp.rows.push_back(Row(c, j, t));
      lp.lower.push_back(0.0);
    } else if (!in_j) {
      lp.rows.push_back(Row(c, j, t));
      lp.lower.push_back(ca[j]);
    }
  }
  return lp;
}

// Descent LP (docs/DESIGN.md): maximise 1^T C alpha subject to C alpha >= 0 and
// alpha . Ca >= min(max(Ca), 0).
SimplexLp DescentLp(const std::vector<double>& c, const std::vector<double>& ca) {
  size_t t = ca.size();
  SimplexLp lp;
  lp.objective.assign(t, 0.0);
  for (size_t i = 0; i < t; ++i) {
    for (size_t k = 0; k < t; ++k) lp.objective[k] += c[i * t + k];
    lp.rows.push_back(Row(c, i, t));
    lp.lower.push_back(0.0);
  }
  lp.rows.push_back(ca);
  lp.lower.push_back(std::min(*std::max_element(ca.begin(), ca.end()), 0.0));
  return lp;
}

Status CheckLp(const SimplexLp& lp) {
  size_t n = lp.objective.size();
  if (n == 0) return Status::InvalidArgument("simplex LP: no variables");
  if (lp.rows.size() != lp.lower.size()) {
    return Status::InvalidArgument("simplex LP: " + std::to_string(lp.rows.size()) + " rows but " +
                                   std::to_string(lp.lower.size()) + " lower bounds");
  }
  auto all_finite = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
  };
  if (!all_finite(lp.objective) || !all_finite(lp.lower)) {
    return Status::InvalidArgument("simplex LP: non-finite objective or bound");
  }
  for (size_t k = 0; k < lp.rows.size(); ++k) {
    if (lp.rows[k].size() != n || !all_finite(lp.rows[k])) {
      return Status::InvalidArgument("simplex LP: row " + std::to_string(k) +
                                     " has the wrong length or a non-finite entry");
    }
  }
  return Status::Ok();
}

struct GlpProbDeleter {
  void operator()(glp_prob* p) const { glp_delete_prob(p); }
};
using GlpProb = std::unique_ptr<glp_prob, GlpProbDeleter>;

// Sets GLPK row `row` (1-based) to coefficients `coef` over all n columns.
void SetGlpRow(glp_prob* p, int row, const std::vector<double>& coef) {
  int n = static_cast<int>(coef.size());
  std::vector<int> idx(n + 1, 0);
  std::vector<double> val(n + 1, 0.0);
  int nz = 0;
  for (int j = 0; j < n; ++j) {
    if (coef[j] == 0.0) continue;
    ++nz;
    idx[nz] = j + 1;
    val[nz] = coef[j];
  }
  glp_set_mat_row(p, row, nz, idx.data(), val.data());
}

GlpProb BuildGlpProb(const SimplexLp& lp) {
  GlpProb p(glp_create_prob());
  int n = static_cast<int>(lp.objective.size());
  glp_set_obj_dir(p.get(), GLP_MAX);
  glp_add_cols(p.get(), n);
  for (int j = 0; j < n; ++j) {
    glp_set_col_bnds(p.get(), j + 1, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(p.get(), j + 1, lp.objective[j]);
  }
  int m = static_cast<int>(lp.rows.size());
  glp_add_rows(p.get(), m + 1);
  glp_set_row_bnds(p.get(), 1, GLP_FX, 1.0, 1.0);
  SetGlpRow(p.get(), 1, std::vector<double>(n, 1.0));
  for (int k = 0; k < m; ++k) {
    glp_set_row_bnds(p.get(), k + 2, GLP_LO, lp.lower[k], 0.0);
    SetGlpRow(p.get(), k + 2, lp.rows[k]);
  }
  return p;
}

std::string GlpReturnName(int ret) {
  switch (ret) {
    case GLP_EBADB: return "invalid basis";
    case GLP_ESING: return "singular basis matrix";
    case GLP_ECOND: return "ill-conditioned basis matrix";
    case GLP_EBOUND: return "invalid bounds";
    case GLP_EFAIL: return "solver failure";
    case GLP_EOBJLL: return "objective lower limit reached";
    case GLP_EOBJUL: return "objective upper limit reached";
    case GLP_EITLIM: return "iteration limit exceeded";
    case GLP_ETMLIM: return "time limit exceeded";
    case GLP_ENOPFS: return "infeasible (no primal feasible solution)";
    case GLP_ENODFS: return "unbounded (no dual feasible solution)";
    default: return "glp_simplex returned " + std::to_string(ret);
  }
}

std::string GlpStatusName(int status) {
  switch (status) {
    case GLP_UNDEF: return "solution undefined";
    case GLP_FEAS: return "feasible but not optimal";
    case GLP_INFEAS: return "infeasible solution";
    case GLP_NOFEAS: return "infeasible (no feasible solution)";
    case GLP_UNBND: return "unbounded";
    default: return "status " + std::to_string(status);
  }
}

// GLPK's per-thread environment for the duration of one solve: created here when the thread has
// none (and then freed again, so threads that exit leak nothing), merely borrowed otherwise. The
// terminal output is off for the duration and restored afterwards. Must outlive every glp_prob
// made during the solve.
class GlpkSession {
 public:
  GlpkSession() {
    int ret = glp_init_env();
    owns_env_ = ret == 0;
    ok_ = ret == 0 || ret == 1;
    if (ok_) previous_term_out_ = glp_term_out(GLP_OFF);
  }
  ~GlpkSession() {
    if (!ok_) return;
    glp_term_out(previous_term_out_);
    if (owns_env_) glp_free_env();
  }
  GlpkSession(const GlpkSession&) = delete;
  GlpkSession& operator=(const GlpkSession&) = delete;

  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
  bool owns_env_ = false;
  int previous_term_out_ = GLP_ON;
};

// Runs glp_simplex with the presolver and without messages; OK only for an optimal solution.
Status RunSimplex(glp_prob* p) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_ON;
  int ret = glp_simplex(p, &parm);
  if (ret != 0) return Status::Numerical("simplex LP: " + GlpReturnName(ret));
  int status = glp_get_status(p);
  if (status != GLP_OPT) return Status::Numerical("simplex LP: " + GlpStatusName(status));
  return Status::Ok();
}

// Reads the column values, clips round-off below zero and renormalises to sum 1.
Status ReadSimplexPoint(glp_prob* p, int n, std::vector<double>* x) {
  std::vector<double> v(n);
  double sum = 0;
  for (int j = 0; j < n; ++j) {
    v[j] = std::max(glp_get_col_prim(p, j + 1), 0.0);
    sum += v[j];
  }
  if (!(sum > 0) || !std::isfinite(sum)) {
    return Status::Numerical("simplex LP: the solver returned a point off the simplex");
  }
  for (double& e : v) e /= sum;
  *x = std::move(v);
  return Status::Ok();
}

// The EPO LP objective at alpha: alpha . (C a) for balance, 1^T C alpha for descent.
double EpoObjective(EpoMode mode, const std::vector<double>& gram, const std::vector<double>& a,
                    const std::vector<double>& alpha) {
  if (mode == EpoMode::kBalance) return Dot(alpha, MatVec(gram, a));
  double sum = 0;
  for (double v : MatVec(gram, alpha)) sum += v;
  return sum;
}

void Fallback(const std::vector<double>& ray, const std::string& reason, EpoResult* out) {
  double sum = 0;
  for (double r : ray) sum += r;
  out->alpha.resize(ray.size());
  for (size_t i = 0; i < ray.size(); ++i) out->alpha[i] = ray[i] / sum;
  out->mode = EpoMode::kFallback;
  out->lp_objective = std::numeric_limits<double>::quiet_NaN();
  out->fallback_reason = reason;
}

}  // namespace

const char* EpoModeName(EpoMode mode) {
  switch (mode) {
    case EpoMode::kBalance: return "balance";
    case EpoMode::kDescent: return "descent";
    case EpoMode::kFallback: return "fallback";
  }
  return "unknown";
}

Status ComputeEpoAdjustments(const std::vector<double>& ray, const std::vector<double>& losses,
                             EpoAdjustments* out) {
  PWEMOE_RETURN_IF_ERROR(CheckRayAndLosses(ray, losses));
  size_t t = ray.size();
  double td = static_cast<double>(t);
  EpoAdjustments adj;
  EpoRelativeLosses rel = ComputeEpoRelativeLosses(ray, losses);
  adj.rl = std::move(rel.rl);
  adj.l_hat = std::move(rel.l_hat);
  adj.mu = rel.mu;
  // The floor keeps a finite: a_i = 0 when r_i = 0, and a large negative value (not -inf) for a
  // task with r_i > 0 and zero loss.
  adj.a.resize(t);
  for (size_t i = 0; i < t; ++i) {
    adj.a[i] = ray[i] * (std::log(td * std::max(adj.l_hat[i], DBL_EPSILON)) - adj.mu);
  }
  *out = std::move(adj);
  return Status::Ok();
}

Status SolveSimplexLp(const SimplexLp& lp, std::vector<double>* x) {
  PWEMOE_RETURN_IF_ERROR(CheckLp(lp));
  GlpkSession session;  // declared before `p`, so it ends after `p` is deleted
  if (!session.ok()) {
    return Status::Internal("simplex LP: the GLPK environment cannot be initialised");
  }
  GlpProb p = BuildGlpProb(lp);
  PWEMOE_RETURN_IF_ERROR(RunSimplex(p.get()));
  return ReadSimplexPoint(p.get(), static_cast<int>(lp.objective.size()), x);
}

Status EpoCombine(const EpoInput& in, EpoResult* out) {
  EpoAdjustments adj;
  PWEMOE_RETURN_IF_ERROR(ComputeEpoAdjustments(in.ray, in.losses, &adj));
  size_t t = in.ray.size();
  PWEMOE_RETURN_IF_ERROR(CheckGram(in.gram, t));
  if (std::isnan(in.eps)) return Status::InvalidArgument("EPO: eps is NaN");

  EpoResult res;
  res.mu = adj.mu;
  res.lp_mode = adj.mu > in.eps ? EpoMode::kBalance : EpoMode::kDescent;
  // The LP is set up on a rescaled C (same feasible set and argmax); the objective is reported in
  // the units of the given C.
  std::vector<double> c = ScaledGram(in.gram);
  std::vector<double> ca = MatVec(c, adj.a);
  SimplexLp lp = res.lp_mode == EpoMode::kBalance ? BalanceLp(c, ca, adj.rl) : DescentLp(c, ca);
  Status solved = SolveSimplexLp(lp, &res.alpha);
  if (solved.ok()) {
    res.mode = res.lp_mode;
    res.lp_objective = EpoObjective(res.mode, in.gram, adj.a, res.alpha);
  } else if (solved.code() == Status::Code::kNumerical) {
    Fallback(in.ray, solved.message(), &res);
  } else {
    return solved.WithContext("EPO");
  }
  res.loss_weights.resize(t);
  for (size_t i = 0; i < t; ++i) res.loss_weights[i] = static_cast<double>(t) * res.alpha[i];
  *out = std::move(res);
  return Status::Ok();
}

std::vector<double> GramOfGradients(const std::vector<float>& buffer, int64_t num_tasks,
                                    int64_t row_length) {
  const int64_t t = num_tasks, row = row_length;
  std::vector<double> c(static_cast<size_t>(t * t), 0.0);
  for (int64_t i = 0; i < t; ++i) {
    for (int64_t j = 0; j <= i; ++j) {
      double sum = 0;
      for (int64_t k = 1; k < row; ++k) {
        sum += static_cast<double>(buffer[i * row + k]) * buffer[j * row + k];
      }
      c[i * t + j] = c[j * t + i] = sum;
    }
  }
  return c;
}

std::vector<double> LsWeights(const std::vector<double>& ray) { return ray; }

}  // namespace pwemoe
