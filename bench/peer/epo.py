"""Exact Pareto Optimal (EPO) search weights, written from the paper

    D. Mahapatra, V. Rajan. "Multi-Task Learning with User Preferences:
    Gradient Descent with Controlled Ascent in Pareto Optimization." ICML 2020.

Notation (m objectives):
    l   : current losses, all > 0                               shape [m]
    r   : preference ray, r_j > 0                               shape [m]
    G   : per-objective gradients w.r.t. the trained params     shape [m, n]
    C   : G G^T, the m x m Gram matrix of those gradients

    relative losses    q_j  = r_j l_j
    normalised         q^_j = q_j / sum_i q_i
    non-uniformity     mu   = KL(q^ || uniform) = sum_j q^_j log(m q^_j)
    adjustment         a_j  = r_j (log(m q^_j) - mu)

The descent direction is d = G^T beta with beta on the simplex, chosen by one
linear programme per step:

  balance mode (mu > eps), steer r.l towards the preference ray:
      maximise   beta . (C a)
      subject to beta >= 0, sum(beta) = 1, and for every objective j
          (C beta)_j >= 0          if j has the largest relative loss (j in J*)
          (C beta)_j >= (C a)_j    if (C a)_j <= 0 and j not in J*
          no constraint            if (C a)_j > 0 and j not in J*
      and if no j has (C a)_j > 0:  (C beta)_j >= 0 for every j.

  dominance mode (mu <= eps), already on the ray: pure multi-objective descent
      maximise   sum_j (C beta)_j
      subject to beta >= 0, sum(beta) = 1, C beta >= 0,
      and (unless relax=True) beta . (C a) >= min(0, max_j (C a)_j)
      so the step does not move away from the ray.

The loss that is back-propagated is sum_j (m * beta_j) l_j with beta treated as
a constant; if the LP has no solution the normalised ray is used instead.

Two LP back ends: scipy.optimize.linprog (HiGHS; used when scipy is
installed) and a small dense two-phase simplex with Bland's rule (this file;
used otherwise). When the LP optimum is not unique the two may return different
vertices with the same objective value.

Adapted from this project's shared pyref harness (epo.py): the cvxopt/GLPK
back end is replaced by the built-in simplex, so scipy is optional, and C is
scaled to unit max-norm before the LP (beta does not change under a positive
scaling of C; router gradients are tiny, so this keeps the LP well scaled).
"""

from typing import Dict, Optional, Sequence, Tuple

import numpy as np


def non_uniformity(rel: np.ndarray) -> float:
    """KL divergence of the normalised vector `rel` from the uniform one."""
    rel = np.asarray(rel, dtype=np.float64)
    if np.any(rel < 0):
        raise ValueError("relative losses must be non-negative")
    m = rel.size
    p = rel / rel.sum()
    p = p[p > np.finfo(np.float64).eps]
    return float(np.sum(p * np.log(p * m)))


def adjustment(losses: np.ndarray, ray: np.ndarray) -> Tuple[np.ndarray, float, np.ndarray]:
    """Return (relative losses r*l, non-uniformity mu, adjustment vector a)."""
    losses = np.asarray(losses, dtype=np.float64)
    ray = np.asarray(ray, dtype=np.float64)
    rel = ray * losses
    m = rel.size
    p = rel / rel.sum()
    mu = non_uniformity(p)
    with np.errstate(divide="ignore"):
        a = ray * (np.log(p * m) - mu)
    return rel, mu, a


