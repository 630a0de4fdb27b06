"""Two-period decomposition: observed change = national-predicted change + local deviation."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

from evaluation.designs.decomposition import (
    _size_scales,
    N_SIMILAR,
    decomposition,
    min_units_for_level,
    rank_interval,
)
from evaluation.errors import DesignError

T0, T1 = "2022-04", "2023-04"


def two_period_panel(*, n_other: int = 60, seed: int = 0, treated_rate=(7.5, 6.1),
                     other_rate=(6.8, 6.3), noise: float = 0.0,
                     treated_households=(159, 123), treated_pop=(14_000, 14_002),
                     other_per_1000=(12.0, 11.0)) -> pd.DataFrame:
    """Arboga-like example (domain.md): the treated unit 1984 and ``n_other`` kommuner."""
    rng = np.random.default_rng(seed)
    rows = []

    def add(unit, period, measure, value):
        rows.append({"unit": unit, "unit_name": unit, "period": period, "measure": measure,
                     "value": float(value), "unit_type": "kommun"})

    for j, per in enumerate((T0, T1)):
        add("1984", per, "unemployment_rate", treated_rate[j])
        add("1984", per, "labour_force", 7000)
        add("1984", per, "households_assistance", treated_households[j])
        add("1984", per, "population", treated_pop[j])
    pops = np.exp(rng.uniform(np.log(5_000), np.log(40_000), n_other))
    for i in range(n_other):
        code = f"{(i % 20) + 1:02d}{50 + i // 20:02d}"
        for j, per in enumerate((T0, T1)):
            add(code, per, "unemployment_rate", other_rate[j] + noise * rng.standard_normal())
            add(code, per, "labour_force", round(pops[i] / 2))
            add(code, per, "population", round(pops[i]))
            rate = other_per_1000[j] * np.exp(noise / 10 * rng.standard_normal())
            add(code, per, "households_assistance", round(rate * pops[i] / 1000))
    return pd.DataFrame(rows)


def test_rate_decomposition_reproduces_the_hand_calculation():
    # Arboga April 2022→2023: 7.5 → 6.1 while the rest went 6.8 → 6.3: predicted 7.0, deviation −0.9
    res = decomposition(two_period_panel(), outcome="unemployment_rate", treated="1984",
                        compare_periods=(T0, T1))
    assert res.design == "decomposition" and res.kind == "rate" and res.unit == "pp"
    assert res.average_effect == pytest.approx(-0.9)
    d = res.diagnostics
    assert d["observed_change"] == pytest.approx(-1.4)
    assert d["national_predicted_change"] == pytest.approx(-0.5)
    assert d["local_deviation"] == pytest.approx(-0.9)
    assert d["decomposition"]["national_change"] == pytest.approx(-0.5)
    assert res.post_window == (T1, T1)
    assert res.frame.loc[T1, "counterfactual"] == pytest.approx(7.0)
    assert list(res.frame["post"]) == [False, True]
    # all 59 similar units deviate exactly 0 → the interval collapses on −0.9, p = 2/60
    # the test panel has 60 other kommuner, fewer than N_SIMILAR = 79: all are used
    assert d["n_units"] == 60 and "1984" not in d["units"]
    assert res.ci == pytest.approx((-0.9, -0.9))
    assert res.p_value == pytest.approx(2 / 61)
    assert res.p_value_method == "studentised_placebo_rank"


def test_count_decomposition_uses_rates_per_1000_and_population():
    p = two_period_panel(noise=0.3, seed=1)
    res = decomposition(p, outcome="households_assistance", treated="1984",
                        compare_periods=(T0, T1))
    sub = p[(p["unit"] != "1984")]
    w = sub.pivot_table(index="period", columns="measure", values="value", aggfunc="sum")
    ratio = (w.loc[T1, "households_assistance"] / w.loc[T1, "population"]) / (
        w.loc[T0, "households_assistance"] / w.loc[T0, "population"])
    predicted = 159 / 14_000 * ratio * 14_002
    assert res.frame.loc[T1, "counterfactual"] == pytest.approx(predicted)
    assert res.average_effect == pytest.approx(123 - predicted)
    assert res.relative_effect == pytest.approx((123 - predicted) / predicted)
    assert res.unit == "households"
    lo, hi = res.relative_ci
    assert res.ci == pytest.approx((lo * predicted, hi * predicted))
    assert res.testable


def test_interval_and_p_value_come_from_the_same_procedure():
    rng = np.random.default_rng(0)
    for n in (39, 59, 79, 200):
        for _ in range(200):
            draws = rng.standard_normal(n)
            d = rng.normal(0, 2)
            ci, p = rank_interval(d, draws, ci_level=0.95)
            excludes_zero = ci[0] > 0 or ci[1] < 0
            assert excludes_zero == (p <= 0.05)
    assert rank_interval(1.0, rng.standard_normal(38), ci_level=0.95) == (None, None)
    assert min_units_for_level(0.95) == 39 and min_units_for_level(0.9) == 19


def test_few_similar_units_get_a_placebo_variance_interval():
    """30 similar kommuner: too few for a 95 % rank interval, so the placebo variance with a
    t(29) critical value (as the comparison-group designs); the true deviation −0.9 is inside,
    and the p-value agrees with the interval. One kommun: no interval, with the reason."""
    res = decomposition(two_period_panel(n_other=30, noise=0.2), outcome="unemployment_rate",
                        treated="1984", compare_periods=(T0, T1))
    assert res.testable and res.p_value_method == "placebo_variance_t"
    assert res.ci[0] <= -0.9 <= res.ci[1]
    assert (res.p_value <= 0.05) == res.significant
    assert res.average_effect == pytest.approx(-0.9, abs=0.2)
    one = decomposition(two_period_panel(n_other=1, noise=0.2), outcome="unemployment_rate",
                        treated="1984", compare_periods=(T0, T1))
    assert one.ci is None and one.p_value_method == "not_testable"
    assert "at least 2 needed" in one.diagnostics["not_testable_reason"]


def test_similar_units_are_compared_without_themselves():
    # one similar unit has a huge own change; its deviation must show it in full (it is not
    # diluted by being part of its own comparison)
    p = two_period_panel(noise=0.0)
    target = "0150"
    mask = (p["unit"] == target) & (p["measure"] == "unemployment_rate") & (p["period"] == T1)
    p.loc[mask, "value"] = 6.3 + 5.0
    res = decomposition(p, outcome="unemployment_rate", treated="1984", compare_periods=(T0, T1),
                        n_similar=60)
    d = res.diagnostics
    devs = dict(zip(d["units"], d["similar_unit_deviations"], strict=True))
    assert devs[target] == pytest.approx(5.0)


def test_decomposition_errors():
    p = two_period_panel()
    with pytest.raises(DesignError, match="fel ordning"):
        decomposition(p, outcome="unemployment_rate", treated="1984", compare_periods=(T1, T0))
    with pytest.raises(DesignError) as err:
        decomposition(p, outcome="unemployment_rate", treated="1984",
                      compare_periods=(T0, "2023-05"))
    assert "no value" in err.value.text("en")
    with pytest.raises(DesignError):
        decomposition(p, outcome="unemployment_rate", treated="1984",
                      compare_periods=(T0, "2023-13"))


def test_yearly_default_base_is_the_year_before_the_change():
    """The base period must not be already treated: yearly [intervention − 1, intervention]."""
    from evaluation.designs.decomposition import default_compare_periods

    assert default_compare_periods("2020") == ["2019", "2020"]
    assert default_compare_periods("2020", 2) == ["2019", "2021"]
    assert default_compare_periods("2022-04") == ["2022-03", "2023-03"]


def test_a_level_is_decomposed_additively_in_its_unit():
    """Kr per invånare (a level): predicted = own t0 + the comparison's change, no population
    scaling and no relative effect, labelled in the declared unit."""
    from evaluation.data.panel import declared_measure, measures_declared

    p = two_period_panel()
    cost = p[p["measure"] == "unemployment_rate"].assign(
        measure="kostnad", value=lambda d: d["value"] * 1000)
    p = pd.concat([p, cost], ignore_index=True)
    declared = declared_measure("kostnad", "level", unit_sv="kr per invånare",
                                unit_en="SEK per inhabitant")
    with measures_declared({"kostnad": declared}):
        res = decomposition(p, outcome="kostnad", treated="1984", compare_periods=(T0, T1))
    # 7 500 → 6 100 while the rest went 6 800 → 6 300: predicted 7 000, deviation −900
    assert res.kind == "level" and res.unit == "SEK per inhabitant"
    assert res.average_effect == pytest.approx(-900.0)
    assert res.relative_effect is None and res.ci == pytest.approx((-900.0, -900.0))
    assert res.diagnostics["deviation_scale"] == "SEK per inhabitant"


def test_excluded_kommuner_leave_the_comparison_and_the_reference_units():
    p = two_period_panel(noise=0.2)
    gone = ["0150", "0250"]
    res = decomposition(p, outcome="unemployment_rate", treated="1984",
                        compare_periods=(T0, T1), exclude=gone)
    d = res.diagnostics
    assert not set(gone) & set(d["units"]) and d["n_units"] == 58
    assert not set(gone) & set(d["comparison_diagnostics"]["units"])
    assert d["excluded"] == gone


def test_size_scales_come_from_the_pre_period_not_from_the_deviations_they_scale():
    """With 7 similar kommuner, scales fitted to the deviations themselves overfit them (7.8 %
    false alarms at R = 1 000 in the calibration study); the scales come from each unit's
    pre-period noise instead. Reference: the same scales whatever deviations are passed, and
    not all equal (the kommuner differ in size)."""
    import numpy as np

    from evaluation.checks.calibration_dgp import Cell, draw
    from evaluation.data.panel import shift_period
    from evaluation.designs.comparison import _pool
    from evaluation.designs.decomposition import _size_scales

    d = draw(Cell("monthly", 0.7, 7), seed=3)
    pool = _pool(d.panel, "unemployment_rate")
    units = [u for u in pool.values.columns if u != d.treated]
    base = [shift_period(d.intervention, -k) for k in range(12, 0, -1)]
    a = _size_scales(pool, d.treated, units, np.ones(len(units)), base)
    b = _size_scales(pool, d.treated, units, np.arange(1.0, len(units) + 1) ** 3, base)
    assert a == b
    assert len({round(v, 9) for v in a.values()}) > 1


def test_window_means_equal_pandas_label_means():
    """``_mean_at`` is ``series[labels].mean()``: NaN skipped, all-NaN gives NaN, a missing
    label is a KeyError."""
    import math

    from evaluation.designs.decomposition import _mean_at

    s = pd.Series([1.0, np.nan, 2.5, 4.0], index=["2022-01", "2022-02", "2022-03", "2022-04"])
    for labels in (["2022-01", "2022-03"], ["2022-02", "2022-04", "2022-01"], ["2022-04"]):
        assert _mean_at(s, labels) == float(s[labels].mean())
    assert math.isnan(_mean_at(s, ["2022-02"]))
    with pytest.raises(KeyError):
        _mean_at(s, ["2022-01", "2023-01"])


def _in_time_by_labels(y, c, pop_s, kind, w0, w1, distance):
    """The treated unit's earlier deviations as written before the array version: every
    window mean read by label (``_window_prediction``), the loop stopped at the first pair
    with a missing value."""
    from evaluation.data.panel import shift_period
    from evaluation.designs.decomposition import MAX_IN_TIME, _filled, _window_prediction

    out = {}
    pairs = [([shift_period(p, -k * distance) for p in w0],
              [shift_period(p, -k * distance) for p in w1]) for k in range(1, MAX_IN_TIME + 1)]
    pop_f = _filled(pop_s, [p for a, b in pairs for p in a + b])
    for a, b in pairs:
        if any(p not in y.index or pd.isna(y.get(p)) or p not in c.index or pd.isna(c.get(p))
               for p in a + b):
            break
        _, y1, _, _, _, _, pred = _window_prediction(y, c, pop_f, kind, a, b)
        if kind == "count" and not pred > 0:
            break
        out[b[-1]] = ((y1 - pred) / pred if kind == "count" else y1 - pred, y1 - pred)
    return out


def test_in_time_deviations_equal_the_label_means_bit_for_bit():
    """The treated unit's own earlier deviations (the interval's floor) are read from arrays
    by position; they equal the label-by-label computation exactly — rates and counts, with
    and without population (gaps carried), windows of 1 and 12, a gap in the outcome or the
    comparison that ends the pairs early, a series that starts late, and a count whose
    prediction is not positive."""
    from evaluation.data.panel import period_range, shift_period
    from evaluation.designs.decomposition import _in_time_deviations

    rng = np.random.default_rng(3)
    periods = period_range("2012-01", "2023-12")
    cases = 0
    for trial in range(40):
        kind = "count" if trial % 2 else "rate"
        window = 12 if trial % 4 < 2 else 1
        y = pd.Series(rng.uniform(50, 150, len(periods)), index=periods)
        c = pd.Series(rng.uniform(50, 150, len(periods)), index=periods)
        if trial % 5 == 1:
            y.iloc[rng.integers(0, 80)] = np.nan
        if trial % 5 == 2:
            c = c.drop(c.index[rng.integers(0, 80)])
        if trial % 5 == 3:
            y = y.iloc[rng.integers(10, 60):]
        if trial % 7 == 4 and kind == "count":
            y.iloc[:70] = 0.0  # the prediction is zero: the pairs stop there
        pop = None
        if trial % 3:
            pop = pd.Series(rng.uniform(9_000, 11_000, len(periods[::5])), index=periods[::5])
            pop.iloc[3] = np.nan
        t0, t1 = "2022-04", "2023-04"
        w0 = [shift_period(t0, -k) for k in range(window - 1, -1, -1)]
        w1 = [shift_period(t1, -k) for k in range(window - 1, -1, -1)]
        got = _in_time_deviations(y, c, pop, kind, w0, w1, 12)
        want = _in_time_by_labels(y, c, pop, kind, w0, w1, 12)
        assert list(got) == list(want)
        assert got == want  # the same floats, not only close ones
        cases += len(want)
    assert cases > 100


def test_labels_without_a_value_are_the_missing_and_the_nan_ones():
    """``_without_value`` is ``[p for p in labels if p not in s.index or pd.isna(s.get(p))]``."""
    from evaluation.designs.decomposition import _without_value

    s = pd.Series([1.0, np.nan, 2.5, 4.0], index=["2022-01", "2022-02", "2022-03", "2022-04"])
    for labels in (["2022-01", "2022-03"], ["2022-02", "2022-05", "2022-01"], [],
                   ["2021-12", "2022-04", "2022-02"]):
        assert _without_value(s, labels) == [
            p for p in labels if p not in s.index or pd.isna(s.get(p))]
    assert _without_value(s, ["2022-02", "2022-05"]) == ["2022-02", "2022-05"]


def _size_scales_pandas(pool, treated, units, draws, base):
    """The size scales as the pandas expressions gave them before they were read from arrays
    (the reference of the test below)."""
    from evaluation.designs.inference import size_scale_fit

    everyone = [treated, *units]
    if pool.population is None or not all(u in pool.population.columns for u in everyone):
        return {u: 1.0 for u in everyone}
    rows = [p for p in base if p in pool.population.index]
    size = pool.population.loc[rows, everyone].mean(axis=0) if rows else None
    if size is None or size.isna().any():
        return {u: 1.0 for u in everyone}
    last = max(base)
    pre = pool.values.loc[[p for p in pool.values.index if p <= last], everyone]
    if pool.kind == "count":
        pre = np.log(pre.where(pre > 0))
    pre = pre.dropna(how="any")
    if len(pre) < 3:
        noise = {u: float(abs(v)) for u, v in zip(units, draws, strict=True)}
    else:
        diffs = pre.sub(pre.mean(axis=1), axis=0).diff().iloc[1:]
        noise = diffs.std(axis=0, ddof=1).to_dict()
    return size_scale_fit(noise, size.to_dict(), everyone)


def test_size_scales_from_arrays_equal_the_pandas_expressions():
    """The decomposition's size scales computed on arrays equal what the pandas expressions
    gave: rates and counts (logged, non-positive values dropped), monthly and yearly pools,
    gaps in the values and the population, a base window without population, a pre-period too
    short for noise (the draws stand in), a unit without population. Bit for bit on the pools
    as the library builds them; to rounding (1e-12) on tables changed here, whose memory layout
    decides the order in which pandas adds."""
    import dataclasses

    from evaluation.checks.calibration_dgp import Cell, draw
    from evaluation.data import demo
    from evaluation.data.panel import shift_period
    from evaluation.designs.comparison import _pool

    demo_panel = demo.load_demo("monthly")[0]
    pools = [_pool(demo_panel, "households_assistance"), _pool(demo_panel, "unemployment_rate"),
             _pool(draw(Cell("monthly", 0.7, 20), seed=1).panel, "unemployment_rate"),
             _pool(draw(Cell("yearly", 0.6, 20), seed=2).panel, "unemployment_rate")]
    rng = np.random.default_rng(11)
    checked = 0
    for pool in pools:
        for case in range(12):
            values, population = pool.values.copy(), pool.population.copy()
            if case % 3 == 1:  # gaps: missing values and population, a non-positive count
                values = values.mask(rng.random(values.shape) < 0.02)
                population = population.mask(rng.random(population.shape) < 0.05)
                values.iloc[int(rng.integers(len(values))), 3] = 0.0
            if case % 4 == 3:
                population.iloc[:, 5] = np.nan  # a unit without population
            p = dataclasses.replace(pool, values=values, population=population)
            columns = [u for u in p.values.columns if u != "00"]
            treated, *others = rng.permutation(columns)[: int(rng.integers(6, 30))]
            periods = list(p.values.index)
            end = periods[int(rng.integers(1, len(periods)))] if case != 5 else periods[1]
            k = 12 if len(periods[0]) == 7 else 1
            base = [shift_period(end, -j) for j in range(k - 1, -1, -1)]
            if case == 7:
                base = [shift_period(periods[0], -j) for j in range(k, 0, -1)]  # before data
            draws = rng.normal(size=len(others))
            got = _size_scales(p, str(treated), [str(u) for u in others], draws, base)
            want = _size_scales_pandas(p, str(treated), [str(u) for u in others], draws, base)
            if case % 3 == 1 or case % 4 == 3:
                assert got == pytest.approx(want, rel=1e-12), (case, got, want)
            else:
                assert got == want, (case, got, want)
            checked += len(set(got.values())) > 1
    assert checked >= 20  # most cases give scales that differ between units



def _unit_deviations_pandas(pool, units, member, periods, n0, kind):
    """The units' deviations as the pandas expressions on the pool's tables gave them before
    they were read from arrays (the reference of the test below): the sums and values read by
    label with pandas; the comparison of each unit (``member``) and the window means and the
    prediction made from those sums (``_window_deviations``) are the library's."""
    from evaluation.designs.decomposition import _window_deviations

    Y = pool.values.loc[periods]
    W = pool.weight_of(list(Y.columns)).loc[periods]
    ok = Y.notna() & W.notna()
    contrib = (Y * W).where(ok, 0.0) if kind != "count" else Y.where(ok, 0.0)
    num = member @ contrib.to_numpy().T
    den = member @ W.where(ok, 0.0).to_numpy().T

    y = Y[units].to_numpy().T
    pop = None
    if kind == "count" and pool.population is not None and all(
            u in pool.population.columns for u in units):
        pop = pool.population.loc[periods, units].to_numpy().T
    return _window_deviations(pool, kind, num, den, y, pop, n0)


