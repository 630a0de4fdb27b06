"""How sure are the conclusions? False alarms and power of a result's design on units like it.

For the report section "Hur säkra är slutsatserna?": the design is re-run on comparison units of
similar size at placebo dates whose whole post window lies before the real intervention (so the
reform itself cannot leak in), once as they are (how often does the design call noise an
effect?) and once with a known effect added (how often does it find a real one?).

The decomposition's interval is the spread of similar units' own deviations, so its check needs
no re-fitting: each of those units is tested against the others (leave one out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.checks.placebo import POST_LENGTH, placebo_check, placebo_dates
from evaluation.data.panel import measure_info, period_range
from evaluation.designs.comparison import similar_units
from evaluation.designs.donor_designs import DESIGN_NAMES, studentized_interval
from evaluation.errors import EvaluationError
from evaluation.results import EffectResult

#: The effect size the power refers to: about what a substantial local reform achieved
#: (Arboga 2022–23: a raw local excess of −0.9 p.p. unemployment and −14 % households).
REFERENCE_EFFECT = {"rate": -1.0, "count": -0.15}
N_UNITS = 12
N_DATES = 3


@dataclass
class ReliabilityCheck:
    """A check as a value: name, status, numbers and the table behind them."""

    design: str
    outcome: str
    status: str  # "passed" | "failed" | "inconclusive"
    false_positive_rate: float | None
    power: float | None
    reference_effect: float
    n_pairs: int
    n_units: int
    n_dates: int
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "design": self.design, "outcome": self.outcome, "status": self.status,
            "false_positive_rate": self.false_positive_rate, "power": self.power,
            "reference_effect": self.reference_effect, "n_pairs": self.n_pairs,
            "n_units": self.n_units, "n_dates": self.n_dates, **self.details,
        }


def _status(fpr: float | None, n: int) -> str:
    if fpr is None or n < 10:
        return "inconclusive"
    # 5 % nominal; more than 2 Monte Carlo SEs above it is a failed calibration
    return "failed" if fpr > 0.05 + 2 * np.sqrt(0.05 * 0.95 / n) else "passed"


def reliability(
    panel: pd.DataFrame,
    result: EffectResult,
    *,
    comparison: Any = "riket",
    n_units: int = N_UNITS,
    n_dates: int = N_DATES,
    seed: int = 1,
) -> ReliabilityCheck:
    """False-positive rate and power of ``result.design`` on units like ``result.treated``."""
    kind = measure_info(result.outcome).kind
    step = REFERENCE_EFFECT["rate" if kind == "rate" else "count"]
    if result.design == "decomposition":
        return _decomposition_check(result, step)
    if result.design in DESIGN_NAMES:
        return _placebo_space_check(result, step)
    # Units of similar size and dates whose post window ends before the real intervention.
    before = panel[(panel["period"] < result.intervention) & (panel["unit"] != result.treated)]
    periods = sorted(before.loc[before["measure"] == result.outcome, "period"].unique())
    frequency = "monthly" if periods and len(periods[0]) == 7 else "yearly"
    post_length = POST_LENGTH[frequency]
    candidates = placebo_dates(periods, frequency=frequency, post_length=post_length) \
        if periods else []
    if not candidates:
        return _inconclusive(result, step, "pre-period too short for placebo dates")
    pick = np.unique(np.linspace(0, len(candidates) - 1, min(n_dates, len(candidates)))
                     .round().astype(int))
    dates = [candidates[i] for i in pick]
    try:
        units = similar_units(panel, treated=result.treated, outcome=result.outcome, n=n_units,
                              periods=period_range(periods[0], periods[-1]))
    except EvaluationError:
        units = []
    if not units:
        return _inconclusive(result, step, "no comparison units of similar size")
    # The ITS fits its counterfactual and error model on the pre-period only, so a step added
    # to the post window moves the estimate and both interval ends by exactly the step (rates)
    # or multiplies 1 + each by 1 + step (counts; test_reliability checks this): the power run
    # is derived from the null run instead of re-fitting every pair.
    derived = result.design == "its"
    check = placebo_check(before, design=result.design, outcome=result.outcome, units=units,
                          dates=dates, post_length=post_length,
                          step=None if derived else step,
                          comparison=comparison, seed=seed, n_boot=500)
    if derived:
        check.runs = with_shifted_power(check.runs, step, kind)
        check.step = step
    n = check.n
    fpr = check.rate() if n else None
    power = check.rate("power_rejected") if n else None
    return ReliabilityCheck(
        design=result.design, outcome=result.outcome, status=_status(fpr, n),
        false_positive_rate=fpr, power=power, reference_effect=step, n_pairs=n,
        n_units=len(units), n_dates=len(dates), table=check.runs,
        details={"dates": dates, "units": units, "post_length": post_length},
    )


def _decomposition_check(result: EffectResult, step: float) -> ReliabilityCheck:
    """The decomposition: its similar units' deviations, each tested against the others."""
    draws = np.asarray(result.diagnostics.get("similar_unit_deviations") or [], dtype=float)
    ones = np.ones(len(draws))
    return _leave_one_out(result, step, draws, ones, step * ones, {"deviation": draws},
                          "leave-one-out over the similar units' deviations")


