"""The structural time-series design (:func:`evaluation.designs.structural.structural`).

References used below:

* the R package CausalImpact's vignette (Brodersen et al. 2015; ``vignette("CausalImpact")``):
  ``x1 = 100 + arima.sim(list(ar = 0.999), n = 100)``, ``y = 1.2·x1 + N(0, 1)``, +10 from
  t = 71; R reports an average effect of about 11 with a 95 % interval of about 9.8–11 for its
  seed. We simulate the same set-up with our own seeds (:func:`vignette_panel`) as a monthly
  panel: treated kommun ``0001`` holds y, the national row ``00`` holds x1, measure
  ``unemployment_rate`` (a rate), periods from 2015-01, intervention at the 71st month;
* the project's calibration DGP (:mod:`evaluation.checks.calibration_dgp`): 20 donor
  kommuner, national random walk with seasonality, local AR(1) + white noise scaled by
  √(20 000 / population), no effect;
* the demo simulator (:mod:`evaluation.data.demo`): Exempelstad gets −1.0 p.p. unemployment and
  −15 % households from 2022-04, phased in over six months.

Tolerances are binomial Monte Carlo bands ``p ± 2·√(p(1 − p)/R)`` computed in each test for its
R. The longer measurement (R = 200 vignette seeds, R = 300 per DGP cell) is
``tests/benchmarks/structural_calibration.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evaluation.checks.calibration_dgp import OUTCOME, Cell, draw
from evaluation.data.panel import period_range, shift_period
from evaluation.designs.structural import _interval, _p_value, _tail_rank, structural
from evaluation.errors import DesignError

LEVEL = 0.95
VIGNETTE_EFFECT = 10.0
VIGNETTE_N, VIGNETTE_PRE = 100, 70


def band(p: float, R: int) -> tuple[float, float]:
    """Binomial Monte Carlo band p ± 2·√(p(1 − p)/R), clipped to [0, 1]."""
    half = 2 * math.sqrt(p * (1 - p) / R)
    return max(0.0, p - half), min(1.0, p + half)


def vignette_series(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """x1 and y of the CausalImpact vignette, with our seed.

    R's ``arima.sim`` burns in about 6 000 steps for ar = 0.999, i.e. starts from the
    stationary law; so do we (x₀ ~ N(0, 1/(1 − φ²)))."""
    rng = np.random.default_rng(seed)
    phi = 0.999
    x = np.empty(VIGNETTE_N)
    x[0] = rng.normal() / math.sqrt(1 - phi**2)
    e = rng.normal(size=VIGNETTE_N)
    for t in range(1, VIGNETTE_N):
        x[t] = phi * x[t - 1] + e[t]
    x1 = 100 + x
    y = 1.2 * x1 + rng.normal(size=VIGNETTE_N)
    y[VIGNETTE_PRE:] += VIGNETTE_EFFECT
    return x1, y


def vignette_panel(seed: int) -> tuple[pd.DataFrame, str]:
    """Long panel of the vignette (treated 0001 = y, national row 00 = x1) and its
    intervention period (the 71st month from 2015-01)."""
    x1, y = vignette_series(seed)
    periods = period_range("2015-01", shift_period("2015-01", VIGNETTE_N - 1))
    frames = [
        pd.DataFrame({"unit": code, "unit_name": name, "period": periods,
                      "measure": "unemployment_rate", "value": values, "unit_type": kind})
        for code, name, kind, values in (("0001", "Behandlad", "kommun", y),
                                         ("00", "Riket", "riket", x1))
    ]
    panel = pd.concat(frames, ignore_index=True)
    panel["status"] = "final"
    panel["source"] = "CausalImpact vignette simulation"
    return panel, periods[VIGNETTE_PRE]


def run_vignette(seed: int, **kwargs):
    panel, start = vignette_panel(seed)
    return structural(panel, outcome="unemployment_rate", treated="0001", intervention=start,
                      seasonality="none", seed=seed, **kwargs)


def shrink(ci: tuple[float, float], estimate: float, factor: float) -> tuple[float, float]:
    """The interval shrunk by ``factor`` around the point estimate."""
    return (estimate - (estimate - ci[0]) * (1 - factor),
            estimate + (ci[1] - estimate) * (1 - factor))


# =========================================================================== calibration
def test_vignette_coverage_reduced():
    """CausalImpact vignette set-up (source: R package CausalImpact, vignette), seeds 0–39.

    Reference: the 95 % interval of the average effect covers the true +10 in 95 % of the
    draws. Tolerance: coverage at least the lower end of the binomial band
    0.95 − 2·√(0.05·0.95/40) = 0.881. One-sided on purpose: here the true level variance is
    exactly zero, on the boundary, and integrating over it makes the interval conservative
    (benchmark, R = 200: coverage 1.000, median width 2.47 against R's ≈ 1.2; see the module
    docstring of ``evaluation.designs.structural`` for why the default keeps it). Median width
    at most 3.0, mean estimate within 4 Monte Carlo standard errors of +10.
    """
    R = 40
    covered, widths, estimates = [], [], []
    for seed in range(R):
        res = run_vignette(seed, n_paths=500)
        covered.append(res.ci[0] <= VIGNETTE_EFFECT <= res.ci[1])
        widths.append(res.ci[1] - res.ci[0])
        estimates.append(res.average_effect)
    lo, _ = band(LEVEL, R)
    rate = float(np.mean(covered))
    assert rate >= lo, f"vignette coverage {rate:.3f} below {lo:.3f} (R = {R})"
    assert float(np.median(widths)) <= 3.0
    se = float(np.std(estimates)) / math.sqrt(R)
    assert abs(float(np.mean(estimates)) - VIGNETTE_EFFECT) <= 4 * se


def _dgp_false_alarms(cell: Cell, R: int, shrink_by: float = 0.0) -> dict[str, float]:
    rejected, shrunk, widths, errors = [], [], [], []
    for seed in range(R):
        d = draw(cell, seed=seed)
        res = structural(d.panel, outcome=OUTCOME, treated=d.treated,
                         intervention=d.intervention, post_end=d.post_end, seed=seed,
                         n_paths=400)
        rejected.append(res.significant)
        s = shrink(res.ci, res.average_effect, shrink_by)
        shrunk.append(s[0] > 0 or s[1] < 0)
        widths.append(res.ci[1] - res.ci[0])
        errors.append(res.average_effect - d.effect)
    return {"rate": float(np.mean(rejected)), "shrunk_rate": float(np.mean(shrunk)),
            "width": float(np.median(widths)), "oracle": 2 * 1.96 * float(np.std(errors))}


def test_false_alarms_monthly_dgp_and_the_check_can_fail():
    """Calibration DGP, monthly φ = 0.7, 20 donors, no effect, seeds 0–49 (source:
    ``evaluation.checks.calibration_dgp``; the R = 300 measurement is in the benchmark).

    Reference: 5 % of the 95 % intervals exclude 0. Tolerance: the false-alarm rate lies in
    the binomial band 0.05 ± 2·√(0.05·0.95/50) = [0, 0.112], the median width is at most 1.5
    times the oracle width 2·1.96·sd(estimate) (benchmark, R = 300: 0.030, ratio 0.76). The
    same check fed the intervals shrunk by 40 % around the estimate must fail (rate above the
    band): the check has power against intervals that are too narrow. (The vignette check
    above cannot show this: its intervals are conservative, shrunk by 40 % they still cover.)
    """
    R = 50
    out = _dgp_false_alarms(Cell("monthly", 0.7, 20, "base"), R, shrink_by=0.4)
    lo, hi = band(0.05, R)
    assert lo <= out["rate"] <= hi, out
    assert out["width"] <= 1.5 * out["oracle"], out
    assert out["shrunk_rate"] > hi, out


@pytest.mark.slow
@pytest.mark.parametrize("cell", [Cell("monthly", 0.9, 20, "base"),
                                  Cell("yearly", 0.6, 20, "base")],
                         ids=["monthly-0.9", "yearly-0.6"])
def test_false_alarms_persistent_and_yearly(cell):
    """Calibration DGP (``evaluation.checks.calibration_dgp``), seeds 0–99, no effect.

    Reference: 5 % false alarms. Tolerance: at most the upper end of the binomial band
    0.05 + 2·√(0.05·0.95/100) = 0.094 (conservative allowed), median width at most 1.5 × the
    oracle width. Benchmark (R = 300, ``tests/benchmarks/structural_calibration.py``, which
    also runs the unlike cells): 0.050, 0.027; width/oracle 0.72, 0.84.
    """
    R = 100
    out = _dgp_false_alarms(cell, R)
    _, hi = band(0.05, R)
    assert out["rate"] <= hi, out
    assert out["width"] <= 1.5 * out["oracle"], out


# =========================================================================== the demo
@pytest.fixture(scope="module")
def demo_data():
    demo = pytest.importorskip("evaluation.data.demo")
    return demo, demo.simulate()


def _truth(data, unit, measure, start, end):
    t = data.truth
    w = t[(t["unit"] == unit) & (t["measure"] == measure) & (t["period"] >= start)
          & (t["period"] <= end)]
    return float(w["effect"].mean()), float(w["effect"].sum() / w["counterfactual"].sum())


@pytest.mark.parametrize("outcome", ["unemployment_rate", "households_assistance"])
def test_demo_runs_and_covers_the_truth(demo_data, outcome):
    """Demo (``evaluation.data.demo.simulate()``, default seed), window 2022-04–2023-09.

    Reference: the true average (and, for households, relative) effect from ``.truth``.
    Tolerance: the 95 % interval covers the truth and the estimate is negative (one draw of a
    noisy kommun: a design's standard error is ≈ 0.5 p.p. / ≈ 0.1 relative, see
    test_demo_recovery.py). The result fulfils the EffectResult contract.
    """
    demo, data = demo_data
    end = "2023-09"
    res = structural(data.monthly, outcome=outcome, treated=demo.TREATED_UNIT,
                     intervention=demo.REFORM_START, post_end=end)
    average, relative = _truth(data, demo.TREATED_UNIT, outcome, demo.REFORM_START, end)
    assert res.design == "structural"
    assert res.p_value_method == "structural_simulation"
    assert res.ci[0] <= average <= res.ci[1]
    assert res.average_effect < 0
    f = res.frame
    assert list(f.columns) == ["observed", "counterfactual", "counterfactual_low",
                               "counterfactual_high", "effect", "post", "comparison"]
    post = f[f["post"]]
    assert len(post) == 18 and res.diagnostics["n_post"] == 18
    assert (post["counterfactual_low"] <= post["counterfactual"]).all()
    assert (post["counterfactual"] <= post["counterfactual_high"]).all()
    assert res.average_effect == pytest.approx(post["effect"].mean())
    assert res.cumulative_effect == pytest.approx(post["effect"].sum())
    path = res.diagnostics["cumulative_path"]
    assert len(path) == 18 and path[-1]["effect"] == pytest.approx(res.cumulative_effect)
    assert path[-1]["low"] == pytest.approx(res.cumulative_ci[0])
    assert path[-1]["high"] == pytest.approx(res.cumulative_ci[1])
    d = res.diagnostics
    for key in ("method", "n_pre", "n_post", "frequency", "comparison", "comparison_sv",
                "comparison_diagnostics", "has_comparison", "coefficients", "n_paths", "seed",
                "level_sd", "irregular_sd", "cumulative_path", "warnings"):
        assert key in d
    assert d["has_comparison"] is True and d["frequency"] == "monthly"
    assert "comparison" in d["coefficients"]
    if outcome == "households_assistance":
        assert res.kind == "count"
        assert res.relative_ci[0] <= relative <= res.relative_ci[1]
        assert res.relative_effect < 0
    else:
        assert res.kind == "rate" and res.relative_effect is None
    res.to_dict()  # JSON-safe summary


def test_no_comparison_runs(demo_data):
    """One municipal series and nothing else (a panel holding only the treated kommun):
    the pure before–after model must run and say so (``has_comparison`` False)."""
    demo, data = demo_data
    m = data.monthly
    alone = m[m["unit"] == demo.TREATED_UNIT]
    for outcome in ("unemployment_rate", "households_assistance"):
        res = structural(alone, outcome=outcome, treated=demo.TREATED_UNIT,
                         intervention=demo.REFORM_START, use_comparison=False,
                         post_end="2023-09", n_paths=400)
        assert res.diagnostics["has_comparison"] is False
        assert res.diagnostics["coefficients"] == {}
        assert res.diagnostics["comparison"] is None
        assert res.ci[0] < res.average_effect < res.ci[1]
        assert res.frame["comparison"].isna().all()
    # the full panel with use_comparison=False keeps the comparison column for the plot only
    res = structural(m, outcome="unemployment_rate", treated=demo.TREATED_UNIT,
                     intervention=demo.REFORM_START, use_comparison=False, post_end="2023-09",
                     n_paths=400)
    assert res.diagnostics["has_comparison"] is False
    assert res.frame["comparison"].notna().all()


def test_covariates_enter_as_regressors(demo_data):
    """Covariates of the treated unit (here the demo's labour force, which the reform does not
    move) are regressors next to the comparison, or alone: then the model is not a pure
    before–after model (``has_comparison`` True) and says which regressors it used."""
    demo, data = demo_data
    for use_comparison, keys in ((True, {"comparison", "labour_force"}),
                                 (False, {"labour_force"})):
        res = structural(data.monthly, outcome="households_assistance",
                         treated=demo.TREATED_UNIT, intervention=demo.REFORM_START,
                         post_end="2023-09", covariates=["labour_force"],
                         use_comparison=use_comparison, n_paths=400)
        assert set(res.diagnostics["coefficients"]) == keys
        assert res.diagnostics["has_comparison"] is True
        assert "labour_force" in res.diagnostics["method"]["mean_model"]
        assert res.ci[0] < res.average_effect < res.ci[1]


# =========================================================================== contract
def test_same_seed_same_numbers_other_seed_other_draws():
    """Every random draw comes from ``seed``: identical inputs and seed give identical
    numbers (exact equality); another seed changes the simulated interval only slightly
    (Monte Carlo error), not the point estimate (the maximum-likelihood forecast)."""
    d = draw(Cell("monthly", 0.7, 20, "base"), seed=3)
    kw = dict(outcome=OUTCOME, treated=d.treated, intervention=d.intervention,
              post_end=d.post_end, n_paths=400)
    a = structural(d.panel, seed=11, **kw)
    b = structural(d.panel, seed=11, **kw)
    c = structural(d.panel, seed=12, **kw)
    assert a.ci == b.ci and a.p_value == b.p_value and a.average_effect == b.average_effect
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.diagnostics["cumulative_path"] == b.diagnostics["cumulative_path"]
    assert c.ci != a.ci
    assert c.average_effect == a.average_effect
    width = a.ci[1] - a.ci[0]
    assert abs((c.ci[1] - c.ci[0]) - width) < 0.25 * width


@pytest.mark.parametrize(("n", "level"), [(39, 0.95), (400, 0.95), (999, 0.95), (1000, 0.95),
                                          (1000, 0.9), (199, 0.99), (2000, 0.8)])
def test_p_value_and_interval_never_disagree(n, level):
    """The rule (module docstring): the interval is the k-th smallest and k-th largest draw,
    k the largest integer with 2k/(n + 1) ≤ 1 − level, and p = min(1, 2·(1 + #draws on the
    other side of 0)/(n + 1)). Then p ≤ 1 − level exactly when the interval excludes 0 —
    checked on draws shifted through 0 so that every count of draws below 0 occurs."""
    alpha = 1 - level
    k = _tail_rank(n, alpha)
    assert k >= 1
    base = np.sort(np.random.default_rng(n).normal(size=n))
    for shift in np.concatenate([-base, -base + 1e-9]):
        draws = base + shift
        lo, hi = _interval(draws, k)
        excludes = bool(lo > 0 or hi < 0)
        assert (_p_value(draws) <= alpha) == excludes


def test_p_value_consistent_with_interval_on_a_real_fit():
    """On the demo-like monthly DGP with a −1.0 p.p. step the interval and the p-value agree,
    and the p-value is at least 2/(n + 1)."""
    d = draw(Cell("monthly", 0.7, 20, "base"), seed=5, effect=-1.0)
    res = structural(d.panel, outcome=OUTCOME, treated=d.treated, intervention=d.intervention,
                     post_end=d.post_end, n_paths=400)
    assert (res.p_value <= 1 - res.ci_level) == res.significant
    assert res.p_value >= 2 / 401


# =========================================================================== errors
def test_short_pre_period_is_a_design_error():
    """Too few pre-periods for the model: a DesignError with a Swedish and an English
    sentence naming the number needed (monthly: 24 as for the ITS; yearly: the structural
    model needs ≥ 8 years with a comparison — 2 diffuse states + 2 variances need room)."""
    d = draw(Cell("monthly", 0.7, 20, "base", n_pre=18), seed=0)
    with pytest.raises(DesignError) as err:
        structural(d.panel, outcome=OUTCOME, treated=d.treated, intervention=d.intervention)
    assert "minst 24 månader" in err.value.sv and "at least 24 months" in err.value.en
    d = draw(Cell("yearly", 0.6, 20, "base", n_pre=7), seed=0)
    with pytest.raises(DesignError) as err:
        structural(d.panel, outcome=OUTCOME, treated=d.treated, intervention=d.intervention)
    assert "minst 8 år" in err.value.sv and "at least 8 years" in err.value.en


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"intervention": "2015/06"}, "wrong format"),
    ({"intervention": "2016"}, "does not match monthly"),
    ({"intervention": "2030-01"}, "outside the data"),
    ({"post_end": "2014-01"}, "end of the post-period"),
    ({"ci_level": 1.5}, "confidence level"),
    ({"n_paths": 10}, "simulated paths"),
    ({"seasonality": "weekly"}, "seasonality option"),
    ({"covariates": ["no_such_measure"]}, "covariate"),
])
def test_bad_inputs_are_design_errors(kwargs, fragment):
    """Input errors reach the user as one bilingual sentence (as in ``its``)."""
    d = draw(Cell("monthly", 0.7, 20, "base"), seed=0)
    args = dict(outcome=OUTCOME, treated=d.treated, intervention=d.intervention)
    args.update(kwargs)
    with pytest.raises(DesignError) as err:
        structural(d.panel, **args)
    assert fragment in err.value.en
    assert err.value.sv != err.value.en


def test_predicted_state_from_the_filter_recursions_equals_the_public_filter():
    """The simulation start (predicted state and covariance at the intervention) read from
    ``ssm._filter`` equals ``model.filter(θ).predicted_state`` to the last bit, for parameters
    other than the last ones the model was set to (statsmodels' private call is checked here,
    so an upgrade that changes it fails this test instead of the intervals)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    from evaluation.designs.structural import _predicted_state_at

    rng = np.random.default_rng(3)
    y = np.cumsum(rng.normal(size=60)) + rng.normal(size=60)
    y[48:] = np.nan
    X = rng.normal(size=(60, 1))
    model = UnobservedComponents(y, level="local level", exog=X, mle_regression=False,
                                 use_exact_diffuse=True)
    for theta in (np.array([0.3, -0.5]), np.array([-1.0, 0.2])):
        model.update(np.array([9.0, 9.0]))  # the model left at other parameters
        a, P = _predicted_state_at(model, theta, 48)
        public = model.filter(theta, transformed=False)
        np.testing.assert_array_equal(a, public.predicted_state[:, 48])
        np.testing.assert_array_equal(P, public.predicted_state_cov[:, :, 48])