def _simplex_max(c: np.ndarray, A_ge: np.ndarray, b_ge: np.ndarray,
                 tol: float = 1e-10, max_iter: int = 10000) -> Optional[np.ndarray]:
    """maximise c . x  s.t.  x >= 0, sum(x) = 1, A_ge x >= b_ge, by a dense
    two-phase tableau simplex with Bland's rule (no cycling). For the tiny LPs
    of EPO (m = number of tasks variables) when scipy is not installed.
    The objective and the constraint block are each scaled to unit max-norm
    first (neither changes the maximiser), because router gradients, and so C,
    can be very small; tolerances are then absolute. Returns None when infeasible."""
    c = np.asarray(c, dtype=np.float64).reshape(-1)
    m = c.size
    A_ge = np.asarray(A_ge, dtype=np.float64).reshape(-1, m) if np.size(A_ge) else np.zeros((0, m))
    b_ge = np.asarray(b_ge, dtype=np.float64).reshape(-1) if np.size(b_ge) else np.zeros(0)
    cs = np.abs(c).max()
    if cs > 0:
        c = c / cs
    # one global scale for all rows (per-row scaling would blow numerical noise
    # in a near-zero row up into a real constraint); then absolute tolerances
    gs = max(np.abs(A_ge).max() if A_ge.size else 0.0, np.abs(b_ge).max() if b_ge.size else 0.0)
    if gs > 0:
        A_ge, b_ge = A_ge / gs, b_ge / gs
    rows, rhs = [], []
    for a_i, b_i in zip(A_ge, b_ge):
        if np.abs(a_i).max() <= 1e-12:
            if b_i > 1e-9:
                return None  # 0 >= positive
            continue
        rows.append(a_i)
        rhs.append(b_i)
    k = len(rows)
    # equality form over z = [x (m), surplus s (k)]: A x - s = b ; 1.x = 1
    A = np.zeros((k + 1, m + k))
    if k:
        A[:k, :m] = np.array(rows)
        A[:k, m:] = -np.eye(k)
    A[k, :m] = 1.0
    b = np.array(rhs + [1.0])
    neg = b < 0
    A[neg] *= -1.0
    b[neg] *= -1.0
    r, n = A.shape
    # phase 1 tableau with artificials; last row holds z_j - c_j, last column the rhs
    T = np.zeros((r + 1, n + r + 1))
    T[:r, :n] = A
    T[:r, n:n + r] = np.eye(r)
    T[:r, -1] = b
    basis = list(range(n, n + r))

    def run(T, basis, ncols):
        for _ in range(max_iter):
            red = T[-1, :ncols]
            cand = np.nonzero(red < -tol)[0]
            if cand.size == 0:
                return True
            j = int(cand[0])  # Bland: smallest entering index
            col = T[:-1, j]
            ok = col > tol
            if not np.any(ok):
                return False  # unbounded (cannot happen on the simplex)
            ratios = np.full(col.shape, np.inf)
            ratios[ok] = T[:-1, -1][ok] / col[ok]
            best = ratios.min()
            ties = np.nonzero(ratios <= best + tol * max(1.0, abs(best)))[0]
            i = int(min(ties, key=lambda t: basis[t]))  # Bland: smallest leaving index
            T[i] /= T[i, j]
            for q in range(T.shape[0]):
                if q != i and T[q, j] != 0.0:
                    T[q] -= T[q, j] * T[i]
            basis[i] = j
        return False

    # phase 1: maximise -sum(artificials)
    T[-1, :n] = -A.sum(axis=0)
    T[-1, -1] = -b.sum()
    if not run(T, basis, n + r):
        return None
    if T[-1, -1] < -1e-8:
        return None  # infeasible
    # drive remaining artificials out of the basis, drop redundant rows
    keep = []
    for i in range(r):
        if basis[i] >= n:
            nz = np.nonzero(np.abs(T[i, :n]) > 1e-9)[0]
            if nz.size == 0:
                continue
            j = int(nz[0])
            T[i] /= T[i, j]
            for q in range(T.shape[0]):
                if q != i and T[q, j] != 0.0:
                    T[q] -= T[q, j] * T[i]
            basis[i] = j
        keep.append(i)
    T2 = np.zeros((len(keep) + 1, n + 1))
    T2[:-1, :n] = T[keep, :n]
    T2[:-1, -1] = T[keep, -1]
    basis2 = [basis[i] for i in keep]
    cost = np.concatenate([c, np.zeros(k)])
    cb = cost[basis2]
    T2[-1, :n] = cb @ T2[:-1, :n] - cost
    T2[-1, -1] = cb @ T2[:-1, -1]
    if not run(T2, basis2, n):
        return None
    z = np.zeros(n)
    for i, j in enumerate(basis2):
        z[j] = T2[i, -1]
    x = np.clip(z[:m], 0.0, None)
    return x / x.sum()


