"""Synthetic control core on simulated data: simplex solver, fit, placebos, conformal intervals.

References: Abadie, Diamond & Hainmueller (2010, JASA) for the estimator and the placebo
(permutation) test; Chernozhukov, Wüthrich & Zhu (2021, JASA) for the conformal intervals;
Lawson & Hanson (1974) for the active-set solver, checked against scipy's SLSQP.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from evaluation.designs.simplex import (
    simplex_least_squares,
    simplex_objective,
    solve_simplex_qp,
)
from evaluation.designs.synth import (
    conformal_intervals,
    fit_synth,
    leave_one_out,
    placebo_in_space,
    placebo_in_time,
)
from evaluation.errors import DesignError

# ------------------------------------------------------------------------------------------
# helpers


def _factor_panel(seed: int, n_units: int = 20, n_pre: int = 30, n_post: int = 8,
                  noise: float = 0.3, effect: float = 0.0, treated_convex: bool = True
                  ) -> tuple[pd.DataFrame, str, int]:
    """Interactive factor model Y_it = 10 + l_i' f_t + e_it (two AR(1)-ish factors).

    With ``treated_convex`` the treated unit ``"T"`` has a convex combination of three donors'
    loadings (so a synthetic control exists) plus its own noise; otherwise it is drawn like
    every donor (exchangeable: the placebo test is exact). ``effect`` is added to the treated
    unit in every post period.
    """
    rng = np.random.default_rng(seed)
    n_t = n_pre + n_post
    f = np.cumsum(rng.normal(0, 0.5, size=(n_t, 2)), axis=0) + np.sin(
        np.arange(n_t)[:, None] / np.array([3.0, 5.0]))
    loadings = rng.uniform(0.2, 2.0, size=(n_units - 1, 2))
    if treated_convex:
        mix = np.zeros(n_units - 1)
        mix[:3] = [0.5, 0.3, 0.2]
        lt = mix @ loadings
    else:
        lt = rng.uniform(0.2, 2.0, size=2)
    L = np.vstack([lt, loadings])
    Y = 10 + f @ L.T + rng.normal(0, noise, size=(n_t, n_units))
    Y[n_pre:, 0] += effect
    cols = ["T"] + [f"d{i:02d}" for i in range(1, n_units)]
    return pd.DataFrame(Y, index=pd.RangeIndex(n_t, name="t"), columns=cols), "T", n_pre


def _slsqp_best(A, b, weights, intercept, ridge, rng, starts: int = 2) -> float:
    J = A.shape[1]

    def objective(x):
        return simplex_objective(A, b, x, weights=weights, intercept=intercept, ridge=ridge)

    best = np.inf
    for _ in range(starts):
        res = minimize(objective, rng.dirichlet(np.ones(J)), method="SLSQP",
                       bounds=[(0, 1)] * J,
                       constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1}],
                       options={"ftol": 1e-14, "maxiter": 2000})
        x = np.clip(res.x, 0, None)
        best = min(best, objective(x / x.sum()))
    return best


# ------------------------------------------------------------------------------------------
# simplex solver


def test_simplex_matches_slsqp_on_random_problems():
    """Reference: scipy.optimize.minimize(SLSQP, 2 random starts) on the same objective.

    20 seeded random problems (T 3..30 rows, J 2..15 donors, J > T in about a fifth; with/without row
    weights, intercept and ridge). Tolerance: our objective is never above SLSQP's best by more
    than 1e-8 (relative to 1 + |objective|), weights are feasible to 1e-12 and the KKT
    conditions hold (gradient on the support equal, elsewhere not smaller, to 1e-7).
    """
    rng = np.random.default_rng(20240101)
    for rep in range(20):
        T, J = int(rng.integers(3, 31)), int(rng.integers(2, 16))
        A = rng.normal(size=(T, J)) + 5
        b = A @ rng.dirichlet(np.ones(J)) * rng.uniform(0.5, 1.5) + rng.normal(size=T)
        weights = rng.uniform(0.1, 2, size=T) if rep % 2 else None
        intercept, ridge = rep % 3 == 0, (0.1 if rep % 4 == 1 else 0.0)
        w = simplex_least_squares(A, b, weights=weights, intercept=intercept, ridge=ridge)
        assert w.min() >= 0 and abs(w.sum() - 1) < 1e-12
        ours = simplex_objective(A, b, w, weights=weights, intercept=intercept, ridge=ridge)
        best = _slsqp_best(A, b, weights, intercept, ridge, rng)
        assert ours <= best + 1e-8 * (1 + abs(best)), (rep, ours, best)
        # KKT: gradient of the objective
        d = np.ones(T) if weights is None else weights
        r = b - A @ w
        Ac = A
        if intercept:
            r = r - (d @ r) / d.sum()
            Ac = A - (d @ A) / d.sum()
        grad = -2 * Ac.T @ (d * r) + 2 * ridge * w
        support = w > 1e-10
        mu = grad[support].mean()
        scale = 1 + np.abs(grad).max()
        assert np.all(np.abs(grad[support] - mu) < 1e-7 * scale)
        assert np.all(grad[~support] >= mu - 1e-7 * scale)


def test_simplex_recovers_exact_convex_combination():
    """Source: construction. b = A w_true with w_true on a 4-donor face, T = 30 > J = 12 and
    generic A (unique optimum): the solver returns w_true to 1e-9."""
    rng = np.random.default_rng(7)
    A = rng.normal(size=(30, 12)) * 10 + 100
    w_true = np.zeros(12)
    w_true[[1, 4, 7, 10]] = [0.1, 0.2, 0.3, 0.4]
    w = simplex_least_squares(A, A @ w_true)
    np.testing.assert_allclose(w, w_true, atol=1e-9)


def test_simplex_more_donors_than_rows_and_eligible_mask():
    """Source: construction. J = 200 > T = 10: the optimum has at most T + 1 positive weights
    (Carathéodory) and zero loss when b is inside the hull; with an eligibility mask weights
    outside it stay exactly zero (tolerance exact zero, loss 1e-18)."""
    rng = np.random.default_rng(3)
    A = rng.normal(size=(10, 200))
    b = A[:, :50] @ rng.dirichlet(np.ones(50))
    w = simplex_least_squares(A, b)
    assert (w > 0).sum() <= 11
    assert simplex_objective(A, b, w) < 1e-18
    Q, q = A.T @ A, A.T @ b
    mask = np.zeros(200, dtype=bool)
    mask[100:] = True
    wm = solve_simplex_qp(Q, q, eligible=mask)
    assert np.all(wm[:100] == 0) and abs(wm.sum() - 1) < 1e-12


def test_simplex_rejects_bad_input():
    """Source: the input contract: NaN, negative row weights, negative ridge raise DesignError
    with distinct Swedish and English sentences."""
    A, b = np.ones((3, 2)), np.ones(3)
    bad = [dict(A=np.array([[np.nan, 1], [1, 1], [1, 1]]), b=b),
           dict(A=A, b=b, weights=np.array([1, -1, 1])),
           dict(A=A, b=b, ridge=-1.0)]
    for kwargs in bad:
        with pytest.raises(DesignError) as info:
            simplex_least_squares(**kwargs)
        assert info.value.sv != info.value.en and info.value.text("en")


# ------------------------------------------------------------------------------------------
# fit


def test_fit_recovers_known_effect_and_weights():
    """Source: simulated factor model, treated = 0.5/0.3/0.2 mix of three donors' loadings
    plus N(0, 0.1²) noise, effect -2 in 8 post periods. SC recovers the ATT within 0.15 (the
    weights themselves are not identified: with two factors many donor mixes share the
    treated unit's loadings). Without the effect the ATT is within 0.15 of 0."""
    Y, treated, n_pre = _factor_panel(11, noise=0.1, effect=-2.0)
    fit = fit_synth(Y, treated, n_pre)
    assert abs(fit.att - (-2.0)) < 0.15
    assert abs(fit_synth(*_factor_panel(11, noise=0.1)).att) < 0.15
    assert abs(fit.weights.sum() - 1) < 1e-12 and fit.weights.min() >= 0
    np.testing.assert_allclose(fit.gap, Y[treated] - fit.synthetic)
    assert fit.pre_rmspe < 0.2 and fit.rmspe_ratio == pytest.approx(
        fit.post_rmspe / fit.pre_rmspe)
    assert fit.loss == pytest.approx(fit.pre_rmspe**2)


def test_fit_with_predictors_and_fixed_v():
    """Source: construction. Predictors = pre-period means of the outcome in three windows
    (k = 3). The fitted V is a probability vector; passing it back as ``v`` reproduces the same
    weights (1e-10); the V-searched fit's pre-RMSPE is no worse than equal V's (1e-9)."""
    Y, treated, n_pre = _factor_panel(5, noise=0.2, effect=0.0)
    pre = Y.iloc[:n_pre]
    predictors = pd.DataFrame({"m1": pre.iloc[:10].mean(), "m2": pre.iloc[10:20].mean(),
                               "m3": pre.iloc[20:].mean() * 100}).T
    fit = fit_synth(Y, treated, n_pre, predictors=predictors, seed=1)
    assert fit.v is not None and abs(fit.v.sum() - 1) < 1e-12 and fit.v.min() >= 0
    again = fit_synth(Y, treated, n_pre, predictors=predictors, v=fit.v.to_numpy())
    np.testing.assert_allclose(again.weights, fit.weights, atol=1e-10)
    equal = fit_synth(Y, treated, n_pre, predictors=predictors, v_search="equal")
    assert fit.pre_rmspe <= equal.pre_rmspe + 1e-9
    assert list(fit.predictor_balance.index) == ["m1", "m2", "m3"]


@pytest.mark.parametrize("case", ["few_donors", "nan", "n_pre_small", "n_pre_all",
                                  "treated_missing", "treated_in_donors", "bad_v_search"])
def test_errors_are_bilingual(case):
    """Source: the input contract (DesignError with a Swedish and an English sentence)."""
    Y, treated, n_pre = _factor_panel(1, n_units=6)
    kwargs = dict(Y=Y, treated=treated, n_pre=n_pre)
    if case == "few_donors":
        kwargs["donors"] = ["d01"]
    elif case == "nan":
        Y.iloc[3, 2] = np.nan
    elif case == "n_pre_small":
        kwargs["n_pre"] = 1
    elif case == "n_pre_all":
        kwargs["n_pre"] = len(Y)
    elif case == "treated_missing":
        kwargs["treated"] = "nope"
    elif case == "treated_in_donors":
        kwargs["donors"] = ["T", "d01", "d02"]
    elif case == "bad_v_search":
        kwargs["predictors"] = pd.DataFrame({"a": Y.iloc[:5].mean(),
                                             "b": Y.iloc[5:n_pre].mean()}).T
        kwargs["v_search"] = "magic"
    with pytest.raises(DesignError) as info:
        fit_synth(**kwargs)
    err = info.value
    assert err.sv and err.en and err.sv != err.en


# ------------------------------------------------------------------------------------------
# placebos


def test_placebo_batch_equals_individual_fits():
    """Source: definition of the placebo run (ADH 2010): the placebo for donor u is the fit of
    u on the other donors, the treated unit excluded. The batched Gram-matrix solves equal
    separate fit_synth calls (weights 1e-8, gaps 1e-8)."""
    Y, treated, n_pre = _factor_panel(2, n_units=12, effect=-1.0)
    res = placebo_in_space(Y, treated, n_pre)
    donors = [c for c in Y.columns if c != treated]
    for u in donors[:5]:
        fit = fit_synth(Y, u, n_pre, donors=[d for d in donors if d != u])
        np.testing.assert_allclose(res.weights.loc[fit.weights.index, u], fit.weights,
                                   atol=1e-8)
        np.testing.assert_allclose(res.gaps[u], fit.gap, atol=1e-8)
        assert res.weights.loc[u, u] == 0
    base = fit_synth(Y, treated, n_pre)
    assert res.table.loc[treated, "att"] == pytest.approx(base.att, abs=1e-8)
    assert res.table.loc[treated, "role"] == "treated" and res.n_placebos == 11


def test_chosen_placebos_are_the_full_runs_restricted_to_them():
    """The report's inference uses the donors closest in size only: fitting just those
    (``placebos=``) gives their rows of the full placebo run — the same pools, weights, gaps and
    table (1e-12) — and a unit that is no donor is refused."""
    Y, treated, n_pre = _factor_panel(3, n_units=15, effect=-1.0)
    full = placebo_in_space(Y, treated, n_pre, studentize=True)
    chosen = [c for c in Y.columns if c != treated][2:9:2]
    part = placebo_in_space(Y, treated, n_pre, studentize=True, placebos=chosen[::-1])
    units = [treated, *chosen]
    assert list(part.table.index) == units and part.n_placebos == len(chosen)
    cols = ["pre_rmspe", "post_rmspe", "rmspe_ratio", "att", "statistic"]
    np.testing.assert_allclose(part.table[cols], full.table.loc[units, cols], atol=1e-12)
    np.testing.assert_allclose(part.gaps[units], full.gaps[units], atol=1e-12)
    np.testing.assert_allclose(part.weights[units], full.weights[units], atol=1e-12)
    with pytest.raises(DesignError, match="inte jämförelseenheter"):
        placebo_in_space(Y, treated, n_pre, placebos=[treated])


def test_placebo_p_value_definition_filter_and_studentize():
    """Source: ADH (2010) rank p-value (1 + #{placebo ratio >= treated}) / (1 + n) recomputed
    from the table; the pre-fit filter keeps exactly the placebos with pre-RMSPE <= m times the
    treated unit's; a large effect (-6, noise 0.3) gives the minimum p = 1/20."""
    Y, treated, n_pre = _factor_panel(4, effect=-6.0)
    res = placebo_in_space(Y, treated, n_pre)
    t = res.table
    ratios = t["rmspe_ratio"].to_numpy()
    assert res.p_value == (1 + np.sum(ratios[1:] >= ratios[0])) / len(t)
    assert res.p_value == pytest.approx(1 / 20)
    filt = placebo_in_space(Y, treated, n_pre, max_pre_rmspe_ratio=1.0, studentize=True)
    keep = filt.table["pre_rmspe"].iloc[1:] <= filt.table["pre_rmspe"].iloc[0]
    assert filt.n_placebos == int(keep.sum()) < 19
    stat = (filt.table["att"].abs() / filt.table["pre_rmspe"]).to_numpy()
    inc = filt.table["included"].to_numpy()[1:]
    assert filt.p_value_att == (1 + np.sum(stat[1:][inc] >= stat[0])) / (1 + inc.sum())


def test_placebo_p_value_uniform_under_no_effect():
    """Reference: ADH (2010) permutation logic: with all 20 units drawn from the same factor
    model and no effect, the rank p-value is close to uniform on {1/20, ..., 1}. MC, R = 300,
    seeded; the rejection rates at 5 % and 10 % must lie within 3 MC standard errors (0.038,
    0.052) of the nominal level. (Not exact: the treated unit's pool has one donor more than
    each placebo's, as the treated unit is excluded from placebo pools, so its pre-fit is
    slightly better; the measured rates are 0.067 and 0.143.)"""
    R = 300
    pvals = np.array([
        placebo_in_space(*_factor_panel(1000 + r, n_pre=20, n_post=5,
                                        treated_convex=False)).p_value
        for r in range(R)
    ])
    for level in (0.05, 0.10):
        se = np.sqrt(level * (1 - level) / R)
        assert abs(np.mean(pvals <= level + 1e-12) - level) <= 3 * se


def test_placebo_in_time_and_leave_one_out():
    """Source: construction (effect -3 only after n_pre). Placebo in time: a fake start inside
    the pre-period finds no effect (|att| < 0.3, noise 0.2) and its window stops at n_pre.
    Leave-one-out drops exactly the donors with positive weight; each refit still recovers
    the effect within 0.5."""
    Y, treated, n_pre = _factor_panel(8, noise=0.2, effect=-3.0)
    it = placebo_in_time(Y, treated, n_pre, [15, 22])
    assert list(it.table.index) == [15, 22]
    assert np.all(it.table["att"].abs() < 0.3)
    np.testing.assert_allclose(it.gaps[15], Y[treated] - it.synthetic[15])
    loo = leave_one_out(Y, treated, n_pre)
    positive = set(loo.base.weights[loo.base.weights > 0].index)
    assert set(loo.table.index) == positive
    assert np.all((loo.table["att"] + 3.0).abs() < 0.5)
    with pytest.raises(DesignError):
        placebo_in_time(Y, treated, n_pre, [n_pre])


# ------------------------------------------------------------------------------------------
# conformal inference


def test_conformal_rejects_zero_for_large_effect_and_reports_pointwise():
    """Source: CWZ (2021) construction. Effect -4 with noise 0.2 over 8 post periods of 38:
    H0: effect 0 gets the minimum p-value 1/38 (average) and 1/31 (each period); the average
    interval contains the truth and excludes 0; an explicit grid gives accepted-range ends on
    the grid."""
    Y, treated, n_pre = _factor_panel(21, noise=0.2, effect=-4.0)
    res = conformal_intervals(Y, treated, n_pre)
    assert res.p_value_zero == pytest.approx(1 / 38)
    assert res.lower < -4.0 < res.upper < 0
    np.testing.assert_allclose(res.pointwise["p_value_zero"], 1 / 31)
    assert np.all(res.pointwise["upper"] < 0)
    assert len(res.pointwise) == 8
    grid = np.linspace(-6, -2, 41)
    on_grid = conformal_intervals(Y, treated, n_pre, grid=grid, pointwise=False)
    assert on_grid.lower in grid and on_grid.upper in grid
    assert abs(on_grid.lower - res.lower) <= 0.1 + 1e-9
    assert abs(on_grid.upper - res.upper) <= 0.1 + 1e-9


def test_conformal_average_interval_coverage():
    """Reference: CWZ (2021, JASA) Theorem 1: the moving-block conformal interval for a
    constant effect has approximately nominal coverage when the SC model holds. Simulated
    factor model (treated a convex mix of donors + iid N(0, 0.3²) noise, 12 donors, T0 = 34,
    T1 = 6, so T = 40 shifts and level 0.95 is attainable exactly; effect 1.5); MC R = 100,
    seeded; 95 % intervals; coverage must lie in [0.88, 1.0] (measured 0.95; an empty set, when
    every theta is rejected, counts as not covering). Sanity on power: the median width is
    below 2.5 (measured about 1.5; noise SD 0.3)."""
    R, effect = 100, 1.5
    bounds = []
    for r in range(R):
        Y, treated, n_pre = _factor_panel(5000 + r, n_units=13, n_pre=34, n_post=6,
                                          effect=effect)
        res = conformal_intervals(Y, treated, n_pre, pointwise=False)
        bounds.append((res.lower, res.upper))
    lower, upper = np.array(bounds).T
    coverage = np.mean((lower <= effect) & (effect <= upper))
    assert 0.88 <= coverage <= 1.0
    assert np.nanmedian(upper - lower) < 2.5
