"""'Hur säkra är slutsatserna?': the check re-runs the design on similar units before the reform."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.checks.reliability import REFERENCE_EFFECT, reliability
from evaluation.data import demo
from evaluation.designs.decomposition import N_SIMILAR, decomposition
from evaluation.designs.its import its
from evaluation.report.text import reliability_text


@pytest.fixture(scope="module")
def panel():
    return demo.load_demo("monthly")[0]


def test_its_check_uses_similar_units_before_the_intervention(panel):
    r = its(panel, outcome="unemployment_rate", treated="1987", intervention="2022-04",
            post_end="2023-03")
    check = reliability(panel, r, seed=1)
    assert check.n_pairs == 36 and check.n_units == 12 and check.n_dates == 3
    assert "1987" not in check.details["units"]
    # every placebo window ends before the real intervention
    assert max(check.details["dates"]) <= "2021-04"
    assert 0 <= check.false_positive_rate <= 0.2 and check.power >= 0.7
    assert check.reference_effect == REFERENCE_EFFECT["rate"]
    assert check.status in ("passed", "failed")
    text = reliability_text(dict(check.to_dict(), name="Exempelstad"), "sv")
    assert "12 kommuner av liknande storlek vid 3 tidpunkter" in text
    assert "−1,0 procentenheter" in text


def test_decomposition_check_is_leave_one_out(panel):
    r = decomposition(panel, outcome="households_assistance", treated="1987",
                      compare_periods=("2022-04", "2023-04"))
    check = reliability(panel, r)
    assert check.n_pairs == N_SIMILAR
    # the rank interval of 58 others excludes a unit about 2/59 of the time by construction
    assert check.false_positive_rate <= 0.1
    en = reliability_text(dict(check.to_dict(), name="Exempelstad"), "en")
    assert f"Each of the {N_SIMILAR} comparison municipalities" in en


def test_too_short_pre_period_is_inconclusive(panel):
    short = panel[panel["period"] >= "2019-01"]
    r = its(short, outcome="unemployment_rate", treated="1987", intervention="2021-06",
            post_end="2022-05")
    check = reliability(short, r)
    assert check.status == "inconclusive" and check.false_positive_rate is None
    assert "ej prövbar" in reliability_text(dict(check.to_dict(), name="x"), "sv")


@pytest.mark.parametrize(("outcome", "step"), [("unemployment_rate", -1.0),
                                               ("households_assistance", -0.15)])
def test_its_power_from_the_null_run_equals_refitting(panel, outcome, step):
    """The reliability check derives the ITS power run from the null run (a post-window step
    shifts the estimate and interval exactly); re-fitting with the step added gives the same
    intervals to 1e-9 on real placebo pairs of the demo."""
    from evaluation.checks.placebo import placebo_check
    from evaluation.checks.reliability import with_shifted_power
    from evaluation.data.panel import measure_info

    before = panel[(panel["period"] < "2022-04") & (panel["unit"] != "1987")]
    kw = dict(design="its", outcome=outcome, units=["0649", "0104", "0110"],
              dates=["2019-04", "2020-09"], comparison="riket")
    refit = placebo_check(before, step=step, **kw).runs
    derived = with_shifted_power(placebo_check(before, **kw).runs, step,
                                 measure_info(outcome).kind)
    assert refit["power_estimate"].notna().sum() >= 2
    for col in ("power_estimate", "power_low", "power_high"):
        assert np.allclose(refit[col], derived[col], atol=1e-9, rtol=0, equal_nan=True)
    assert list(refit["power_rejected"]) == list(derived["power_rejected"])
