"""Benjamini–Yekutieli q-values: a hand-computed example, and stricter than Benjamini–Hochberg."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.screen.core import finish_table
from evaluation.screen.fdr import bh_qvalues, by_qvalues, harmonic, rejected

# Five p-values, given unsorted. Sorted: 0.001, 0.012, 0.014, 0.03, 0.2; m = 5.
# BH: m·p/i = 0.005, 0.03, 0.0233…, 0.0375, 0.2, then the running minimum from the largest:
#     0.005, 0.0233…, 0.0233…, 0.0375, 0.2.
# BY: BH × c(5), c(5) = 1 + 1/2 + 1/3 + 1/4 + 1/5 = 137/60:
#     0.005·137/60 = 0.0114166…, (0.07/3)·137/60 = 0.0532777…, 0.0375·137/60 = 0.085625,
#     0.2·137/60 = 0.4566…  (computed by hand; exact fractions below).
P = [0.03, 0.001, 0.2, 0.014, 0.012]
C5 = 137 / 60
BH = [0.0375, 0.005, 0.2, 0.07 / 3, 0.07 / 3]
BY = [0.0375 * C5, 0.005 * C5, 0.2 * C5, 0.07 / 3 * C5, 0.07 / 3 * C5]


def test_harmonic_factor():
    assert harmonic(5) == pytest.approx(C5, rel=1e-15)
    assert harmonic(580) == pytest.approx(np.log(580) + 0.5772156649 + 1 / 1160, abs=1e-6)


def test_by_against_hand_computed_example():
    np.testing.assert_allclose(bh_qvalues(P), BH, rtol=1e-12)
    np.testing.assert_allclose(by_qvalues(P), BY, rtol=1e-12)
    # at 5 %: BH rejects four, BY only the smallest p-value
    assert rejected(bh_qvalues(P), 0.05).tolist() == [True, True, False, True, True]
    assert rejected(by_qvalues(P), 0.05).tolist() == [False, True, False, False, False]


def test_by_is_stricter_than_bh():
    rng = np.random.default_rng(7)
    for m in (1, 2, 10, 290, 580):
        p = np.concatenate([rng.uniform(size=m - m // 5), rng.uniform(0, 1e-3, size=m // 5)])
        bh, by = bh_qvalues(p), by_qvalues(p)
        assert np.all(by >= bh)
        assert np.allclose(by, np.minimum(bh * harmonic(m), 1.0))
        for level in (0.01, 0.05, 0.1):
            assert np.all(rejected(by, level) <= rejected(bh, level))  # BY ⊆ BH
    # and strictly so where it matters: a p-value BH flags among 580 tests and BY does not
    p = np.full(580, 0.5)
    p[:20] = 0.001
    assert rejected(bh_qvalues(p), 0.05)[:20].all()
    assert not rejected(by_qvalues(p), 0.05)[:20].any()


def test_bad_p_values_are_refused():
    with pytest.raises(ValueError):
        by_qvalues([0.1, np.nan])
    with pytest.raises(ValueError):
        by_qvalues([1.2])
    assert by_qvalues([]).size == 0


def test_flag_needs_q_and_the_verdict():
    rows = [{"kommun": f"{i:04d}", "outcome": "u", "p_value": p, "z": -3.0,
             "verdict": v}
            for i, (p, v) in enumerate([(1e-6, "clear_effect"), (1e-6, "method_dependent"),
                                        (0.5, "clear_effect"), (float("nan"), "insufficient")])]
    table = finish_table(rows, 0.05).set_index("kommun")
    assert table.loc["0000", "flagged"]
    assert not table.loc["0001", "flagged"]  # q small, but the verdict rules do not allow it
    assert not table.loc["0002", "flagged"]
    assert np.isnan(table.loc["0003", "q_value"])  # no p-value: not a test, ranked last
    assert table.loc["0003", "rank"] == 4
    # the family is the three rows with a p-value
    np.testing.assert_allclose(table.loc[["0000", "0001", "0002"], "q_value"],
                               by_qvalues([1e-6, 1e-6, 0.5]))
