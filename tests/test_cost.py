"""The effect in kronor against the programme's cost (issue "One answer", part 6)."""

from __future__ import annotations

import pytest

from evaluation.errors import SpecError
from evaluation.evaluate import cost_of
from evaluation.report import text
from evaluation.spec import validate_cost


def _summary(ci):
    return {"frequency": "monthly", "primary_design": "its",
            "verdict": {"h": {"lead": "its"}},
            "results": [{"outcome": "h", "design": "its", "cumulative_effect": -300.0,
                         "cumulative_ci": list(ci), "post_window": ["2022-04", "2023-03"]}]}


def test_kronor_come_from_the_window_total_and_its_interval():
    cost = validate_cost({"outcome": "h", "kr_per_unit_month": "9 500",
                          "programme_cost_per_year": "1200000"}, ["h"])
    out = cost_of(_summary((-500.0, -100.0)), cost)
    assert out["kronor"] == pytest.approx(-300 * 9500)
    assert out["kronor_ci"] == pytest.approx([-500 * 9500, -100 * 9500])
    assert out["programme_cost"] == pytest.approx(1_200_000)  # 12 months
    # saves 0.95–4.75 M kronor against a cost of 1.2 M: the interval straddles the cost
    assert "rymmer både mer och mindre" in text.cost_text(out, "sv")
    covers = cost_of(_summary((-500.0, -200.0)), cost)  # saves 1.9–4.75 M > 1.2 M
    assert "ligger över kostnaden" in text.cost_text(covers, "sv")
    below = cost_of(_summary((-100.0, -50.0)), cost)  # saves 0.475–0.95 M < 1.2 M
    assert "ligger under kostnaden" in text.cost_text(below, "sv")
    assert cost_of(dict(_summary((-1.0, 1.0)), frequency="yearly"), cost) is None


def test_cost_keys_are_validated():
    with pytest.raises(SpecError, match="kr_per_unit_month"):
        validate_cost({"outcome": "h"}, ["h"])
    with pytest.raises(SpecError, match="inte finns"):
        validate_cost({"outcome": "x", "kr_per_unit_month": 1}, ["h"])
    with pytest.raises(SpecError, match="tal i kronor"):
        validate_cost({"kr_per_unit_month": "mycket"}, ["h"])
    assert validate_cost(None, ["h"]) == {}


def test_the_notebooks_empty_cost_parameter_means_no_cost():
    """papermill passes the spec's parameters back, so an absent cost arrives as {}."""
    assert validate_cost({}, ["h"]) == {}
