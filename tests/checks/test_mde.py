"""The minimum detectable effect read off the placebo runs (issue "One answer", part 4)."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.checks.reliability import minimum_detectable


def _runs(lows, highs, scale=1.0):
    return pd.DataFrame({"low": lows, "high": highs, "scale": scale})


def test_mde_is_where_80_percent_of_shifted_placebo_intervals_exclude_zero():
    # ten placebo intervals of half-width 0.5 centred on −0.4 … +0.5: a decrease d is found
    # in a run once d > high; the 8th smallest high is 0.8, so d just above 0.8 finds 8 of 10
    centres = [(-0.4 + 0.1 * i) for i in range(10)]
    runs = _runs([c - 0.5 for c in centres], [c + 0.5 for c in centres])
    assert minimum_detectable(runs, -1.0) == pytest.approx(0.8, abs=1e-9)
    # the same effect as an increase: found once d > −low (−low = 0.9 … 0.0; 8th smallest 0.7)
    assert minimum_detectable(runs, 1.0) == pytest.approx(0.7, abs=1e-9)


def test_counts_are_relative_to_each_run_level():
    runs = _runs([-10.0] * 10, [10.0] * 10, scale=100.0)  # ±10 households around 100
    assert minimum_detectable(runs, -0.15) == pytest.approx(0.10, abs=1e-9)


def test_no_mde_when_the_intervals_are_too_wide_to_find_anything():
    """The check can fail: intervals ±20 against a reference step of 1 give no MDE within ten
    reference steps."""
    runs = _runs([-20.0] * 10, [20.0] * 10)
    assert minimum_detectable(runs, -1.0) is None
