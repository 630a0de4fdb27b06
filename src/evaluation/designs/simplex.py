"""Least squares over the probability simplex: the weight problem of synthetic control.

The problem

    min_w  || D^{1/2} (b - A w - c 1) ||^2 + ridge * ||w||^2
    s.t.   w >= 0,  sum(w) = 1

is a convex quadratic programme. It is solved *exactly* (to rounding) by a primal active-set
method of the Lawson & Hanson (1974, ch. 23) kind, adapted to the sum-to-one constraint, on the
Gram form ``min 0.5 w'Qw - q'w`` with ``Q = A'DA + ridge I`` and ``q = A'Db``:

1. start at a vertex (or a feasible warm start) with passive set ``P`` = its support;
2. solve the equality-constrained problem on ``P`` (a KKT system of size ``|P| + 1``); if the
   solution has a non-positive entry, step from the current feasible point towards it as far as
   feasibility allows, drop the weights that hit zero and repeat;
3. with ``mu`` the multiplier of the sum-to-one constraint, stop when no weight outside ``P``
   has a gradient below ``-mu`` (the KKT conditions), else add the most violating one.

Each added donor lowers the objective strictly, so the method terminates; the passive set stays
affinely independent, so the KKT systems are non-singular even with more donors than rows
(``J > T``). Because the weights sum to one, subtracting one common vector from ``b`` and every
column of ``A`` leaves the objective unchanged; the rows are centred that way before the Gram
matrix is formed, which keeps it well conditioned when the outcomes share a large level.

The Gram form squares the condition number, so the final weights are re-solved on their
support from the data (:func:`polish_on_support`, an SVD least-squares solve with the
sum-to-one constraint substituted out), which restores full precision with correlated donors.

The Gram form is also what makes placebo runs cheap: all placebo problems of a panel share one
Gram matrix and differ only in which column is the target and which are eligible
(:func:`solve_simplex_qp` with ``eligible``).
"""

from __future__ import annotations

import numpy as np

from evaluation.errors import DesignError

__all__ = [
    "polish_on_support",
    "simplex_least_squares",
    "simplex_objective",
    "solve_simplex_qp",
]

_REL_TOL = 1e-11
_ZERO = 1e-14


def simplex_least_squares(
    A: np.ndarray,
    b: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    intercept: bool = False,
    ridge: float = 0.0,
) -> np.ndarray:
    """Weights on the simplex minimising the (row-weighted, optionally ridged) squared error.

    Parameters
    ----------
    A : array, shape (T, J)
        One column per donor, one row per fitted quantity (period or predictor).
    b : array, shape (T,)
        The target (treated unit).
    weights : array, shape (T,), optional
        Non-negative row weights ``D`` (e.g. the diagonal of a V matrix on predictors).
    intercept : bool
        Fit a free constant ``c`` as well (equivalent to demeaning the rows with weights ``D``).
    ridge : float
        Non-negative penalty on ``||w||^2``.

    Returns
    -------
    numpy.ndarray, shape (J,)
        Non-negative weights summing to one; the exact optimum up to rounding.
    """
    A, b, d = _check_problem(A, b, weights, ridge)
    if intercept:
        total = d.sum()
        A = A - (d @ A) / total
        b = b - (d @ b) / total
    common = A.mean(axis=1)
    A = A - common[:, None]
    b = b - common
    root = np.sqrt(d)
    As = A * root[:, None]
    bs = b * root
    scale = float(np.max(np.abs(As))) if As.size else 0.0
    scale = scale if scale > 0 else 1.0
    As = As / scale
    bs = bs / scale
    Q = As.T @ As
    if ridge:
        Q[np.diag_indices_from(Q)] += ridge / scale**2
    q = As.T @ bs
    w = solve_simplex_qp(Q, q)
    return polish_on_support(As, bs, w, ridge=ridge / scale**2)