def test_one_filter_pass_per_draw_gives_statsmodels_loglike_and_the_start():
    """The parameter draws' log-likelihoods and simulation starts come from one filter pass
    per draw (:func:`_filter_draws`): the log-likelihood equals ``model.loglike(θ,
    transformed=False)`` and the start equals :func:`_predicted_state_at`, both to the last
    bit (with a missing pre-period value, a regression and seasonal harmonics), and the
    draw's dynamics (T, R·Q^½, the observation noise's sd) are the model's own at that draw;
    paths simulated from the kept starts and dynamics — or from starts kept without the
    dynamics, as stored before — equal paths that filter again."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    from evaluation.designs.structural import (
        _filter_draws,
        _predicted_state_at,
        _simulate_all,
        _start_roots,
    )

    rng = np.random.default_rng(8)
    y = np.cumsum(rng.normal(size=50)) * 0.3 + rng.normal(size=50)
    y[7] = np.nan
    X = rng.normal(size=(50, 1))
    kw = dict(level="local level", mle_regression=False, use_exact_diffuse=True,
              freq_seasonal=[{"period": 12, "harmonics": 2}], stochastic_freq_seasonal=[False])
    pre = UnobservedComponents(y[:40], exog=X[:40], **kw)
    full = UnobservedComponents(np.r_[y[:40], np.full(10, np.nan)], exog=X, **kw)
    thetas = rng.normal(size=(6, 2))
    lls, states = _filter_draws(pre, thetas)
    for theta, ll, (a, P, (T, RQ, sd)) in zip(thetas, lls, states, strict=True):
        assert ll == pre.loglike(theta, transformed=False)
        a_ref, P_ref = _predicted_state_at(pre, theta, 40)
        np.testing.assert_array_equal(a, a_ref)
        np.testing.assert_array_equal(P, P_ref)
        ssm = pre.ssm  # set to theta by _predicted_state_at
        R = np.atleast_3d(ssm["selection"])[:, :, 0]
        np.testing.assert_array_equal(T, np.atleast_3d(ssm["transition"])[:, :, 0])
        np.testing.assert_allclose(RQ @ RQ.T,
                                   R @ np.atleast_3d(ssm["state_cov"])[:, :, 0] @ R.T,
                                   rtol=1e-12, atol=1e-15)
        assert sd == np.sqrt(np.atleast_3d(ssm["obs_cov"])[0, 0, 0])
    counts = np.array([2, 0, 3, 1, 0, 4])
    kept = _start_roots(states, counts)
    assert sorted(kept) == [0, 2, 3, 5]
    fresh = _simulate_all(full, thetas, counts, 40, np.random.default_rng(2), start_model=pre)
    np.testing.assert_array_equal(
        _simulate_all(full, thetas, counts, 40, np.random.default_rng(2), start_model=pre,
                      starts=kept), fresh)
    # a start kept before the draws' dynamics were (start and root only) gives the same paths
    np.testing.assert_array_equal(
        _simulate_all(full, thetas, counts, 40, np.random.default_rng(2), start_model=pre,
                      starts={j: v[:2] for j, v in kept.items()}), fresh)


@pytest.mark.parametrize("ar", [False, True])
def test_paths_stepped_together_equal_draw_by_draw_simulation(ar):
    """All paths are simulated at once from one block of normal variates; they equal a
    simulation draw by draw and step by step from the same generator (the definition), to
    1e-12, including draws that get no path — with one transition and one state innovation
    for every draw (local level and a regression: one matrix product per step) and with a
    transition and two innovations that differ by draw (an AR(1) component: products per
    path)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    from evaluation.designs.structural import _predicted_state_at, _simulate_all, _sym_sqrt

    rng = np.random.default_rng(11)
    y = np.cumsum(rng.normal(size=50)) + rng.normal(size=50)
    y[40:] = np.nan
    if ar:
        model = UnobservedComponents(y, level="local level", autoregressive=1,
                                     use_exact_diffuse=True)
        thetas = np.array([[0.2, -0.3, 0.1, 0.5], [-0.5, 0.1, -0.2, -0.4],
                           [0.0, 0.0, 0.0, 0.0], [0.4, -1.0, 0.3, 1.2]])
    else:
        model = UnobservedComponents(y, level="local level", exog=rng.normal(size=(50, 1)),
                                     mle_regression=False, use_exact_diffuse=True)
        thetas = np.array([[0.2, -0.3], [-0.5, 0.1], [0.0, 0.0], [0.4, -1.0]])
    counts = np.array([3, 0, 5, 2])
    got = _simulate_all(model, thetas, counts, 40, np.random.default_rng(5))

    ref_rng, blocks, transitions = np.random.default_rng(5), [], []
    for j in np.flatnonzero(counts):
        a, P = _predicted_state_at(model, thetas[j], 40)
        ssm, m = model.ssm, int(counts[j])
        Z = np.atleast_3d(ssm["design"])
        T = np.atleast_3d(ssm["transition"])[:, :, 0]
        transitions.append(T.copy())
        RQ = np.atleast_3d(ssm["selection"])[:, :, 0] @ _sym_sqrt(
            np.atleast_3d(ssm["state_cov"])[:, :, 0])
        sd = np.sqrt(max(float(np.atleast_3d(ssm["obs_cov"])[0, 0, 0]), 0.0))
        out = np.empty((m, 10))
        alpha = a + ref_rng.standard_normal((m, len(a))) @ _sym_sqrt(P).T
        for h in range(10):
            out[:, h] = alpha @ Z[0, :, 40 + h if Z.shape[2] > 1 else 0] + (
                sd * ref_rng.standard_normal(m))
            alpha = alpha @ T.T + ref_rng.standard_normal((m, RQ.shape[1])) @ RQ.T
        blocks.append(out)
    assert RQ.shape[1] == (2 if ar else 1)
    assert any(not np.array_equal(transitions[0], t) for t in transitions) == ar
    np.testing.assert_allclose(got, np.vstack(blocks), rtol=1e-12, atol=1e-12)


