"""The sensitivity grid (issue "One answer", part 5)."""

from __future__ import annotations

import pytest

from evaluation.checks.sensitivity import _compare, _from_log, _log, closest_half, flips, variants


def test_variants_fit_the_data_and_name_what_was_skipped():
    chosen, skipped = variants("2022-04", "2023-03", "2015-01", {"beslut": "2021-11"})
    names = [v.name for v in chosen]
    assert names == ["anticipation_3", "phase_in_3", "anticipation_6", "phase_in_6",
                     "date_beslut", "later_start", "without_2020_21", "donors_closest_half",
                     "log_scale"]
    assert next(v for v in chosen if v.name == "anticipation_6").intervention == "2021-10"
    assert next(v for v in chosen if v.name == "later_start").start == "2017-06"  # 87 // 3 = 29 months later
    assert skipped == {}
    # a short pre-period: the variants that would leave less than 24 months are skipped
    chosen, skipped = variants("2021-03", "2022-02", "2019-01")
    assert "anticipation_6" in skipped and "without_2020_21" not in [v.name for v in chosen]
    # yearly data: one year either way
    chosen, _ = variants("2018", "2020", "2008")
    assert [v.name for v in chosen][:2] == ["anticipation_1y", "phase_in_1y"]


class _R:
    def __init__(self, est, ci):
        self.average_effect, self.ci = est, ci

    @property
    def testable(self):
        return self.ci is not None


def test_a_flip_is_another_sign_or_an_estimate_outside_the_report_interval():
    base = _R(-1.0, (-1.6, -0.4))
    assert not _compare(base, -0.5, None)["flip"]
    assert _compare(base, -0.3, None)["flip"]  # outside the interval, same sign
    out = _compare(base, 0.2, (-0.5, 0.9))
    assert out["flip"] and out["sign_change"]
    import pandas as pd

    grid = pd.DataFrame([{"outcome": "o", "design": "its", "variant": "x", "flip": True},
                         {"outcome": "o", "design": "its", "variant": "y", "flip": False}])
    assert flips(grid) == {("o", "its"): ["x"]}
    # a skipped variant has no flip (NaN, which is truthy) and must not count as one
    skipped = pd.concat([grid, pd.DataFrame([{"outcome": "o", "design": "did", "variant": "z",
                                              "status": "skipped", "flip": float("nan")}])])
    assert flips(skipped) == {("o", "its"): ["x"]}
    assert flips(skipped.to_dict(orient="records")) == {("o", "its"): ["x"]}


@pytest.mark.slow
def test_the_grid_on_the_demo_reuses_the_report_designs():
    """ITS and DiD on Exempelstad: the variants move the estimates but none flips (the
    estimates stay inside the report's intervals); DiD rows have no interval (point only)."""
    from evaluation.evaluate import Evaluation, spec_from_parameters

    spec = spec_from_parameters(evaluation_id="sens", data="demo", treated="1987",
                                intervention="2022-04", post_end="2023-03",
                                outcomes=["unemployment_rate"], designs=["its", "did"])
    ev = Evaluation.from_spec(spec)
    ev.estimate()
    grid = ev.sensitivity()
    ok = grid[grid["status"] == "ok"]
    # seven variants for ITS (no donor pool to halve), eight for DiD
    assert set(ok["design"]) == {"its", "did"} and len(ok) == 15
    assert ok.loc[ok["design"] == "did", "low"].isna().all()
    its_rows = ok[ok["design"] == "its"]
    # ITS rows carry their interval, except the log-scale row (its interval is on the log scale)
    assert its_rows.loc[its_rows["variant"] != "log_scale", "low"].notna().all()
    assert its_rows.loc[its_rows["variant"] == "log_scale", "low"].isna().all()
    assert not ok["flip"].any()
    assert ev.summary()["sensitivity"]


def test_the_log_scale_variant_turns_a_log_difference_back_into_the_outcome_unit():
    """A kommun at 90 after the change whose counterfactual is 100 has δ = log(100/90); the
    variant reports ȳ·(1 − e^−δ) = 90·(1 − 0.9) … = −10 households (the effect's own unit)."""
    import numpy as np
    import pandas as pd

    from evaluation.results import EffectResult

    panel = pd.DataFrame({"unit": "1987", "measure": "households_assistance",
                          "period": ["2022-04", "2022-05"], "value": [90.0, 90.0]})
    r = EffectResult(design="its", outcome="households_assistance", kind="count",
                     unit="households", treated="1987", treated_name="X",
                     intervention="2022-04", post_window=("2022-04", "2022-05"),
                     frame=pd.DataFrame(), average_effect=-10.0, ci=None, p_value=None,
                     p_value_method="")
    assert _from_log(float(np.log(90 / 100)), panel, r) == pytest.approx(-10.0)
    logged = _log(panel, "households_assistance")
    assert set(logged["measure"]) == {"log__households_assistance"}
    assert logged["value"].tolist() == pytest.approx([np.log(90.0)] * 2)
    assert panel["value"].tolist() == [90.0, 90.0]  # the report's panel is not touched


def test_the_closest_half_of_the_donors_is_chosen_on_the_pre_period_level():
    import pandas as pd

    units = ["1987"] + [f"{1900 + i}" for i in range(12)]
    level = {"1987": 5.0, **{u: 5.0 + i for i, u in enumerate(units[1:])}}
    panel = pd.DataFrame([{"unit": u, "measure": "unemployment_rate", "period": p,
                           "value": level[u]} for u in units for p in ("2021-01", "2021-02")])
    half = closest_half(panel, "unemployment_rate", "1987", units[1:], "2022-04")
    assert half == units[1:7]
    # too few donors to halve: the variant is skipped (None), not run on a handful
    assert closest_half(panel, "unemployment_rate", "1987", units[1:9], "2022-04") is None
