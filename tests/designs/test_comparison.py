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
    p = sim.panel.copy()
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
    p = sim.panel[sim.panel["measure"] != "labour_force"]
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
    assert comp.diagnostics["coverage"] < 0.95
    full = comparison_series(sim.panel, outcome="unemployment_rate", treated="1987")
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
