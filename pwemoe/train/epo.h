// Loss combinations for router training: linear scalarization (LS) and the EPO step (exact Pareto
// optimal search, Mahapatra & Rajan, ICML 2020), torch-free.
//
// EPO turns the per-task losses, the preference ray r and the Gram matrix C = G G^T of the per-task
// router gradients (G is T x P) into simplex weights alpha by one small linear programme (solved
// with GLPK's simplex method); the trainer then minimises L = T * sum_i alpha_i * loss_i. The math
// is exactly docs/DESIGN.md, "What the system does", item 3:
//
//   rl = r * loss, l_hat = rl / sum(rl), mu = sum_i l_hat_i log(T l_hat_i),
//   a = r * (log(T l_hat) - mu).
//   mu > eps, "balance": J = {i : (C a)_i > 0}, J* = argmax rl (every maximiser);
//     maximise alpha . (C a) over the simplex subject to (C alpha)_j >= 0 for j in J*,
//     (C alpha)_j >= (C a)_j for the other j not in J, nothing for the rest of J;
//     when J is empty, C alpha >= 0 instead.
//   mu <= eps, "descent": maximise 1^T C alpha over the simplex subject to C alpha >= 0 and
//     alpha . (C a) >= min(max(C a), 0).
//   No LP solution (infeasible, unbounded or a solver failure): alpha = r / sum(r), "fallback".
//
// Choices the formulas leave open (each documented where it is made):
//   - l_hat_i = 0 (a zero ray entry or a zero loss): its term in mu is 0 (the limit of x log x); in
//     a, log(T l_hat_i) is floored at log(T * DBL_EPSILON), so a_i = 0 when r_i = 0 and a_i is
//     finite and strongly negative when r_i > 0 but loss_i = 0. DBL_EPSILON is the threshold below
//     which the reference EPO code (EPOSearch, epo_lp.py) drops l_hat entries from mu.
//   - sum(rl) = 0 (every weighted loss is zero): l_hat is taken as uniform, so mu = 0 and a = 0.
//   - J* uses exact equality with max(rl), as the reference does.
//   - The LP is solved on C / max|C_ij| (a positive scale leaves every constraint and the argmax
//     unchanged) so GLPK's absolute tolerances mean the same for any gradient magnitude; reported
//     objectives are in the units of the given C.
//
// Thread safety: every call builds, solves and deletes its own GLPK problem and touches no state
// of this library. GLPK keeps its environment in thread-local storage when built with TLS, as
// Debian's libglpk is, so calls from several threads at once are safe (with a GLPK built without
// TLS, serialise them). A call on a thread without a GLPK environment creates one and frees it
// before returning, so exiting threads leave nothing behind; on a thread that has one, the call
// borrows it, with terminal output (glp_term_out) off during the solve and restored afterwards.
// Results are deterministic for identical inputs.
#pragma once

#include <string>
#include <vector>

#include "pwemoe/util/status.h"

namespace pwemoe {

// Which combination an EPO step used.
enum class EpoMode {
  kBalance,   // mu > eps: move the relative losses towards the ray
  kDescent,   // mu <= eps: descend on every loss
  kFallback,  // the LP had no solution; alpha = r / sum(r)
};

// "balance", "descent" or "fallback", the names recorded in training curves.
const char* EpoModeName(EpoMode mode);

// Everything one EPO step needs. T = ray.size().
struct EpoInput {
  std::vector<double> gram;    // C = G G^T, T x T row-major (symmetric PSD; any finite C is solved)
  std::vector<double> ray;     // r: r_i >= 0, sum within 1e-6 of 1, zero entries allowed
  std::vector<double> losses;  // per-task losses, finite and >= 0
  double eps = 1e-4;           // balance when mu > eps (the reference's default)
};

// The ray-alignment quantities of one step, before any LP.
struct EpoAdjustments {
  std::vector<double> rl;     // r * loss
  std::vector<double> l_hat;  // rl / sum(rl), uniform when sum(rl) = 0
  double mu = 0;              // non-uniformity of l_hat (KL divergence from uniform), >= 0
  std::vector<double> a;      // r * (log(T * max(l_hat, DBL_EPSILON)) - mu)
};

// Output of one EPO step.
struct EpoResult {
  std::vector<double> alpha;         // on the simplex: alpha_i >= 0, sum 1
  std::vector<double> loss_weights;  // T * alpha: minimise sum_i loss_weights_i * loss_i
  double mu = 0;                     // as in EpoAdjustments
  EpoMode mode = EpoMode::kFallback;
  EpoMode lp_mode = EpoMode::kFallback;  // the LP that was set up (balance or descent)
  double lp_objective = 0;           // the LP objective at alpha, in C's units; NaN in fallback
  std::string fallback_reason;       // why the LP had no solution; empty unless fallback
};

// Maximise objective . x over the simplex {x >= 0, sum x = 1} subject to rows[k] . x >= lower[k].
// Every vector has the same length n >= 1; rows.size() == lower.size().
struct SimplexLp {
  std::vector<double> objective;
  std::vector<std::vector<double>> rows;
  std::vector<double> lower;
};

// Computes rl, l_hat, mu and a for a ray and per-task losses (see the header comment for l_hat_i =
// 0). InvalidArgument for T = 0, mismatched lengths, a negative entry or a ray whose sum is not 1
// within 1e-6; Numerical for a NaN or infinite entry. Each error names the task index.
Status ComputeEpoAdjustments(const std::vector<double>& ray, const std::vector<double>& losses,
                             EpoAdjustments* out);

// Solves `lp` with GLPK's simplex method (presolver on, terminal output off) and writes the
// optimal x, with round-off below zero clipped and renormalised to sum 1. InvalidArgument for
// inconsistent sizes or non-finite data; Numerical, naming GLPK's verdict, when the LP is
// infeasible, unbounded or the solver fails; Internal when GLPK's environment cannot be set up
// (out of memory). Deterministic.
Status SolveSimplexLp(const SimplexLp& lp, std::vector<double>* x);

// One EPO step: validates `in`, computes the adjustments, sets up the balance or descent LP and
// solves it, falling back to alpha = r / sum(r) (mode kFallback, reason recorded) when the LP has
// no solution. Errors (InvalidArgument / Numerical, as ComputeEpoAdjustments, plus a Gram matrix
// of the wrong size or with non-finite entries) are returned only for bad input, or Internal when
// GLPK cannot be set up; an unsolvable LP is not an error.
Status EpoCombine(const EpoInput& in, EpoResult* out);

// C = G G^T in double for EpoInput::gram, G the T x P gradients in a step's buffer of
// `num_tasks` rows of `row_length` = 1 + P floats each (row i = [loss_i, g_i], trainer.h), each
// entry summed over k = 1 .. P in order. Precondition: buffer.size() >= num_tasks * row_length.
std::vector<double> GramOfGradients(const std::vector<float>& buffer, int64_t num_tasks,
                                    int64_t row_length);

// Linear scalarization: the loss weights are the ray itself, L = sum_i r_i * loss_i.
std::vector<double> LsWeights(const std::vector<double>& ray);

}  // namespace pwemoe
