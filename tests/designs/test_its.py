"""Interrupted time series against the comparison series."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from _design_sim import its_draw, simulate, truth_average

from evaluation.data.panel import shift_period
from evaluation.designs.its import (
    AR1Errors,
    AR1NoiseErrors,
    ErrorFit,
    IndependentErrors,
    its,
)
from evaluation.errors import DesignError

INTERVENTION = "2021-01"


@pytest.fixture(scope="module")
def sim():
    # 60 kommuner, 2015-01..2022-12: 72 pre months, 24 post months; households: latent AR(1)
    # (φ 0.9, stationary sd 4.6 % on the log scale) + Poisson noise, treated unit 30 000 inhabitants
    return simulate(n_units=60, n_periods=96, seed=11, intervention=INTERVENTION,
                    treated_pop=30_000, sd_count=0.02)


@pytest.mark.parametrize(
    ("outcome", "tol"),
    [("unemployment_rate", 0.35), ("households_assistance", 0.10)],
)
def test_its_recovers_the_simulated_effect(sim, outcome, tol):
    res = its(sim.panel, outcome=outcome, treated="1987", intervention=INTERVENTION)
    truth = truth_average(sim.truth, measure=outcome, start=INTERVENTION, end=sim.periods[-1])
    assert res.design == "its" and res.post_window == (INTERVENTION, sim.periods[-1])
    if outcome == "unemployment_rate":
        # tolerance in percentage points (truth −1.0 p.p. phased in over 6 months)
        assert res.average_effect == pytest.approx(truth["average"], abs=tol)
        assert res.relative_effect is None
    else:
        # tolerance on the relative effect (truth −15 % phased in)
        assert res.relative_effect == pytest.approx(truth["relative"], abs=tol)
        assert res.relative_ci[0] <= truth["relative"] <= res.relative_ci[1]
    assert res.ci[0] <= truth["average"] <= res.ci[1]
    if outcome == "unemployment_rate":  # −1 p.p. is large next to this DGP's noise
        assert res.significant and res.p_value < 0.05
    assert res.cumulative_effect == pytest.approx(res.average_effect * res.diagnostics["n_post"])


def test_frame_and_diagnostics(sim):
    res = its(sim.panel, outcome="households_assistance", treated="1987",
              intervention=INTERVENTION, post_end="2021-12")
    f = res.frame
    assert {"observed", "counterfactual", "counterfactual_low", "counterfactual_high", "effect",
            "post", "comparison"} <= set(f.columns)
    assert f.index[-1] == "2021-12" and f["post"].sum() == 12
    np.testing.assert_allclose(f["effect"], f["observed"] - f["counterfactual"])
    post = f[f["post"]]
    assert (post["counterfactual_low"] < post["counterfactual"]).all()
    assert (post["counterfactual"] < post["counterfactual_high"]).all()
    assert res.average_effect == pytest.approx(post["effect"].mean())
    s_obs, s_cf = post["observed"].sum(), post["counterfactual"].sum()
    assert res.relative_effect == pytest.approx(s_obs / s_cf - 1)
    d = res.diagnostics
    for key in ("coefficients", "phi", "residual_sd", "dispersion", "n_pre", "method", "df"):
        assert key in d
    assert d["n_pre"] == 72 and d["n_post"] == 12
    assert d["population_offset"] is True
    assert d["method"]["counterfactual_fitted_on"] == "pre-period only"
    assert 0 < d["phi"] < 1


def test_counterfactual_uses_only_the_pre_period(sim):
    """Changing post-period observations changes the effect, never the counterfactual."""
    # without the published 00 row: that row contains the treated unit's (unchanged) values,
    # so the national comparison (00 minus the unit) would move with the edit below
    p = sim.panel[sim.panel["unit"] != "00"].copy()
    base = its(p, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION)
    mask = (p["unit"] == "1987") & (p["measure"] == "unemployment_rate") & (
        p["period"] >= INTERVENTION)
    p.loc[mask, "value"] += 3.0
    moved = its(p, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION)
    np.testing.assert_allclose(moved.frame["counterfactual"], base.frame["counterfactual"])
    assert moved.average_effect == pytest.approx(base.average_effect + 3.0)


def test_interval_and_p_value_agree():
    for kind, outcome in (("rate", "unemployment_rate"), ("count", "households_assistance")):
        for seed in range(6):
            p, interv, _ = its_draw(seed=seed, kind=kind, effect=-0.15 if kind == "count" else -0.3)
            res = its(p, outcome=outcome, treated="1987", intervention=interv)
            excludes_zero = res.ci[0] > 0 or res.ci[1] < 0
            assert excludes_zero == (res.p_value < 0.05)
            if kind == "count":
                lo, hi = res.relative_ci
                assert (lo > 0 or hi < 0) == excludes_zero


def test_ar1_forecast_variance_matches_closed_form():
    """With φ known, the innovations' variance of the post mean is Σ_j (Σ_{h≥j} φ^(h−j)/H)² σ²."""
    rng = np.random.default_rng(1)
    n, H, phi = 60, 12, 0.8
    X = np.column_stack([np.ones(n), rng.standard_normal(n)])
    u = np.zeros(n)
    for t in range(1, n):
        u[t] = phi * u[t - 1] + rng.standard_normal()
    model = AR1Errors(integrate=False, phi_range=(phi, phi), n_phi=1)
    fit = model.fit(u, times=np.arange(n), design=X, weights=np.ones(n))
    fit.covs[:] = 0.0  # isolate the innovation part
    carry, V = fit.predict(np.arange(n, n + H), np.ones(H), np.zeros((H, 2)))
    sigma2 = fit.scale * (1 - phi**2)  # scale is the stationary variance; σ² the innovations'
    expected = sigma2 * sum(
        sum(phi ** (h - j) / H for h in range(j, H + 1)) ** 2 for j in range(1, H + 1))
    assert V.sum() / H**2 == pytest.approx(expected, rel=1e-8)
    np.testing.assert_allclose(carry, phi ** np.arange(1, H + 1) * u[-1])