def polish_on_support(A: np.ndarray, b: np.ndarray, w: np.ndarray, *,
                      ridge: float = 0.0) -> np.ndarray:
    """Re-solve the problem on the support of ``w`` from the data, not the Gram matrix.

    The Gram form squares the condition number; with highly correlated donors the active-set
    solution can be off in the eighth digit. On the support the problem is an unconstrained
    least-squares problem once ``w_k = 1 - sum(others)`` is substituted, solved here by
    ``lstsq`` (SVD) on ``A``. The polished weights are kept if all stay positive and the
    objective does not rise.
    """
    support = np.flatnonzero(w > 0)
    if len(support) < 2:
        return w
    last, others = support[-1], support[:-1]
    design = A[:, others] - A[:, [last]]
    target = b - A[:, last]
    if ridge:
        root = np.sqrt(ridge)
        design = np.vstack([design, root * np.eye(len(others)), root * np.ones(len(others))])
        target = np.r_[target, np.zeros(len(others)), root]
    y = np.linalg.lstsq(design, target, rcond=None)[0]
    z = np.r_[y, 1.0 - y.sum()]
    if not np.all(z > 0):
        return w
    candidate = np.zeros_like(w)
    candidate[support] = z

    def objective(x: np.ndarray) -> float:
        r = b - A @ x
        return float(r @ r + ridge * (x @ x))

    return candidate if objective(candidate) <= objective(w) else w


def simplex_objective(
    A: np.ndarray,
    b: np.ndarray,
    w: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    intercept: bool = False,
    ridge: float = 0.0,
) -> float:
    """The objective of :func:`simplex_least_squares` at ``w`` (with the optimal intercept)."""
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    w = np.asarray(w, dtype=float)
    d = np.ones(len(b)) if weights is None else np.asarray(weights, dtype=float)
    r = b - A @ w
    if intercept:
        r = r - (d @ r) / d.sum()
    return float(d @ r**2 + ridge * (w @ w))


def solve_simplex_qp(
    Q: np.ndarray,
    q: np.ndarray,
    *,
    eligible: np.ndarray | None = None,
    w0: np.ndarray | None = None,
    tol: float | None = None,
    max_iter: int | None = None,
) -> np.ndarray:
    """``argmin 0.5 w'Qw - q'w`` over the simplex of the eligible coordinates.

    Parameters
    ----------
    Q : array, shape (n, n)
        Symmetric positive semi-definite (a Gram matrix).
    q : array, shape (n,)
    eligible : boolean array, shape (n,), optional
        Coordinates allowed a positive weight; the others are fixed at zero. Lets many problems
        share one ``Q`` (placebo runs).
    w0 : array, shape (n,), optional
        Warm start; projected onto the eligible simplex (clipped, renormalised).
    tol : float, optional
        KKT tolerance on the gradient; default ``1e-11 * max(diag(Q))``.
    max_iter : int, optional
        Cap on active-set changes; default ``10 n + 100``.

    Returns
    -------
    numpy.ndarray, shape (n,)
    """
    n = len(q)
    allowed = np.ones(n, dtype=bool) if eligible is None else np.asarray(eligible, dtype=bool)
    if not allowed.any():
        raise ValueError("no eligible coordinate")
    diag = np.diag(Q)
    if tol is None:
        top = float(np.max(np.abs(diag[allowed])))
        tol = _REL_TOL * (top if top > 0 else 1.0)
    max_iter = 10 * n + 100 if max_iter is None else max_iter
    w = _start(diag, q, allowed, w0)
    passive = np.flatnonzero(w > 0)
    blocked = ~allowed
    last_added = -1
    for _ in range(max_iter):
        passive, stalled = _solve_on_passive(Q, q, w, passive, last_added)
        if stalled:
            break
        wp = w.take(passive)
        grad = Q.take(passive, axis=1) @ wp - q
        viol = grad + (-grad.take(passive).mean())
        viol[blocked] = np.inf
        viol[passive] = np.inf
        j = int(viol.argmin())
        if not viol[j] < -tol:
            break
        passive = np.append(passive, j)
        last_added = j
    return w


