"""Do the default intervals mean what they say on real and demo data? (issue 3 targets)

The full tables (R ≥ 500 on the demo) come from ``tests/benchmarks/placebo_table.py``; these
tests assert the real-panel figures and a smaller demo sample.
"""

from __future__ import annotations

import pytest

from evaluation.checks.placebo import placebo_check, shift_equivariance

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def county(shared_data):
    from evaluation.data.reference import county_unemployment_panel

    panel = county_unemployment_panel()
    return panel, sorted(u for u in panel["unit"].unique() if u != "00")


@pytest.fixture(scope="module")
def county_its(county):
    panel, units = county
    return placebo_check(panel, design="its", outcome="unemployment_rate", units=units,
                         step=-0.3)


def test_county_riket_without_the_lan_is_rebuilt_from_population_weights(county):
    """Riket as the population-weighted mean of the 21 län (SCB 2023 populations) is within
    0.1 p.p. of the published riket series (SCB BAS 2020-01..2024-01; rates are rounded to
    0.1)."""
    from evaluation.data.panel import wide
    from evaluation.data.reference import COUNTY_POPULATION_2023 as pop

    panel, units = county
    rates = wide(panel, "unemployment_rate")
    rebuilt = sum(rates[u] * pop[u] for u in units) / sum(pop[u] for u in units)
    assert (rebuilt - rates["00"]).abs().max() <= 0.1


def test_county_its_false_positive_rate(county_its):
    """Real SCB BAS county panel, 21 län × 14 placebo dates (24 months before, 12 after;
    comparison riket without the län). Target (issue 3): false-positive rate ≤ 10 %.
    Measured 6.8 % (date-clustered bootstrap 4.4–9.5 %); the textbook ITS with local linear
    trend and HAC(12) errors gave about 60 %."""
    assert county_its.n == 294
    assert county_its.rate() <= 0.10


@pytest.mark.xfail(strict=True, reason=(
    "issue 3 target power ≥ 70 % for a 0.3 p.p. step on the county panel is not reached: "
    "measured 45 %. Even an oracle test that knew each län's own placebo spread reaches only "
    "59 % at the 5 % level (see the closing note); a strict xfail so that reaching it is noticed"))
def test_county_its_power_target(county_its):
    assert county_its.rate("power_rejected") >= 0.70


def test_county_power_target_is_out_of_reach_of_any_calibration(county_its):
    """Why the 70 % target is not met: even an oracle that knew the exact null distribution of
    the ITS estimate on this panel (the 95 % quantile of |estimate| over all 294 placebo pairs
    as critical value: exactly 5 % false alarms) detects a 0.3 p.p. step in only 53 % of the
    pairs; the null estimates have SD 0.157 p.p. (the step is under two SDs). No interval built
    on this estimator can reach 70 % at 5 % false alarms; SC, DiD, SDID and simple gap
    contrasts on the same panel have null SDs of 0.16–0.21 p.p. (closing note of issue 3)."""
    import numpy as np

    runs = county_its.runs
    critical = np.quantile(np.abs(runs["estimate"]), 0.95)
    oracle_power = float(np.mean(np.abs(runs["power_estimate"]) > critical))
    assert 0.14 <= float(runs["estimate"].std()) <= 0.18
    assert oracle_power < 0.70
    # our calibrated interval gets most of what the oracle gets
    assert county_its.rate("power_rejected") >= 0.75 * oracle_power


def test_county_its_power_measured(county_its):
    """Power for a 0.3 p.p. step at the same län and dates: measured 45 %; asserted ≥ 40 %."""
    assert county_its.rate("power_rejected") >= 0.40


def test_county_decomposition_gets_a_placebo_variance_interval(county):
    """21 län give 20 comparison units, too few for a 95 % rank interval (39 needed): the
    decomposition uses the placebo variance with a t(19) critical value instead, so every pair
    has an interval (issue 10: 'every design gives a calibrated interval')."""
    panel, units = county
    r = placebo_check(panel, design="decomposition", outcome="unemployment_rate", units=units,
                      max_pairs=20)
    assert r.n == 20 and r.n_not_testable == 0