def test_error_model_is_swappable(sim):
    @dataclass
    class Wide(IndependentErrors):
        name: str = "twice_as_wide"

        def fit(self, resid, *, times, design, weights) -> ErrorFit:
            out = super().fit(resid, times=times, design=design, weights=weights)
            out.scale *= 4
            out.cov_beta = out.cov_beta * 4
            out.name = self.name
            return out

    base = its(sim.panel, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION,
               error_model=IndependentErrors())
    wide = its(sim.panel, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION,
               error_model=Wide())
    assert wide.p_value_method == "its_twice_as_wide_t"
    assert wide.average_effect == pytest.approx(base.average_effect)
    w_base, w_wide = base.ci[1] - base.ci[0], wide.ci[1] - wide.ci[0]
    assert w_wide == pytest.approx(2 * w_base, rel=1e-6)
    noise = its(sim.panel, outcome="households_assistance", treated="1987",
                intervention=INTERVENTION, error_model=AR1NoiseErrors())
    assert "error_rho_mean" in noise.diagnostics


def test_missing_months_are_handled(sim):
    p = sim.panel.copy()
    drop = (p["unit"] == "1987") & (p["measure"] == "unemployment_rate") & p["period"].isin(
        ["2016-05", "2018-11", "2021-06"])
    p.loc[drop, "value"] = np.nan
    res = its(p, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION)
    full = its(sim.panel, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION)
    assert res.diagnostics["n_pre"] == 70 and res.diagnostics["n_post"] == 23
    assert np.isnan(res.frame.loc["2021-06", "effect"])
    assert res.average_effect == pytest.approx(full.average_effect, abs=0.1)


