"""Comparison series: the treated unit never enters its own comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _design_sim import simulate

from evaluation.designs.comparison import (
    comparison_series,
    outcome_series,
    population_series,
    similar_units,
)
from evaluation.errors import DataError, DesignError
from evaluation.paths import shared_data_dir


@pytest.fixture(scope="module")
def sim():
    return simulate(n_units=40, n_periods=36, seed=3)


def _wide(panel: pd.DataFrame, measure: str) -> pd.DataFrame:
    sub = panel[panel["measure"] == measure]
    return sub.pivot(index="period", columns="unit", values="value")


def _kommuner(panel: pd.DataFrame) -> list[str]:
    return sorted(panel.loc[panel["unit_type"] == "kommun", "unit"].unique())


def test_outcome_series_is_indexed_by_period(sim):
    s = outcome_series(sim.panel, unit="1987", measure="unemployment_rate")
    assert list(s.index) == sim.periods
    assert s.index.name == "period"
    with pytest.raises(DataError, match="saknar värden"):
        outcome_series(sim.panel, unit="9999", measure="unemployment_rate")


def test_population_series_from_measure_column_or_none(sim):
    pop = population_series(sim.panel, "1987")
    assert pop is not None and pop.iloc[0] == pytest.approx(15_000)
    # only a population column, no population measure
    no_measure = sim.panel[sim.panel["measure"] != "population"].copy()
    no_measure["population"] = 1234.0
    col = population_series(no_measure, "1987")
    assert col is not None and (col == 1234.0).all() and len(col) == len(sim.periods)
    bare = sim.panel[sim.panel["measure"] == "unemployment_rate"]
    assert population_series(bare, "1987") is None


def test_rate_comparison_is_labour_force_weighted_mean_without_treated(sim):
    p = sim.panel
    comp = comparison_series(p, outcome="unemployment_rate", treated="1987", comparison="riket")
    others = [u for u in _kommuner(p) if u != "1987"]
    y, lf = _wide(p, "unemployment_rate")[others], _wide(p, "labour_force")[others]
    expected = (y * lf).sum(axis=1) / lf.sum(axis=1)
    np.testing.assert_allclose(comp.series.to_numpy(), expected.to_numpy())
    assert "1987" not in comp.diagnostics["units"]
    assert comp.diagnostics["weights"] == "labour_force"
    assert comp.diagnostics["includes_treated"] is False


def test_comparison_does_not_move_with_the_treated_unit(sim):
    # computed from the kommuner (no published 00 row, which contains the treated unit's values)
    p = sim.panel[sim.panel["unit"] != "00"].copy()
    base = comparison_series(p, outcome="households_assistance", treated="1987").series
    mask = (p["unit"] == "1987") & (p["measure"] == "households_assistance")
    p.loc[mask, "value"] *= 10
    moved = comparison_series(p, outcome="households_assistance", treated="1987").series
    pd.testing.assert_series_equal(base, moved)


def test_count_comparison_is_rate_per_1000_without_treated(sim):
    p = sim.panel
    comp = comparison_series(p, outcome="households_assistance", treated="1987")
    others = [u for u in _kommuner(p) if u != "1987"]
    c, pop = _wide(p, "households_assistance")[others], _wide(p, "population")[others]
    expected = c.sum(axis=1) / pop.sum(axis=1) * 1000
    np.testing.assert_allclose(comp.series.to_numpy(), expected.to_numpy())
    assert comp.scale == "per_1000"


def test_rate_falls_back_to_population_then_equal_weights(sim):
    # the mean over the kommuner (without a 00 row, which would be the comparison itself)
    p = sim.panel[(sim.panel["measure"] != "labour_force") & (sim.panel["unit"] != "00")]
    comp = comparison_series(p, outcome="unemployment_rate", treated="1987")
    assert comp.diagnostics["weights"] == "population"
    bare = p[p["measure"] == "unemployment_rate"]
    comp = comparison_series(bare, outcome="unemployment_rate", treated="1987")
    assert comp.diagnostics["weights"] == "none"
    others = [u for u in _kommuner(bare) if u != "1987"]
    np.testing.assert_allclose(comp.series.to_numpy(),
                               _wide(bare, "unemployment_rate")[others].mean(axis=1).to_numpy())


def test_lan_and_list_sets(sim):
    p = sim.panel
    comp = comparison_series(p, outcome="unemployment_rate", treated="1987", comparison="lan")
    assert comp.diagnostics["units"] and all(u.startswith("19") for u in comp.diagnostics["units"])
    assert "1987" not in comp.diagnostics["units"]
    picked = comparison_series(p, outcome="unemployment_rate", treated="1987",
                               comparison=["0110", "0310", "1987"])
    assert picked.diagnostics["units"] == ["0110", "0310"]


def test_aggregate_minus_treated_when_no_kommuner():
    periods = ["2020-01", "2020-02"]
    rows = []
    for u, t, rate, lf, cnt, pop in (("1987", "kommun", [10.0, 8.0], 1000, [100, 90], 10_000),
                                     ("00", "riket", [6.0, 5.0], 101_000, [2100, 1990], 110_000)):
        for i, per in enumerate(periods):
            rows += [
                {"unit": u, "unit_name": u, "period": per, "measure": "unemployment_rate",
                 "value": rate[i], "unit_type": t},
                {"unit": u, "unit_name": u, "period": per, "measure": "labour_force",
                 "value": lf, "unit_type": t},
                {"unit": u, "unit_name": u, "period": per, "measure": "households_assistance",
                 "value": cnt[i], "unit_type": t},
                {"unit": u, "unit_name": u, "period": per, "measure": "population",
                 "value": pop, "unit_type": t},
            ]
    p = pd.DataFrame(rows)
    comp = comparison_series(p, outcome="unemployment_rate", treated="1987")
    # (6·101 000 − 10·1 000) / 100 000 = 5.96
    assert comp.series.iloc[0] == pytest.approx(5.96)
    assert comp.diagnostics["source"] == "aggregate_minus_treated"
    assert comp.diagnostics["includes_treated"] is False
    cnt = comparison_series(p, outcome="households_assistance", treated="1987")
    assert cnt.series.iloc[0] == pytest.approx((2100 - 100) / 100_000 * 1000)
    # no weights at all: the aggregate as is, flagged
    bare = p[p["measure"] == "unemployment_rate"]
    flagged = comparison_series(bare, outcome="unemployment_rate", treated="1987")
    assert flagged.diagnostics["includes_treated"] is True
    assert flagged.series.iloc[0] == pytest.approx(6.0)


def test_incomplete_kommun_set_uses_the_aggregate(sim):
    keep = ["1987", "0110", "0310", "00"]
    p = sim.panel[sim.panel["unit"].isin(keep)]
    comp = comparison_series(p, outcome="unemployment_rate", treated="1987")
    assert comp.diagnostics["source"] == "aggregate_minus_treated"
    assert comp.diagnostics["national"] is True and comp.diagnostics["subtracted"] == ["1987"]
    # the aggregate is built from all kommuner: 00 minus the treated unit is their mean
    kommuner = sim.panel[sim.panel["unit"] != "00"]
    full = comparison_series(kommuner, outcome="unemployment_rate", treated="1987")
    np.testing.assert_allclose(comp.series.to_numpy(), full.series.to_numpy(), rtol=1e-9)


def test_comparison_errors(sim):
    with pytest.raises(DesignError, match="Okänd jämförelsegrupp"):
        comparison_series(sim.panel, outcome="unemployment_rate", treated="1987",
                          comparison="sverige")
    with pytest.raises(DesignError) as err:
        comparison_series(sim.panel, outcome="unemployment_rate", treated="19", comparison="lan")
    assert "only works for a kommun" in err.value.text("en")
    with pytest.raises(DataError, match="saknar måttet"):
        comparison_series(sim.panel, outcome="nope", treated="1987")


def test_similar_units_by_log_population(sim):
    p = sim.panel.copy()
    mask = (p["unit"] == "0110") & (p["measure"] == "unemployment_rate") & (
        p["period"] == sim.periods[5])
    p.loc[mask, "value"] = np.nan  # a unit with missing outcome data is never chosen
    units = similar_units(p, treated="1987", outcome="unemployment_rate", n=10)
    assert len(units) == 10 and "1987" not in units and "0110" not in units
    log_pop = np.log(_wide(p, "population")[_kommuner(p)]).mean()
    dist = (log_pop.drop(["1987", "0110"]) - log_pop["1987"]).abs()
    assert set(units) == set(dist.nsmallest(10).index)


def test_real_county_panel_uses_the_national_aggregate():
    path = shared_data_dir() / "sweden" / "scb_bas_monthly_lan_riket_2020-01_2024-01.csv"
    if not path.is_file():
        pytest.skip(f"shared reference data not available ({path})")
    raw = pd.read_csv(path, dtype={"regionkod": str})
    p = pd.DataFrame({"unit": raw["regionkod"], "unit_name": raw["region"],
                      "period": raw["period"], "measure": "unemployment_rate",
                      "value": raw["unemployment_rate_pct"]})
    comp = comparison_series(p, outcome="unemployment_rate", treated="20")
    assert comp.diagnostics["source"] == "aggregate"
    assert comp.diagnostics["includes_treated"] is True  # no weights to take Dalarna out


# --------------------------------------------------------------------------- own data
def _without_national(sim):
    return sim.panel[sim.panel["unit"] != "00"]


def test_description_names_the_units_never_riket_without_a_00_row(sim):
    p = _without_national(sim)
    comp = comparison_series(p, outcome="unemployment_rate", treated="1987")
    n = len(_kommuner(p)) - 1
    assert comp.description_sv.startswith(f"Medel vägt med arbetskraften av {n} kommuner i data")
    assert "riket" not in comp.description_sv.casefold()
    bare = p[p["measure"] == "unemployment_rate"]
    unweighted = comparison_series(bare, outcome="unemployment_rate", treated="1987")
    assert unweighted.description_sv.startswith(f"Ovägt medel av {n} kommuner i data (alla utom")
    assert unweighted.diagnostics["national"] is False


def test_a_00_row_is_the_national_comparison(sim):
    """Even with every kommun in the data, riket's row (minus the treated unit) is the series."""
    comp = comparison_series(sim.panel, outcome="unemployment_rate", treated="1987")
    assert comp.diagnostics["units"] == ["00"] and comp.diagnostics["national"] is True
    assert comp.description_sv.startswith("Riket (raden 00 i data) utan ")
    assert comp.description.startswith("Sweden as a whole (the 00 row in the data) without ")


