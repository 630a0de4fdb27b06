"""Synthetic control on a wide outcome matrix: fit, placebos, leave-one-out, conformal intervals.

Input everywhere is ``Y``: a :class:`pandas.DataFrame` with one row per period (sorted, unique)
and one column per unit, the ``treated`` column label, and ``n_pre``, the number of rows before
the intervention (rows ``n_pre`` onwards are the post-period). ``donors`` defaults to every other
column.

* :func:`fit_synth` — Abadie, Diamond & Hainmueller (2010, *JASA*; "ADH") weights on the
  simplex. Default: outcome-only weights minimising the squared pre-period gap over all
  pre-period rows (as ``synthdid::sc_estimate``, Arkhangelsky et al. 2021). With ``predictors``
  the weights minimise the V-weighted predictor distance, V diagonal, chosen by an outer
  search minimising the pre-period outcome MSPE from several seeded starts.
* :func:`placebo_in_space` — every donor treated in turn with the *other donors* as its pool
  (the actually treated unit is never a placebo donor); rank p-value of the post/pre RMSPE
  ratio, optional ADH pre-fit filter, (studentised) ATT p-value. Outcome-only placebos share
  one Gram matrix and run in milliseconds each.
* :func:`placebo_in_time`, :func:`leave_one_out` — robustness refits.
* :func:`conformal_intervals` — Chernozhukov, Wüthrich & Zhu (2021, *JASA*) conformal inference:
  intervals for the (constant) average effect and per post period.

The weight problem is solved exactly by :mod:`evaluation.designs.simplex`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evaluation.designs.simplex import polish_on_support, solve_simplex_qp
from evaluation.designs.wide import donor_columns, float_columns
from evaluation.errors import DesignError

__all__ = [
    "ConformalResult",
    "InTimeResult",
    "LeaveOneOutResult",
    "PlaceboResult",
    "SynthFit",
    "conformal_intervals",
    "fit_synth",
    "leave_one_out",
    "placebo_in_space",
    "placebo_in_time",
]

VSearch = Literal["multistart", "fast", "equal", "regression"]
_V_SEARCHES = ("multistart", "fast", "equal", "regression")
_N_RANDOM_STARTS = 10
_WEIGHT_ZERO = 1e-8


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SynthFit:
    """One synthetic-control fit.

    Attributes
    ----------
    treated : label of the treated column.
    n_pre : number of pre-intervention rows.
    weights : pd.Series over donors (non-negative, sum one).
    synthetic : pd.Series over all periods, ``Y[donors] @ weights``.
    gap : observed minus synthetic, all periods.
    pre_rmspe, post_rmspe : root mean squared gap before / after the intervention.
    rmspe_ratio : ``post_rmspe / pre_rmspe`` (``inf`` for a perfect pre-fit).
    att : mean post-period gap.
    v : pd.Series of predictor weights (sum one) when fitted on predictors, else None.
    loss : the minimised weight objective: pre-period MSPE (outcome-only) or the V-weighted
        squared distance of the SD-scaled predictors.
    observed : the treated unit's outcome, all periods.
    predictor_balance : with predictors, a table (treated, synthetic, donor mean, V) in the
        caller's units; else None.
    """

    treated: Hashable
    n_pre: int
    weights: pd.Series
    synthetic: pd.Series
    gap: pd.Series
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    att: float
    v: pd.Series | None
    loss: float
    observed: pd.Series
    predictor_balance: pd.DataFrame | None = None


@dataclass(frozen=True)
class PlaceboResult:
    """Placebo-in-space inference.

    Attributes
    ----------
    treated : the treated unit.
    table : one row per unit (treated first): ``role`` ("treated"/"placebo"), ``pre_rmspe``,
        ``post_rmspe``, ``rmspe_ratio``, ``att``, ``statistic`` (|att|, or |att|/pre_rmspe when
        studentised) and ``included`` (passes the pre-fit filter).
    gaps : DataFrame periods x units of observed minus synthetic.
    p_value : ``(1 + #{placebo ratio >= treated ratio}) / (1 + n_placebos)``.
    p_value_att : the same rank p-value on ``statistic`` (two-sided).
    n_placebos : placebos counted (after the filter).
    studentize : whether ``statistic`` is studentised.
    max_pre_rmspe_ratio : the ADH filter ``m`` (placebos with pre-RMSPE above m times the
        treated unit's are left out), or None.
    weights : DataFrame donors x units (each column one fit's weights, zero where not eligible).
    """

    treated: Hashable
    table: pd.DataFrame
    gaps: pd.DataFrame
    p_value: float
    p_value_att: float
    n_placebos: int
    studentize: bool
    max_pre_rmspe_ratio: float | None
    weights: pd.DataFrame


@dataclass(frozen=True)
class InTimeResult:
    """Placebo-in-time refits: one column/row per fake intervention row ``fake_n_pre``.

    ``table`` has ``fake_start`` (period label), ``att`` (mean gap from the fake start up to the
    real intervention), ``pre_rmspe``, ``post_rmspe``, ``rmspe_ratio``; ``gaps`` and
    ``synthetic`` are DataFrames periods x fake_n_pre over all periods.
    """

    table: pd.DataFrame
    gaps: pd.DataFrame
    synthetic: pd.DataFrame


@dataclass(frozen=True)
class LeaveOneOutResult:
    """Refits dropping each donor with positive weight.

    ``table`` (index: dropped donor) has the dropped donor's ``weight``, ``att``, ``pre_rmspe``
    and ``post_rmspe``; ``synthetic`` and ``gaps`` are DataFrames periods x dropped donor;
    ``base`` is the fit on all donors.
    """

    base: SynthFit
    table: pd.DataFrame
    synthetic: pd.DataFrame
    gaps: pd.DataFrame


@dataclass(frozen=True)
class ConformalResult:
    """Chernozhukov, Wüthrich & Zhu (2021) conformal inference for synthetic control.

    Attributes
    ----------
    level : confidence level.
    att : the synthetic-control point estimate of the average post effect.
    lower, upper : confidence interval for a constant post-period effect.
    p_value_zero : p-value of H0: effect = 0 in every post period.
    pointwise : DataFrame indexed by post period: ``estimate`` (gap), ``lower``, ``upper``,
        ``p_value_zero`` (one post period at a time, pre-period + that period).
    grid : DataFrame ``theta``, ``p_value`` for the average effect (the evaluated points).
    n_permutations : number of moving-block (cyclic) permutations for the average effect.
    """

    level: float
    att: float
    lower: float
    upper: float
    p_value_zero: float
    pointwise: pd.DataFrame
    grid: pd.DataFrame
    n_permutations: int


# --------------------------------------------------------------------------------------------
# Input checks


@dataclass(frozen=True)
class _Data:
    periods: pd.Index
    treated: Hashable
    donors: list[Hashable]
    y1: np.ndarray  # (T,)
    Y0: np.ndarray  # (T, J)
    n_pre: int


def _prepare(Y: pd.DataFrame, treated: Hashable, n_pre: int,
             donors: Sequence[Hashable] | None, *, min_donors: int = 2) -> _Data:
    _check_matrix(Y)
    if treated not in Y.columns:
        raise DesignError(
            f"Den behandlade enheten {treated!r} finns inte bland kolumnerna; ange en enhet som "
            "finns i datat.",
            f"The treated unit {treated!r} is not among the columns; give a unit present in "
            "the data.",
        )
    n_pre = _check_n_pre(n_pre, len(Y))
    pool = _donor_list(Y, treated, donors)
    if len(pool) < min_donors:
        raise DesignError(
            f"Syntetisk kontroll behöver minst {min_donors} jämförelseenheter men har "
            f"{len(pool)}; lägg till fler enheter i donatorpoolen.",
            f"Synthetic control needs at least {min_donors} donor units but has {len(pool)}; "
            "add more units to the donor pool.",
        )
    used = [treated, *pool]
    values = float_columns(Y, used)
    if not np.all(np.isfinite(values)):
        bad = [str(c) for c, ok in zip(used, np.isfinite(values).all(axis=0), strict=True)
               if not ok][:5]
        raise DesignError(
            f"Utfallsmatrisen saknar värden för {', '.join(bad)}; fyll i värdena eller ta bort "
            "enheterna ur donatorpoolen.",
            f"The outcome matrix has missing values for {', '.join(bad)}; fill them in or "
            "remove those units from the donor pool.",
        )
    return _Data(Y.index, treated, pool, values[:, 0], values[:, 1:], n_pre)


def _check_matrix(Y: pd.DataFrame) -> None:
    if not isinstance(Y, pd.DataFrame):
        raise DesignError(
            "Utfallet måste vara en tabell (DataFrame) med perioder som rader och enheter som "
            "kolumner; omforma datat till brett format.",
            "The outcome must be a table (DataFrame) with periods as rows and units as columns; "
            "reshape the data to wide format.",
        )
    if not (Y.index.is_unique and Y.index.is_monotonic_increasing):
        raise DesignError(
            "Perioderna (raderna) måste vara unika och sorterade i tidsordning; sortera datat "
            "och ta bort dubbletter.",
            "The periods (rows) must be unique and sorted in time order; sort the data and "
            "remove duplicates.",
        )
    if not Y.columns.is_unique:
        raise DesignError(
            "Enheterna (kolumnerna) måste vara unika; ta bort dubblerade kolumner.",
            "The units (columns) must be unique; remove duplicated columns.",
        )


def _check_n_pre(n_pre: int, n_rows: int) -> int:
    if isinstance(n_pre, bool) or not isinstance(n_pre, (int, np.integer)):
        raise DesignError(
            f"Antalet förperioder måste vara ett heltal, inte {n_pre!r}; ange ett heltal.",
            f"The number of pre-periods must be an integer, not {n_pre!r}; give an integer.",
        )
    n_pre = int(n_pre)
    if n_pre < 2:
        raise DesignError(
            f"Syntetisk kontroll behöver minst 2 perioder före reformen men fick {n_pre}; "
            "använd en längre förperiod.",
            f"Synthetic control needs at least 2 periods before the reform but got {n_pre}; "
            "use a longer pre-period.",
        )
    if n_pre >= n_rows:
        raise DesignError(
            f"Det finns ingen period efter reformen ({n_pre} förperioder av {n_rows}); lägg "
            "till perioder efter reformen.",
            f"There is no period after the reform ({n_pre} pre-periods of {n_rows}); add "
            "periods after the reform.",
        )
    return n_pre


def _donor_list(Y: pd.DataFrame, treated: Hashable,
                donors: Sequence[Hashable] | None) -> list[Hashable]:
    return donor_columns(list(Y.columns), [treated], donors)


def _check_v_search(v_search: str) -> None:
    if v_search not in _V_SEARCHES:
        raise DesignError(
            f"Okänd V-sökning {v_search!r}; välj en av {', '.join(_V_SEARCHES)}.",
            f"Unknown V search {v_search!r}; choose one of {', '.join(_V_SEARCHES)}.",
        )


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise DesignError(
            f"Konfidensnivån {level} måste ligga mellan 0 och 1, t.ex. 0.95.",
            f"The confidence level {level} must lie between 0 and 1, e.g. 0.95.",
        )
    return float(level)


# --------------------------------------------------------------------------------------------
# Outcome-only weights on a shared Gram matrix


class _GramProblem:
    """Outcome-only weight problems on the rows of one matrix, sharing a Gram matrix.

    Every column can be the target with any subset of the other columns as donors. Rows are
    centred by a common vector (allowed because weights sum to one) and scaled, so the Gram
    matrix is well conditioned; the solution is polished on its support from the data.
    """

    def __init__(self, M: np.ndarray):
        centred = M - M.mean(axis=1, keepdims=True)
        scale = float(np.max(np.abs(centred))) if centred.size else 1.0
        self.scale = scale if scale > 0 else 1.0
        self.X = centred / self.scale
        self.G = self.X.T @ self.X

    def weights(self, target: int, eligible: np.ndarray, w0: np.ndarray | None = None,
                shift: np.ndarray | None = None) -> np.ndarray:
        """Full-length weights (zero outside ``eligible``) for column ``target``.

        ``shift`` (in scaled units, length of the rows) is subtracted from the target first.
        """
        q = self.G[:, target]
        b = self.X[:, target]
        if shift is not None:
            q = q - self.X.T @ shift
            b = b - shift
        w = solve_simplex_qp(self.G, q, eligible=eligible, w0=w0)
        return polish_on_support(self.X, b, w)


def _outcome_weights(y1_pre: np.ndarray, Y0_pre: np.ndarray) -> np.ndarray:
    gram = _GramProblem(np.column_stack([y1_pre, Y0_pre]))
    eligible = np.ones(Y0_pre.shape[1] + 1, dtype=bool)
    eligible[0] = False
    return gram.weights(0, eligible)[1:]


# --------------------------------------------------------------------------------------------
# Predictor weights with a V search


def _scaled_predictors(predictors: pd.DataFrame, units: Sequence[Hashable]
                       ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Predictor matrix (k x units) scaled by each predictor's SD across ``units``."""
    if not isinstance(predictors, pd.DataFrame):
        raise DesignError(
            "Prediktorerna måste vara en tabell med en rad per prediktor och en kolumn per "
            "enhet; omforma dem.",
            "The predictors must be a table with one row per predictor and one column per "
            "unit; reshape them.",
        )
    missing = [str(u) for u in units if u not in predictors.columns]
    if missing:
        raise DesignError(
            f"Prediktorer saknas för {', '.join(missing[:5])}; beräkna prediktorerna för alla "
            "enheter.",
            f"Predictors are missing for {', '.join(missing[:5])}; compute the predictors for "
            "all units.",
        )
    raw = predictors[list(units)].astype(float)
    values = raw.to_numpy()
    if values.shape[0] < 1 or not np.all(np.isfinite(values)):
        raise DesignError(
            "Prediktortabellen är tom eller saknar värden; fyll i alla prediktorer.",
            "The predictor table is empty or has missing values; fill in all predictors.",
        )
    sd = values.std(axis=1, ddof=1)
    if np.any(~(sd > 0)):
        flat = [str(i) for i in raw.index[~(sd > 0)]]
        raise DesignError(
            f"Prediktorn {', '.join(flat)} är lika för alla enheter; ta bort den.",
            f"The predictor {', '.join(flat)} is the same for all units; remove it.",
        )
    return values / sd[:, None], sd, raw


class _VProblem:
    """Inner weights ``w(V)`` and the outer pre-period outcome MSPE for the V search.

    The inner problem (scaled predictors ``X``) is
    ``min_w sum_h V_h (X1_h - X0_h w)^2 + ridge |w|^2`` on the simplex. The tiny ridge
    (``1e-6`` times the largest predictor's sum of squares over donors, divided by the number
    of donors) makes ``w(V)`` unique: with fewer predictors than donors, a V concentrated on a
    few predictors lets many donor combinations match them exactly, and without it the outer
    search would exploit the solver's arbitrary choice among them. For the same reason every
    predictor keeps a floor of ``1e-4`` of V (V = floor + (1 - k floor) softmax).

    The outer loss is ``L(V) = mean (Z1 - Z0 w(V))^2``, divided by its value at equal V so
    tolerances and step sizes are scale free; V is parametrised as
    ``softmax([phi, 0])`` and the exact gradient on the current active set comes from the
    implicit-function theorem on the inner KKT system (one adjoint solve).
    """

    RIDGE = 1e-6
    FLOOR = 1e-4

    def __init__(self, X1: np.ndarray, X0: np.ndarray, Z1: np.ndarray, Z0: np.ndarray):
        common = X0.mean(axis=1)
        self.floor = min(self.FLOOR, 0.1 / X0.shape[0])
        self.X0 = X0 - common[:, None]
        self.X1 = X1 - common
        top = float(np.max(np.sum(self.X0**2, axis=1)))
        self.ridge = self.RIDGE * (top if top > 0 else 1.0) / X0.shape[1]
        self.Z1, self.Z0 = Z1, Z0
        self.norm = 1.0
        self.w: np.ndarray | None = None
        at_equal = self.loss(np.zeros(X0.shape[0] - 1))
        self.norm = at_equal if at_equal > 0 else 1.0
        self.w = None

    def weights(self, v: np.ndarray, w0: np.ndarray | None = None) -> tuple[np.ndarray,
                                                                          np.ndarray]:
        Q = (self.X0 * v[:, None]).T @ self.X0
        Q[np.diag_indices_from(Q)] += self.ridge
        w = solve_simplex_qp(Q, self.X0.T @ (v * self.X1), w0=w0)
        return w, Q

    def loss(self, phi: np.ndarray) -> float:
        w, _ = self.weights(self.v(phi), self.w)
        self.w = w
        r = self.Z1 - self.Z0 @ w
        return float(r @ r) / (len(r) * self.norm)

    def loss_grad(self, phi: np.ndarray) -> tuple[float, np.ndarray]:
        soft = _softmax_v(phi)
        v = self.floor + (1.0 - len(soft) * self.floor) * soft
        w, Q = self.weights(v, self.w)
        self.w = w
        r = self.Z1 - self.Z0 @ w
        scale = len(r) * self.norm
        support = np.flatnonzero(w > 0)
        p = len(support)
        kkt = np.zeros((p + 1, p + 1))
        kkt[:p, :p] = Q[np.ix_(support, support)]
        kkt[:p, p] = 1.0
        kkt[p, :p] = 1.0
        rhs = np.r_[-2.0 * (self.Z0[:, support].T @ r) / scale, 0.0]
        try:
            adjoint = np.linalg.solve(kkt, rhs)[:p]
        except np.linalg.LinAlgError:
            adjoint = np.linalg.lstsq(kkt, rhs, rcond=None)[0][:p]
        grad_v = (self.X0[:, support] @ adjoint) * (self.X1 - self.X0 @ w)
        grad_phi = (1.0 - len(soft) * self.floor) * soft * (grad_v - soft @ grad_v)
        return float(r @ r) / scale, grad_phi[:-1]

    def v(self, phi: np.ndarray) -> np.ndarray:
        soft = _softmax_v(phi)
        return self.floor + (1.0 - len(soft) * self.floor) * soft


def _softmax_v(phi: np.ndarray) -> np.ndarray:
    z = np.r_[phi, 0.0]
    e = np.exp(z - z.max())
    return e / e.sum()


def _to_phi(v: np.ndarray) -> np.ndarray:
    v = np.maximum(np.asarray(v, dtype=float), 1e-12)
    return np.log(v[:-1] / v[-1])


def _regression_v(X: np.ndarray, Z: np.ndarray) -> np.ndarray:
    """Regression-based V start: V_h ∝ sum over pre-periods of the squared coefficient of
    predictor h when the period's outcome is regressed across units on the scaled predictors.
    """
    design = np.column_stack([np.ones(X.shape[1]), X.T])
    beta = np.linalg.lstsq(design, Z.T, rcond=None)[0][1:]
    v = np.sum(beta**2, axis=1)
    if not np.all(np.isfinite(v)) or v.sum() <= 0:
        return np.full(X.shape[0], 1.0 / X.shape[0])
    return v / v.sum()


def _search_v(problem: _VProblem, X: np.ndarray, Z: np.ndarray, v_search: str,
              seed: int) -> np.ndarray:
    """V (sum one) minimising the pre-period outcome MSPE of ``w(V)`` (ADH 2010).

    Each start runs BFGS with the exact gradient on ``phi``; "multistart" then polishes the
    best point with Nelder–Mead (the loss has kinks where the donor support changes).
    """
    k = X.shape[0]
    equal = np.full(k, 1.0 / k)
    if v_search == "equal" or k == 1:
        return equal
    regression = _regression_v(X, Z)
    if v_search == "regression":
        return regression
    starts = [equal, regression]
    if v_search == "multistart":
        rng = np.random.default_rng(seed)
        starts += list(rng.dirichlet(np.ones(k), size=_N_RANDOM_STARTS))
    from scipy.optimize import minimize

    best_phi, best_value = _to_phi(equal), np.inf
    for start in starts:
        problem.w = None
        result = minimize(problem.loss_grad, _to_phi(start), jac=True, method="BFGS",
                          options={"maxiter": 200, "gtol": 1e-9})
        if result.fun < best_value:
            best_phi, best_value = result.x, float(result.fun)
    if v_search == "multistart":
        problem.w = None
        simplex = best_phi + np.vstack([np.zeros(k - 1), 0.5 * np.eye(k - 1)])
        result = minimize(problem.loss, best_phi, method="Nelder-Mead",
                          options={"initial_simplex": simplex, "maxiter": 30 * k,
                                   "xatol": 1e-4, "fatol": 1e-10})
        if result.fun < best_value:
            best_phi = result.x
    return problem.v(best_phi)


def _predictor_fit(data: _Data, predictors: pd.DataFrame, v: Sequence[float] | None,
                   v_search: str, seed: int) -> tuple[np.ndarray, np.ndarray, float, pd.DataFrame]:
    units = [data.treated, *data.donors]
    X, sd, raw = _scaled_predictors(predictors, units)
    X1, X0 = X[:, 0], X[:, 1:]
    Z1, Z0 = data.y1[: data.n_pre], data.Y0[: data.n_pre]
    problem = _VProblem(X1, X0, Z1, Z0)
    if v is None:
        _check_v_search(v_search)
        v_arr = _search_v(problem, X, np.column_stack([Z1, Z0]), v_search, seed)
    else:
        v_arr = _check_v(v, X.shape[0])
    w, _ = problem.weights(v_arr)
    r = X1 - X0 @ w
    loss = float(v_arr @ r**2)
    raw_values = raw.to_numpy()
    balance = pd.DataFrame(
        {"treated": raw_values[:, 0], "synthetic": raw_values[:, 1:] @ w,
         "donor_mean": raw_values[:, 1:].mean(axis=1), "v": v_arr, "sd": sd},
        index=raw.index,
    )
    return w, v_arr, loss, balance


def _check_v(v: Sequence[float], k: int) -> np.ndarray:
    arr = np.asarray(v, dtype=float).ravel()
    if arr.shape != (k,) or not np.all(np.isfinite(arr)) or np.any(arr < 0) or arr.sum() <= 0:
        raise DesignError(
            f"V måste ha {k} icke-negativa värden (ett per prediktor) som inte alla är noll; "
            "ange ett giltigt V eller låt det sökas fram.",
            f"V must have {k} non-negative values (one per predictor), not all zero; give a "
            "valid V or let it be searched.",
        )
    return arr / arr.sum()


# --------------------------------------------------------------------------------------------
# Fit


def _rmspe(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2))) if len(x) else float("nan")


def _ratio(post: float, pre: float) -> float:
    if pre > 0:
        return post / pre
    return float("inf") if post > 0 else float("nan")


def _summary(y1: np.ndarray, synthetic: np.ndarray, n_pre: int) -> dict[str, float]:
    gap = y1 - synthetic
    pre, post = _rmspe(gap[:n_pre]), _rmspe(gap[n_pre:])
    return {"pre_rmspe": pre, "post_rmspe": post, "rmspe_ratio": _ratio(post, pre),
            "att": float(np.mean(gap[n_pre:]))}


def _make_fit(data: _Data, w: np.ndarray, v: pd.Series | None, loss: float | None,
              balance: pd.DataFrame | None) -> SynthFit:
    w = np.where(w > _WEIGHT_ZERO, w, 0.0)
    w = w / w.sum()
    synthetic = data.Y0 @ w
    stats = _summary(data.y1, synthetic, data.n_pre)
    if loss is None:
        loss = stats["pre_rmspe"] ** 2
    return SynthFit(
        treated=data.treated,
        n_pre=data.n_pre,
        weights=pd.Series(w, index=pd.Index(data.donors, name="donor"), name="weight"),
        synthetic=pd.Series(synthetic, index=data.periods, name="synthetic"),
        gap=pd.Series(data.y1 - synthetic, index=data.periods, name="gap"),
        v=v,
        loss=float(loss),
        observed=pd.Series(data.y1, index=data.periods, name=data.treated),
        predictor_balance=balance,
        **stats,
    )


def _fit_data(data: _Data, predictors: pd.DataFrame | None, v: Sequence[float] | None,
              v_search: str, seed: int) -> SynthFit:
    if predictors is None:
        w = _outcome_weights(data.y1[: data.n_pre], data.Y0[: data.n_pre])
        return _make_fit(data, w, None, None, None)
    w, v_arr, loss, balance = _predictor_fit(data, predictors, v, v_search, seed)
    v_series = pd.Series(v_arr, index=balance.index, name="v")
    return _make_fit(data, w, v_series, loss, balance)


def fit_synth(
    Y: pd.DataFrame,
    treated: Hashable,
    n_pre: int,
    donors: Sequence[Hashable] | None = None,
    predictors: pd.DataFrame | None = None,
    v: Sequence[float] | None = None,
    v_search: VSearch = "multistart",
    seed: int = 0,
) -> SynthFit:
    """Fit synthetic-control weights for ``treated``.

    Parameters
    ----------
    Y : DataFrame, periods (sorted) x units
        Outcomes, no missing values in the treated and donor columns.
    treated : column label of the treated unit.
    n_pre : number of pre-intervention rows (>= 2, < number of rows).
    donors : donor column labels; default all other columns.
    predictors : DataFrame k predictors x units, optional
        Already computed predictor values (e.g. pre-period means). Each predictor is divided by
        its standard deviation across the treated unit and the donors (ddof 1) before fitting,
        so the caller may pass them in their natural units. Without predictors the weights
        minimise the squared gap over all pre-period outcome rows (no V).
    v : predictor weights (one per predictor), optional
        Fixes V instead of searching it (normalised to sum one).
    v_search : "multistart" | "fast" | "equal" | "regression"
        How V is chosen (ADH 2010: V minimises the pre-period outcome MSPE of ``w(V)``).
        "multistart" runs BFGS with the exact gradient from equal V, a regression-based V and
        ten seeded Dirichlet starts, then polishes the best with Nelder–Mead (single starts
        land in local optima); "fast" uses the first two starts only; "equal"/"regression"
        use that V with no search. Every predictor keeps at least ``1e-4`` of V and the inner
        problem carries a ``1e-6`` relative ridge, so ``w(V)`` is unique and the search cannot
        exploit ties (V on one predictor lets many donor mixes match it exactly).
    seed : seed of the random starts.

    Returns
    -------
    SynthFit
    """
    data = _prepare(Y, treated, n_pre, donors)
    return _fit_data(data, predictors, v, v_search, seed)


# --------------------------------------------------------------------------------------------
# Placebo in space


def _rank_p(treated_stat: float, placebo_stats: np.ndarray) -> float:
    """``(1 + #{placebo >= treated}) / (1 + n)`` with a tiny relative tolerance for ties."""
    if np.isnan(treated_stat):
        return float("nan")
    tol = 1e-10 * abs(treated_stat) if np.isfinite(treated_stat) else 0.0
    count = int(np.sum(placebo_stats >= treated_stat - tol))
    return (1 + count) / (1 + len(placebo_stats))


def _batch_outcome_fits(data: _Data, targets: Sequence[int] | None = None) -> np.ndarray:
    """Weights (J+1 x len(targets); column k = the fit for unit ``targets[k]``, units =
    [treated, *donors], default every unit) of the treated fit and the placebo fits,
    outcome-only, all on one Gram matrix.

    The treated unit (0) may use every donor; placebo unit u may use every donor but u.
    """
    M = np.column_stack([data.y1, data.Y0])
    gram = _GramProblem(M[: data.n_pre])
    n = M.shape[1]
    targets = range(n) if targets is None else list(targets)
    W = np.zeros((n, len(targets)))
    eligible = np.ones(n, dtype=bool)
    eligible[0] = False
    for k, u in enumerate(targets):
        mask = eligible.copy()
        mask[u] = False
        W[:, k] = gram.weights(u, mask)
    return W


def placebo_in_space(
    Y: pd.DataFrame,
    treated: Hashable,
    n_pre: int,
    donors: Sequence[Hashable] | None = None,
    predictors: pd.DataFrame | None = None,
    v: Sequence[float] | None = None,
    v_search: VSearch = "multistart",
    seed: int = 0,
    max_pre_rmspe_ratio: float | None = None,
    studentize: bool = False,
    placebos: Sequence[Hashable] | None = None,
) -> PlaceboResult:
    """Treat each donor in turn, with the other donors as its pool (ADH 2010 placebo test).

    The actually treated unit is excluded from every placebo's donor pool. Each placebo is fitted
    as :func:`fit_synth` would (same ``predictors``/``v``/``v_search``/``seed``; predictor SDs
    over the placebo and its pool).

    Parameters
    ----------
    max_pre_rmspe_ratio : float, optional
        ADH's filter: count only placebos whose pre-RMSPE is at most this multiple of the
        treated unit's (ADH's "MSPE at most 5 times" is ``sqrt(5)`` here).
    studentize : bool
        ATT p-value on ``|att| / pre_rmspe`` instead of ``|att|``.
    placebos : sequence, optional
        The donors that play the treated unit (default every donor); each still has every
        other donor in its pool. The report's inference uses the donors closest in size, so
        only their fits are computed.

    Returns
    -------
    PlaceboResult
        ``p_value`` is the rank p-value of the treated unit's post/pre RMSPE ratio,
        ``(1 + #{placebo ratio >= treated ratio}) / (1 + n_placebos)``.
    """
    data = _prepare(Y, treated, n_pre, donors, min_donors=3)
    everyone = [data.treated, *data.donors]
    if placebos is None:
        targets = list(range(len(everyone)))
    else:
        wanted = set(placebos)
        donor_set = set(data.donors)
        unknown = [str(u) for u in dict.fromkeys(placebos) if u not in donor_set]
        if unknown:
            raise DesignError(
                f"Placeboenheterna {', '.join(unknown[:5])} är inte jämförelseenheter: välj "
                "bland jämförelseenheterna.",
                f"The placebo units {', '.join(unknown[:5])} are not donors: choose among the "
                "donors.",
            )
        targets = [0, *(i for i, u in enumerate(everyone) if i > 0 and u in wanted)]
    units = [everyone[i] for i in targets]
    M = np.column_stack([data.y1, data.Y0])
    if predictors is None:
        W = _batch_outcome_fits(data, targets)
    else:
        W = np.zeros((len(everyone), len(targets)))
        W[1:, 0] = _fit_data(data, predictors, v, v_search, seed).weights.to_numpy()
        for k, u in enumerate(targets[1:], start=1):
            pool = [d for d in data.donors if d != everyone[u]]
            sub = _Data(data.periods, everyone[u], pool, M[:, u],
                        np.delete(M, [0, u], axis=1), data.n_pre)
            w = _fit_data(sub, predictors, v, v_search, seed).weights.to_numpy()
            W[[i for i in range(1, len(everyone)) if i != u], k] = w
    W = np.where(W > _WEIGHT_ZERO, W, 0.0)
    W = W / W.sum(axis=0, keepdims=True)
    gaps = M[:, targets] - M @ W
    table = _placebo_table(gaps, units, data.n_pre, studentize)
    if max_pre_rmspe_ratio is not None:
        if not max_pre_rmspe_ratio > 0:
            raise DesignError(
                f"Filtret för förperiodens anpassning måste vara positivt, inte "
                f"{max_pre_rmspe_ratio}; ange t.ex. 2 eller 5.",
                f"The pre-fit filter must be positive, not {max_pre_rmspe_ratio}; give e.g. 2 "
                "or 5.",
            )
        limit = max_pre_rmspe_ratio * table["pre_rmspe"].iloc[0]
        table["included"] = table["pre_rmspe"] <= limit * (1 + 1e-12)
        table.iloc[0, table.columns.get_loc("included")] = True
    placebos = table.iloc[1:][table["included"].iloc[1:]]
    return PlaceboResult(
        treated=data.treated,
        table=table,
        gaps=pd.DataFrame(gaps, index=data.periods, columns=pd.Index(units, name="unit")),
        p_value=_rank_p(table["rmspe_ratio"].iloc[0], placebos["rmspe_ratio"].to_numpy()),
        p_value_att=_rank_p(table["statistic"].iloc[0], placebos["statistic"].to_numpy()),
        n_placebos=len(placebos),
        studentize=studentize,
        max_pre_rmspe_ratio=max_pre_rmspe_ratio,
        weights=pd.DataFrame(W[1:], index=pd.Index(data.donors, name="donor"),
                             columns=pd.Index(units, name="unit")),
    )


def _placebo_table(gaps: np.ndarray, units: list[Hashable], n_pre: int,
                   studentize: bool) -> pd.DataFrame:
    pre = np.sqrt(np.mean(gaps[:n_pre] ** 2, axis=0))
    post = np.sqrt(np.mean(gaps[n_pre:] ** 2, axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pre > 0, post / pre, np.where(post > 0, np.inf, np.nan))
        att = gaps[n_pre:].mean(axis=0)
        statistic = np.abs(att) / pre if studentize else np.abs(att)
    table = pd.DataFrame(
        {"role": ["treated"] + ["placebo"] * (len(units) - 1), "pre_rmspe": pre,
         "post_rmspe": post, "rmspe_ratio": ratio, "att": att, "statistic": statistic,
         "included": True},
        index=pd.Index(units, name="unit"),
    )
    return table


# --------------------------------------------------------------------------------------------
# Placebo in time, leave-one-out


def placebo_in_time(
    Y: pd.DataFrame,
    treated: Hashable,
    n_pre: int,
    fake_n_pre_list: Sequence[int],
    donors: Sequence[Hashable] | None = None,
) -> InTimeResult:
    """Refit outcome-only SC as if the intervention had come at row ``fake_n_pre`` (< n_pre).

    The fake post-period runs from the fake start up to the real intervention (rows
    ``fake_n_pre .. n_pre - 1``), so real post-period data never enter the fake ATT or RMSPE.
    The synthetic and gap paths cover all periods.
    """
    data = _prepare(Y, treated, n_pre, donors)
    fakes = [int(m) for m in fake_n_pre_list]
    if not fakes:
        raise DesignError(
            "Ange minst en falsk reformtidpunkt för placebo i tid.",
            "Give at least one fake reform date for the placebo-in-time test.",
        )
    rows, synth_cols = [], {}
    for m in fakes:
        if not 2 <= m < data.n_pre:
            raise DesignError(
                f"Den falska reformtidpunkten {m} måste ligga mellan 2 och {data.n_pre - 1} "
                "förperioder; välj en tidigare tidpunkt inom förperioden.",
                f"The fake reform row {m} must lie between 2 and {data.n_pre - 1}; choose a "
                "date inside the pre-period.",
            )
        w = _outcome_weights(data.y1[:m], data.Y0[:m])
        synthetic = data.Y0 @ w
        window = slice(0, data.n_pre)
        stats = _summary(data.y1[window], synthetic[window], m)
        rows.append({"fake_n_pre": m, "fake_start": data.periods[m], **stats})
        synth_cols[m] = synthetic
    synthetic = pd.DataFrame(synth_cols, index=data.periods)
    synthetic.columns.name = "fake_n_pre"
    gaps = synthetic.rsub(data.y1, axis=0)
    return InTimeResult(table=pd.DataFrame(rows).set_index("fake_n_pre"), gaps=gaps,
                        synthetic=synthetic)


def leave_one_out(
    Y: pd.DataFrame,
    treated: Hashable,
    n_pre: int,
    donors: Sequence[Hashable] | None = None,
    predictors: pd.DataFrame | None = None,
    v: Sequence[float] | None = None,
    v_search: VSearch = "multistart",
    seed: int = 0,
) -> LeaveOneOutResult:
    """Drop each donor with positive weight in turn and refit (same settings as the base fit)."""
    data = _prepare(Y, treated, n_pre, donors, min_donors=3)
    base = _fit_data(data, predictors, v, v_search, seed)
    positive = [d for d, w in base.weights.items() if w > _WEIGHT_ZERO]
    rows, synth_cols = [], {}
    for dropped in positive:
        keep = [i for i, d in enumerate(data.donors) if d != dropped]
        sub = _Data(data.periods, data.treated, [data.donors[i] for i in keep], data.y1,
                    data.Y0[:, keep], data.n_pre)
        fit = _fit_data(sub, predictors, v, v_search, seed)
        rows.append({"dropped": dropped, "weight": float(base.weights[dropped]),
                     "att": fit.att, "pre_rmspe": fit.pre_rmspe, "post_rmspe": fit.post_rmspe})
        synth_cols[dropped] = fit.synthetic.to_numpy()
    columns = pd.Index(list(synth_cols), name="dropped")
    synthetic = pd.DataFrame(synth_cols, index=data.periods, columns=columns)
    table = (pd.DataFrame(rows).set_index("dropped") if rows else
             pd.DataFrame(columns=["weight", "att", "pre_rmspe", "post_rmspe"]))
    return LeaveOneOutResult(base=base, table=table, synthetic=synthetic,
                             gaps=synthetic.rsub(data.y1, axis=0))


# --------------------------------------------------------------------------------------------
# Conformal inference (Chernozhukov, Wüthrich & Zhu 2021)


class _ConformalTest:
    """p-value of H0: effect = theta on the rows flagged ``tested``, SC refitted on all rows.

    Under H0 the treated outcome on the tested rows minus theta is the counterfactual; SC
    weights are fitted on all rows; the statistic is the mean absolute residual on the tested
    rows (q = 1); its p-value is the share of the cyclic (moving-block) shifts of the residual
    time index whose statistic is at least as large.
    """

    def __init__(self, y1: np.ndarray, Y0: np.ndarray, tested: np.ndarray):
        self.M = np.column_stack([y1, Y0])
        self.gram = _GramProblem(self.M)
        self.tested = tested.astype(float)
        n = len(y1)
        self.n_permutations = n
        self.eligible = np.ones(self.M.shape[1], dtype=bool)
        self.eligible[0] = False
        shifts = (np.arange(n)[None, :] + np.arange(n)[:, None]) % n
        # row j: the rows that count as "tested" after a cyclic shift by j
        self.perm_tested = tested[shifts].astype(float)
        self.w: np.ndarray | None = None

    def p_value(self, theta: float) -> float:
        shift = self.tested * (theta / self.gram.scale)
        w = self.gram.weights(0, self.eligible, w0=self.w, shift=shift)
        self.w = w
        u = self.M[:, 0] - theta * self.tested - self.M @ w
        stats = self.perm_tested @ np.abs(u)
        return float(np.mean(stats >= stats[0] * (1 - 1e-12)))


def _invert(test: _ConformalTest, center: float, radius: float, alpha: float,
            grid: np.ndarray | None, n_grid: int = 41, bisections: int = 40
            ) -> tuple[float, float, list[tuple[float, float]]]:
    """Confidence set ``{theta: p(theta) > alpha}``, as [lower, upper] of its convex hull."""
    evaluated: list[tuple[float, float]] = []

    def p(theta: float) -> float:
        value = test.p_value(theta)
        evaluated.append((theta, value))
        return value

    if grid is not None:
        values = np.array([p(t) for t in grid])
        accepted = np.asarray(grid)[values > alpha]
        if not len(accepted):
            return float("nan"), float("nan"), evaluated
        return float(accepted.min()), float(accepted.max()), evaluated
    if 1.0 / test.n_permutations > alpha:
        return float("-inf"), float("inf"), evaluated
    radius = radius if radius > 0 else 1.0
    for _ in range(20):
        thetas = center + radius * np.linspace(-1.0, 1.0, n_grid)
        values = np.array([p(t) for t in thetas])
        if values[0] <= alpha and values[-1] <= alpha:
            break
        radius *= 2.0
    inside = np.flatnonzero(values > alpha)
    if not len(inside):
        return float("nan"), float("nan"), evaluated
    tol = 1e-9 * max(1.0, abs(center), radius)
    lower = upper = None
    if inside[0] == 0:
        lower = float("-inf")
    if inside[-1] == n_grid - 1:
        upper = float("inf")
    if lower is None:
        lower = _bisect(p, thetas[inside[0] - 1], thetas[inside[0]], alpha, bisections, tol)
    if upper is None:
        upper = _bisect(p, thetas[inside[-1] + 1], thetas[inside[-1]], alpha, bisections, tol)
    return lower, upper, evaluated


def _bisect(p, outside: float, inside: float, alpha: float, steps: int, tol: float) -> float:
    """Boundary between a rejected and an accepted theta (returns the accepted side)."""
    for _ in range(steps):
        if abs(inside - outside) <= tol:
            break
        mid = 0.5 * (inside + outside)
        if p(mid) > alpha:
            inside = mid
        else:
            outside = mid
    return float(inside)


def conformal_intervals(
    Y: pd.DataFrame,
    treated: Hashable,
    n_pre: int,
    level: float = 0.95,
    grid: Sequence[float] | None = None,
    donors: Sequence[Hashable] | None = None,
    pointwise: bool = True,
) -> ConformalResult:
    """Conformal confidence intervals for outcome-only synthetic control (CWZ 2021, JASA).

    Average effect: under H0 "the effect is theta in every post period", theta is subtracted
    from the treated post outcomes, SC weights are refitted on all periods (pre + post), and the
    statistic ``S = mean |u_t|`` over the post periods (q = 1) is compared with its values under
    all ``T`` cyclic (moving-block) shifts of the residual time index:
    ``p(theta) = #{shifts j: S(u shifted by j) >= S(u)} / T``. The interval is
    ``{theta: p(theta) > 1 - level}``, found on a grid around the SC estimate (widened until both
    ends are rejected) and refined at its boundaries by bisection. Pointwise: the same one post
    period at a time (the pre-period plus that period, ``n_pre + 1`` shifts).

    Parameters
    ----------
    grid : explicit theta values, optional
        When given, p-values are evaluated on it only (no widening or refinement) and the
        interval is the range of accepted grid points, for the average and each period.
    pointwise : bool
        Also compute the per-period intervals.

    Notes
    -----
    The achievable p-values are multiples of ``1/T`` (average) and ``1/(n_pre + 1)``
    (pointwise): with ``n_pre + 1 < 1 / (1 - level)`` the pointwise intervals are unbounded
    (``-inf``, ``inf``); a side still accepted after widening the grid 2^19-fold is
    reported as infinite too.
    """
    level = _check_level(level)
    data = _prepare(Y, treated, n_pre, donors)
    alpha = 1.0 - level
    grid_arr = None if grid is None else np.asarray(list(grid), dtype=float)
    if grid_arr is not None and (grid_arr.ndim != 1 or not len(grid_arr)
                                 or not np.all(np.isfinite(grid_arr))):
        raise DesignError(
            "Rutnätet för effektvärden måste vara en icke-tom lista med tal; ange ett giltigt "
            "rutnät eller utelämna det.",
            "The grid of effect values must be a non-empty list of numbers; give a valid grid "
            "or leave it out.",
        )
    fit = _fit_data(data, None, None, "multistart", 0)
    n_rows = len(data.periods)
    tested = np.zeros(n_rows, dtype=bool)
    tested[data.n_pre:] = True
    radius = 4.0 * max(fit.pre_rmspe, float(np.std(fit.gap.to_numpy()[data.n_pre:])), 1e-8)
    test = _ConformalTest(data.y1, data.Y0, tested)
    lower, upper, evaluated = _invert(test, fit.att, radius, alpha, grid_arr)
    p_zero = test.p_value(0.0)
    rows = []
    if pointwise:
        for t in range(data.n_pre, n_rows):
            rows.append(_pointwise(data, t, fit, alpha, grid_arr))
    columns = ["estimate", "lower", "upper", "p_value_zero"]
    point = pd.DataFrame(rows, index=data.periods[data.n_pre:] if rows else None,
                         columns=columns)
    grid_table = pd.DataFrame(sorted(evaluated), columns=["theta", "p_value"])
    grid_table = grid_table.drop_duplicates("theta").reset_index(drop=True)
    return ConformalResult(level=level, att=fit.att, lower=lower, upper=upper,
                           p_value_zero=p_zero, pointwise=point, grid=grid_table,
                           n_permutations=n_rows)


def _pointwise(data: _Data, t: int, fit: SynthFit, alpha: float,
               grid: np.ndarray | None) -> dict[str, float]:
    rows = np.r_[np.arange(data.n_pre), t]
    tested = np.zeros(len(rows), dtype=bool)
    tested[-1] = True
    y1, Y0 = data.y1[rows], data.Y0[rows]
    estimate = float(fit.gap.iloc[t])
    radius = 4.0 * max(fit.pre_rmspe, abs(estimate) * 0.1, 1e-8)
    test = _ConformalTest(y1, Y0, tested)
    lower, upper, _ = _invert(test, estimate, radius, alpha, grid)
    p_zero = test.p_value(0.0)
    return {"estimate": estimate, "lower": lower, "upper": upper, "p_value_zero": p_zero}