def test_yearly_data_use_ar1_damped_trend_errors_and_t_intervals():
    # premise changed twice: the yearly default was IndependentErrors (false alarms ≈ 15 % at
    # φ = 0.6, see test_its_persistence.py), then an AR(1) integrated over φ (10.7 % for a kommun
    # with a trend of its own); it is now AR(1) + damped local trend with n − k − 1 df
    sim = simulate(n_units=30, start="2008", n_periods=14, frequency="yearly",
                   intervention="2018", phase_in=0, seed=5)
    res = its(sim.panel, outcome="unemployment_rate", treated="1987", intervention="2018")
    d = res.diagnostics
    assert -1 < d["phi"] < 1 and d["n_pre"] == 10 and d["df"] == 10 - 2 - 1
    assert d["method"]["error_model"] == "ar1_damped_trend_reml_integrated"
    assert not any(k.startswith(("m0", "m1")) for k in d["coefficients"])
    indep = its(sim.panel, outcome="unemployment_rate", treated="1987", intervention="2018",
                error_model=IndependentErrors())
    assert indep.diagnostics["phi"] == 0 and indep.diagnostics["df"] == 10 - 2
    assert indep.average_effect == pytest.approx(res.average_effect, abs=0.25)
    truth = truth_average(sim.truth, measure="unemployment_rate", start="2018", end="2021")
    assert res.ci[0] <= truth["average"] <= res.ci[1]
    cnt = its(sim.panel, outcome="households_assistance", treated="1987", intervention="2018")
    assert cnt.diagnostics["dispersion"] > 0 and cnt.relative_ci is not None


def test_intervention_outside_the_data_raises(sim):
    for bad in ("2014-06", sim.periods[0], shift_period(sim.periods[-1], 1)):
        with pytest.raises(DesignError) as err:
            its(sim.panel, outcome="unemployment_rate", treated="1987", intervention=bad)
        assert "ligger utanför data" in str(err.value)
        assert "lies outside the data" in err.value.text("en")
    with pytest.raises(DesignError, match="fel format"):
        its(sim.panel, outcome="unemployment_rate", treated="1987", intervention="jan 2021")
    with pytest.raises(DesignError, match="ÅÅÅÅ-MM"):
        its(sim.panel, outcome="unemployment_rate", treated="1987", intervention="2021")
    with pytest.raises(DesignError, match="Slutet på efterperioden"):
        its(sim.panel, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION,
            post_end="2020-06")


def test_too_short_pre_period_raises(sim):
    with pytest.raises(DesignError) as err:
        its(sim.panel, outcome="unemployment_rate", treated="1987", intervention="2016-06")
    assert "har bara 17 månader" in str(err.value) and "minst 24 månader" in str(err.value)
    assert "at least 24 months are needed" in err.value.text("en")
    yearly = simulate(n_units=10, start="2016", n_periods=8, frequency="yearly",
                      intervention=None, seed=2)
    with pytest.raises(DesignError) as err:
        its(yearly.panel, outcome="unemployment_rate", treated="1987", intervention="2021")
    assert "at least 6 years are needed" in err.value.text("en")


def test_runs_fast_on_a_290_unit_monthly_panel():
    big = simulate(n_units=290, n_periods=132, seed=4)
    from evaluation.designs.decomposition import decomposition

    for outcome in ("unemployment_rate", "households_assistance"):
        its(big.panel, outcome=outcome, treated="1987", intervention=INTERVENTION)  # warm-up
        t = time.perf_counter()
        its(big.panel, outcome=outcome, treated="1987", intervention=INTERVENTION)
        assert time.perf_counter() - t < 1.0
        t = time.perf_counter()
        decomposition(big.panel, outcome=outcome, treated="1987",
                      compare_periods=("2020-12", "2021-12"))
        assert time.perf_counter() - t < 1.0


def test_damped_trend_and_two_component_error_models(sim):
    """The optional error models fit, keep the point estimate and give intervals covering the
    simulated truth; with no drift in the data the damped-trend weight stays small."""
    from evaluation.designs.its import DampedTrendNoiseErrors

    window = (INTERVENTION, "2022-12")
    truth = truth_average(sim.truth, measure="unemployment_rate", start=window[0], end=window[1])
    base = its(sim.panel, outcome="unemployment_rate", treated="1987", intervention=INTERVENTION)
    for model in (DampedTrendNoiseErrors(), AR1NoiseErrors(phi2_grid=(0.0, 0.5, 0.8))):
        r = its(sim.panel, outcome="unemployment_rate", treated="1987",
                intervention=INTERVENTION, error_model=model)
        assert r.ci[0] <= truth["average"] <= r.ci[1]
        assert abs(r.average_effect - base.average_effect) < 0.2
    trend = its(sim.panel, outcome="unemployment_rate", treated="1987",
                intervention=INTERVENTION, error_model=DampedTrendNoiseErrors())
    assert trend.diagnostics["error_tau_mean"] < 1.0