def test_excluded_units_leave_the_comparison_and_are_subtracted_from_the_aggregate(sim):
    from evaluation.designs.comparison import exclude_from_comparison

    gone = ["0110", "0310"]
    kommuner = _without_national(sim)
    comp = comparison_series(kommuner, outcome="households_assistance", treated="1987",
                             exclude=gone)
    assert not set(gone) & set(comp.diagnostics["units"])
    assert comp.diagnostics["n_units"] == len(_kommuner(kommuner)) - 3
    # the same through a marked panel (how the ITS gets it), and from the 00 row
    marked = exclude_from_comparison(sim.panel, gone)
    agg = comparison_series(marked, outcome="households_assistance", treated="1987")
    assert agg.diagnostics["subtracted"] == ["1987", *gone]
    np.testing.assert_allclose(agg.series.to_numpy(), comp.series.to_numpy(), rtol=1e-9)
    assert similar_units(marked, treated="1987", outcome="households_assistance", n=100,
                         periods=sim.periods[:2]).count("0110") == 0


def test_a_level_is_a_population_weighted_mean_never_per_1000(sim):
    from evaluation.data.panel import declared_measure, measures_declared

    p = _without_national(sim)
    level = p[p["measure"] == "households_assistance"].assign(measure="kostnad")
    p = pd.concat([p, level], ignore_index=True)
    with measures_declared({"kostnad": declared_measure("kostnad", "level",
                                                        unit_sv="kr per invånare")}):
        comp = comparison_series(p, outcome="kostnad", treated="1987")
    others = [u for u in _kommuner(p) if u != "1987"]
    y, pop = _wide(p, "kostnad")[others], _wide(p, "population")[others]
    np.testing.assert_allclose(comp.series.to_numpy(),
                               ((y * pop).sum(axis=1) / pop.sum(axis=1)).to_numpy())
    assert comp.scale == "rate" and comp.diagnostics["weights"] == "population"
    assert comp.description_sv.startswith("Befolkningsviktat medel av")


