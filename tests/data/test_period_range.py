"""``period_range``: the periods from one to another as text, remembered between calls."""

from __future__ import annotations

import pandas as pd

from evaluation.data.panel import period_range


def test_monthly_and_yearly_ranges_include_both_ends():
    assert period_range("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert period_range("2019", "2021") == ["2019", "2020", "2021"]
    assert period_range("2022-04", "2022-04") == ["2022-04"]
    assert period_range("2022-05", "2022-04") == []
    want = [p.strftime("%Y-%m") for p in pd.period_range("2015-01", "2025-12", freq="M")]
    assert period_range("2015-01", "2025-12") == want


def test_a_caller_that_changes_its_list_does_not_change_the_next_answer():
    """The range is remembered: each call gets a list of its own."""
    first = period_range("2020-01", "2020-03")
    first.append("2099-12")
    first[0] = "1999-01"
    assert period_range("2020-01", "2020-03") == ["2020-01", "2020-02", "2020-03"]
    assert period_range("2020-01", "2020-03") is not period_range("2020-01", "2020-03")
