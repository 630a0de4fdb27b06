"""The placebo check: it measures false alarms under a known null and power under a known effect."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "designs"))
from _design_sim import simulate  # noqa: E402

from evaluation.checks.placebo import add_step, placebo_check, placebo_dates  # noqa: E402
from evaluation.designs.its import IndependentErrors, its  # noqa: E402


@pytest.fixture(scope="module")
def null_panel():
    """40 kommuner, 72 months, AR(1) local noise (φ = 0.6), no effect anywhere."""
    return simulate(n_units=40, n_periods=72, intervention=None, seed=7, phi_rate=0.6).panel


def _units(panel, n):
    return sorted(u for u in panel["unit"].unique() if len(u) == 4)[:n]


def test_placebo_dates_leave_pre_and_post():
    periods = [f"2020-{m:02d}" for m in range(1, 13)] + [f"2021-{m:02d}" for m in range(1, 13)] \
        + [f"2022-{m:02d}" for m in range(1, 13)] + [f"2023-{m:02d}" for m in range(1, 13)]
    dates = placebo_dates(periods)
    assert dates[0] == "2022-01" and dates[-1] == "2023-01"  # 24 before, 12 in the window


def test_add_step_rate_and_count(null_panel):
    stepped = add_step(null_panel, unit="0110", outcome="unemployment_rate", start="2019-01",
                       end="2019-12", step=-1.0)
    a = null_panel.set_index(["unit", "measure", "period"])["value"]
    b = stepped.set_index(["unit", "measure", "period"])["value"]
    assert np.isclose(b[("0110", "unemployment_rate", "2019-06")]
                      - a[("0110", "unemployment_rate", "2019-06")], -1.0)
    assert b[("0110", "unemployment_rate", "2020-01")] == a[("0110", "unemployment_rate", "2020-01")]
    stepped = add_step(null_panel, unit="0110", outcome="households_assistance", start="2019-01",
                       end="2019-12", step=-0.15)
    b = stepped.set_index(["unit", "measure", "period"])["value"]
    assert np.isclose(b[("0110", "households_assistance", "2019-06")],
                      0.85 * a[("0110", "households_assistance", "2019-06")])


def test_known_null_few_false_alarms_and_known_effect_found(null_panel):
    """ITS with its default error model on a null panel: false-positive rate within the Monte
    Carlo band of 5 % for R pairs (0.05 ± 2·√(0.05·0.95/R)); a −2.0 p.p. step is found in at
    least 90 % of the same pairs (measured: false alarms 2.5 %; power 78 % for −1.0, 93 % for −2.0)."""
    r = placebo_check(null_panel, design="its", outcome="unemployment_rate",
                      units=_units(null_panel, 20), step=-2.0, max_pairs=120, seed=3)
    lo, hi = r.monte_carlo_band()
    assert r.n == 120
    assert r.rate() <= hi
    assert r.rate("power_rejected") >= 0.9
    blo, bhi = r.rate_interval()
    assert blo <= r.rate() <= bhi


def test_a_miscalibrated_design_is_caught(null_panel):
    """Independent errors on autocorrelated data call noise significant far more than 5 %: the
    check must show it (this is the failure the check exists for)."""
    def naive(data, *, outcome, unit, date, post_end, comparison):
        return its(data, outcome=outcome, treated=unit, intervention=date, post_end=post_end,
                   comparison=comparison, error_model=IndependentErrors())

    persistent = simulate(n_units=40, n_periods=72, intervention=None, seed=8,
                          phi_rate=0.9).panel
    r = placebo_check(persistent, design=naive, outcome="unemployment_rate",
                      units=_units(persistent, 20), max_pairs=80, seed=3)
    assert r.rate() > r.monte_carlo_band()[1]


def test_decomposition_with_few_units_gets_a_t_interval(null_panel):
    """A 95 % rank interval needs 39 comparison units: with 30 the decomposition uses the
    placebo variance with a t(29) critical value, so every pair is testable."""
    small = null_panel[null_panel["unit"].isin(_units(null_panel, 30) + ["00"])]
    r = placebo_check(small, design="decomposition", outcome="unemployment_rate",
                      units=_units(null_panel, 5), max_pairs=10, seed=1)
    assert r.n == 10 and r.n_not_testable == 0
