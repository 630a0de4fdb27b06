"""The sensitivity grid (issue "One answer", part 5)."""

from __future__ import annotations

import pytest

from evaluation.checks.sensitivity import _compare, flips, variants


def test_variants_fit_the_data_and_name_what_was_skipped():
    chosen, skipped = variants("2022-04", "2023-03", "2015-01", {"beslut": "2021-11"})
    names = [v.name for v in chosen]
    assert names == ["anticipation_3", "phase_in_3", "anticipation_6", "phase_in_6",
                     "date_beslut", "later_start", "without_2020_21"]
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
    assert set(ok["design"]) == {"its", "did"} and len(ok) == 12
    assert ok.loc[ok["design"] == "did", "low"].isna().all()
    assert ok.loc[ok["design"] == "its", "low"].notna().all()
    assert not ok["flip"].any()
    assert ev.summary()["sensitivity"]