def test_effective_df_for_persistent_errors():
    """A 12-month mean from 48 pre-months: 3·48/12 = 12 degrees of freedom, never more than the
    model's, never fewer than 2; independent errors keep the model's."""
    from evaluation.designs.its import effective_df

    assert effective_df(80.0, n_pre=48, n_post=12, persistent=True) == 12.0
    assert effective_df(80.0, n_pre=4, n_post=12, persistent=True) == 2.0
    assert effective_df(5.0, n_pre=48, n_post=12, persistent=True) == 5.0
    assert effective_df(80.0, n_pre=48, n_post=12, persistent=False) == 80.0


def test_kalman_reml_equals_the_cholesky_reml_and_is_linear():
    """The AR(1)+noise REML criterion by Kalman filter (O(n)) equals the dense Cholesky one
    (O(n³)) on every grid point, with and without gaps in the periods, to 1e-9."""
    import importlib

    its_module = importlib.import_module("evaluation.designs.its")
    rng = np.random.default_rng(20221)
    for n, k, gapped in ((88, 4, False), (40, 2, True), (12, 3, False)):
        times = np.arange(n, dtype=float)
        if gapped:
            times = np.sort(rng.choice(np.arange(int(n * 1.3)), n, replace=False)).astype(float)
        design, resid = rng.normal(size=(n, k)), rng.normal(size=n)
        phi = np.tile(np.linspace(-0.4, 0.995, 30), 11)
        rho = np.repeat(np.linspace(0.1, 1.0, 11), 30)
        lag = np.abs(times[:, None] - times[None, :])
        corr = (rho[:, None, None] * phi[:, None, None] ** lag[None]
                + (1 - rho)[:, None, None] * np.eye(n)[None])
        dense = its_module._reml_neg(corr, resid, design)
        kalman = its_module._reml_neg_ar1_noise(phi, rho, resid, design, times)
        np.testing.assert_allclose(kalman[0], dense[0], rtol=0, atol=1e-9)
        np.testing.assert_allclose(kalman[1], dense[1], rtol=1e-9)
        # each grid point filtered on its own: the last states of a subset of the points (the
        # fit keeps the heaviest) are, to the last bit, those the whole grid's filter gave
        some = np.sort(rng.choice(len(phi), 40, replace=False))
        _, _, state, var = its_module._ar1_noise_filter(
            phi[some], rho[some], np.column_stack([resid, design]), times)
        assert np.array_equal(kalman[2][some], state) and np.array_equal(kalman[3][some], var)


def test_the_filters_remembered_variances_give_the_same_numbers_to_the_bit():
    """The filter's variances and gains do not depend on the data and are remembered per grid:
    a shorter series after a longer one reads the first rows, a series with a gap where the
    remembered one had none (or another grid) gets its own — each time what a filter with
    nothing remembered gives, to the last bit."""
    import importlib

    its_module = importlib.import_module("evaluation.designs.its")
    rng = np.random.default_rng(5)
    phi = np.tile(np.linspace(-0.4, 0.995, 30), 10)
    rho = np.repeat(np.linspace(0.1, 1.0, 10), 30)
    monthly = np.arange(90, dtype=float)
    gapped = np.delete(np.arange(91, dtype=float), 30)
    cases = [(monthly, phi, rho), (monthly[:50], phi, rho), (gapped[:60], phi, rho),
             (monthly[:70], phi, rho), (monthly[:40], phi[::2], rho[::2]),
             (gapped[:60], phi, rho), (monthly[:2], phi, rho)]

    def fresh(*args):  # with nothing remembered, and leaving what is remembered as it was
        kept = dict(its_module._FILTER_VARIANCES)
        its_module._FILTER_VARIANCES.clear()
        try:
            return its_module._ar1_noise_filter(*args)
        finally:
            its_module._FILTER_VARIANCES.clear()
            its_module._FILTER_VARIANCES.update(kept)

    its_module._FILTER_VARIANCES.clear()
    for times, p, r in cases:
        M = rng.normal(size=(len(times), 4))
        remembered = its_module._ar1_noise_filter(p, r, M, times)
        expected = fresh(p, r, M, times)
        for got, want in zip(remembered, expected, strict=True):
            assert np.array_equal(got, want)
    assert len(its_module._FILTER_VARIANCES) <= its_module._FILTER_VARIANCES_KEPT


