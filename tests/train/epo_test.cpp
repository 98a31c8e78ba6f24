#include "pwemoe/train/epo.h"

#include <glpk.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "pwemoe/train/epo_mu.h"

namespace pwemoe {
namespace {

using Vec = std::vector<double>;

const double kLn2 = std::log(2.0);
const double kLn3 = std::log(3.0);

// ---- helpers written from docs/DESIGN.md's text, independent of epo.cpp ---------------------------------

// C = G G^T for a T x P row-major G.
Vec Gram(const Vec& g, int t) {
  int p = static_cast<int>(g.size()) / t;
  Vec c(t * t, 0.0);
  for (int i = 0; i < t; ++i) {
    for (int j = 0; j < t; ++j) {
      for (int k = 0; k < p; ++k) c[i * t + j] += g[i * p + k] * g[j * p + k];
    }
  }
  return c;
}

Vec MatVec(const Vec& m, const Vec& x) {
  size_t t = x.size();
  Vec y(t, 0.0);
  for (size_t i = 0; i < t; ++i) {
    for (size_t j = 0; j < t; ++j) y[i] += m[i * t + j] * x[j];
  }
  return y;
}

double Dot(const Vec& x, const Vec& y) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

Vec Row(const Vec& m, size_t i, size_t t) {
  return Vec(m.begin() + i * t, m.begin() + (i + 1) * t);
}

// d = G^T alpha: the update direction the weighted loss descends along.
Vec Direction(const Vec& g, const Vec& alpha) {
  size_t t = alpha.size();
  size_t p = g.size() / t;
  Vec d(p, 0.0);
  for (size_t i = 0; i < t; ++i) {
    for (size_t k = 0; k < p; ++k) d[k] += alpha[i] * g[i * p + k];
  }
  return d;
}

// rl, mu and a straight from docs/DESIGN.md, with the documented l_hat = 0 conventions.
struct RefAdjustments {
  Vec rl;
  double mu = 0;
  Vec a;
};

RefAdjustments ReferenceAdjustments(const Vec& r, const Vec& loss) {
  size_t t = r.size();
  RefAdjustments out;
  double total = 0;
  for (size_t i = 0; i < t; ++i) {
    out.rl.push_back(r[i] * loss[i]);
    total += out.rl.back();
  }
  Vec l_hat(t);
  for (size_t i = 0; i < t; ++i) l_hat[i] = total > 0 ? out.rl[i] / total : 1.0 / t;
  for (double l : l_hat) out.mu += l > 0 ? l * std::log(t * l) : 0.0;
  for (size_t i = 0; i < t; ++i) {
    out.a.push_back(r[i] * (std::log(t * std::max(l_hat[i], DBL_EPSILON)) - out.mu));
  }
  return out;
}

// An LP over the simplex: maximise objective . x subject to rows[k] . x >= lower[k].
struct TestLp {
  Vec objective;
  std::vector<Vec> rows;
  Vec lower;
};

// The EPO LP exactly as docs/DESIGN.md states it, for the mode the step takes.
TestLp DesignLp(bool balance, const Vec& c, const RefAdjustments& adj) {
  size_t t = adj.a.size();
  Vec ca = MatVec(c, adj.a);
  TestLp lp;
  if (balance) {
    lp.objective = ca;
    double max_rl = *std::max_element(adj.rl.begin(), adj.rl.end());
    bool j_empty = std::all_of(ca.begin(), ca.end(), [](double v) { return v <= 0; });
    for (size_t j = 0; j < t; ++j) {
      if (j_empty || adj.rl[j] == max_rl) {
        lp.rows.push_back(Row(c, j, t));
        lp.lower.push_back(0.0);
      } else if (ca[j] <= 0) {
        lp.rows.push_back(Row(c, j, t));
        lp.lower.push_back(ca[j]);
      }
    }
    return lp;
  }
  lp.objective.assign(t, 0.0);
  for (size_t j = 0; j < t; ++j) {
    for (size_t k = 0; k < t; ++k) lp.objective[k] += c[j * t + k];
    lp.rows.push_back(Row(c, j, t));
    lp.lower.push_back(0.0);
  }
  lp.rows.push_back(ca);
  lp.lower.push_back(std::min(*std::max_element(ca.begin(), ca.end()), 0.0));
  return lp;
}

double MaxAbs(const Vec& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

bool Feasible(const TestLp& lp, const Vec& x, double tol) {
  for (double v : x) {
    if (v < -tol) return false;
  }
  for (size_t k = 0; k < lp.rows.size(); ++k) {
    double scale = 1 + MaxAbs(lp.rows[k]) + std::fabs(lp.lower[k]);
    if (Dot(lp.rows[k], x) < lp.lower[k] - tol * scale) return false;
  }
  return true;
}

// Solves the n x n system m x = b by Gaussian elimination with partial pivoting; nullopt when
// singular.
std::optional<Vec> SolveLinear(std::vector<Vec> m, Vec b) {
  size_t n = b.size();
  for (size_t col = 0; col < n; ++col) {
    size_t piv = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::fabs(m[r][col]) > std::fabs(m[piv][col])) piv = r;
    }
    if (std::fabs(m[piv][col]) < 1e-12) return std::nullopt;
    std::swap(m[piv], m[col]);
    std::swap(b[piv], b[col]);
    for (size_t r = col + 1; r < n; ++r) {
      double f = m[r][col] / m[col][col];
      for (size_t k = col; k < n; ++k) m[r][k] -= f * m[col][k];
      b[r] -= f * b[col];
    }
  }
  Vec x(n);
  for (size_t i = n; i-- > 0;) {
    double s = b[i];
    for (size_t k = i + 1; k < n; ++k) s -= m[i][k] * x[k];
    x[i] = s / m[i][i];
  }
  return x;
}

// Brute force for T = 2 or 3: every vertex of the feasible polytope lies where sum x = 1 and T-1
// of the inequalities (x_k >= 0 or a row) hold with equality; the LP optimum is the best feasible
// vertex. nullopt when no vertex is feasible (the LP is infeasible).
std::optional<double> BruteForceOptimum(const TestLp& lp, size_t t) {
  std::vector<Vec> ineq;
  Vec bound;
  for (size_t k = 0; k < t; ++k) {
    Vec e(t, 0.0);
    e[k] = 1.0;
    ineq.push_back(e);
    bound.push_back(0.0);
  }
  for (size_t k = 0; k < lp.rows.size(); ++k) {
    ineq.push_back(lp.rows[k]);
    bound.push_back(lp.lower[k]);
  }
  std::optional<double> best;
  auto consider = [&](const std::vector<size_t>& active) {
    std::vector<Vec> m{Vec(t, 1.0)};
    Vec b{1.0};
    for (size_t k : active) {
      m.push_back(ineq[k]);
      b.push_back(bound[k]);
    }
    auto x = SolveLinear(m, b);
    if (!x || !Feasible(lp, *x, 1e-9)) return;
    double obj = Dot(lp.objective, *x);
    if (!best || obj > *best) best = obj;
  };
  size_t n = ineq.size();
  for (size_t i = 0; i < n; ++i) {
    if (t == 2) {
      consider({i});
      continue;
    }
    for (size_t j = i + 1; j < n; ++j) consider({i, j});
  }
  return best;
}

void ExpectOnSimplex(const Vec& alpha) {
  double sum = 0;
  for (double x : alpha) {
    EXPECT_GE(x, 0.0);
    sum += x;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

EpoResult Step(const Vec& gram, const Vec& ray, const Vec& losses, double eps = 1e-4) {
  EpoInput in;
  in.gram = gram;
  in.ray = ray;
  in.losses = losses;
  in.eps = eps;
  EpoResult res;
  Status st = EpoCombine(in, &res);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return res;
}

// A random instance: G (T x P) Gaussian, losses in [0.05, 3], ray uniform on the simplex with,
// one time in four, one entry set to zero.
struct Instance {
  int t = 0;
  Vec g, ray, losses;
  double eps = 1e-4;
};

Instance RandomInstance(std::mt19937_64& rng, int t, int p) {
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform(0.05, 3.0);
  std::exponential_distribution<double> expo(1.0);
  Instance x;
  x.t = t;
  x.g.resize(t * p);
  for (double& v : x.g) v = normal(rng);
  x.losses.resize(t);
  for (double& l : x.losses) l = uniform(rng);
  x.ray.resize(t);
  double sum = 0;
  for (double& r : x.ray) sum += (r = expo(rng));
  if (t > 1 && rng() % 4 == 0) {
    size_t k = rng() % t;
    sum -= x.ray[k];
    x.ray[k] = 0;
  }
  for (double& r : x.ray) r /= sum;
  // Half the instances with a large eps, so descent also runs with a far-from-zero a.
  x.eps = rng() % 2 ? 1e-4 : 10.0;
  return x;
}

// ---- hand-worked cases ---------------------------------------------------------------------

// T = 2: G = [[1, 0], [-1, 1]], so C = [[1, -1], [-1, 2]]; r = (1/2, 1/2), losses (3, 1).
Vec T2Gram() { return Gram({1, 0, -1, 1}, 2); }

// The shared relative losses (epo_mu.h): what ComputeEpoAdjustments reports, and mu = 0 exactly
// when no weighted loss is above zero, for every T (a uniform l_hat summed as (1/T) log(T / T)
// leaves a rounding residue for some T, e.g. 49).
TEST(Epo, RelativeLossesAreTheAdjustmentsAndZeroLossesGiveMuZero) {
  std::mt19937_64 rng(5);
  for (int t = 1; t <= 64; ++t) {
    std::vector<double> ray(t, 1.0 / t), zero(t, 0.0), losses(t);
    EXPECT_EQ(ComputeEpoRelativeLosses(ray, zero).mu, 0.0) << "T = " << t;
    for (double& l : losses) l = std::uniform_real_distribution<double>(0.1, 3.0)(rng);
    EpoAdjustments adj;
    ASSERT_TRUE(ComputeEpoAdjustments(ray, losses, &adj).ok());
    const EpoRelativeLosses rel = ComputeEpoRelativeLosses(ray, losses);
    EXPECT_EQ(rel.mu, adj.mu);
    EXPECT_EQ(rel.l_hat, adj.l_hat);
    EXPECT_GE(rel.mu, -1e-15);
  }
}

TEST(Epo, BalanceModeT2HandWorked) {
  // rl = (3/2, 1/2), l_hat = (3/4, 1/4), mu = (3/4) ln(3/2) + (1/4) ln(1/2) = (3/4) ln3 - ln2
  // ~ 0.1308 > 1e-4: balance. a = (1/2)(ln(3/2) - mu, ln(1/2) - mu) = (ln3/8, -3 ln3/8), so
  // Ca = (a1 - a2, -a1 + 2 a2) = (ln3/2, -7 ln3/8). J = {1} and J* = {1} (rl_1 is the largest).
  // With alpha = (p, 1-p): row 1 (J*): (C alpha)_1 = 2p - 1 >= 0, i.e. p >= 1/2; row 2 (not in J):
  // (C alpha)_2 = 2 - 3p >= -7 ln3/8, i.e. p <= (2 + 7 ln3/8)/3 ~ 0.9871. The objective
  // p ln3/2 - (1-p) 7 ln3/8 rises with p, so p = (2 + 7 ln3/8)/3: the lagging task 1 gets as much
  // weight as task 2's relative-loss constraint allows.
  EpoResult res = Step(T2Gram(), {0.5, 0.5}, {3, 1});
  EXPECT_EQ(res.mode, EpoMode::kBalance);
  EXPECT_NEAR(res.mu, 0.75 * kLn3 - kLn2, 1e-15);
  double p = (2 + 7 * kLn3 / 8) / 3;
  ASSERT_EQ(res.alpha.size(), 2u);
  EXPECT_NEAR(res.alpha[0], p, 1e-12);
  EXPECT_NEAR(res.alpha[1], 1 - p, 1e-12);
  EXPECT_NEAR(res.lp_objective, p * kLn3 / 2 - (1 - p) * 7 * kLn3 / 8, 1e-12);
  EXPECT_NEAR(res.loss_weights[0], 2 * p, 1e-12);
  EXPECT_NEAR(res.loss_weights[1], 2 * (1 - p), 1e-12);
  EXPECT_TRUE(res.fallback_reason.empty());
}

TEST(Epo, DescentModeT2HandWorked) {
  // Equal losses and ray: l_hat = (1/2, 1/2), mu = 0, a = 0, Ca = 0, so the last constraint is
  // 0 >= 0. Objective 1^T C alpha = column sums (0, 1) . alpha = 1 - p; C alpha >= 0 gives
  // 2p - 1 >= 0 and 2 - 3p >= 0, so p in [1/2, 2/3] and the optimum is p = 1/2 with value 1/2.
  // Then d = G^T alpha = (0, 1/2): g1 . d = 0, g2 . d = 1/2, no loss increases.
  EpoResult res = Step(T2Gram(), {0.5, 0.5}, {1, 1});
  EXPECT_EQ(res.mode, EpoMode::kDescent);
  EXPECT_EQ(res.mu, 0.0);
  EXPECT_NEAR(res.alpha[0], 0.5, 1e-12);
  EXPECT_NEAR(res.alpha[1], 0.5, 1e-12);
  EXPECT_NEAR(res.lp_objective, 0.5, 1e-12);
}

TEST(Epo, DescentModeT2DirectionConstraintBinds) {
  // Losses (3, 1) as in the balance case but eps = 1 > mu: descent with Ca = (ln3/2, -7 ln3/8).
  // max Ca > 0, so alpha . Ca >= 0: p ln3/2 >= (1-p) 7 ln3/8, i.e. p >= 7/11. With C alpha >= 0
  // (p in [1/2, 2/3]) and objective 1 - p, the optimum is p = 7/11, value 4/11.
  EpoResult res = Step(T2Gram(), {0.5, 0.5}, {3, 1}, /*eps=*/1.0);
  EXPECT_EQ(res.mode, EpoMode::kDescent);
  EXPECT_NEAR(res.alpha[0], 7.0 / 11, 1e-12);
  EXPECT_NEAR(res.alpha[1], 4.0 / 11, 1e-12);
  EXPECT_NEAR(res.lp_objective, 4.0 / 11, 1e-12);
}

// T = 3: G = [[1,0,0], [0,1,0], [-1,0,1]], so C = [[1,0,-1], [0,1,0], [-1,0,2]].
Vec T3Gram() { return Gram({1, 0, 0, 0, 1, 0, -1, 0, 1}, 3); }

TEST(Epo, BalanceModeT3HandWorked) {
  // r = (1/3, 1/3, 1/3), losses (3, 2, 1): l_hat = (1/2, 1/3, 1/6),
  // mu = (1/2) ln(3/2) + (1/6) ln(1/2) = ln3/2 - (2/3) ln2 ~ 0.0872: balance.
  // a = (1/3)(ln3/2 - ln2/3, -ln3/2 + 2 ln2/3, -ln3/2 - ln2/3), so
  // Ca = (a1 - a3, a2, -a1 + 2 a3) = (ln3/3, a2 ~ -0.0291, -ln3/2 - ln2/9 ~ -0.6263).
  // J = {1} = J*. Rows: alpha1 - alpha3 >= 0 (J*), alpha2 >= Ca2 (always true, Ca2 < 0) and
  // -alpha1 + 2 alpha3 >= Ca3. Ca1 is the largest coefficient, so mass moves to alpha1 until
  // row 3 binds: with alpha2 = 0, alpha1 = (2 - Ca3)/3, alpha3 = (1 + Ca3)/3. That vertex is
  // optimal: along row 3 with t = alpha2 (alpha1 = (2 - Ca3 - 2t)/3, alpha3 = (1 + Ca3 - t)/3) the
  // objective changes at rate -2 Ca1/3 + Ca2 - Ca3/3 ~ -0.0644 < 0.
  EpoResult res = Step(T3Gram(), {1.0 / 3, 1.0 / 3, 1.0 / 3}, {3, 2, 1});
  EXPECT_EQ(res.mode, EpoMode::kBalance);
  EXPECT_NEAR(res.mu, kLn3 / 2 - 2 * kLn2 / 3, 1e-15);
  double ca1 = kLn3 / 3;
  double ca2 = (-kLn3 / 2 + 2 * kLn2 / 3) / 3;
  double ca3 = -kLn3 / 2 - kLn2 / 9;
  EXPECT_LT(-2 * ca1 / 3 + ca2 - ca3 / 3, 0.0);
  ASSERT_EQ(res.alpha.size(), 3u);
  EXPECT_NEAR(res.alpha[0], (2 - ca3) / 3, 1e-12);
  EXPECT_NEAR(res.alpha[1], 0.0, 1e-12);
  EXPECT_NEAR(res.alpha[2], (1 + ca3) / 3, 1e-12);
  EXPECT_NEAR(res.lp_objective, ca1 * (2 - ca3) / 3 + ca3 * (1 + ca3) / 3, 1e-12);
}

TEST(Epo, DescentModeT3HandWorked) {
  // Equal losses and ray: a = 0 (up to rounding). Objective = column sums (0, 1, 1) . alpha =
  // 1 - alpha1; rows alpha1 - alpha3 >= 0, alpha2 >= 0, -alpha1 + 2 alpha3 >= 0. alpha1 = 0
  // forces alpha3 = 0, so the unique optimum is alpha = e2 (value 1): the update follows g2,
  // which is orthogonal to g1 and g3.
  EpoResult res = Step(T3Gram(), {1.0 / 3, 1.0 / 3, 1.0 / 3}, {2, 2, 2});
  EXPECT_EQ(res.mode, EpoMode::kDescent);
  EXPECT_NEAR(res.mu, 0.0, 1e-15);
  EXPECT_NEAR(res.alpha[0], 0.0, 1e-9);
  EXPECT_NEAR(res.alpha[1], 1.0, 1e-9);
  EXPECT_NEAR(res.alpha[2], 0.0, 1e-9);
  EXPECT_NEAR(res.lp_objective, 1.0, 1e-9);
}

TEST(Epo, FallbackOnInfeasibleLp) {
  // G = [[2, 1], [0, -2], [-2, -2]], r uniform, losses (1, 2, 4), eps = 1 > mu (~0.143): descent.
  // g3 = g2/2 - g1, so alpha . Ca = a . (C alpha) = (a1 - a3)(g1.d) + (a2 + a3/2)(g2.d) with
  // d = G^T alpha. a1 < a3 (l_hat_1 < l_hat_3) and a2 + a3/2 = (1/3)(ln(6/7) + ln(12/7)/2 -
  // 3mu/2) < 0, so under C alpha >= 0 every term is <= 0, and both vanish only for d = 0, which
  // is not in the hull of g1, g2, g3. Yet max Ca > 0 demands alpha . Ca >= 0: infeasible.
  Vec g{2, 1, 0, -2, -2, -2};
  Vec ray{1.0 / 3, 1.0 / 3, 1.0 / 3};
  Vec losses{1, 2, 4};
  RefAdjustments adj = ReferenceAdjustments(ray, losses);
  ASSERT_LT(adj.a[0], adj.a[2]);
  ASSERT_LT(adj.a[1] + adj.a[2] / 2, 0.0);
  ASSERT_FALSE(BruteForceOptimum(DesignLp(false, Gram(g, 3), adj), 3).has_value());

  EpoResult res = Step(Gram(g, 3), ray, losses, /*eps=*/1.0);
  EXPECT_EQ(res.mode, EpoMode::kFallback);
  EXPECT_EQ(res.lp_mode, EpoMode::kDescent);
  EXPECT_NE(res.fallback_reason.find("infeasible"), std::string::npos) << res.fallback_reason;
  EXPECT_TRUE(std::isnan(res.lp_objective));
  EXPECT_NEAR(res.mu, adj.mu, 1e-15);
  for (int i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(res.alpha[i], 1.0 / 3);
    EXPECT_DOUBLE_EQ(res.loss_weights[i], 1.0);
  }
}

TEST(Epo, FallbackNormalisesTheRay) {
  // A ray summing to 1 within the 1e-6 tolerance falls back to exactly r / sum(r).
  Vec g{2, 1, 0, -2, -2, -2};
  Vec ray{0.3, 0.3, 0.4 + 5e-7};
  EpoResult res = Step(Gram(g, 3), ray, {1.1, 2.2, 4.4}, /*eps=*/1.0);
  ASSERT_EQ(res.mode, EpoMode::kFallback);
  double sum = 1.0 + 5e-7;
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(res.alpha[i], ray[i] / sum);
}

// ---- alignment, eps and edge cases -----------------------------------------------------------

TEST(Epo, MuIsZeroForLossesProportionalToInverseRay) {
  // loss_i = k / r_i makes rl constant: l_hat uniform, exact alignment, mu = 0 and a = 0.
  Vec ray{0.2, 0.3, 0.5};
  Vec losses{0.7 / 0.2, 0.7 / 0.3, 0.7 / 0.5};
  EpoAdjustments adj;
  ASSERT_TRUE(ComputeEpoAdjustments(ray, losses, &adj).ok());
  EXPECT_NEAR(adj.mu, 0.0, 1e-15);
  for (double a : adj.a) EXPECT_NEAR(a, 0.0, 1e-15);
  for (double l : adj.l_hat) EXPECT_NEAR(l, 1.0 / 3, 1e-15);
  EpoResult res = Step(T3Gram(), ray, losses);
  EXPECT_EQ(res.mode, EpoMode::kDescent);
}

TEST(Epo, MuIsTheKlDivergenceFromUniform) {
  Vec ray{0.1, 0.2, 0.3, 0.4};
  Vec losses{2.0, 0.5, 1.5, 0.25};
  EpoAdjustments adj;
  ASSERT_TRUE(ComputeEpoAdjustments(ray, losses, &adj).ok());
  RefAdjustments ref = ReferenceAdjustments(ray, losses);
  EXPECT_NEAR(adj.mu, ref.mu, 1e-15);
  EXPECT_GT(adj.mu, 0.0);
  for (int i = 0; i < 4; ++i) {
    EXPECT_DOUBLE_EQ(adj.rl[i], ray[i] * losses[i]);
    EXPECT_NEAR(adj.a[i], ref.a[i], 1e-15);
  }
  // One-hot: l_hat = e1, mu = ln T (its maximum), a = 0.
  ASSERT_TRUE(ComputeEpoAdjustments({0, 1, 0, 0}, losses, &adj).ok());
  EXPECT_NEAR(adj.mu, std::log(4.0), 1e-15);
  for (double a : adj.a) EXPECT_EQ(a, 0.0);
}

TEST(Epo, ModeSwitchesAtEps) {
  // mu > eps is balance; mu == eps is already descent.
  Vec ray{0.5, 0.5};
  Vec losses{3, 1};
  EpoAdjustments adj;
  ASSERT_TRUE(ComputeEpoAdjustments(ray, losses, &adj).ok());
  EXPECT_EQ(Step(T2Gram(), ray, losses, adj.mu).mode, EpoMode::kDescent);
  EXPECT_EQ(Step(T2Gram(), ray, losses, std::nextafter(adj.mu, 0.0)).mode, EpoMode::kBalance);
  EXPECT_EQ(Step(T2Gram(), ray, losses, 0.0).mode, EpoMode::kBalance);
  EXPECT_EQ(Step(T2Gram(), ray, losses, 1.0).mode, EpoMode::kDescent);
  // Exact alignment (mu = 0) balances only for a negative eps.
  EXPECT_EQ(Step(T2Gram(), ray, {1, 1}, 0.0).mode, EpoMode::kDescent);
  EXPECT_EQ(Step(T2Gram(), ray, {1, 1}, -1e-9).mode, EpoMode::kBalance);
}

TEST(Epo, ZeroRayEntriesContributeNothing) {
  // r3 = 0: rl3 = 0, l_hat = (3/4, 1/4, 0); its mu term is 0 and a3 = 0 exactly.
  Vec ray{0.5, 0.5, 0.0};
  Vec losses{3, 1, 7};
  EpoAdjustments adj;
  ASSERT_TRUE(ComputeEpoAdjustments(ray, losses, &adj).ok());
  EXPECT_NEAR(adj.mu, 0.75 * std::log(2.25) + 0.25 * std::log(0.75), 1e-15);
  EXPECT_EQ(adj.l_hat[2], 0.0);
  EXPECT_EQ(adj.a[2], 0.0);
  EXPECT_NEAR(adj.a[0], 0.5 * (std::log(2.25) - adj.mu), 1e-15);

  Vec g{1, 0, 0, 0.5, 1, 0, -1, 0.3, 1};
  EpoResult res = Step(Gram(g, 3), ray, losses);
  EXPECT_EQ(res.mode, EpoMode::kBalance);
  ExpectOnSimplex(res.alpha);
  for (double w : res.loss_weights) EXPECT_TRUE(std::isfinite(w));
  RefAdjustments ref = ReferenceAdjustments(ray, losses);
  auto best = BruteForceOptimum(DesignLp(true, Gram(g, 3), ref), 3);
  ASSERT_TRUE(best.has_value());
  EXPECT_NEAR(res.lp_objective, *best, 1e-9);
}

TEST(Epo, OneHotRayBalancesWithAZeroObjective) {
  // r = e1: mu = ln 3 > eps but a = 0, so Ca = 0, J is empty and the balance LP is "any alpha with
  // C alpha >= 0" (objective 0). The result must still satisfy that.
  Vec g{1, 0, 0, 0.5, 1, 0, -1, 0.3, 1};
  EpoResult res = Step(Gram(g, 3), {1, 0, 0}, {0.4, 2.0, 1.0});
  EXPECT_EQ(res.mode, EpoMode::kBalance);
  EXPECT_NEAR(res.mu, std::log(3.0), 1e-15);
  EXPECT_EQ(res.lp_objective, 0.0);
  ExpectOnSimplex(res.alpha);
  for (double v : MatVec(Gram(g, 3), res.alpha)) EXPECT_GE(v, -1e-12);
}

TEST(Epo, ZeroLossWithPositiveRayIsFloored) {
  // loss1 = 0 with r1 > 0: l_hat = (0, 1), mu = ln 2, and log(2 l_hat_1) is floored at
  // log(2 DBL_EPSILON), so a1 = (1/2)(ln(2 DBL_EPSILON) - ln2) = ln(DBL_EPSILON)/2, finite.
  EpoAdjustments adj;
  ASSERT_TRUE(ComputeEpoAdjustments({0.5, 0.5}, {0, 1}, &adj).ok());
  EXPECT_NEAR(adj.mu, kLn2, 1e-15);
  EXPECT_NEAR(adj.a[0], std::log(DBL_EPSILON) / 2, 1e-12);
  EXPECT_NEAR(adj.a[1], 0.0, 1e-15);
  EpoResult res = Step(T2Gram(), {0.5, 0.5}, {0, 1});
  EXPECT_NE(res.mode, EpoMode::kFallback);
  ExpectOnSimplex(res.alpha);
}

TEST(Epo, AllWeightedLossesZeroCountAsAligned) {
  // rl = (0, 0): l_hat is taken as uniform, so mu = 0, a = 0 and the step descends.
  EpoAdjustments adj;
  ASSERT_TRUE(ComputeEpoAdjustments({1, 0}, {0, 3}, &adj).ok());
  EXPECT_EQ(adj.mu, 0.0);
  EXPECT_EQ(adj.a, (Vec{0, 0}));
  EXPECT_EQ(Step(T2Gram(), {1, 0}, {0, 3}).mode, EpoMode::kDescent);
}

TEST(Epo, SingleTaskGetsWeightOne) {
  EpoResult res = Step({4.0}, {1.0}, {0.3});
  EXPECT_EQ(res.mode, EpoMode::kDescent);
  EXPECT_EQ(res.mu, 0.0);
  EXPECT_EQ(res.alpha, (Vec{1.0}));
  EXPECT_EQ(res.loss_weights, (Vec{1.0}));
}

TEST(Epo, GradientScaleDoesNotChangeAlpha) {
  // The LP is homogeneous in C; tiny or huge gradients must give the same alpha.
  Vec c = T3Gram();
  EpoResult base = Step(c, {1.0 / 3, 1.0 / 3, 1.0 / 3}, {3, 2, 1});
  for (double s : {1e-14, 1e-6, 1e8}) {
    Vec cs(c);
    for (double& v : cs) v *= s;
    EpoResult res = Step(cs, {1.0 / 3, 1.0 / 3, 1.0 / 3}, {3, 2, 1});
    EXPECT_EQ(res.mode, base.mode);
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(res.alpha[i], base.alpha[i], 1e-9) << s;
    EXPECT_NEAR(res.lp_objective, s * base.lp_objective, 1e-9 * s);
  }
}

TEST(Epo, ZeroGradientsStillGiveASimplexPoint) {
  EpoResult res = Step(Vec(9, 0.0), {0.2, 0.3, 0.5}, {1, 2, 3});
  EXPECT_NE(res.mode, EpoMode::kFallback);
  ExpectOnSimplex(res.alpha);
}

// ---- properties over random instances ------------------------------------------------------

TEST(Epo, PropertiesHoldOnRandomInstances) {
  std::mt19937_64 rng(20240614);
  int seen[3] = {0, 0, 0};
  for (int it = 0; it < 3000; ++it) {
    int t = std::vector<int>{2, 3, 4, 5, 8}[it % 5];
    int p = std::vector<int>{1, t - 1, 3, 12}[(it / 5) % 4];  // includes rank-deficient G
    Instance x = RandomInstance(rng, t, p);
    Vec c = Gram(x.g, t);
    EpoResult res = Step(c, x.ray, x.losses, x.eps);
    ++seen[static_cast<int>(res.mode)];
    ExpectOnSimplex(res.alpha);
    for (int i = 0; i < t; ++i) EXPECT_DOUBLE_EQ(res.loss_weights[i], t * res.alpha[i]);
    RefAdjustments adj = ReferenceAdjustments(x.ray, x.losses);
    EXPECT_NEAR(res.mu, adj.mu, 1e-12);
    double tol = 1e-9 * (1 + MaxAbs(c)) * (1 + MaxAbs(adj.a));
    if (res.mode == EpoMode::kFallback) {
      // For a Gram matrix the balance LP is always feasible: the min-norm point alpha* of the
      // gradients' hull has C alpha* >= |d*|^2 >= 0 >= (Ca)_j on every constrained row.
      EXPECT_EQ(res.lp_mode, EpoMode::kDescent);
      for (int i = 0; i < t; ++i) EXPECT_NEAR(res.alpha[i], x.ray[i], 1e-12);
      continue;
    }
    EXPECT_EQ(res.mode, res.lp_mode);
    EXPECT_EQ(res.mode == EpoMode::kBalance, adj.mu > x.eps);
    TestLp lp = DesignLp(res.mode == EpoMode::kBalance, c, adj);
    for (size_t k = 0; k < lp.rows.size(); ++k) {
      EXPECT_GE(Dot(lp.rows[k], res.alpha), lp.lower[k] - tol) << "row " << k << " it " << it;
    }
    EXPECT_NEAR(res.lp_objective, Dot(lp.objective, res.alpha), tol);
    if (res.mode == EpoMode::kDescent) {
      // No task's loss increases to first order: g_i . d >= 0 for d = G^T alpha.
      Vec d = Direction(x.g, res.alpha);
      for (int i = 0; i < t; ++i) {
        Vec gi(x.g.begin() + i * p, x.g.begin() + (i + 1) * p);
        EXPECT_GE(Dot(gi, d), -tol) << "task " << i << " it " << it;
      }
    }
  }
  EXPECT_GT(seen[static_cast<int>(EpoMode::kBalance)], 100);
  EXPECT_GT(seen[static_cast<int>(EpoMode::kDescent)], 100);
  EXPECT_GT(seen[static_cast<int>(EpoMode::kFallback)], 10);
}

TEST(Epo, BruteForceVertexEnumerationAgreesWithGlpk) {
  std::mt19937_64 rng(7);
  int compared = 0;
  for (int it = 0; it < 4000; ++it) {
    int t = 2 + it % 2;
    int p = 1 + (it / 2) % 4;
    Instance x = RandomInstance(rng, t, p);
    Vec c = Gram(x.g, t);
    RefAdjustments adj = ReferenceAdjustments(x.ray, x.losses);
    bool balance = adj.mu > x.eps;
    std::optional<double> best = BruteForceOptimum(DesignLp(balance, c, adj), t);
    EpoResult res = Step(c, x.ray, x.losses, x.eps);
    EXPECT_EQ(res.lp_mode, balance ? EpoMode::kBalance : EpoMode::kDescent);
    EXPECT_EQ(res.mode == EpoMode::kFallback, !best.has_value()) << "it " << it;
    if (!best || res.mode == EpoMode::kFallback) continue;
    double tol = 1e-8 * (1 + MaxAbs(c)) * (1 + MaxAbs(adj.a));
    EXPECT_NEAR(res.lp_objective, *best, tol) << "it " << it;
    ++compared;
  }
  EXPECT_GT(compared, 3000);
}

TEST(Epo, DeterministicAndSafeFromSeveralThreads) {
  std::mt19937_64 rng(99);
  std::vector<Instance> xs;
  for (int i = 0; i < 400; ++i) xs.push_back(RandomInstance(rng, 2 + i % 7, 5));
  std::vector<EpoResult> expected;
  for (const auto& x : xs) expected.push_back(Step(Gram(x.g, x.t), x.ray, x.losses, x.eps));

  const int kThreads = 4;
  std::vector<std::vector<EpoResult>> got(kThreads);
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      for (const auto& x : xs) {
        EpoInput in{Gram(x.g, x.t), x.ray, x.losses, x.eps};
        EpoResult res;
        if (EpoCombine(in, &res).ok()) got[w].push_back(res);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int w = 0; w < kThreads; ++w) {
    ASSERT_EQ(got[w].size(), xs.size());
    for (size_t i = 0; i < xs.size(); ++i) {
      EXPECT_EQ(got[w][i].alpha, expected[i].alpha);  // bit-identical
      EXPECT_EQ(got[w][i].mode, expected[i].mode);
    }
  }
}

TEST(Epo, SolverPrintsNothingAndRestoresTerminalOutput) {
  glp_term_out(GLP_ON);
  testing::internal::CaptureStdout();
  Step(Gram({2, 1, 0, -2, -2, -2}, 3), {1.0 / 3, 1.0 / 3, 1.0 / 3}, {1, 2, 4}, 1.0);  // infeasible
  Step(T3Gram(), {1.0 / 3, 1.0 / 3, 1.0 / 3}, {3, 2, 1});
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(glp_term_out(GLP_ON), GLP_ON);  // the borrowed environment's setting is back
  // A thread's own environment is left alone: after a solve the caller's objects still work.
  glp_prob* mine = glp_create_prob();
  Step(T2Gram(), {0.5, 0.5}, {3, 1});
  EXPECT_EQ(glp_add_cols(mine, 2), 1);
  glp_delete_prob(mine);
  glp_free_env();
}

// ---- the LP wrapper and input validation ---------------------------------------------------

TEST(Epo, SolveSimplexLpDirectly) {
  // max x1 + 2 x2 s.t. x1 - x2 >= 0 over the simplex: x = (1/2, 1/2).
  SimplexLp lp{{1, 2}, {{1, -1}}, {0}};
  Vec x;
  ASSERT_TRUE(SolveSimplexLp(lp, &x).ok());
  EXPECT_NEAR(x[0], 0.5, 1e-12);
  EXPECT_NEAR(x[1], 0.5, 1e-12);
  // x1 >= 2 cannot hold on the simplex.
  Status st = SolveSimplexLp(SimplexLp{{1, 1}, {{1, 0}}, {2}}, &x);
  EXPECT_EQ(st.code(), Status::Code::kNumerical);
  EXPECT_NE(st.message().find("infeasible"), std::string::npos) << st.ToString();
  EXPECT_EQ(SolveSimplexLp(SimplexLp{{}, {}, {}}, &x).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(SolveSimplexLp(SimplexLp{{1, 1}, {{1}}, {0}}, &x).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(SolveSimplexLp(SimplexLp{{1, 1}, {{1, 1}}, {}}, &x).code(),
            Status::Code::kInvalidArgument);
  double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(SolveSimplexLp(SimplexLp{{1, inf}, {}, {}}, &x).code(), Status::Code::kInvalidArgument);
}

TEST(Epo, RejectsBadInput) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  double inf = std::numeric_limits<double>::infinity();
  auto code = [](EpoInput in) {
    EpoResult res;
    return EpoCombine(in, &res).code();
  };
  using C = Status::Code;
  Vec g = T2Gram();
  EXPECT_EQ(code({g, {}, {}, 1e-4}), C::kInvalidArgument);
  EXPECT_EQ(code({g, {0.5, 0.5}, {1}, 1e-4}), C::kInvalidArgument);
  EXPECT_EQ(code({g, {0.5, 0.6}, {1, 1}, 1e-4}), C::kInvalidArgument);
  EXPECT_EQ(code({g, {1.5, -0.5}, {1, 1}, 1e-4}), C::kInvalidArgument);
  EXPECT_EQ(code({g, {0.5, 0.5}, {1, -1}, 1e-4}), C::kInvalidArgument);
  EXPECT_EQ(code({g, {0.5, 0.5}, {nan, 1}, 1e-4}), C::kNumerical);
  EXPECT_EQ(code({g, {0.5, 0.5}, {1, inf}, 1e-4}), C::kNumerical);
  EXPECT_EQ(code({g, {nan, 0.5}, {1, 1}, 1e-4}), C::kNumerical);
  EXPECT_EQ(code({{1, 0, 0}, {0.5, 0.5}, {1, 1}, 1e-4}), C::kInvalidArgument);
  EXPECT_EQ(code({{1, nan, 0, 1}, {0.5, 0.5}, {1, 1}, 1e-4}), C::kNumerical);
  EXPECT_EQ(code({g, {0.5, 0.5}, {1, 1}, nan}), C::kInvalidArgument);

  EpoResult res;
  Status st = EpoCombine({g, {0.5, 0.5}, {1, nan}, 1e-4}, &res);
  EXPECT_NE(st.message().find("task 1"), std::string::npos) << st.ToString();
}

TEST(Epo, ModeNamesAndLsWeights) {
  EXPECT_STREQ(EpoModeName(EpoMode::kBalance), "balance");
  EXPECT_STREQ(EpoModeName(EpoMode::kDescent), "descent");
  EXPECT_STREQ(EpoModeName(EpoMode::kFallback), "fallback");
  EXPECT_EQ(LsWeights({0.25, 0.0, 0.75}), (Vec{0.25, 0.0, 0.75}));
}

}  // namespace
}  // namespace pwemoe