def test_a_lan_is_compared_with_the_other_lan():
    path = shared_data_dir() / "sweden" / "scb_bas_monthly_lan_riket_2020-01_2024-01.csv"
    if not path.is_file():
        pytest.skip(f"shared reference data not available ({path})")
    from evaluation.data.reference import county_unemployment_panel

    p = county_unemployment_panel()
    no_riket = p[p["unit"] != "00"]
    comp = comparison_series(no_riket, outcome="unemployment_rate", treated="20")
    assert comp.diagnostics["n_units"] == 20 and comp.diagnostics["unit_type"] == "lan"
    assert comp.description_sv.startswith("Befolkningsviktat medel av 20 län i data")
    units = similar_units(p, treated="20", outcome="unemployment_rate", n=5)
    assert len(units) == 5 and all(len(u) == 2 and u not in ("00", "20") for u in units)


def test_an_excluded_county_takes_its_kommuner_out_and_riket_takes_nothing():
    """Membership (comparison._outside): a unit is out when it is excluded or lies inside an
    excluded län (the kommuner 01xx of län 01); excluding riket (00) removes riket itself, not
    every kommun, and an excluded kommun removes only itself."""
    from evaluation.designs.comparison import _outside

    units = ["0114", "0180", "0188", "1980", "1982", "01", "19", "00"]
    assert _outside(units, ["01"]) == ["1980", "1982", "19", "00"]
    assert _outside(units, ["00"]) == ["0114", "0180", "0188", "1980", "1982", "01", "19"]
    assert _outside(units, ["1980", "0180"]) == ["0114", "0188", "1982", "01", "19", "00"]
    assert _outside(units, []) == units


