"""How many more months? (issue "One answer", 4)

When the verdict is *data räcker inte* — the smallest relevant effect could neither be found
nor ruled out — the evaluator's next question is whether waiting helps. This module answers
it from the same placebo distribution as the minimum detectable effect
(:func:`evaluation.checks.reliability.minimum_detectable`), not from the report's own estimate:

1. the lead design's reliability check is re-run with shorter post windows (half and three
   quarters of the report's window; yearly data: every length from one year); with the
   report's own check this gives the MDE at 80 % power for each window length ``L``;
2. the MDEs are fitted by ``MDE(L)² = A + B / L + C·L²`` with ``A, B, C ≥ 0`` (non-negative
   least squares): ``B / L`` is the period-to-period noise that averages out over a longer
   window, ``A`` the uncertainty of the counterfactual's level, which stays, and ``C·L²``
   the uncertainty of its trend and a kommun's own drift, which grow with the distance from
   the pre-period (with only two lengths, ``C = 0``);
3. the fitted curve is read at every longer window up to :data:`MAX_FACTOR` times the
   report's: the first at which it reaches the smallest relevant effect ``r`` is the answer;
   when it never does, the answer is "more months will not help" if the curve has stopped
   falling (its minimum is above ``r``) and "more than MAX_FACTOR × the window" if it is
   still falling (the extrapolation is not trusted further).

The fit assumes that the effect, if there is one, stays the same over the longer window and
that the pre-period's noise is what the future brings; the report says so. For the
decomposition (whose windows are its compare periods) no horizon is computed.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import period_frequency, periods_between, shift_period
from evaluation.results import EffectResult

#: A window longer than this many times the report's is not extrapolated to.
MAX_FACTOR = 3
#: Designs whose window is not the post window (nothing to lengthen).
NOT_APPLICABLE = ("decomposition",)
#: Extra periods at which the fitted MDE is stated.
PROJECTED = {"monthly": (6, 12, 24), "yearly": (1, 2, 3)}


def window_lengths(length: int, frequency: str) -> list[int]:
    """The post-window lengths the MDE is measured at (the report's own last)."""
    if frequency == "yearly":
        return list(range(1, length + 1))
    picks = {max(2, round(length * q)) for q in (0.5, 0.75)} | {length}
    return sorted(p for p in picks if p <= length)


def fit_curve(lengths: list[int], mdes: list[float]) -> tuple[float, float, float]:
    """(A, B, C) ≥ 0 of ``MDE(L)² = A + B / L + C·L²`` by non-negative least squares
    (C = 0 with fewer than three lengths)."""
    L = np.asarray(lengths, float)
    y = np.asarray(mdes, float) ** 2
    columns = [np.ones_like(L), 1.0 / L] + ([L ** 2] if len(L) >= 3 else [])
    coef = nonnegative_least_squares(np.column_stack(columns), y)
    a, b = float(coef[0]), float(coef[1])
    return a, b, float(coef[2]) if len(coef) > 2 else 0.0


def nonnegative_least_squares(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``argmin ‖A x − y‖`` over ``x ≥ 0`` for a few columns (here two or three), exactly: the
    solution is the least-squares fit on its own support, so it is the feasible one of smallest
    residual among the fits on every subset of columns (7 for three). The same solution as
    ``scipy.optimize.nnls`` (a test compares them) without importing ``scipy.optimize``, about
    0.2 CPU-s of a run that needs nothing else from it (docs/speed.md, fifteenth session)."""
    A, y = np.asarray(A, float), np.asarray(y, float)
    k = A.shape[1]
    best, best_resid = np.zeros(k), float(np.sum(y ** 2))
    for size in range(k, 0, -1):
        for support in itertools.combinations(range(k), size):
            cols = list(support)
            fit = np.linalg.lstsq(A[:, cols], y, rcond=None)[0]
            if (fit < 0).any():
                continue
            resid = float(np.sum((A[:, cols] @ fit - y) ** 2))
            if resid < best_resid:
                best, best_resid = np.zeros(k), resid
                best[cols] = fit
    return best


def curve(a: float, b: float, c: float, n: np.ndarray | float) -> np.ndarray:
    """The fitted MDE at window length(s) ``n``."""
    n = np.asarray(n, float)
    return np.sqrt(a + b / n + c * n ** 2)


def horizon(panel: pd.DataFrame, result: EffectResult, relevant: float, *,
            comparison: Any = "riket", seed: int = 1,
            lengths: list[int] | None = None, own_mde: float | None = None,
            check_at: Any = None) -> dict[str, Any]:
    """How long the post window must be for the MDE to reach ``relevant``.

    Parameters
    ----------
    panel, result
        The panel and the lead design's result (its post window is the longest measured).
    relevant
        The smallest relevant effect on the MDE's scale (p.p. for rates, a share for counts,
        the outcome's unit for levels), positive.
    own_mde
        The MDE of the report's own window (its reliability check), not measured again.
    check_at
        Replaces the reliability call for a window length (``check_at(result_with_window)``
        returning an MDE or None); tests use it.

    Returns a dict with ``status`` — "enough" (the report's window already suffices), "months"
    (``needed`` periods in all, ``extra`` more), "beyond" (more than ``MAX_FACTOR`` × the
    window), "never" (more periods will not help: ``floor`` > ``relevant``) or "unknown" (too
    few MDEs to fit) — and the measured ``lengths``/``mdes``, ``a``, ``b``, ``c``, ``floor``
    (the fitted curve's minimum over the longer windows) and ``projected`` (the fitted MDE a
    few periods on).
    """
    from evaluation.checks.reliability import reliability

    start, end = result.intervention, result.post_window[1]
    frequency = period_frequency(start)
    length = periods_between(start, end) + 1
    lengths = lengths or window_lengths(length, frequency)

    def measured(n: int) -> float | None:
        if n == length and own_mde is not None:
            return own_mde
        shorter = dataclasses.replace(result, post_window=(result.post_window[0],
                                                           shift_period(start, n - 1)))
        if check_at is not None:
            return check_at(shorter)
        check = reliability(panel, shorter, comparison=comparison, seed=seed)
        return check.details.get("mde")

    out: dict[str, Any] = {"design": result.design, "outcome": result.outcome,
                           "relevant": float(relevant), "length": length,
                           "frequency": frequency, "max_factor": MAX_FACTOR}
    got = [(n, measured(n)) for n in lengths]
    pairs = [(n, float(m)) for n, m in got if m is not None and math.isfinite(float(m))]
    out["lengths"] = [n for n, _ in got]
    out["mdes"] = [None if m is None else float(m) for _, m in got]
    if len(pairs) < 2:
        return {**out, "status": "unknown"}
    a, b, c = fit_curve([n for n, _ in pairs], [m for _, m in pairs])
    longer = np.arange(length + 1, MAX_FACTOR * length + 1)
    fitted = curve(a, b, c, longer)
    out.update(a=a, b=b, c=c, floor=float(fitted.min()),
               projected={str(int(n)): float(v) for n, v in zip(longer, fitted, strict=True)
                          if n - length in PROJECTED[frequency]})
    own = dict(pairs).get(length)
    if own is not None and own <= relevant:
        return {**out, "status": "enough", "needed": length, "extra": 0}
    reached = np.flatnonzero(fitted <= relevant)
    if len(reached):
        needed = int(longer[reached[0]])
        return {**out, "status": "months", "needed": needed, "extra": needed - length}
    still_falling = fitted[-1] < fitted[-2] if len(fitted) > 1 else False
    if still_falling:
        return {**out, "status": "beyond", "limit": MAX_FACTOR * length}
    return {**out, "status": "never"}
