"""'Hur säkra är slutsatserna?': the design re-fitted in full at placebo dates before the reform.

The check must be able to fail: a design whose interval is deliberately halved is run through the
same check and is "failed" (underkänd), while the real design on the same data passes.
"""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.checks.reliability import (
    MIN_PAIRS,
    REFERENCE_EFFECT,
    false_alarm_status,
    reliability,
)
from evaluation.data import demo
from evaluation.designs.decomposition import decomposition
from evaluation.designs.donor_designs import comparison_group_design
from evaluation.designs.its import its
from evaluation.report.text import reliability_text


@pytest.fixture(scope="module")
def panel():
    return demo.load_demo("monthly")[0]


@pytest.fixture(scope="module")
def its_result(panel):
    return its(panel, outcome="unemployment_rate", treated="1987", intervention="2022-04",
               post_end="2023-03")


def test_binomial_band_fails_only_above_chance():
    """Exact one-sided binomial test at 5 % against a 5 % false-alarm rate: with 36 runs up to
    4 false alarms are chance (P(X ≥ 4) = 0.10), 5 are not (P(X ≥ 5) = 0.036)."""
    assert false_alarm_status(4, 36)[0] == "passed"
    assert false_alarm_status(5, 36)[0] == "failed"
    assert false_alarm_status(4, 36)[1][1] == pytest.approx(4 / 36)
    assert false_alarm_status(0, MIN_PAIRS - 1)[0] == "inconclusive"


def test_its_check_refits_at_placebo_dates_with_the_report_window(panel, its_result):
    check = reliability(panel, its_result, seed=1)
    assert check.n_units == 12 and check.n_dates == 3 and check.n_pairs == 36
    # the evaluated kommun itself is among the re-fitted units
    assert "1987" in check.details["units"]
    # every placebo window (12 months, as the report's) ends before the real intervention
    assert check.details["post_length"] == 12
    assert max(check.details["dates"]) <= "2021-04"
    assert check.status == "passed" and check.false_positive_rate <= check.details["band"][1]
    assert check.power >= 0.7
    assert check.reference_effect == REFERENCE_EFFECT["rate"]
    text = reliability_text(dict(check.to_dict(), name="Exempelstad"), "sv")
    assert "på Exempelstad och 11 kommuner av liknande storlek vid 3 skenbara tidpunkter" in text
    assert "12 månader" in text and "godkänd" in text
    assert "−1,0 procentenheter" in text


def test_check_uses_the_report_post_window_length(panel):
    r = its(panel, outcome="unemployment_rate", treated="1987", intervention="2022-04",
            post_end="2022-09")
    check = reliability(panel, r, n_units=3)
    assert check.details["post_length"] == 6
    assert set(check.table["date"]) == set(check.details["dates"])


def test_halved_interval_fails_the_check(panel, its_result):
    """The check can fail: ITS with its interval halved around the estimate, run through the
    same check on the same demo data, shows more false alarms than chance allows at 5 %."""
    def halved(data, *, unit, shift):
        from evaluation.data.panel import shift_period

        r = its(data, outcome="unemployment_rate", treated=unit,
                intervention=shift_period("2022-04", -shift),
                post_end=shift_period("2023-03", -shift))
        half = (r.ci[1] - r.ci[0]) / 4
        r.ci = (r.average_effect - half, r.average_effect + half)
        return r

    honest = reliability(panel, its_result)
    narrow = reliability(panel, its_result, runner=halved)
    assert honest.status == "passed"
    assert narrow.status == "failed", narrow.false_positive_rate
    assert narrow.false_positive_rate > narrow.details["band"][1]
    assert "underkänd" in reliability_text(dict(narrow.to_dict(), name="x"), "sv")


def test_decomposition_check_refits_at_placebo_dates(panel):
    r = decomposition(panel, outcome="households_assistance", treated="1987",
                      compare_periods=("2022-03", "2023-03"), window=12)
    check = reliability(panel, r, n_units=6)
    assert check.n_pairs >= MIN_PAIRS and check.status in ("passed", "failed")
    assert max(check.details["dates"]) <= "2021-04"
    en = reliability_text(dict(check.to_dict(), name="Exempelstad"), "en")
    assert "fictitious dates before the intervention" in en


def test_group_design_check_equals_refitting_each_pair(panel):
    """The comparison-group check serves every unit from one set of fits per date; the
    evaluated kommun's own run equals the report's design re-run at that date (same pool)."""
    r = comparison_group_design(panel, design="did", outcome="unemployment_rate",
                                treated="1987", intervention="2022-04", post_end="2023-03")
    check = reliability(panel, r, n_units=4)
    assert check.n_pairs == 12 and check.status in ("passed", "failed")
    row = check.table[(check.table["unit"] == "1987")].iloc[0]
    from evaluation.data.panel import periods_between, shift_period

    shift = periods_between(row["date"], "2022-04")
    again = comparison_group_design(panel[panel["period"] <= shift_period("2023-03", -shift)],
                                    design="did", outcome="unemployment_rate", treated="1987",
                                    intervention=row["date"],
                                    post_end=shift_period("2023-03", -shift),
                                    donors=r.diagnostics["donors"])
    assert row["estimate"] == pytest.approx(again.diagnostics["estimate_on_fitting_scale"])
    assert (row["low"], row["high"]) == pytest.approx(again.ci)