# --------------------------------------------------------------------------- series by arrays
def _outcome_series_pandas(rows: pd.DataFrame, measure: str) -> pd.Series:
    """The outcome series as the pandas expression built it before it was read from arrays."""
    sub = rows[rows["measure"] == measure]
    s = pd.Series(sub["value"].to_numpy(dtype=float), index=sub["period"].astype(str).to_numpy())
    s = s.sort_index()
    s.index.name = "period"
    s.name = measure
    return s


def _unit_frames(seed: int) -> list[pd.DataFrame]:
    """One unit's rows in many shapes: shuffled, with gaps, NaN values, a population column
    that is partly missing or absent, population rows with NaN, a period twice."""
    rng = np.random.default_rng(seed)
    periods = [f"20{y:02d}-{m:02d}" for y in range(18, 21) for m in range(1, 13)]
    frames = []
    for case in range(40):
        rows = []
        for measure in ("unemployment_rate", "population", "labour_force"):
            keep = [p for p in periods if rng.random() > (0.3 if case % 3 == 0 else 0.02)]
            for p in keep:
                value = float(rng.normal(100, 10))
                if rng.random() < (0.5 if case % 5 == 1 else 0.05):
                    value = np.nan
                pop = float(rng.normal(5000, 50)) if rng.random() > 0.2 else np.nan
                rows.append(("1987", p, measure, value, pop))
        frame = pd.DataFrame(rows, columns=["unit", "period", "measure", "value", "population"])
        frame["unit"] = frame["unit"].astype("str")
        frame["period"] = frame["period"].astype("str")
        frame["measure"] = frame["measure"].astype("str")
        if case % 4 == 2:
            frame = frame[frame["measure"] != "population"]  # the column alone
        if case % 6 == 3:
            frame["population"] = np.nan  # the measure alone
        if case % 7 == 4:
            frame.loc[frame["measure"] == "population", "value"] = np.nan
        if case % 8 == 5:  # a period twice
            frame = pd.concat([frame, frame[frame["measure"] != "labour_force"].head(2)])
        if case % 9 == 6:
            frame = frame.drop(columns="population")
        if case == 39:
            frame["population"] = np.nan
            frame.loc[frame["measure"] == "population", "value"] = np.nan
        frames.append(frame.sample(frac=1.0, random_state=case).reset_index(drop=True))
    return frames


def test_series_read_from_arrays_equal_the_pandas_expressions():
    """The outcome and population series are built from arrays (the screen builds them for
    every kommun); they equal the pandas expressions they replace exactly — values, index,
    index dtype and names — on 40 shapes of a unit's rows, or are None alike."""
    from evaluation.designs.comparison import _outcome_series, _population_series_pandas

    nones = ties = 0
    for frame in _unit_frames(11):
        for measure in ("unemployment_rate", "labour_force"):
            if (frame["measure"] == measure).any():
                got = _outcome_series.uncached(frame, "1987", measure)
                pd.testing.assert_series_equal(got, _outcome_series_pandas(frame, measure),
                                               check_exact=True)
        want = _population_series_pandas(frame)
        got = population_series.uncached(frame, "1987")
        if want is None:
            assert got is None
            nones += 1
        else:
            pd.testing.assert_series_equal(got, want, check_exact=True)
        ties += frame.duplicated(["period", "measure"]).any()
    assert nones >= 2 and ties >= 2  # the cases the arrays hand back to pandas, and None