def _start(diag: np.ndarray, q: np.ndarray, allowed: np.ndarray,
           w0: np.ndarray | None) -> np.ndarray:
    n = len(q)
    if w0 is not None:
        w = np.where(allowed, np.clip(np.asarray(w0, dtype=float), 0.0, None), 0.0)
        total = w.sum()
        if total > 0 and np.isfinite(total):
            return w / total
    vertex = np.where(allowed, 0.5 * diag - q, np.inf)
    w = np.zeros(n)
    w[int(np.argmin(vertex))] = 1.0
    return w


def _solve_on_passive(Q: np.ndarray, q: np.ndarray, w: np.ndarray, passive: np.ndarray,
                      last_added: int) -> tuple[np.ndarray, bool]:
    """Move ``w`` (in place) to the optimum on the passive set, dropping blocking weights.

    Returns the new passive set and whether the just-added coordinate was dropped at once
    (no progress possible: numerical stall, treated as converged).
    """
    while True:
        z = _equality_solution(Q, q, passive)
        if z.min() > _ZERO:
            w[passive] = z
            return passive, False
        wp = w.take(passive)
        blocking = z <= _ZERO
        steps = np.full(len(z), np.inf)
        steps[blocking] = wp[blocking] / (wp[blocking] - z[blocking])
        first = int(steps.argmin())
        alpha = min(max(float(steps[first]), 0.0), 1.0)
        new = wp + alpha * (z - wp)
        drop = new <= _ZERO
        drop[first] = True
        new[drop] = 0.0
        w[passive] = new
        dropped = passive[drop]
        passive = passive[~drop]
        w[passive] /= w.take(passive).sum()
        if alpha == 0.0 and last_added in dropped:
            return passive, True


def _equality_solution(Q: np.ndarray, q: np.ndarray, passive: np.ndarray) -> np.ndarray:
    """Minimiser of ``0.5 z'Q_PP z - q_P'z`` subject to ``sum(z) = 1`` (KKT system)."""
    k = len(passive)
    if k == 1:
        return np.ones(1)
    kkt = np.empty((k + 1, k + 1))
    kkt[:k, :k] = Q.take(passive, axis=0).take(passive, axis=1)
    kkt[:k, k] = 1.0
    kkt[k, :k] = 1.0
    kkt[k, k] = 0.0
    rhs = np.empty(k + 1)
    rhs[:k] = q.take(passive)
    rhs[k] = 1.0
    from scipy.linalg.lapack import dgesv  # here, not at the top: see evaluation.designs

    _, _, sol, info = dgesv(kkt, rhs)
    if info != 0 or not np.all(np.isfinite(sol)):
        sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
    return sol[:k]


def _check_problem(A: np.ndarray, b: np.ndarray, weights: np.ndarray | None,
                   ridge: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    if A.ndim != 2 or b.ndim != 1 or A.shape[0] != b.shape[0] or A.shape[1] < 1:
        raise DesignError(
            "Viktproblemet har fel form: A ska vara en matris med en rad per b-värde och minst "
            "en kolumn; kontrollera indata.",
            "The weight problem has the wrong shape: A must be a matrix with one row per value "
            "of b and at least one column; check the inputs.",
        )
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(b))):
        raise DesignError(
            "Viktproblemet innehåller saknade eller oändliga värden; ta bort eller fyll i dem "
            "innan vikterna skattas.",
            "The weight problem contains missing or infinite values; remove or fill them before "
            "estimating the weights.",
        )
    d = np.ones(len(b)) if weights is None else np.asarray(weights, dtype=float)
    if d.shape != b.shape or not np.all(np.isfinite(d)) or np.any(d < 0) or d.sum() <= 0:
        raise DesignError(
            "Radvikterna måste vara icke-negativa, ändliga, en per rad och inte alla noll; "
            "ange giltiga vikter.",
            "The row weights must be non-negative, finite, one per row and not all zero; "
            "give valid weights.",
        )
    if not np.isfinite(ridge) or ridge < 0:
        raise DesignError(
            "Ridge-straffet måste vara ett icke-negativt tal; ange ett giltigt värde.",
            "The ridge penalty must be a non-negative number; give a valid value.",
        )
    return A, b, d