def test_demo_its_unemployment_false_alarms_and_power():
    """Demo, untreated kommuner (Exempelstad removed), ITS on unemployment, R = 200 seeded
    unit-date pairs: false-positive rate within 0.05 ± 2·√(0.05·0.95/R) = [0.019, 0.081] and
    power ≥ 80 % for the demo's −1.0 p.p. as a step. Measured here 4.0 % and 81 %; with
    R = 500 in placebo_table.py 4.0 % and 80.2 %."""
    from evaluation.data import demo

    panel, _ = demo.load_demo("monthly")
    units = demo.load_demo_units()
    kommuner = units.loc[units["unit_type"] == "kommun", "unit"]
    untreated = [u for u in kommuner if u not in (demo.TREATED_UNIT, demo.PLACEBO_UNIT)]
    panel = panel[panel["unit"] != demo.TREATED_UNIT]
    # the −1.0 p.p. step moves the ITS estimate and interval one for one (the counterfactual is
    # fitted on the pre-period only): checked on 8 re-fitted pairs, then read off the null runs.
    # Tolerance 0.01 p.p.: a re-fitted step also moves the national series recomputed without
    # the unit (add_step does not restate riket's row), by about 0.003 p.p. here
    assert shift_equivariance(panel, design="its", outcome="unemployment_rate",
                              units=untreated, step=-1.0, seed=7) < 0.01
    r = placebo_check(panel, design="its", outcome="unemployment_rate", units=untreated,
                      step=-1.0, max_pairs=200, seed=20220401, step_by_shift=True)
    lo, hi = r.monte_carlo_band()
    assert lo <= r.rate() <= hi
    assert r.rate("power_rejected") >= 0.80


def test_demo_decomposition_unemployment_false_alarms_and_power():
    """Demo, untreated kommuner (Exempelstad removed), the decomposition as the report runs it
    (the 12 months before against the 12-month window, 79 similar-size kommuner), R = 200
    seeded unit-date pairs: false-positive rate within 0.05 ± 2·√(0.05·0.95/R) = [0.019, 0.081]
    and power ≥ 60 % for −1.0 p.p. as a step. Measured: 4.5 % and 65.5 %. Before the in-time
    floor (each kommun's own deviations at earlier pairs of years; the demo has room for two,
    hence a t(2) quantile when they are larger than the similar kommuner's spread explains) the
    power was 90 % (R = 500), bought with 11–13 % false alarms for a kommun unlike the nation
    (calibration study)."""
    from evaluation.data import demo

    panel, _ = demo.load_demo("monthly")
    units = demo.load_demo_units()
    kommuner = units.loc[units["unit_type"] == "kommun", "unit"]
    untreated = [u for u in kommuner if u not in (demo.TREATED_UNIT, demo.PLACEBO_UNIT)]
    panel = panel[panel["unit"] != demo.TREATED_UNIT]
    assert shift_equivariance(panel, design="decomposition", outcome="unemployment_rate",
                              units=untreated, step=-1.0, seed=7) < 0.01  # as for ITS
    r = placebo_check(panel, design="decomposition", outcome="unemployment_rate",
                      units=untreated, step=-1.0, max_pairs=200, seed=20220401,
                      step_by_shift=True)
    lo, hi = r.monte_carlo_band()
    assert lo <= r.rate() <= hi
    assert r.rate("power_rejected") >= 0.60


@pytest.mark.parametrize(("design", "measured"), [("did", 0.0), ("synthetic_control", 0.017),
                                                  ("sdid", 0.034)])
def test_county_comparison_group_designs_false_alarms(county, design, measured):
    """Real SCB BAS county panel: each of the 21 län in turn treated at each of the 14 placebo
    dates (24 months before, 12 after), the other 20 län as donors — a pool too small for a
    95 % rank interval, so the placebo-variance t(19) interval (Arkhangelsky et al. 2021,
    Algorithm 4) is used. Target (issue 10): false alarms ≤ 10 % for every design that reports
    an interval. Measured: DiD 0.0 %, SC 1.7 %, SDID 3.4 % of 294 runs (before the in-time
    floor of ``tests/designs/test_in_time_floor.py``: 1.0 / 8.8 / 5.4 %)."""
    from evaluation.checks.placebo import placebo_dates
    from evaluation.data.panel import shift_period
    from evaluation.designs.donor_designs import placebo_date_runs

    panel, units = county
    dates = placebo_dates(sorted(panel["period"].unique()), frequency="monthly",
                          post_length=12)
    rejected = []
    for date in dates:
        end = shift_period(date, 11)
        runs = placebo_date_runs(panel[panel["period"] <= end], design=design,
                                 outcome="unemployment_rate", treated=units[0], units=units,
                                 donors=units[1:], intervention=date, post_end=end)
        assert runs["low"].notna().all() and set(runs["method"]) == {"placebo_variance_t"}
        rejected += list((runs["low"] > 0) | (runs["high"] < 0))
    assert len(rejected) == 294
    rate = sum(rejected) / len(rejected)
    assert rate <= 0.10
    assert rate == pytest.approx(measured, abs=0.005)