def test_comparison_series_is_remembered_and_callers_get_copies(sim):
    """The ITS and the structural model of one kommun, and an evaluation's re-fits, ask for
    the same comparison series: it is built once per panel, and what a caller changes in its
    copy does not reach the next caller."""
    from evaluation.designs import comparison as module

    calls = []
    real = module._comparison

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    panel = sim.panel.copy()
    first = comparison_series(panel, outcome="unemployment_rate", treated="1987")
    module._comparison = counted
    try:
        first.series.iloc[:] = -1.0
        first.diagnostics["excluded"].append("9999")
        again = comparison_series(panel, outcome="unemployment_rate", treated="1987")
        other = comparison_series(panel, outcome="unemployment_rate", treated="1987",
                                  exclude=["0104"])
    finally:
        module._comparison = real
    assert len(calls) == 1  # only the new exclusion was built
    fresh = module._comparison(module._pool(panel, "unemployment_rate"), treated="1987",
                               comparison="riket", exclude=[])
    pd.testing.assert_series_equal(again.series, fresh.series, check_exact=True)
    assert again.diagnostics == fresh.diagnostics and "9999" not in again.diagnostics["excluded"]
    assert other.diagnostics["excluded"] == ["0104"]


def _aggregate_minus_pandas(pool, agg, remove):
    """The aggregate minus units as the Series expression computed it before it was read
    from arrays."""
    a = pool.values[agg]
    present = [u for u in remove if u in pool.values.columns and pool.values[u].notna().any()]
    w = pool.weights
    if w is not None and agg in w.columns and bool(w[agg].notna().any()):
        can = [u for u in present if u in w.columns and w[u].notna().any()]
        wa = w[agg]
        if pool.kind != "count":
            num = a * wa - sum((pool.values[u] * w[u] for u in can), start=0.0 * a)
            return num / (wa - sum((w[u] for u in can), start=0.0 * wa)), can
        num = a - sum((pool.values[u] for u in can), start=0.0 * a)
        return num / (wa - sum((w[u] for u in can), start=0.0 * wa)) * 1000.0, can
    if pool.kind == "count":
        return a - sum((pool.values[u] for u in present), start=0.0 * a), present
    return a.copy(), []


def test_aggregate_minus_read_from_arrays_equals_the_series_expression():
    """Riket minus the kommun (and the excluded kommuner), computed on arrays, equals the
    Series expression bit for bit: rates and counts, with and without weights, units with
    gaps, without values or weights, or absent."""
    from evaluation.designs.comparison import _aggregate_minus, _Pool

    rng = np.random.default_rng(8)
    periods = pd.Index([f"2020-{m:02d}" for m in range(1, 13)], dtype=object, name="period")
    units = ["00", "0104", "1987", "2080", "2081", "2082", "2083"]
    checked = 0
    for case in range(24):
        values = pd.DataFrame(rng.normal(50, 5, (12, 7)), index=periods,
                              columns=pd.Index(units, dtype=object, name="unit"))
        weights = pd.DataFrame(rng.normal(1000, 50, (12, 7)), index=periods,
                               columns=values.columns)
        values = values.mask(rng.random((12, 7)) < 0.1)
        weights = weights.mask(rng.random((12, 7)) < 0.1)
        values["2080"] = np.nan  # a unit without values
        weights["2081"] = np.nan  # a unit without weights
        kind = ("rate", "count")[case % 2]
        w = None if case % 3 == 0 else weights.drop(columns="1987" if case % 4 == 1 else [])
        pool = _Pool(kind, "x", values, w, "population", None, {u: "kommun" for u in units})
        for remove in (["1987"], ["1987", "2080", "2081", "9999"], [],
                       ["1987", "2082", "0104", "2083"]):
            got, got_units = _aggregate_minus(pool, agg="00", remove=remove)
            want, want_units = _aggregate_minus_pandas(pool, "00", remove)
            assert got_units == want_units
            np.testing.assert_array_equal(got.to_numpy(), want.to_numpy())
            assert got.index.equals(want.index)
            checked += 1
    assert checked == 96