def _vertex_enum_max(c: np.ndarray, A_ge: np.ndarray, b_ge: np.ndarray, tol: float = 1e-9):
    """Brute force for the self-test (small m only): the best feasible vertex of
    {x >= 0, sum x = 1, A_ge x >= b_ge}. Returns (x or None, objective)."""
    import itertools

    m = c.size
    G = np.vstack([np.eye(m), A_ge]) if np.size(A_ge) else np.eye(m)
    h = np.concatenate([np.zeros(m), b_ge]) if np.size(A_ge) else np.zeros(m)
    best, best_x = -np.inf, None
    for act in itertools.combinations(range(G.shape[0]), m - 1):
        M = np.vstack([np.ones((1, m)), G[list(act)]])
        rhs = np.concatenate([[1.0], h[list(act)]])
        if abs(np.linalg.det(M)) < 1e-12:
            continue
        x = np.linalg.solve(M, rhs)
        if np.all(G @ x >= h - tol):
            v = float(c @ x)
            if v > best:
                best, best_x = v, x
    return best_x, best


def have_scipy() -> bool:
    try:
        import importlib

        importlib.import_module("scipy.optimize")
        return True
    except ImportError:
        return False


def default_backend() -> str:
    return "scipy" if have_scipy() else "simplex"


def _solve_lp(c_max: np.ndarray, A_ge: np.ndarray, b_ge: np.ndarray, backend: str) -> Optional[np.ndarray]:
    """maximise c_max . x  s.t.  x >= 0, sum(x) = 1, A_ge x >= b_ge."""
    m = c_max.size
    if backend == "auto":
        backend = default_backend()
    if backend == "scipy":
        from scipy.optimize import linprog

        res = linprog(
            -c_max,
            A_ub=-A_ge if A_ge.size else None,
            b_ub=-b_ge if A_ge.size else None,
            A_eq=np.ones((1, m)),
            b_eq=np.ones(1),
            bounds=[(0, None)] * m,
            method="highs",
        )
        if res.status != 0:
            return None
        return np.asarray(res.x, dtype=np.float64)
    if backend == "simplex":
        return _simplex_max(c_max, A_ge, b_ge)
    raise ValueError(f"unknown LP backend {backend}")


def epo_beta(
    losses: Sequence[float],
    ray: Sequence[float],
    C: np.ndarray,
    eps: float = 1e-4,
    relax: bool = False,
    backend: str = "auto",
) -> Tuple[Optional[np.ndarray], Dict]:
    """Solve the EPO LP.  Returns (beta on the simplex or None, info)."""
    C = np.asarray(C, dtype=np.float64)
    # beta does not change when C is scaled by a positive number; router
    # gradients are small, so bring C to unit max-norm for the LP
    cmax = float(np.abs(C).max()) if C.size else 0.0
    if np.isfinite(cmax) and cmax > 0:
        C = C / cmax
    if backend == "auto":
        backend = default_backend()
    rel, mu, a = adjustment(losses, ray)
    info = {"mu": mu, "mode": None, "backend": backend}
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(C))):
        info["mode"] = "nonfinite"
        return None, info
    Ca = C @ a
    if mu > eps:
        info["mode"] = "balance"
        lower = np.zeros_like(Ca)
        ascend_ok = Ca > 0
        if np.any(ascend_ok):
            worst = rel == rel.max()
            lower = Ca.copy()
            keep = (~ascend_ok) | worst
            lower[worst] = 0.0
            A_ge, b_ge = C[keep], lower[keep]
        else:
            A_ge, b_ge = C, lower
        beta = _solve_lp(Ca, A_ge, b_ge, backend)
    else:
        info["mode"] = "dominance"
        obj = C.sum(axis=0)  # 1^T C
        A_ge, b_ge = C, np.zeros(C.shape[0])
        if not relax:
            A_ge = np.vstack([A_ge, Ca[None, :]])
            b_ge = np.concatenate([b_ge, [min(0.0, float(Ca.max()))]])
        beta = _solve_lp(obj, A_ge, b_ge, backend)
    if beta is not None:
        info["objective"] = float((Ca if info["mode"] == "balance" else C.sum(axis=0)) @ beta)
    return beta, info