def test_reml_terms_from_gram_matrices_equal_those_from_qr():
    """The REML criterion's two data terms — log det of the whitened design's cross-product
    and the residual sum of squares — from the Cholesky factor of each (k + 1)² Gram matrix
    equal those from a QR of each whitened design, to 1e-9, for the ITS's own design (level,
    trend, step, slope change, month dummies) at 60 and 480 months whitened by the AR(1)+noise
    filter over its grid; a design with a column of zeros (no positive definite Gram matrix)
    is handed to the QR, whose terms come back unchanged."""
    import importlib

    its_module = importlib.import_module("evaluation.designs.its")
    rng = np.random.default_rng(7)
    for n in (60, 480):
        t = np.arange(n, dtype=float)
        after = (t >= n - 12).astype(float)
        months = [(t % 12 == m).astype(float) for m in range(1, 12)]
        design = np.column_stack([np.ones(n), t, after, after * (t - (n - 12)), *months])
        resid = np.zeros(n)
        for i in range(1, n):
            resid[i] = 0.9 * resid[i - 1] + rng.normal()
        phi = np.tile(np.linspace(0.0, 0.995, 30), 10)
        rho = np.repeat(np.linspace(0.1, 1.0, 10), 30)
        Z, _, _, _ = its_module._ar1_noise_filter(phi, rho, np.column_stack([resid, design]), t)
        gram, qr = its_module._gram_terms(Z), its_module._qr_terms(Z)
        np.testing.assert_allclose(gram[0], qr[0], rtol=1e-9)
        np.testing.assert_allclose(gram[1], qr[1], rtol=1e-9)
    Z[:, :, 3] = 0.0
    with pytest.raises(np.linalg.LinAlgError):
        its_module._gram_terms(Z)
    with np.errstate(divide="ignore"):
        criterion, quad = its_module._reml_from_whitened(Z, np.zeros(len(Z)))
        expected = its_module._qr_terms(Z)
    np.testing.assert_array_equal(quad, np.maximum(expected[1], 1e-300))
    assert np.isneginf(criterion).all()