def _similar_pandas(pool, *, treated, n, periods, exclude=()):
    """The similar units as the pandas expressions chose them before the choice was read from
    arrays (the reference of the test below; ``periods`` given, population present)."""
    from evaluation.designs.comparison import _log_mean_size, _outside

    size = pool.population
    if size is None or treated not in size.columns or size[treated].isna().all():
        size = pool.labour_force
    if any(p not in pool.values.index for p in periods):
        return []
    peers = [u for u in pool.peers(treated) if u != treated] or pool.kommuner
    candidates = _outside(peers, [treated, *exclude])
    vals = pool.values.loc[list(periods), candidates]
    complete = vals.notna().all(axis=0).to_numpy()
    sized = set(size.columns)
    candidates = [u for u, ok in zip(candidates, complete, strict=True) if ok and u in sized]
    log_sizes = _log_mean_size(pool, size)
    dist = (log_sizes[candidates] - float(log_sizes[treated])).abs().dropna()
    order = [u for _, u in sorted(zip(dist.to_numpy().tolist(), dist.index, strict=True))]
    return order[: max(int(n), 0)]


def test_similar_units_from_arrays_equal_the_pandas_choice():
    """The similar units chosen on arrays are the ones the pandas expressions chose, in the
    same order, on the demo's pools: windows with gaps in the values, units without a usable
    size (no population, or none positive: left out), an excluded län, ties broken by code."""
    import dataclasses

    from evaluation.data import demo
    from evaluation.designs.comparison import _pool, _similar

    panel = demo.load_demo("monthly")[0]
    rng = np.random.default_rng(5)
    cases = 0
    for outcome in ("unemployment_rate", "households_assistance"):
        base = _pool(panel, outcome)
        for case in range(15):
            values, population = base.values.copy(), base.population.copy()
            values = values.mask(rng.random(values.shape) < 0.01 * (case % 3))
            cols = list(population.columns)
            population[cols[case]] = np.nan  # no population
            population[cols[case + 20]] = 0.0  # none positive: no log size
            population[cols[case + 40]] = population[cols[case + 41]]  # a tie in size
            pool = dataclasses.replace(base, values=values, population=population,
                                       _kinds={}, _arrays={})
            kommuner = [u for u in pool.values.columns if len(u) == 4]
            treated = str(rng.choice(kommuner))
            start = int(rng.integers(0, len(pool.values.index) - 24))
            periods = list(pool.values.index[start:start + 24:2])
            exclude = [treated[:2]] if case % 4 == 0 else []
            n = int(rng.integers(5, 60))
            got = _similar(pool, treated=treated, n=n, periods=periods, exclude=exclude)
            want = _similar_pandas(pool, treated=treated, n=n, periods=periods, exclude=exclude)
            assert got == want and len(got) > 0, (outcome, case)
            cases += 1
    assert cases == 30


def test_a_pool_cut_for_units_a_table_lacks_is_a_key_error_not_another_units_column(sim):
    """``pool_of_units`` reads each unit's column of the whole pool's tables by position: a
    unit missing from one of them (here the population) must fail, as ``table[units]`` did,
    instead of reading the last column in its place."""
    import dataclasses

    from evaluation.designs.comparison import _pool, pool_of_units

    panel = sim.panel
    outcome = "unemployment_rate"
    units = [_kommuner(panel)[0], _kommuner(panel)[1]]
    whole = _pool(panel, outcome)
    assert pool_of_units(panel, outcome, units, whole=whole) is not None
    broken = dataclasses.replace(whole, population=whole.population.drop(columns=[units[0]]),
                                 _arrays={})
    with pytest.raises(KeyError, match=units[0]):
        pool_of_units(panel, outcome, units, whole=broken)


def test_a_comparison_with_no_population_has_no_value_there_and_none_at_all_is_an_error(sim):
    """A count per 1 000 inhabitants over a population of zero is not a number: that period
    of the comparison is missing (NaN, not ±inf, which no design may read as a value), and a
    comparison with no value left is the design's error sentence."""
    p = sim.panel
    members = [u for u in _kommuner(p) if u != "1987"][:2]
    one = sim.periods[5]
    zero = p.copy()
    at = zero["unit"].isin(members) & (zero["measure"] == "population")
    zero.loc[at & (zero["period"] == one), "value"] = 0.0
    comp = comparison_series(zero, outcome="households_assistance", treated="1987",
                             comparison=members)
    assert comp.series.index.name == "period" and comp.series.name == "comparison"
    assert np.isnan(comp.series[one]) and not np.isinf(comp.series.to_numpy()).any()
    assert comp.series.drop(one).notna().all()
    zero.loc[at, "value"] = 0.0
    with pytest.raises(DesignError, match="har inga värden"):
        comparison_series(zero, outcome="households_assistance", treated="1987",
                          comparison=members)
