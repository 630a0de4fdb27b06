"""Synthetic difference-in-differences on a wide outcome matrix.

Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), "Synthetic Difference-in-Differences",
*American Economic Review* 111(12), 4088–4118. This module is the numerical core: it works on
a matrix ``Y`` of ``N`` units × ``T`` periods whose first ``N0`` rows are the control units and
whose first ``T0`` columns are the pre-treatment periods (the layout of the R package
``synthdid``). :func:`sdid_from_wide` reorders a periods × units table into that layout.

Estimators (Algorithm 1 of the paper and the two special cases of its Table 1)
---------------------------------------------------------------------------------
With ``ȳ_tr,t`` the mean of the treated units in period ``t`` the estimate is the weighted
double difference ::

    τ̂ = (ȳ_tr,post − Σ_i ω_i ȳ_i,post) − Σ_t λ_t (ȳ_tr,t − Σ_i ω_i Y_it),

where ``ȳ_·,post`` are post-period means.

* :func:`synthdid_estimate` — unit weights ω (simplex, with an intercept ω₀) fit the treated
  pre-period path, ridge penalty ``ζ_ω² T0 ‖ω‖²`` with
  ``ζ_ω = (N_tr · T_post)^(1/4) · σ̂``; time weights λ (simplex, with an intercept λ₀) make the
  weighted pre-period of each control unit predict its post-period mean, ``ζ_λ = 1e-6 · σ̂``.
  ``σ̂`` is the standard deviation of the first differences of the control units' pre-period
  outcomes.
* :func:`sc_estimate` — synthetic control: ω without intercept, ``ζ_ω = 1e-6 · σ̂`` (synthdid's
  default for ``sc_estimate``), λ = 0.
* :func:`did_estimate` — uniform ω = 1/N0 and λ = 1/T0.

Solver
------
The weights solve ``min ζ² ‖x‖² + ‖A x − b‖² / n`` over the unit simplex (``n`` rows, the
columns of ``[A b]`` centred when there is an intercept). Two solvers:

* ``solver="fw"`` (default) — synthdid's own algorithm (R/solver.R, R/synthdid.R; our
  implementation): Frank–Wolfe with exact line search, stopping once an iteration lowers the
  objective by less than ``min_decrease²`` with ``min_decrease = 1e-5 · σ̂``; first at most
  100 iterations, then the *sparsify* step (weights ≤ max/4 set to zero, renormalised), then at
  most 10 000 iterations from there. It reproduces the R package (Prop 99: τ̂ to 1e-6) but
  often stops at the iteration cap rather than at the optimum.
* ``solver="exact"`` — the exact minimiser by a batched primal active-set method; on
  Prop 99 25–70 times faster, with 290 units and 200 placebo draws ≈ 8 times faster (2.5 s vs
  20 s, single-threaded BLAS; an oversubscribed multi-threaded BLAS slows its many small
  solves badly — set ``OPENBLAS_NUM_THREADS=1`` on a busy machine). Prop 99: SDID −15.6054
  (synthdid −15.6038), SC −19.514 (synthdid −19.620: with its 1e-6 ridge synthdid's SC stops
  well short of the optimum), DiD identical.

Both are vectorised over a batch of problems so that the placebo replications run together.

Inference
---------
:func:`placebo_se` is Algorithm 4 of the paper (``vcov(method = "placebo")`` in synthdid), the
only variance estimate available with a single treated unit: the treated units are dropped, a
random ``N_tr`` of the controls are relabelled as treated, and the estimator is re-run with the
original regularisation (weights re-optimised, initialised at the original ones). The standard
error is ``sqrt((r − 1)/r) · sd(τ̂_placebo)``. With one treated unit ``replications=None`` uses
every control once, the limit of the random draws (no Monte Carlo error; on Prop 99 a
200-draw SE has a Monte Carlo SD of about 0.64 around that limit, 9.37).
:func:`placebo_interval` is synthdid's normal interval ``τ̂ ± z · se``. It is only valid when the
treated unit's noise is like the controls' (homoskedasticity across units): a small treated
kommun with noisier outcomes than the donors gets a too-narrow interval. The placebo estimates
are returned so that a rank (permutation) interval can be formed instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from evaluation.designs.wide import donor_columns
from evaluation.errors import DesignError

Method = Literal["sdid", "sc", "did"]
Solver = Literal["fw", "exact"]

#: synthdid defaults.
MIN_DECREASE_FACTOR = 1e-5
MAX_ITER = 10_000
MAX_ITER_PRE_SPARSIFY = 100
ETA_LAMBDA = 1e-6
ETA_OMEGA_SC = 1e-6


# --------------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdidFit:
    """One synthetic DiD / SC / DiD fit on a units × periods matrix.

    Attributes
    ----------
    method : {"sdid", "sc", "did"}
    tau : float
        Average effect on the treated units over the post-periods (ATT).
    omega : ndarray, shape (N0,)
        Unit weights of the control units (non-negative, sum to one).
    lambda_ : ndarray, shape (T0,)
        Time weights of the pre-periods (non-negative, sum to one; all zero for SC).
    omega_intercept : float
        ω₀: mean over the pre-periods of the treated mean minus the ω-weighted controls
        (0 for SC, which fits without an intercept).
    lambda_intercept : float
        λ₀: mean over the control units of their post-period mean minus their λ-weighted
        pre-period (0 for SC).
    zeta_omega, zeta_lambda, sigma_hat : float
        Regularisation of ω and λ and the noise level σ̂ they are built from.
    min_decrease : float
        Stopping tolerance of the solver (``1e-5 · σ̂``).
    n0, t0, n_treated, n_post : int
        Shape of the problem.
    treated_path : ndarray, shape (T,)
        Mean outcome of the treated units per period.
    synthetic_path : ndarray, shape (T,)
        ω-weighted control outcome per period (not shifted).
    offset : float
        λ-weighted pre-period gap ``Σ_t λ_t (treated_t − synthetic_t)`` (DiD: the plain
        pre-period mean gap; SC: 0). The counterfactual of the treated units is
        ``synthetic_path + offset`` (how synthdid's plot draws it).
    effect_path : ndarray, shape (T,)
        ``treated_path − synthetic_path − offset``; its post-period mean is ``tau`` and its
        pre-period values show the pre-treatment fit.
    solver : {"fw", "exact"}
        How the weights were computed.
    iterations : dict
        Solver iterations per weight vector (Frank–Wolfe: final round; exact: active-set
        steps, negative if the cap was hit), for diagnostics.
    control_units, treated_units, periods : tuple, optional
        Labels when the fit came from :func:`sdid_from_wide`.
    """

    method: str
    tau: float
    omega: np.ndarray
    lambda_: np.ndarray
    omega_intercept: float
    lambda_intercept: float
    zeta_omega: float
    zeta_lambda: float
    sigma_hat: float
    min_decrease: float
    n0: int
    t0: int
    n_treated: int
    n_post: int
    treated_path: np.ndarray
    synthetic_path: np.ndarray
    offset: float
    effect_path: np.ndarray
    solver: str = "fw"
    iterations: dict[str, int] = field(default_factory=dict)
    control_units: tuple = ()
    treated_units: tuple = ()
    periods: tuple = ()

    @property
    def counterfactual_path(self) -> np.ndarray:
        """Synthetic path shifted by the λ-weighted pre-period gap."""
        return self.synthetic_path + self.offset

    def weights_table(self) -> pd.DataFrame:
        """Control units with their ω weight, largest first (labels when known)."""
        units = list(self.control_units) if self.control_units else list(range(self.n0))
        out = pd.DataFrame({"unit": units, "omega": self.omega})
        return out.sort_values("omega", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class PlaceboResult:
    """Placebo (Algorithm 4) variance: ``se = sqrt((r−1)/r) · sd(estimates)``."""

    se: float
    estimates: np.ndarray
    replications: int
    seed: int | None


# --------------------------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------------------------


def _as_matrix(Y: np.ndarray | pd.DataFrame, N0: int, T0: int) -> np.ndarray:
    """Validate ``Y`` (units × periods) against ``N0`` and ``T0`` and return a float array."""
    arr = np.asarray(Y.to_numpy() if isinstance(Y, pd.DataFrame) else Y, dtype=float)
    if arr.ndim != 2:
        raise DesignError(
            "Utfallsdata måste vara en matris med enheter som rader och perioder som kolumner.",
            "The outcome data must be a matrix with units as rows and periods as columns.",
        )
    N, T = arr.shape
    if int(N0) < 2:
        raise DesignError(
            f"Syntetisk DiD kräver minst två kontrollenheter men fick {N0}; lägg till fler "
            "jämförelsekommuner.",
            f"Synthetic DiD needs at least two control units but got {N0}; add more comparison "
            "municipalities.",
        )
    if int(T0) < 2:
        raise DesignError(
            f"Syntetisk DiD kräver minst två perioder före reformen men fick {T0}; välj en "
            "längre förperiod.",
            f"Synthetic DiD needs at least two pre-reform periods but got {T0}; choose a longer "
            "pre-period.",
        )
    if N <= N0:
        raise DesignError(
            "Det finns ingen behandlad enhet efter kontrollenheterna; kontrollera vilken kommun "
            "som är behandlad.",
            "There is no treated unit after the control units; check which municipality is "
            "treated.",
        )
    if T <= T0:
        raise DesignError(
            "Det finns ingen period efter reformen; kontrollera reformdatum och dataperiod.",
            "There is no period after the reform; check the reform date and the data period.",
        )
    if not np.all(np.isfinite(arr)):
        raise DesignError(
            "Utfallsdata innehåller saknade eller oändliga värden; syntetisk DiD kräver en "
            "komplett panel — ta bort enheter med luckor eller fyll i dem.",
            "The outcome data contain missing or infinite values; synthetic DiD needs a "
            "balanced panel — drop units with gaps or fill them in.",
        )
    return arr


def noise_level(Y: np.ndarray, N0: int, T0: int) -> float:
    """σ̂: SD (n − 1) of all first differences of the control units' pre-period outcomes."""
    diffs = np.diff(np.asarray(Y, dtype=float)[:N0, :T0], axis=1)
    return float(np.std(diffs, ddof=1)) if diffs.size > 1 else 0.0


# --------------------------------------------------------------------------------------------
# Frank–Wolfe solver (batched)
# --------------------------------------------------------------------------------------------


def sparsify(x: np.ndarray) -> np.ndarray:
    """synthdid's sparsification: weights ≤ max/4 set to zero, rows renormalised to sum one."""
    x = np.array(x, dtype=float, copy=True)
    x[x <= x.max(axis=-1, keepdims=True) / 4] = 0.0
    return x / x.sum(axis=-1, keepdims=True)


def _fw_round(
    A: np.ndarray,
    b: np.ndarray,
    x0: np.ndarray,
    zeta: np.ndarray,
    min_decrease: np.ndarray,
    max_iter: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Frank–Wolfe with exact line search for a batch of simplex-constrained ridge problems.

    Minimises ``‖A_k x − b_k‖² + n ζ_k² ‖x‖²`` over the unit simplex for each problem ``k``
    and stops problem ``k`` after its ``max_iter``-th iteration or once an iteration lowered
    ``ζ_k² ‖x‖² + ‖A_k x − b_k‖² / n`` by no more than ``min_decrease_k²`` (after at least two).

    Parameters
    ----------
    A : ndarray, shape (B, n, k)
    b : ndarray, shape (B, n)
    x0 : ndarray, shape (B, k)
        Starting points on the simplex.
    zeta, min_decrease : ndarray, shape (B,)
    max_iter : int

    Returns
    -------
    x : ndarray, shape (B, k)
    iterations : ndarray of int, shape (B,)
    """
    n_batch, n_rows, _ = A.shape
    out_x = np.array(x0, dtype=float, copy=True)
    out_iter = np.zeros(n_batch, dtype=int)
    # working set (compacted as problems finish)
    idx = np.arange(n_batch)
    A_w, b_w, x = A, b, out_x.copy()
    zeta2 = np.asarray(zeta, dtype=float) ** 2
    eta = n_rows * zeta2
    tol2 = np.asarray(min_decrease, dtype=float) ** 2
    prev = np.full(n_batch, np.nan)
    last = np.full(n_batch, np.nan)
    iters = np.zeros(n_batch, dtype=int)
    Ax = np.einsum("bnk,bk->bn", A_w, x)
    while idx.size:
        active = (iters < max_iter) & ((iters < 2) | (prev - last > tol2))
        if not active.all():
            done = ~active
            out_x[idx[done]] = x[done]
            out_iter[idx[done]] = iters[done]
            keep = active
            if not keep.any():
                break
            idx, A_w, b_w, x, Ax = idx[keep], A_w[keep], b_w[keep], x[keep], Ax[keep]
            eta, zeta2, tol2 = eta[keep], zeta2[keep], tol2[keep]
            prev, last, iters = prev[keep], last[keep], iters[keep]
        rows = np.arange(idx.size)
        half_grad = np.einsum("bn,bnk->bk", Ax - b_w, A_w) + eta[:, None] * x
        vertex = np.argmin(half_grad, axis=1)
        d = -x
        d[rows, vertex] += 1.0
        d_err = A_w[rows, :, vertex] - Ax
        num = -np.einsum("bk,bk->b", half_grad, d)
        den = np.einsum("bn,bn->b", d_err, d_err) + eta * np.einsum("bk,bk->b", d, d)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(den > 0, num / den, 0.0)
        step = np.clip(step, 0.0, 1.0)
        x = x + step[:, None] * d
        Ax = np.einsum("bnk,bk->bn", A_w, x)
        err = Ax - b_w
        val = zeta2 * np.einsum("bk,bk->b", x, x) + np.einsum("bn,bn->b", err, err) / n_rows
        prev, last = last, val
        iters = iters + 1
    return out_x, out_iter


def _simplex_qp(Q: np.ndarray, c: np.ndarray, tol: float = 1e-11,
                x0: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact minimiser of ``½ x'Qx − c'x`` over the unit simplex, for a batch of problems.

    Primal active-set method (Nocedal & Wright 2006, Algorithm 16.3) run on all problems at
    once: start at the best vertex; solve the equality-constrained problem on the free set
    (KKT system with the multiplier μ of ``Σx = 1``); if that point is feasible, free the bound
    variable with the most negative multiplier ``ν_j = (Qx − c)_j + μ`` or stop when none is
    negative; if not, step to the boundary and bind the blocking variable. ``Q`` must be
    positive definite (it is ``A'A + ηI`` with ``η > 0``), so the optimum is unique.

    Parameters
    ----------
    Q : ndarray, shape (B, k, k)
    c : ndarray, shape (B, k)
    tol : float
        Optimality tolerance on the multipliers, relative to the scale of ``Q`` and ``c``.
    x0 : ndarray, shape (1, k), optional
        A start for a single problem (:func:`_simplex_qp_one` starts at its support): the
        weights of a similar problem shorten the path, not change the answer. Batches start
        at the best vertex.

    Returns
    -------
    x : ndarray, shape (B, k)
    iterations : ndarray of int, shape (B,)
        Active-set iterations; negative when the iteration cap was reached.
    """
    n_batch, k, _ = Q.shape
    if n_batch == 1:  # the common case (one fit, a placebo re-fit): no padding, no batching
        x1, it1 = _simplex_qp_one(Q[0], c[0], tol, None if x0 is None else x0[0])
        return x1[None], np.array([it1])
    diag = np.einsum("bkk->bk", Q)
    scale = np.abs(diag).max(axis=1) + np.abs(c).max(axis=1)
    rows = np.arange(n_batch)
    start = np.argmin(0.5 * diag - c, axis=1)
    free = np.zeros((n_batch, k), dtype=bool)
    free[rows, start] = True
    x = np.zeros((n_batch, k))
    x[rows, start] = 1.0
    out_x, out_iter = x.copy(), np.full(n_batch, -(4 * k + 100))
    # working set, compacted once half of it has converged (avoids copying Q every step)
    idx, Qw, cw, Fw, xw, sw = np.arange(n_batch), Q, c, free, x, scale
    it_w = np.zeros(n_batch, dtype=int)
    done = np.zeros(n_batch, dtype=bool)
    for _ in range(4 * k + 100):
        if done.all():
            break
        if 2 * done.sum() >= idx.size:
            out_x[idx[done]], out_iter[idx[done]] = xw[done], it_w[done]
            keep = ~done
            idx, Qw, cw, Fw, xw, sw = idx[keep], Qw[keep], cw[keep], Fw[keep], xw[keep], sw[keep]
            it_w, done = it_w[keep], done[keep]
        it_w[~done] += 1
        m = idx.size
        xs, mu = _free_set_solution(Qw, cw, Fw)
        feasible = ~np.any(Fw & (xs < 0.0), axis=1)
        grad = np.einsum("bij,bj->bi", Qw, xs) - cw
        nu = np.where(Fw, np.inf, grad + mu[:, None])
        j_add = np.argmin(nu, axis=1)
        optimal = feasible & (nu[np.arange(m), j_add] >= -tol * sw)
        add = feasible & ~optimal & ~done
        # infeasible candidates: ratio test towards xs, bind the blocking variable
        p = xs - xw
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(Fw & (p < 0.0), xw / -p, np.inf)
        j_drop = np.argmin(ratio, axis=1)
        alpha = np.clip(ratio[np.arange(m), j_drop], 0.0, 1.0)
        x_new = np.where(feasible[:, None], xs, xw + alpha[:, None] * p)
        F_new = Fw.copy()
        ia = np.nonzero(add)[0]
        F_new[ia, j_add[ia]] = True
        ib = np.nonzero(~feasible & ~done)[0]
        F_new[ib, j_drop[ib]] = False
        x_new = np.where(F_new, np.clip(x_new, 0.0, None), 0.0)
        xw = np.where(done[:, None], xw, x_new)
        Fw = np.where(done[:, None], Fw, F_new)
        done = done | optimal
    out_x[idx], out_iter[idx] = xw, np.where(done, it_w, -it_w)
    return out_x / out_x.sum(axis=1, keepdims=True), out_iter


#: Share of the bound variables with a negative multiplier that one step of
#: :func:`_active_set_one` frees (at least one): a pool of 288 kommuner has some 70 donors with
#: weight, which one at a time costs 70 steps or more; a tenth at a time about half as many.
#: Any path ends at the same unique optimum (Q is positive definite), and the final weights are
#: computed from the final free set alone, so the share changes the number of steps, not the
#: weights.
_FREE_SHARE = 0.1


#: Full exchanges :func:`_simplex_qp_one` makes without reducing the number of infeasible
#: variables before it exchanges one variable at a time (Kim & Park 2011's backup rule; their
#: 3 sent an ill-conditioned 288-donor test problem into 400 single exchanges, 10 into none).
_BPP_BACKUP = 10
#: Exchanges after which :func:`_simplex_qp_one` hands over to the active-set method (the
#: demo's 1 660 weight problems take at most 10; the tests' ill-conditioned ones at most 30).
_BPP_MAX_EXCHANGES = 40


def _simplex_qp_one(Q: np.ndarray, c: np.ndarray, tol: float,
                    x0: np.ndarray | None = None,
                    max_exchanges: int | None = None) -> tuple[np.ndarray, int]:
    """:func:`_simplex_qp` for one problem, without batch padding: block principal pivoting.

    The KKT conditions of ``min ½x'Qx − c'x`` s.t. ``Σx = 1``, ``x ≥ 0`` are those of a free
    set F: ``x_F`` solves the equality-constrained problem on F (:func:`_kkt_on`, with the
    multiplier μ), ``x_F ≥ 0``, and off F the multipliers ``ν = Qx − c + μ ≥ 0``. Block
    principal pivoting (Júdice & Pires 1994; Kim & Park 2011, Algorithm 2) moves every
    variable that violates them across at once — free ones with ``x_j < 0`` out of F, bound
    ones with ``ν_j < 0`` into F — while that lowers the number of violations, tolerates
    :data:`_BPP_BACKUP` exchanges that do not, and then moves only the violating variable with
    the largest index until the count falls again (Murty's rule, which cannot cycle). A 288-donor
    problem with some 65 weights takes about 7 exchanges instead of the 45 steps of the
    active-set path. The weights are computed from the final free set alone, so any path that
    ends at the optimum's free set gives the same weights to the last bit; Q is positive
    definite (``A'A + ηI``), so the optimum is unique. Should the exchanges not end within
    ``max_exchanges`` (default :data:`_BPP_MAX_EXCHANGES`), the primal active-set method
    finishes from the last feasible point (:func:`_active_set_one`; never seen on the demo's
    problems, tested).
    Without ``x0`` it starts at the best vertex; with a feasible ``x0`` at its support.
    Returns the weights and the number of exchanges (plus the active-set steps, if any).
    """
    k = c.size
    diag = np.diag(Q)
    scale = np.abs(diag).max() + np.abs(c).max()
    free = np.zeros(k, dtype=bool)
    if x0 is not None and x0.shape == (k,) and np.all(x0 >= 0.0) and x0.sum() > 0.0:
        free[x0 > 0.0] = True
    else:
        free[int(np.argmin(0.5 * diag - c))] = True
    rhs = np.empty((k, 2))
    rhs[:, 0], rhs[:, 1] = c, 1.0
    cap = _BPP_MAX_EXCHANGES if max_exchanges is None else max_exchanges
    fewest, backup = k + 1, _BPP_BACKUP
    x_feasible: np.ndarray | None = None
    for exchange in range(1, cap + 1):
        F = np.flatnonzero(free)
        xF, mu = _kkt_on(Q, rhs, F)
        xs = np.zeros(k)
        xs[F] = xF
        negative_x = xF < 0.0
        if not negative_x.any():
            x_feasible = xs
        nu = Q @ xs - c + mu
        wrong = ~free & (nu < -tol * scale)
        wrong[F[negative_x]] = True
        n_wrong = int(wrong.sum())
        if n_wrong == 0:
            return xs / xs.sum(), exchange
        if n_wrong < fewest:
            fewest, backup = n_wrong, _BPP_BACKUP
        elif backup > 0:
            backup -= 1
        else:  # Murty's rule: the violating variable with the largest index alone
            last = np.flatnonzero(wrong)[-1]
            wrong[:] = False
            wrong[last] = True
        moved = free ^ wrong
        if not moved.any():  # Σx = 1 needs a free variable: keep the most negative ν bound
            moved[int(np.argmin(np.where(free, np.inf, nu)))] = True
        free = moved
    x, steps = _active_set_one(Q, c, tol, x_feasible)
    return x, cap + steps if steps > 0 else steps - cap


def _active_set_one(Q: np.ndarray, c: np.ndarray, tol: float,
                    x0: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """:func:`_simplex_qp` for one problem, without batch padding (the fallback of
    :func:`_simplex_qp_one`).

    The same primal active-set method, with two differences that change the path, not the
    optimum: a feasible step frees the most negative tenth of the negative multipliers
    (:data:`_FREE_SHARE`) instead of one, and the KKT system on the free set F is solved
    through the Cholesky factor of ``Q_FF`` (LAPACK ``dposv``): ``Q_FF [y z] = [c_F 1]``,
    ``x_F = y − μz`` with ``μ = (Σy − 1)/Σz`` so that ``Σx_F = 1``. Without ``x0`` it starts at
    the best vertex, as the batch code; with a feasible ``x0`` (non-negative, summing to one)
    at ``x0`` with its support free.
    """
    k = c.size
    diag = np.diag(Q)
    scale = np.abs(diag).max() + np.abs(c).max()
    if x0 is not None and x0.shape == (k,) and np.all(x0 >= 0.0) and x0.sum() > 0.0:
        x = x0 / x0.sum()
        free = x > 0.0
    else:
        start = int(np.argmin(0.5 * diag - c))
        free = np.zeros(k, dtype=bool)
        free[start] = True
        x = np.zeros(k)
        x[start] = 1.0
    rhs = np.empty((k, 2))
    rhs[:, 0], rhs[:, 1] = c, 1.0
    cap = 4 * k + 100
    for iteration in range(1, cap + 1):
        F = np.flatnonzero(free)
        xF, mu = _kkt_on(Q, rhs, F)
        xs = np.zeros(k)
        xs[F] = xF
        if not (xF < 0.0).any():  # feasible: optimal, or free the most negative multipliers
            nu = Q @ xs - c + mu
            nu[free] = np.inf
            negative = np.flatnonzero(nu < -tol * scale)
            if negative.size == 0:
                return xs / xs.sum(), iteration
            n_free = max(1, int(negative.size * _FREE_SHARE))
            free[negative[np.argsort(nu[negative], kind="stable")[:n_free]]] = True
            x = xs
        else:  # step towards xs until a free variable hits zero, and bind it
            p = xs - x
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(free & (p < 0.0), x / -p, np.inf)
            j_drop = int(np.argmin(ratio))
            x = x + min(max(float(ratio[j_drop]), 0.0), 1.0) * p
            free[j_drop] = False
        x = np.where(free, np.clip(x, 0.0, None), 0.0)
    return x / x.sum(), -cap


def _kkt_on(Q: np.ndarray, rhs: np.ndarray, F: np.ndarray) -> tuple[np.ndarray, float]:
    """``x_F`` and the multiplier μ of ``min ½x'Qx − c'x`` s.t. ``Σx = 1``, ``x = 0`` off F;
    ``rhs`` holds the columns ``c`` and ``1``."""
    from scipy.linalg import lapack  # here, not at the top: see evaluation.designs

    _, yz, info = lapack.dposv(Q.take(F, 0).take(F, 1), rhs.take(F, 0), lower=0,
                               overwrite_a=1, overwrite_b=1)
    if info == 0:
        y, z = yz[:, 0], yz[:, 1]
        mu = (y.sum() - 1.0) / z.sum()
        return y - mu * z, float(mu)
    s = F.size  # Q_FF not numerically positive definite: the bordered system, least squares
    M = np.zeros((s + 1, s + 1))
    M[:s, :s] = Q.take(F, 0).take(F, 1)
    M[:s, s] = M[s, :s] = 1.0
    sol = np.linalg.lstsq(M, np.append(rhs[F, 0], 1.0), rcond=None)[0]
    return sol[:s], float(sol[s])


def _free_set_solution(
    Q: np.ndarray, c: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Minimiser of ``½ x'Qx − c'x`` s.t. ``Σx = 1`` and ``x_j = 0`` off the free set.

    Solves the KKT system ``[Q_FF 1; 1' 0] [x_F; μ] = [c_F; 1]`` on the free variables only,
    gathered into a padded batch of the largest free-set size.
    """
    n_batch, k = c.shape
    n_free = free.sum(axis=1)
    s = int(n_free.max())
    order = np.argsort(~free, axis=1, kind="stable")[:, :s]  # free indices first
    valid = np.arange(s)[None, :] < n_free[:, None]
    b_idx = np.arange(n_batch)[:, None, None]
    Qs = Q[b_idx, order[:, :, None], order[:, None, :]]
    pair = valid[:, :, None] & valid[:, None, :]
    M = np.zeros((n_batch, s + 1, s + 1))
    M[:, :s, :s] = np.where(pair, Qs, 0.0) + np.where(~valid[:, :, None], np.eye(s), 0.0)
    M[:, :s, s] = valid
    M[:, s, :s] = valid
    rhs = np.zeros((n_batch, s + 1))
    rhs[:, :s] = np.where(valid, np.take_along_axis(c, order, axis=1), 0.0)
    rhs[:, s] = 1.0
    try:
        sol = np.linalg.solve(M, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        sol = np.einsum("bij,bj->bi", np.linalg.pinv(M), rhs)
    xs = np.zeros((n_batch, k))
    np.put_along_axis(xs, order, np.where(valid, sol[:, :s], 0.0), axis=1)
    xs = np.where(free, xs, 0.0)
    return xs, sol[:, s]


def _solve_weights(
    A: np.ndarray,
    b: np.ndarray,
    zeta: np.ndarray,
    min_decrease: np.ndarray,
    intercept: bool,
    x0: np.ndarray | None = None,
    solver: str = "fw",
    max_iter: int = MAX_ITER,
    max_iter_pre_sparsify: int = MAX_ITER_PRE_SPARSIFY,
) -> tuple[np.ndarray, np.ndarray]:
    """Weights minimising ``ζ²‖x‖² + ‖A x − b‖²/n`` over the simplex, batched.

    ``A`` (B, n, k) holds the k candidate columns (control units or pre-periods) and ``b``
    (B, n) the target; with ``intercept`` every column and the target are centred over the
    n rows first. ``solver="fw"`` is synthdid's estimator (``sc.weight.fw`` for at most
    ``max_iter_pre_sparsify`` iterations from ``x0``, :func:`sparsify`, then ``sc.weight.fw``
    again for at most ``max_iter``); ``solver="exact"`` the exact minimiser
    (:func:`_simplex_qp`, which needs no start: the optimum is unique; a single problem's
    ``x0`` is where its path starts). Returns the weights (B, k) and the iterations of the
    (final) round.
    """
    if intercept:
        A = A - A.mean(axis=1, keepdims=True)
        b = b - b.mean(axis=1, keepdims=True)
    n_batch, n_rows, k = A.shape
    zeta = np.broadcast_to(np.asarray(zeta, dtype=float), (n_batch,))
    if solver == "exact":
        At = np.swapaxes(A, 1, 2)  # matmul (BLAS), not einsum: a 288-donor Gram matrix is
        Q = At @ A                 # 12 times faster (same products, other summation order)
        Q[:, np.arange(k), np.arange(k)] += (n_rows * zeta**2)[:, None]
        return _simplex_qp(Q, (At @ b[:, :, None])[:, :, 0], x0=x0)
    if solver != "fw":
        raise ValueError(f"unknown solver {solver!r}; use 'fw' or 'exact'")
    if x0 is None:
        x0 = np.full((n_batch, k), 1.0 / k)
    min_decrease = np.broadcast_to(np.asarray(min_decrease, dtype=float), (n_batch,))
    x, _ = _fw_round(A, b, x0, zeta, min_decrease, max_iter_pre_sparsify)
    return _fw_round(A, b, sparsify(x), zeta, min_decrease, max_iter)


# --------------------------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    """How a method sets the weights (synthdid's ``opts``)."""

    method: str
    omega_intercept: bool
    lambda_intercept: bool
    update_omega: bool
    update_lambda: bool


_OPTIONS = {
    "sdid": _Options("sdid", True, True, True, True),
    "sc": _Options("sc", False, True, True, False),
    "did": _Options("did", False, False, False, False),
}


def _batch_weights(
    Yb: np.ndarray,
    N0: int,
    T0: int,
    opts: _Options,
    zeta_omega: np.ndarray,
    zeta_lambda: np.ndarray,
    min_decrease: np.ndarray,
    omega0: np.ndarray | None,
    lambda0: np.ndarray | None,
    solver: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Weights and τ̂ for a batch of matrices ``Yb`` (B, N, T) sharing N0 and T0.

    Collapsed form as in synthdid: λ fits the controls' post-period means from their
    pre-periods (rows = control units); ω fits the treated units' mean pre-period path from the
    controls' (rows = pre-periods). ``omega0`` / ``lambda0`` are the fixed weights when the
    method does not update them, else starting values (``None``: synthdid's uniform start; for
    the exact solver a start shortens the path to the same weights).
    """
    controls_pre = Yb[:, :N0, :T0]
    treated_mean = Yb[:, N0:, :].mean(axis=1)  # (B, T)
    iterations: dict[str, np.ndarray] = {}
    omega, lam = omega0, lambda0
    if opts.update_lambda:
        lam, iterations["lambda"] = _solve_weights(
            controls_pre, Yb[:, :N0, T0:].mean(axis=2), zeta_lambda, min_decrease,
            opts.lambda_intercept, x0=lambda0, solver=solver,
        )
    if opts.update_omega:
        omega, iterations["omega"] = _solve_weights(
            np.swapaxes(controls_pre, 1, 2), treated_mean[:, :T0], zeta_omega, min_decrease,
            opts.omega_intercept, x0=omega0, solver=solver,
        )
    gap = treated_mean - np.einsum("bi,bit->bt", omega, Yb[:, :N0, :])
    tau = gap[:, T0:].mean(axis=1) - np.einsum("bt,bt->b", gap[:, :T0], lam)
    return tau, omega, lam, iterations


def _fit(Y: np.ndarray | pd.DataFrame, N0: int, T0: int, method: str, solver: str,
         omega_start: np.ndarray | None = None,
         lambda_start: np.ndarray | None = None) -> SdidFit:
    """Shared body of the three estimators."""
    if solver not in ("fw", "exact"):
        raise ValueError(f"unknown solver {solver!r}; use 'fw' or 'exact'")
    if (omega_start is not None or lambda_start is not None) and solver != "exact":
        raise ValueError("omega_start and lambda_start are starts for the exact solver; "
                         "Frank–Wolfe's result depends on where it starts")
    arr = _as_matrix(Y, N0, T0)
    N, T = arr.shape
    N1, T1 = N - N0, T - T0
    opts = _OPTIONS[method]
    sigma = noise_level(arr, N0, T0)
    if opts.update_omega and sigma == 0.0:
        raise DesignError(
            "Kontrollenheternas utfall är konstanta före reformen, så vikterna kan inte "
            "skattas; kontrollera utfallsdata.",
            "The control units' outcomes are constant before the reform, so the weights cannot "
            "be estimated; check the outcome data.",
        )
    eta_omega = ETA_OMEGA_SC if method == "sc" else (N1 * T1) ** 0.25
    zeta_omega, zeta_lambda = eta_omega * sigma, ETA_LAMBDA * sigma
    min_decrease = MIN_DECREASE_FACTOR * sigma
    omega0 = None if opts.update_omega else np.full((1, N0), 1.0 / N0)
    if omega_start is not None and opts.update_omega:
        omega0 = np.asarray(omega_start, dtype=float).reshape(1, -1)
    lambda0 = None
    if lambda_start is not None and opts.update_lambda:
        lambda0 = np.asarray(lambda_start, dtype=float).reshape(1, -1)
    if not opts.update_lambda:
        lambda0 = np.zeros((1, T0)) if method == "sc" else np.full((1, T0), 1.0 / T0)
    tau, omega, lam, iters = _batch_weights(
        arr[None], N0, T0, opts, np.array([zeta_omega]), np.array([zeta_lambda]),
        np.array([min_decrease]), omega0, lambda0, solver,
    )
    omega, lam = omega[0], lam[0]
    treated_path = arr[N0:].mean(axis=0)
    synthetic_path = omega @ arr[:N0]
    gap = treated_path - synthetic_path
    offset = float(gap[:T0] @ lam)
    return SdidFit(
        method=method,
        tau=float(tau[0]),
        omega=omega,
        lambda_=lam,
        omega_intercept=float(gap[:T0].mean()) if opts.omega_intercept else 0.0,
        lambda_intercept=(
            float(np.mean(arr[:N0, T0:].mean(axis=1) - arr[:N0, :T0] @ lam))
            if method == "sdid" else 0.0
        ),
        zeta_omega=float(zeta_omega),
        zeta_lambda=float(zeta_lambda),
        sigma_hat=sigma,
        min_decrease=float(min_decrease),
        n0=int(N0),
        t0=int(T0),
        n_treated=int(N1),
        n_post=int(T1),
        treated_path=treated_path,
        synthetic_path=synthetic_path,
        offset=offset,
        effect_path=gap - offset,
        solver=solver,
        iterations={k: int(v[0]) for k, v in iters.items()},
    )


def synthdid_estimate(
    Y: np.ndarray | pd.DataFrame, N0: int, T0: int, solver: Solver = "fw",
    omega_start: np.ndarray | None = None, lambda_start: np.ndarray | None = None,
) -> SdidFit:
    """Synthetic difference-in-differences (Arkhangelsky et al. 2021, Algorithm 1).

    Parameters
    ----------
    Y : array-like, shape (N, T)
        Outcomes, units × periods; rows ``0..N0-1`` are the controls, the rest treated;
        columns ``0..T0-1`` are the pre-periods.
    N0 : int
        Number of control units (≥ 2).
    T0 : int
        Number of pre-treatment periods (≥ 2).
    solver : {"fw", "exact"}
        ``"fw"``: synthdid's Frank–Wolfe with its stopping rule and sparsify step (reproduces
        the R package); ``"exact"``: the exact minimiser of the same objectives (faster, see
        the module docstring).
    omega_start : array of N0 weights, optional
        Where the exact solver's search for the unit weights starts (the support of, say, the
        same unit's weights at another date). The optimum is unique and computed from the
        final free set alone, so the start shortens the path and leaves the weights as they
        are. Only with ``solver="exact"``.
    lambda_start : array of T0 weights, optional
        The same for the time weights (the time weights of a fit on the same periods).

    Returns
    -------
    SdidFit
        With ``zeta_omega = (N_tr · T_post)^(1/4) · σ̂`` and ``zeta_lambda = 1e-6 · σ̂``.

    Raises
    ------
    DesignError
        Fewer than two controls or pre-periods, no treated unit or post-period, missing
        values, or constant control outcomes.
    """
    return _fit(Y, N0, T0, "sdid", solver, omega_start, lambda_start)


def sc_estimate(Y: np.ndarray | pd.DataFrame, N0: int, T0: int, solver: Solver = "fw") -> SdidFit:
    """Synthetic control as in synthdid's ``sc_estimate``.

    Unit weights without intercept and with 'infinitesimal' ridge ``ζ_ω = 1e-6 · σ̂``
    (``eta.omega = 1e-6``); no time weights (λ = 0), so τ̂ is the mean post-period gap to the
    synthetic control. Parameters as for :func:`synthdid_estimate`.
    """
    return _fit(Y, N0, T0, "sc", solver)


def did_estimate(Y: np.ndarray | pd.DataFrame, N0: int, T0: int, solver: Solver = "fw") -> SdidFit:
    """Difference-in-differences: uniform unit weights 1/N0 and time weights 1/T0.

    ``solver`` is accepted for a uniform signature and has no effect.
    """
    return _fit(Y, N0, T0, "did", solver)


_ESTIMATORS: dict[str, Callable[..., SdidFit]] = {
    "sdid": synthdid_estimate,
    "sc": sc_estimate,
    "did": did_estimate,
}


def _method_name(estimator: str | Callable | SdidFit) -> str:
    if isinstance(estimator, SdidFit):
        return estimator.method
    if isinstance(estimator, str) and estimator in _OPTIONS:
        return estimator
    for name, fn in _ESTIMATORS.items():
        if estimator is fn:
            return name
    raise ValueError(f"unknown estimator {estimator!r}; use 'sdid', 'sc' or 'did'")


def estimate(
    Y: np.ndarray | pd.DataFrame, N0: int, T0: int, method: Method = "sdid",
    solver: Solver = "fw",
) -> SdidFit:
    """Dispatch to :func:`synthdid_estimate`, :func:`sc_estimate` or :func:`did_estimate`."""
    return _ESTIMATORS[_method_name(method)](Y, N0, T0, solver=solver)


# --------------------------------------------------------------------------------------------
# placebo inference
# --------------------------------------------------------------------------------------------


def _sum_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to sum one; an all-zero row becomes uniform (synthdid's ``sum_normalize``)."""
    s = x.sum(axis=-1, keepdims=True)
    safe = np.where(s != 0, s, 1.0)
    return np.where(s != 0, x / safe, 1.0 / x.shape[-1])


def _placebo_orders(N0: int, N1: int, replications: int | None, seed: int | None) -> np.ndarray:
    """Rows are orderings of the controls; the last N1 entries play the treated."""
    if replications is None:
        if N1 != 1:
            raise ValueError("replications=None (every control once) needs a single treated unit")
        idx = np.arange(N0)
        return np.stack([np.r_[np.delete(idx, j), j] for j in range(N0)])
    if int(replications) < 2:
        raise ValueError("replications must be at least 2")
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(N0) for _ in range(int(replications))])


def placebo_estimates(
    Y: np.ndarray | pd.DataFrame,
    N0: int,
    T0: int,
    estimator: str | Callable | SdidFit = "sdid",
    replications: int | None = 200,
    seed: int | None = 0,
    fit: SdidFit | None = None,
    solver: Solver | None = None,
) -> np.ndarray:
    """Placebo estimates of Algorithm 4: the controls only, ``N_tr`` of them relabelled treated.

    Each replication draws a random permutation of the control units; its last ``N_tr`` units
    play the treated and the rest the controls. The estimator is re-run with the original fit's
    ``zeta_omega``, ``zeta_lambda`` and ``min_decrease`` and, for SDID, weights re-optimised
    from the original ω (restricted to the placebo controls, renormalised) and λ — as
    synthdid's ``placebo_se`` does.

    Parameters
    ----------
    Y, N0, T0
        As for :func:`synthdid_estimate`.
    estimator : {"sdid", "sc", "did"}, the estimator function, or an SdidFit
    replications : int or None
        Number of random placebo draws. ``None`` (single treated unit only): every control is
        the placebo-treated unit exactly once — the limit of the random draws as
        ``replications → ∞``, without Monte Carlo error.
    seed : int or None
        Seed for ``numpy.random.default_rng``.
    fit : SdidFit, optional
        The original fit (saves re-estimating it).
    solver : {"fw", "exact"}, optional
        Defaults to the fit's solver (``"fw"`` when no fit is given).

    Returns
    -------
    ndarray, shape (replications,) or (N0,)
    """
    arr = _as_matrix(Y, N0, T0)
    method = _method_name(fit if fit is not None else estimator)
    if solver is None:
        solver = fit.solver if fit is not None else "fw"
    if fit is None:
        fit = _ESTIMATORS[method](arr, N0, T0, solver=solver)
    N1 = arr.shape[0] - N0
    n_co = N0 - N1
    if n_co < 2:
        raise DesignError(
            "Placebo-standardfelet kräver minst två kontrollenheter fler än de behandlade; "
            "lägg till fler jämförelsekommuner.",
            "The placebo standard error needs at least two more control units than treated "
            "units; add more comparison municipalities.",
        )
    orders = _placebo_orders(N0, N1, replications, seed)
    opts = _OPTIONS[method]
    T = arr.shape[1]
    batch = max(1, min(len(orders), int(4e6 // max(N0 * T, N0 * N0, T * T))))
    out = np.empty(len(orders))
    for start in range(0, len(orders), batch):
        p = orders[start : start + batch]
        B = len(p)
        if method == "did":
            omega0 = np.full((B, n_co), 1.0 / n_co)
        else:
            omega0 = _sum_normalize(fit.omega[p[:, :n_co]])
        tau, _, _, _ = _batch_weights(
            arr[:N0][p], n_co, T0, opts,
            np.full(B, fit.zeta_omega), np.full(B, fit.zeta_lambda), np.full(B, fit.min_decrease),
            omega0, np.broadcast_to(fit.lambda_, (B, T0)).copy(), solver,
        )
        out[start : start + B] = tau
    return out


def placebo_se(
    Y: np.ndarray | pd.DataFrame,
    N0: int,
    T0: int,
    estimator: str | Callable | SdidFit = "sdid",
    replications: int | None = 200,
    seed: int | None = 0,
    fit: SdidFit | None = None,
    solver: Solver | None = None,
) -> PlaceboResult:
    """Placebo standard error (Algorithm 4; synthdid ``vcov(method = "placebo")``).

    ``se = sqrt((r − 1)/r) · sd(τ̂_placebo)``, i.e. the population SD of the ``r`` placebo
    estimates. Valid for a single treated unit under the assumption that the controls' errors
    are exchangeable with the treated unit's (homoskedastic across units). Parameters as for
    :func:`placebo_estimates`.

    Returns
    -------
    PlaceboResult
        ``se`` and the placebo estimates themselves (for a rank interval).
    """
    est = placebo_estimates(Y, N0, T0, estimator, replications, seed, fit, solver)
    return PlaceboResult(
        se=float(np.std(est, ddof=0)), estimates=est, replications=len(est),
        seed=None if replications is None else seed,
    )


def placebo_interval(
    fit: SdidFit, placebo: PlaceboResult | np.ndarray | Sequence[float], level: float = 0.95
) -> tuple[float, float]:
    """Normal interval ``τ̂ ± z_((1+level)/2) · se`` from the placebo estimates (as synthdid).

    The placebo variance is the spread of the estimator when a *control* unit plays the
    treated; the interval therefore assumes the treated unit's noise is like the controls'
    (homoskedastic units). For a treated kommun that is much smaller (noisier) than its donors
    it is too narrow; a rank interval from the placebo estimates avoids the normal shape but
    not that assumption.
    """
    from evaluation import distributions

    if not 0.0 < level < 1.0:
        raise ValueError("level must be in (0, 1)")
    if isinstance(placebo, PlaceboResult):
        se = placebo.se
    else:
        se = float(np.std(np.asarray(placebo, dtype=float), ddof=0))
    z = float(distributions.norm_ppf(0.5 + level / 2))
    return fit.tau - z * se, fit.tau + z * se


# --------------------------------------------------------------------------------------------
# convenience: periods × units table
# --------------------------------------------------------------------------------------------


def sdid_from_wide(
    Y_periods_by_units: pd.DataFrame,
    treated: object | Sequence[object],
    n_pre: int,
    donors: Sequence[object] | None = None,
    method: Method = "sdid",
    solver: Solver = "fw",
) -> SdidFit:
    """Fit on a periods × units table (rows periods in time order, one column per unit).

    Parameters
    ----------
    Y_periods_by_units : DataFrame
        Rows periods (sorted), columns units.
    treated : label or list of labels
        The treated unit(s).
    n_pre : int
        Number of pre-reform periods (the first ``n_pre`` rows).
    donors : list of labels, optional
        Control units; default every column that is not treated.
    method : {"sdid", "sc", "did"}
    solver : {"fw", "exact"}

    Returns
    -------
    SdidFit
        With ``control_units``, ``treated_units`` and ``periods`` labels filled in.
    """
    Y, controls, treated_list = wide_to_matrix(Y_periods_by_units, treated, donors)
    fit = estimate(Y, len(controls), int(n_pre), method, solver)
    return replace(
        fit,
        control_units=tuple(controls),
        treated_units=tuple(treated_list),
        periods=tuple(Y_periods_by_units.index),
    )


def wide_to_matrix(
    Y_periods_by_units: pd.DataFrame,
    treated: object | Sequence[object],
    donors: Sequence[object] | None = None,
) -> tuple[np.ndarray, list, list]:
    """Units × periods matrix with the controls first, plus the control and treated labels."""
    if not isinstance(Y_periods_by_units, pd.DataFrame):
        raise TypeError("Y_periods_by_units must be a DataFrame (periods × units)")
    columns = list(Y_periods_by_units.columns)
    many = isinstance(treated, (list, tuple, set, pd.Index, np.ndarray))
    treated_list = list(treated) if many else [treated]
    missing = [u for u in treated_list if u not in columns]
    if missing or not treated_list:
        raise DesignError(
            f"Den behandlade enheten {missing or treated_list} finns inte i data; kontrollera "
            "kommunkoden.",
            f"The treated unit {missing or treated_list} is not in the data; check the "
            "municipality code.",
        )
    controls = donor_columns(
        columns, treated_list,
        None if donors is None else [c for c in donors if c not in treated_list])
    Y = Y_periods_by_units[controls + treated_list].to_numpy(dtype=float).T
    return Y, controls, treated_list
