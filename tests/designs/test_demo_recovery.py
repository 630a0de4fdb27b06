"""The designs recover the demo simulator's known effects (and find none at the placebo unit).

Demo (``evaluation.data.demo.simulate()``, default seed): Exempelstad (1987, ~14 000
inhabitants) gets −1.0 p.p. unemployment and −15 % households from 2022-04, phased in over six
months; Kontrollby (0649) has the same date and no effect. The truth for each estimand is
computed from ``.truth`` over the same window.

Tolerances: the demo's local noise is large for a kommun of this size (county and kommun AR(1)
shocks with φ ≈ 0.9–0.95, a slowly bending local trend, persistent over-dispersed count
noise), so one design's standard error is ≈ 0.5 p.p. for unemployment and ≈ 0.1 for the
relative household effect. The point estimate must lie within 0.5 p.p. / 0.10 of the truth
(about one standard error), and the 95 % interval must cover the truth.
"""

from __future__ import annotations

import numpy as np
from scipy import stats
import pytest

from evaluation.designs import decomposition, its
from evaluation.designs.decomposition import N_SIMILAR, default_compare_periods

demo = pytest.importorskip("evaluation.data.demo", reason="demo simulator not available")

RATE_TOL = 0.5
REL_TOL = 0.10
WINDOW = ("2022-04", "2023-09")  # 18 months from the reform
COMPARE = ("2022-03", "2023-03")  # the month before the reform and a year later


@pytest.fixture(scope="module")
def data():
    return demo.simulate()


def _truth(data, unit: str, measure: str, start: str, end: str) -> dict[str, float]:
    t = data.truth
    w = t[(t["unit"] == unit) & (t["measure"] == measure) & (t["period"] >= start)
          & (t["period"] <= end)]
    return {"average": float(w["effect"].mean()),
            "relative": float(w["effect"].sum() / w["counterfactual"].sum())}


@pytest.mark.parametrize("outcome", ["unemployment_rate", "households_assistance"])
def test_its_recovers_exempelstad(data, outcome):
    res = its(data.monthly, outcome=outcome, treated=demo.TREATED_UNIT,
              intervention=demo.REFORM_START, post_end=WINDOW[1])
    truth = _truth(data, demo.TREATED_UNIT, outcome, *WINDOW)
    assert res.ci[0] <= truth["average"] <= res.ci[1]
    assert res.average_effect < 0
    if outcome == "unemployment_rate":
        assert res.average_effect == pytest.approx(truth["average"], abs=RATE_TOL)
    else:
        assert res.relative_effect == pytest.approx(truth["relative"], abs=REL_TOL)
        assert res.relative_ci[0] <= truth["relative"] <= res.relative_ci[1]


@pytest.mark.parametrize("outcome", ["unemployment_rate", "households_assistance"])
def test_decomposition_recovers_exempelstad(data, outcome):
    res = decomposition(data.monthly, outcome=outcome, treated=demo.TREATED_UNIT,
                        compare_periods=COMPARE)
    truth = _truth(data, demo.TREATED_UNIT, outcome, COMPARE[1], COMPARE[1])
    assert res.diagnostics["n_units"] == N_SIMILAR
    assert res.ci[0] <= truth["average"] <= res.ci[1]
    if outcome == "unemployment_rate":
        assert res.average_effect == pytest.approx(truth["average"], abs=RATE_TOL)
    else:
        assert res.relative_effect == pytest.approx(truth["relative"], abs=REL_TOL)


@pytest.mark.parametrize("outcome", ["unemployment_rate", "households_assistance"])
def test_decomposition_with_year_windows_recovers_exempelstad(data, outcome):
    """The report's default: the 12 months before against the first 12 (truth = the true mean
    effect over the first year, the year before has none). Its similar units' deviations vary
    less than in the single-month comparison (the reason for the default)."""
    t0, t1 = default_compare_periods(demo.REFORM_START)
    res = decomposition(data.monthly, outcome=outcome, treated=demo.TREATED_UNIT,
                        compare_periods=(t0, t1), window=12)
    single = decomposition(data.monthly, outcome=outcome, treated=demo.TREATED_UNIT,
                           compare_periods=(t0, t1))
    truth = _truth(data, demo.TREATED_UNIT, outcome, "2022-04", "2023-03")
    assert res.diagnostics["windows"] == [["2021-04", "2022-03"], ["2022-04", "2023-03"]]
    assert res.ci[0] <= truth["average"] <= res.ci[1]
    spread = np.std(res.diagnostics["similar_unit_deviations"])
    assert spread < np.std(single.diagnostics["similar_unit_deviations"])
    if outcome == "unemployment_rate":
        assert res.average_effect == pytest.approx(truth["average"], abs=RATE_TOL)
    else:
        assert res.relative_effect == pytest.approx(truth["relative"], abs=REL_TOL)


@pytest.mark.parametrize("outcome", ["unemployment_rate", "households_assistance"])
def test_no_significant_effect_at_kontrollby(data, outcome):
    for res in (
        its(data.monthly, outcome=outcome, treated=demo.PLACEBO_UNIT,
            intervention=demo.REFORM_START, post_end=WINDOW[1]),
        its(data.monthly, outcome=outcome, treated=demo.PLACEBO_UNIT,
            intervention=demo.REFORM_START),
        decomposition(data.monthly, outcome=outcome, treated=demo.PLACEBO_UNIT,
                      compare_periods=COMPARE),
    ):
        assert res.testable and not res.significant
        assert res.p_value > 0.05


def test_its_on_the_yearly_demo(data):
    panel, truth = data.yearly()
    res = its(panel, outcome="unemployment_rate", treated=demo.TREATED_UNIT, intervention="2023")
    t = truth[(truth["unit"] == demo.TREATED_UNIT) & (truth["measure"] == "unemployment_rate")
              & (truth["period"] >= "2023")]
    # yearly data: AR(1) errors plus a damped local trend, averaged over the grid (issue 10),
    # not independent errors
    assert res.diagnostics["n_pre"] == 8
    assert res.diagnostics["method"]["error_model"] == "ar1_damped_trend_reml_integrated"
    assert res.ci[0] <= t["effect"].mean() <= res.ci[1]
    # 8 yearly points: the forecast's own standard error (≈ 0.40 p.p.) is the yardstick, not
    # the monthly RATE_TOL; estimate −0.46 against the true −1.00 (the plain AR(1): −0.64)
    se = (res.ci[1] - res.ci[0]) / (2 * stats.t.ppf(0.975, res.diagnostics["df"]))
    assert abs(res.average_effect - t["effect"].mean()) <= 2 * se