def with_shifted_power(runs: pd.DataFrame, step: float, kind: str) -> pd.DataFrame:
    """Power columns for a design whose estimate and interval move one for one with a post-window
    step: ``x + step`` for rates, ``(1 + x)(1 + step) − 1`` for relative (count) effects."""
    out = runs.copy()

    def shift(x: pd.Series) -> pd.Series:
        return x + step if kind == "rate" else (1 + x) * (1 + step) - 1

    for col in ("estimate", "low", "high"):
        out[f"power_{col}"] = shift(out[col])
    out["power_testable"] = out["testable"]
    out["power_rejected"] = out["testable"] & ((out["power_low"] > 0) | (out["power_high"] < 0))
    out["power_error"] = out.get("error", "")
    return out


def _placebo_space_check(result: EffectResult, step: float) -> ReliabilityCheck:
    """Comparison-group designs: each placebo unit tested against the others exactly as the
    treated unit was (studentised ranks), once as it is and once with the reference effect
    added to its post-period (on the fitting scale: p.p., or the relative step times its level
    per 1 000). An added post-period step moves each of these estimators one for one, since the
    weights come from the pre-period."""
    d = result.diagnostics
    est = d.get("placebo_estimates") or {}
    scales = d.get("placebo_scales") or {}
    levels = d.get("placebo_levels") or {}
    units = [u for u in est if np.isfinite(est[u]) and np.isfinite(scales.get(u, np.nan))]
    e = np.array([est[u] for u in units])
    s = np.array([scales[u] for u in units])
    shift = np.full(len(units), step) if result.kind == "rate" else \
        step * np.array([levels.get(u, np.nan) for u in units])
    return _leave_one_out(result, step, e, s, shift,
                          {"unit": units, "estimate": e, "scale": s},
                          "leave-one-out over the placebo units (studentised)")


def _leave_one_out(result: EffectResult, step: float, estimates: np.ndarray,
                   scales: np.ndarray, shifts: np.ndarray, columns: dict[str, Any],
                   method: str) -> ReliabilityCheck:
    """Each comparison unit tested against the others exactly as the treated unit was
    (studentised ranks; scale 1 is the plain rank test), once as it is and once with the
    reference effect added; the rank procedure needs at least 40 units."""
    n = len(estimates)
    if n < 40 or result.ci is None:
        return _inconclusive(result, step, "too few comparison units for the empirical interval")
    rejected, found = [], []
    for j in range(n):
        others_e, others_s = np.delete(estimates, j), np.delete(scales, j)
        for value, out in ((estimates[j], rejected), (estimates[j] + shifts[j], found)):
            ci, _ = studentized_interval(value, scales[j], others_e, others_s, result.ci_level)
            out.append(ci is not None and (ci[0] > 0 or ci[1] < 0))
    fpr, power = float(np.mean(rejected)), float(np.mean(found))
    return ReliabilityCheck(
        design=result.design, outcome=result.outcome, status=_status(fpr, n),
        false_positive_rate=fpr, power=power, reference_effect=step, n_pairs=n, n_units=n,
        n_dates=1, table=pd.DataFrame({**columns, "rejected": rejected, "found": found}),
        details={"method": method},
    )


def _inconclusive(result: EffectResult, step: float, reason: str) -> ReliabilityCheck:
    return ReliabilityCheck(
        design=result.design, outcome=result.outcome, status="inconclusive",
        false_positive_rate=None, power=None, reference_effect=step, n_pairs=0, n_units=0,
        n_dates=0, details={"reason": reason},
    )