def test_linear_time_forecast_equals_the_dense_correlation_form():
    """The AR(1) + noise fit keeps no n × n matrices: its covariances by forward/backward
    recursions and its forecasts from the filtered state at the last pre-period. Both equal
    the dense form (correlation matrices, Cholesky solves) to 1e-9, with a gap in the
    pre-period (a suppressed month), for a monthly and a long (480-month) pre-period."""
    import dataclasses
    import importlib

    its_module = importlib.import_module("evaluation.designs.its")

    rng = np.random.default_rng(4)
    for n in (60, 480):
        times = np.delete(np.arange(n + 1, dtype=float), 17)  # one missing month
        design = np.column_stack([np.ones(n), times / n, rng.normal(size=n)])
        weights = rng.uniform(0.5, 2.0, n)
        resid = np.zeros(n)
        for t in range(1, n):
            resid[t] = 0.8 * resid[t - 1] + rng.normal()
        fit = its_module.default_error_model("monthly").fit(
            resid, times=times, design=design, weights=weights)
        assert fit.corr_pp.size == 0 and len(fit.filtered)
        C = its_module._grid_corr(fit.phis, fit.rhos, fit.phis2, times)
        bread = its_module._bread(design, weights)
        xw = design * weights[:, None]
        dense_covs = bread @ (xw.T @ (fit.sigma2s[:, None, None] * C) @ xw) @ bread
        np.testing.assert_allclose(fit.covs, dense_covs, rtol=1e-9, atol=1e-12)
        dense = dataclasses.replace(fit, corr_pp=C, filtered=np.zeros(0),
                                    filtered_var=np.zeros(0))
        post = np.arange(n + 1, n + 13, dtype=float)
        post_design = np.column_stack([np.ones(12), post / n, rng.normal(size=12)])
        mean, V = fit.predict(post, np.ones(12), post_design)
        mean_d, V_d = dense.predict(post, np.ones(12), post_design)
        np.testing.assert_allclose(mean, mean_d, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(V, V_d, rtol=1e-9, atol=1e-12)


def test_forecast_envelope_from_point_totals_equals_the_dense_envelope():
    """The filtered-state forecast sums the grid's covariances as it builds them and picks the
    envelope's point from each point's total (closed form) instead of keeping m H × H
    matrices. Against the dense form (correlation matrices, the envelope over the stacked
    matrices), to 1e-9: post-periods with a gap, without the envelope, with every point
    supported, and with one point supported at a time — which returns that point's covariance
    for some points and the averaged one for others (both happen)."""
    import dataclasses
    import importlib

    its_module = importlib.import_module("evaluation.designs.its")

    rng = np.random.default_rng(9)
    n = 72
    times = np.arange(n, dtype=float)
    design = np.column_stack([np.ones(n), times / n, rng.normal(size=n)])
    resid = np.zeros(n)
    for t in range(1, n):
        resid[t] = 0.6 * resid[t - 1] + rng.normal()
    fit = its_module.default_error_model("monthly").fit(
        resid, times=times, design=design, weights=np.ones(n))
    C = its_module._grid_corr(fit.phis, fit.rhos, fit.phis2, times)
    post = np.r_[np.arange(n, n + 7), np.arange(n + 9, n + 15)].astype(float)  # a 2-month gap
    post_design = np.column_stack([np.ones(len(post)), post / n, rng.normal(size=len(post))])
    m = len(fit.probs)
    outcomes = set()

    def both(**changes):
        fast = dataclasses.replace(fit, **changes)
        dense = dataclasses.replace(fast, corr_pp=C, filtered=np.zeros(0),
                                    filtered_var=np.zeros(0))
        got = fast.predict(post, np.ones(len(post)), post_design)
        want = dense.predict(post, np.ones(len(post)), post_design)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-9, atol=1e-12)
        return got[1]

    mixture = both(envelope=None)
    both()  # as fitted
    both(envelope=1.0, lr=np.zeros(m))  # every point supported
    for j in np.linspace(0, m - 1, 12).round().astype(int):
        lr = np.full(m, 10.0)
        lr[j] = 0.0
        V = both(envelope=1.0, lr=lr)
        outcomes.add(bool(np.allclose(V, mixture, rtol=1e-12, atol=0)))
    assert outcomes == {True, False}


def test_a_series_on_the_period_grid_is_what_reindex_gives():
    """The ITS and the structural model read their series on the regular period grid as
    arrays (``designs.wide.on_grid``): the same values as ``series.reindex(periods)`` — NaN for
    a missing period, periods outside the series, an empty series — and, as for ``reindex``, a
    period twice is an error."""
    from evaluation.designs.wide import on_grid as _on_grid

    rng = np.random.default_rng(4)
    grid = [f"20{y:02d}-{m:02d}" for y in range(18, 24) for m in range(1, 13)]
    for _ in range(30):
        keep = sorted(rng.choice(len(grid), size=int(rng.integers(0, 60)), replace=False))
        series = pd.Series(rng.normal(size=len(keep)), index=[grid[i] for i in keep])
        series[series > 1.5] = np.nan
        start = int(rng.integers(0, 40))
        periods = grid[start:start + int(rng.integers(1, 40))]
        want = series.reindex(periods).to_numpy(dtype=float)
        np.testing.assert_array_equal(_on_grid(series, periods), want)
    twice = pd.Series([1.0, 2.0], index=["2020-01", "2020-01"])
    with pytest.raises(Exception):
        twice.reindex(["2020-01"])
    with pytest.raises(Exception):
        _on_grid(twice, ["2020-01"])