def test_a_stored_pre_period_fit_gives_the_numbers_of_a_fresh_fit():
    """``prefit`` (the national screen's store) keeps the pre-period fit and parameter draws:
    a call with a longer post window continues from them and equals a fresh call exactly; a
    revised pre-period value is not answered from the store (its key differs), and gives the
    fresh numbers of the revised data."""

    class Store:
        def __init__(self):
            self.kept, self.hits, self.puts = {}, 0, 0

        @staticmethod
        def _key(parts):
            return tuple(p.tobytes() if isinstance(p, np.ndarray) else p for p in parts)

        def get(self, parts):
            found = self.kept.get(self._key(parts))
            self.hits += found is not None
            return found

        def put(self, parts, value):
            self.puts += 1
            self.kept[self._key(parts)] = value

    def same(a, b):
        assert (a.average_effect, a.ci, a.p_value) == (b.average_effect, b.ci, b.p_value)
        pd.testing.assert_frame_equal(a.frame, b.frame)

    d = draw(Cell("monthly", 0.7, 20, "base"), seed=3)
    kw = dict(outcome=OUTCOME, treated=d.treated, intervention=d.intervention, n_paths=400,
              seed=5)
    store = Store()
    short = shift_period(d.post_end, -6)
    same(structural(d.panel, post_end=short, prefit=store, **kw),
         structural(d.panel, post_end=short, **kw))
    assert (store.puts, store.hits) == (1, 0)
    (stored,) = store.kept.values()
    assert stored["starts"]  # the simulation starts are kept: no pre-period filter again
    same(structural(d.panel, post_end=d.post_end, prefit=store, **kw),
         structural(d.panel, post_end=d.post_end, **kw))
    assert (store.puts, store.hits) == (1, 1)
    del stored["starts"]  # a fit stored before the starts were kept: filtered again, same
    same(structural(d.panel, post_end=d.post_end, prefit=store, **kw),
         structural(d.panel, post_end=d.post_end, **kw))
    assert (store.puts, store.hits) == (1, 2)
    revised = d.panel.copy()
    row = revised.index[(revised["unit"] == d.treated) & (revised["measure"] == OUTCOME)][5]
    revised.loc[row, "value"] += 0.1
    same(structural(revised, post_end=d.post_end, prefit=store, **kw),
         structural(revised, post_end=d.post_end, **kw))
    assert (store.puts, store.hits) == (2, 2)


def test_interval_order_statistics_equal_those_of_the_sorted_draws():
    """``_interval`` selects the k-th smallest and k-th largest draw without sorting: the
    same values as a full sort, along either axis, with ties, NaN (last, as sort puts it) and
    k at the middle."""
    rng = np.random.default_rng(12)
    for n, k in ((1000, 25), (999, 500), (41, 1), (7, 4)):
        draws = np.round(rng.normal(size=(n, 6)), 1)  # many ties
        draws[rng.integers(0, n), 2] = np.nan
        for axis, a in ((0, draws), (1, draws.T), (0, draws[:, 0])):
            s = np.sort(a, axis=axis)
            lo, hi = _interval(a, k, axis=axis)
            np.testing.assert_array_equal(lo, np.take(s, k - 1, axis=axis))
            np.testing.assert_array_equal(hi, np.take(s, a.shape[axis] - k, axis=axis))
