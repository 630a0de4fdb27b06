""""Hur många månader till?" (issue "One answer", part 4): the post window at which the lead
design's minimum detectable effect reaches the smallest relevant one, from MDEs measured at
shorter windows (evaluation.checks.horizon)."""

from __future__ import annotations

import math

import pytest

from evaluation.checks.horizon import (
    MAX_FACTOR,
    curve,
    fit_curve,
    horizon,
    nonnegative_least_squares,
    window_lengths,
)
from evaluation.data.panel import periods_between
from evaluation.report.text import horizon_text
from evaluation.results import EffectResult


def _result(length: int = 12) -> EffectResult:
    import pandas as pd

    end = {12: "2023-03", 6: "2022-09"}[length]
    return EffectResult(design="its", outcome="unemployment_rate", kind="rate", unit="pp",
                        treated="1987", treated_name="Exempelstad", intervention="2022-04",
                        post_window=("2022-04", end), frame=pd.DataFrame(),
                        average_effect=-0.5, ci=(-1.5, 0.5), p_value=0.3,
                        p_value_method="t")


def _check_at(mde_of_length):
    def check(shorter: EffectResult) -> float:
        n = periods_between(shorter.post_window[0], shorter.post_window[1]) + 1
        return mde_of_length(n)
    return check


def test_lengths_measured_are_half_three_quarters_and_all_of_the_window_and_every_year():
    assert window_lengths(12, "monthly") == [6, 9, 12]
    assert window_lengths(4, "yearly") == [1, 2, 3, 4]


def test_the_curve_fit_recovers_noise_level_and_trend_parts():
    lengths = [6, 9, 12]
    a, b, c = 0.02, 1.5, 0.0004
    mdes = [math.sqrt(a + b / n + c * n * n) for n in lengths]
    got = fit_curve(lengths, mdes)
    assert got == pytest.approx((a, b, c), rel=1e-6, abs=1e-9)
    assert curve(*got, 12) == pytest.approx(mdes[-1])


def test_nonnegative_least_squares_is_scipys_nnls():
    """The curve's fit by enumerating supports gives scipy.optimize.nnls's solution (to
    1e-9 relative) on 2 000 random MDE curves of two to eleven lengths, among them many whose
    unconstrained fit has a negative part (a bound then active: a zero in the solution)."""
    import numpy as np
    from scipy.optimize import nnls

    rng = np.random.default_rng(11)
    bound_active = 0
    for _ in range(2000):
        n = int(rng.integers(2, 12))
        L = np.sort(rng.choice(np.arange(1, 40), size=n, replace=False)).astype(float)
        A = np.column_stack([np.ones_like(L), 1 / L] + ([L ** 2] if n >= 3 else []))
        y = np.abs(rng.normal(1, 1, n)) * rng.choice([0.01, 1, 100]) + rng.normal(0, 0.3, n)
        want, _ = nnls(A, y)
        got = nonnegative_least_squares(A, y)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12 * max(1.0, float(want.max())))
        bound_active += bool((want == 0).any())
    assert bound_active > 200


def test_noise_that_averages_out_gives_the_months_needed():
    """MDE(L) = √(0.01 + 1.2/L): 0.33 p.p. at 12 months; 0.25 p.p. is reached where
    0.01 + 1.2/L ≤ 0.0625, i.e. at L = 23 (11 more months)."""
    h = horizon(None, _result(), 0.25, check_at=_check_at(lambda n: math.sqrt(0.01 + 1.2 / n)))
    assert h["status"] == "months" and h["needed"] == 23 and h["extra"] == 11
    text = horizon_text(h, {"unit": "pp", "kind": "rate"}, "absolute", "sv")
    assert "ungefär 23 månader" in text and "11 månader till" in text


def test_a_growing_trend_uncertainty_means_more_months_will_not_help():
    """The check can say no: MDE(L) = √(0.3 + 0.004·L²) grows with the window (the ITS on the
    demo behaves like this), so the answer is "fler månader hjälper inte" with the MDE a
    while on."""
    h = horizon(None, _result(), 0.5, check_at=_check_at(lambda n: math.sqrt(0.3 + 0.004 * n * n)))
    assert h["status"] == "never"
    assert h["projected"]["36"] == pytest.approx(math.sqrt(0.3 + 0.004 * 36 ** 2), rel=1e-6)
    text = horizon_text(h, {"unit": "pp", "kind": "rate"}, "absolute", "sv")
    assert text.startswith("Fler månader hjälper inte") and "24 månader till" in text
    assert "More months will not help" in horizon_text(h, {"unit": "pp"}, "absolute", "en")


def test_slow_noise_beyond_the_extrapolation_limit_is_said_as_more_than():
    h = horizon(None, _result(), 0.1, check_at=_check_at(lambda n: math.sqrt(0.005 + 2.0 / n)))
    assert h["status"] == "beyond" and h["limit"] == MAX_FACTOR * 12


def test_a_window_that_already_suffices_says_nothing_more():
    h = horizon(None, _result(), 1.0, check_at=_check_at(lambda n: math.sqrt(0.01 + 1.2 / n)))
    assert h["status"] == "enough" and h["extra"] == 0
    assert horizon_text(h, {"unit": "pp"}, "absolute", "sv") == ""


def test_too_few_measured_windows_is_unknown_not_a_guess():
    h = horizon(None, _result(), 0.2, check_at=lambda shorter: None, own_mde=0.4)
    assert h["status"] == "unknown"
