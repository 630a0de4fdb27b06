"""Multiple testing across the screen: Benjamini–Yekutieli q-values.

A screen tests every kommun (and every outcome) at once: with 290 kommuner × 2 outcomes and
each test at 5 %, some 29 "effects" turn up where nothing happened. The screen therefore
controls the **false discovery rate** — the expected share of flagged kommuner that changed
only by chance — over all its tests together (every kommun × outcome with a p-value; rows
without one are not tests and are not counted).

**Why Benjamini–Yekutieli and not Benjamini–Hochberg.** BH (1995) controls the FDR when the
tests are independent or *positively regression dependent on the true nulls* (PRDS,
Benjamini & Yekutieli 2001, Theorem 1.2). The screen's tests are neither: every kommun is
compared with the same national series (riket minus itself), so a national shock — the
pandemic, a new unemployment insurance, a change in the register — moves all the comparisons
at once; and the errors of neighbouring kommuner are correlated through their county. The
dependence is positive in places (a national shock pushes most kommuner the same way) but not
in any structured way: the kommun's loading on the national cycle differs, some kommuner move
against it, the riket-minus-kommun series makes each comparison depend on the kommun's own
weight, and two-sided p-values of positively correlated statistics are not PRDS in general.
BY (2001, Theorem 1.3) controls the FDR at ``level · m₀/m ≤ level`` under **any** dependence,
at the price of the factor c(m) = Σ_{k=1..m} 1/k (≈ ln m + 0.577: 7.0 for 580 tests): its
q-values are c(m) times BH's. The screen flags few kommuner, and a flag should survive the
next national shock; a procedure that can be fooled by exactly the dependence the data have
is the wrong default. The placebo study (``tests/benchmarks/bench_screen.py --fdr``) measures
the realised FDR on the demo.

The q-value of a test is the smallest level at which the procedure would reject it:
``q_(i) = min_{j ≥ i} min(1, c·m·p_(j)/j)`` over the p-values sorted in increasing order
(c = 1 for BH); rejecting every test with q ≤ level is the step-up procedure at that level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def harmonic(m: int) -> float:
    """c(m) = Σ_{k=1..m} 1/k, Benjamini–Yekutieli's factor for arbitrary dependence."""
    return float(np.sum(1.0 / np.arange(1, int(m) + 1))) if m > 0 else 0.0


def _qvalues(p: Sequence[float] | np.ndarray, factor: float) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    if p.ndim != 1:
        raise ValueError("p-values must be one-dimensional")
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must be finite and within [0, 1]")
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order] * factor * m / np.arange(1, m + 1)
    q_sorted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    q = np.empty(m)
    q[order] = q_sorted
    return q


def bh_qvalues(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values (FDR under independence or PRDS)."""
    return _qvalues(p, 1.0)


def by_qvalues(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Yekutieli q-values (FDR under any dependence): BH's times c(m)."""
    return _qvalues(p, harmonic(len(np.asarray(p))))


def rejected(q: Sequence[float] | np.ndarray, level: float) -> np.ndarray:
    """The tests the step-up procedure rejects at ``level`` (q ≤ level; NaN never)."""
    q = np.asarray(q, dtype=float)
    return np.where(np.isnan(q), False, q <= level)