def epo_loss_weights(losses, ray, C, eps: float = 1e-4, backend: str = "auto"):
    """Weights w (shape [m]) for the combined loss sum_j w_j l_j: m * beta, or m
    times the normalised ray when the LP yields nothing."""
    ray = np.asarray(ray, dtype=np.float64)
    m = ray.size
    beta, info = epo_beta(losses, ray, C, eps=eps, backend=backend)
    if beta is None:
        info["fallback"] = True
        beta = ray / ray.sum()
    else:
        info["fallback"] = False
    return beta * m, info


def _selftest(n_cases: int = 200, seed: int = 0) -> Dict:
    """EPO weights on random instances: w >= 0 and sum(w) = m (w = m * beta,
    beta on the simplex), and the LP back end used here against a second one
    (scipy HiGHS when installed, else brute-force vertex enumeration for m <= 5):
    same feasibility, same optimum value (the maximiser may differ)."""
    rng = np.random.default_rng(seed)
    worst_gap = 0.0
    worst_simplex = 0.0
    modes: Dict[str, int] = {}
    fails = 0
    compared = 0
    scipy_ok = have_scipy()
    for i in range(n_cases):
        m = int(rng.integers(2, 9 if scipy_ok else 6))
        G = rng.normal(size=(m, 40)) * (10.0 ** rng.uniform(-6, 1))
        if i % 3 == 0:  # strongly aligned gradients -> dominance-like geometry
            G = G * 0.2 + rng.normal(size=(1, 40)) * np.abs(G).mean()
        C = G @ G.T
        losses = rng.uniform(0.1, 3.0, size=m)
        ray = rng.dirichlet(np.ones(m))
        if i % 5 == 0:  # losses exactly on the ray -> dominance mode
            losses = 1.0 / ray
        w, info = epo_loss_weights(losses, ray, C, backend="simplex")
        modes[info["mode"]] = modes.get(info["mode"], 0) + 1
        worst_simplex = max(worst_simplex, abs(w.sum() - m), float(max(0.0, -w.min())))
        b1, i1 = epo_beta(losses, ray, C, backend="simplex")
        if scipy_ok:
            b2, i2 = epo_beta(losses, ray, C, backend="scipy")
            obj2 = i2.get("objective")
        else:
            # rebuild the same LP (C at unit max-norm, as epo_beta does) and
            # enumerate its vertices
            C = C / np.abs(C).max()
            rel, mu, a = adjustment(losses, ray)
            Ca = C @ a
            if mu > 1e-4:
                if np.any(Ca > 0):
                    worst = rel == rel.max()
                    lower = Ca.copy()
                    keep = (Ca <= 0) | worst
                    lower[worst] = 0.0
                    A_ge, b_ge, obj = C[keep], lower[keep], Ca
                else:
                    A_ge, b_ge, obj = C, np.zeros(m), Ca
            else:
                obj = C.sum(axis=0)
                A_ge = np.vstack([C, Ca[None, :]])
                b_ge = np.concatenate([np.zeros(m), [min(0.0, float(Ca.max()))]])
            b2, obj2 = _vertex_enum_max(obj, A_ge, b_ge)
        if (b1 is None) != (b2 is None):
            fails += 1
            continue
        if b1 is None:
            continue
        compared += 1
        assert abs(b1.sum() - 1) < 1e-7 and b1.min() > -1e-9
        gap = abs(i1["objective"] - obj2) / max(1e-300, abs(i1["objective"]), abs(obj2))
        worst_gap = max(worst_gap, gap)
    return {"cases": n_cases, "modes": modes, "reference_backend": "scipy" if scipy_ok else "vertex_enumeration",
            "compared": compared, "feasibility_disagreements": fails,
            "max_rel_objective_gap": worst_gap,
            "max_weight_sum_or_sign_error": worst_simplex}


if __name__ == "__main__":
    import json

    print(json.dumps(_selftest()))