def test_too_short_pre_period_is_inconclusive(panel):
    short = panel[panel["period"] >= "2019-01"]
    r = its(short, outcome="unemployment_rate", treated="1987", intervention="2021-06",
            post_end="2022-05")
    check = reliability(short, r)
    assert check.status == "inconclusive" and check.false_positive_rate is None
    sv = reliability_text(dict(check.to_dict(), name="x"), "sv")
    assert "ej prövbar" in sv and "förperioden är för kort" in sv


@pytest.mark.parametrize(("outcome", "step"), [("unemployment_rate", -1.0),
                                               ("households_assistance", -0.15)])
def test_its_power_from_the_null_run_equals_refitting(panel, outcome, step):
    """The power is derived from the null run (a post-window step shifts the estimate and
    interval exactly; for counts by step × the observed post mean); re-fitting with the step
    added gives the same decisions on real placebo pairs of the demo."""
    from evaluation.checks.placebo import add_step
    from evaluation.checks.reliability import _outcome_of

    before = panel[panel["period"] < "2022-04"]
    for unit, date, end in (("0649", "2019-04", "2020-03"), ("0104", "2020-09", "2021-08")):
        data = before[before["period"] <= end]
        kw = dict(outcome=outcome, treated=unit, intervention=date, post_end=end)
        kind = "rate" if outcome == "unemployment_rate" else "count"
        derived = _outcome_of(its(data, **kw), kind, step)
        stepped = its(add_step(data, unit=unit, outcome=outcome, start=date, end=end,
                               step=step), **kw)
        shift = stepped.average_effect - its(data, **kw).average_effect
        assert np.isfinite(shift)
        refit = bool(stepped.ci[0] > 0 or stepped.ci[1] < 0)
        assert derived["power_1.0"] == refit


def test_every_design_re_fitted_at_one_date_gets_the_same_cut_of_the_panel(panel, its_result):
    """The panel is cut at each placebo date once (``memo.rows_until``): the re-fits of two
    designs at one date get one panel object, so the tables a design derives from it are built
    once per date, not once per design; the cut holds exactly the rows up to the window's
    end."""
    from evaluation.data.panel import shift_period

    seen: dict[int, set[int]] = {}

    def runner(data, *, unit, shift):
        end = shift_period("2023-03", -shift)
        assert data["period"].max() == end and len(data) == (panel["period"] <= end).sum()
        seen.setdefault(shift, set()).add(id(data))
        return its(data, outcome="unemployment_rate", treated=unit,
                   intervention=shift_period("2022-04", -shift), post_end=end)

    reliability(panel, its_result, n_units=2, runner=runner)
    reliability(panel, its_result, n_units=2, runner=runner)  # as a second design would
    assert len(seen) == 3 and all(len(ids) == 1 for ids in seen.values())


def test_comparison_group_designs_at_one_date_get_the_same_cut(panel, monkeypatch):
    """The same for the comparison-group designs, whose dates are run from one set of fits
    each (:func:`placebo_date_runs`): two designs' checks hand it one cut per date."""
    import pandas as pd

    from evaluation.designs import donor_designs

    r = comparison_group_design(panel, design="did", outcome="unemployment_rate",
                                treated="1987", intervention="2022-04", post_end="2023-03")
    seen: dict[str, set[int]] = {}

    def runs(data, *, post_end, units, **kwargs):
        assert data["period"].max() == post_end
        assert len(data) == (panel["period"] <= post_end).sum()
        seen.setdefault(post_end, set()).add(id(data))
        return pd.DataFrame({"unit": units, "estimate": 0.0, "low": -1.0, "high": 1.0,
                             "level": 5.0})

    monkeypatch.setattr(donor_designs, "placebo_date_runs", runs)
    reliability(panel, r, n_units=2)
    reliability(panel, r, n_units=2)
    assert len(seen) == 3 and all(len(ids) == 1 for ids in seen.values())


def test_the_post_level_of_a_re_fit_is_the_mean_of_its_observed_post_values(monkeypatch):
    """The level a power step is scaled by: the mean of the observed post-period values with
    the missing ones skipped (as ``Series.mean`` does), NaN when none is observed — checked
    against the pandas expression on frames with gaps, an object ``post`` column and no post
    value at all."""
    import pandas as pd

    from evaluation.checks import reliability as module
    from evaluation.results import EffectResult

    seen = []
    monkeypatch.setattr(module, "_interval_outcome",
                        lambda est, low, high, level, kind, step: seen.append(level) or {})
    rng = np.random.default_rng(3)
    for case in range(30):
        n = 24
        observed = rng.normal(5, 1, n)
        observed[rng.random(n) < 0.3] = np.nan
        post = np.arange(n) >= 12
        if case == 0:
            observed[post] = np.nan
        frame = pd.DataFrame({"observed": observed,
                              "post": post.astype(object) if case % 2 else post})
        r = EffectResult(design="its", outcome="x", kind="rate", unit="pp", treated="0114",
                         treated_name="A", intervention="2021-01",
                         post_window=("2021-01", "2021-12"), frame=frame, average_effect=0.1,
                         ci=(-1.0, 1.0), p_value=0.5, p_value_method="t")
        module._outcome_of(r, "rate", -1.0)
        expected = float(frame.loc[frame["post"].astype(bool), "observed"].dropna().mean())
        assert (np.isnan(seen[-1]) and np.isnan(expected)) or seen[-1] == expected
    assert np.isnan(seen[0])