@pytest.mark.parametrize("outcome", ["unemployment_rate", "households_assistance"])
def test_similar_deviations_from_arrays_equal_the_pandas_expressions(outcome, monkeypatch):
    """The deviations of the similar units read from the pool's arrays equal the pandas
    expressions' bit for bit, in every call the decomposition makes on the demo: the kommun
    against riket and against its län, with excluded kommuner, at the report's windows and at
    earlier ones (the reliability check's), a rate and a count (weights, populations); and
    with a comparison value missing (its weight known) or weights missing, cells that must
    leave both the weighted sum and the sum of weights."""
    import dataclasses

    from evaluation.data import demo
    from evaluation.data.panel import shift_period
    module = importlib.import_module("evaluation.designs.decomposition")
    panel = demo.load_demo("monthly")[0]
    calls = []
    real = module._unit_deviations

    def recorded(pool, units, member, periods, n0, kind):
        calls.append((pool, units, member, periods, n0, kind))
        return real(pool, units, member, periods, n0, kind)

    monkeypatch.setattr(module, "_unit_deviations", recorded)
    for treated, comparison, exclude, shift in (("1987", "riket", (), 0),
                                                ("1987", "lan", (), 0),
                                                ("0104", "riket", ("0110", "0112"), 0),
                                                ("1987", "riket", (), 14),
                                                ("2406", "lan", ("2415",), 27)):
        t0, t1 = (shift_period(p, -shift) for p in ("2022-03", "2023-03"))
        try:
            module.decomposition(panel, outcome=outcome, treated=treated,
                                 compare_periods=(t0, t1), comparison=comparison,
                                 exclude=list(exclude))
        except module.DesignError:
            pass
    assert len(calls) >= 4
    pool, units, member, periods, n0, kind = calls[0]
    assert pool.weights is not None
    values = pool.values.copy()
    compared = pool.values.columns[np.flatnonzero(member[0] > 0)[0]]
    values.loc[periods[-1], compared] = np.nan  # in the compared window
    rng = np.random.default_rng(2)
    for gappy in (dataclasses.replace(pool, values=values, _arrays={}),
                  dataclasses.replace(pool, weights=pool.weights.mask(
                      rng.random(pool.weights.shape) < 0.2), _arrays={})):
        calls.append((gappy, units, member, periods, n0, kind))
    for args in calls:
        got, want = real(*args), _unit_deviations_pandas(*args)
        assert np.isfinite(got).sum() > 0
        np.testing.assert_array_equal(got, want)
