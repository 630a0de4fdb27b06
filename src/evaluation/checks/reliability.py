"""How sure are the conclusions? False alarms and power of a result's design, re-fitted in full.

For the report section "Hur säkra är slutsatserna?": the design that produced a result is run
again, exactly as the report ran it (same design, same comparison or donor pool, same post-window
length, same averaging windows), at *placebo dates* whose whole post window lies before the real
intervention — so the reform itself cannot leak in — on the evaluated kommun itself and on
comparison kommuner of similar size. Nothing happened at those dates, so every interval that
excludes zero is a false alarm. The false-alarm rate is compared with the nominal 5 % by an exact
one-sided binomial test: the check is **underkänd** ("failed") when more false alarms are seen
than chance allows at 5 % (the Monte Carlo band), **godkänd** ("passed") otherwise, and
**ej prövbar** ("inconclusive") when fewer than :data:`MIN_PAIRS` placebo runs gave an interval.
A design whose intervals are too narrow fails it (``tests/checks/test_reliability.py`` halves
an interval on purpose and sees the check fail).

Power: a known step added to the placebo post window moves each design's estimate and interval
one for one, because every design fits its counterfactual (and, for the comparison-group
designs, its placebo units and size scales) on the pre-period only and the stepped unit never
enters its own placebo pool. So the power at a step is read off the null runs (exact for rates
and levels; for counts the step is relative, ``step × the unit's observed post-window mean``,
exact up to the population's change within the window) instead of re-fitting every pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation import distributions
from evaluation.data.memo import rows_until
from evaluation.data.panel import (
    MIN_PRE_PERIODS,
    period_frequency,
    periods_between,
    rows_where,
    shift_period,
)
from evaluation.errors import EvaluationError
from evaluation.results import EffectResult, pre_period_mean

#: The effect size the power refers to: about what a substantial local reform achieved
#: (Arboga 2022–23: a raw local excess of −0.9 p.p. unemployment and −14 % households); for a
#: level outcome, 10 % of the evaluated kommun's pre-period mean.
REFERENCE_EFFECT = {"rate": -1.0, "count": -0.15, "level": -0.10}
#: Multiples of the reference effect at which power is reported.
POWER_MULTIPLES = (0.5, 1.0, 2.0)
#: Kommuner re-fitted (the evaluated one included) and placebo dates.
N_UNITS = 12
N_DATES = 3
#: Fewer placebo runs with an interval than this: the check is inconclusive.
MIN_PAIRS = 10
NOMINAL = 0.05

Runner = Callable[..., EffectResult]


@dataclass
class ReliabilityCheck:
    """A check as a value: name, status, numbers and the table behind them.

    ``false_positive_rate`` is the share of placebo runs (with an interval) whose interval
    excluded zero; ``band`` the range an honest 5 % design stays within with ``n_pairs`` runs
    (exact binomial, one-sided 5 %); ``power`` the share finding the reference effect and
    ``power_at`` the shares at 0.5, 1 and 2 times it.
    """

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


def false_alarm_status(k: int, n: int, nominal: float = NOMINAL) -> tuple[str, tuple[float, float],
                                                                          float | None]:
    """Status, Monte Carlo band and binomial p-value for ``k`` false alarms in ``n`` runs.

    "failed" when the one-sided exact binomial test of "rate ≤ nominal" rejects at 5 %; the band
    is ``[0, k_max/n]`` with ``k_max`` the most false alarms that test accepts.
    """
    if n < MIN_PAIRS:
        return "inconclusive", (float("nan"), float("nan")), None
    p = float(distributions.binom_sf(k - 1, n, nominal))  # P(X ≥ k), the exact one-sided test
    # the most false alarms the test accepts: the largest k with P(X ≥ k) ≥ 0.05
    tails = distributions.binom_sf(np.arange(n + 1) - 1, n, nominal)
    k_max = int(np.max(np.flatnonzero(tails >= 0.05)))
    return ("failed" if p < 0.05 else "passed"), (0.0, k_max / n), p


def reliability(
    panel: pd.DataFrame,
    result: EffectResult,
    *,
    comparison: Any = "riket",
    n_units: int | None = None,
    n_dates: int = N_DATES,
    seed: int = 1,
    runner: Runner | None = None,
) -> ReliabilityCheck:
    """False-alarm rate and power of ``result.design`` re-fitted at placebo dates.

    Parameters
    ----------
    panel
        The panel the design was run on.
    result
        The report's result (design, outcome, windows, donors are read from it).
    comparison
        The comparison set the national designs used.
    n_units
        Kommuner re-fitted, the evaluated one included.
    n_dates
        Placebo dates (windows of the report's length ending before the intervention, as far
        apart as the pre-period allows).
    seed
        Kept for the record (the check draws nothing at random).
    runner
        Replaces the design call (``runner(data, unit=, shift=)`` returning an EffectResult);
        tests use it to feed a deliberately narrowed interval.
    """
    kind = result.kind
    step = _reference_step(result, kind)
    n_units = N_UNITS if n_units is None else n_units
    shifts, reason = _placebo_shifts(panel, result, n_dates)
    if not shifts:
        return _inconclusive(result, step, reason)
    units = _units(panel, result, n_units)
    rows = []
    if runner is None and _declared(result) is not None and _declared(result).needs_donors:
        starts: dict = {}  # SDID's weights of a unit at one date start its search at the next
        for shift in shifts:
            rows += _group_rows(panel, result, units, shift, kind, step, starts)
    else:
        run = runner or _design_runner(result, comparison)
        for shift in shifts:
            end = shift_period(_window(result)[1], -shift)
            data = rows_until(panel, end)
            for unit in units:
                row: dict[str, Any] = {"unit": unit,
                                       "date": shift_period(result.intervention, -shift)}
                try:
                    r = run(data, unit=unit, shift=shift)
                except EvaluationError as exc:
                    rows.append({**row, "testable": False, "rejected": False,
                                 "error": exc.en, "error_sv": exc.sv})
                    continue
                rows.append({**row, **_outcome_of(r, kind, step)})
    table = pd.DataFrame(rows)
    ok = table[table["testable"]] if len(table) else table
    n = len(ok)
    k = int(ok["rejected"].sum()) if n else 0
    status, band, p_binom = false_alarm_status(k, n)
    fpr = k / n if n else None
    power_at = {str(m): float(ok[f"power_{m}"].mean()) for m in POWER_MULTIPLES} if n else {}
    details: dict[str, Any] = {
        "dates": sorted(set(table["date"])), "units": units, "post_length": _post_length(result),
        "frequency": period_frequency(result.intervention),
        "band": list(band), "binomial_p": p_binom, "false_alarms": k,
        "power_at": power_at, "not_testable": int(len(table) - n),
        "method": "refit at placebo dates before the intervention",
    }
    if n >= MIN_PAIRS:
        details["mde"] = minimum_detectable(ok, step)
    if n < MIN_PAIRS:
        details["reason"] = "too_few_runs"
        # the design's own sentence for why most re-runs gave no interval, in both languages
        # (the report shows the one in its own language, never the other)
        details.update(_common_error(table))
    return ReliabilityCheck(
        design=result.design, outcome=result.outcome, status=status,
        false_positive_rate=fpr, power=power_at.get("1.0"), reference_effect=step,
        n_pairs=n, n_units=len(units), n_dates=len(shifts), table=table, details=details,
    )


# ------------------------------------------------------------------------------ pieces
def _reference_step(result: EffectResult, kind: str) -> float:
    if kind != "level":
        return REFERENCE_EFFECT[kind]
    pre = pre_period_mean(result.frame)
    level = float("nan") if pre is None else pre
    return REFERENCE_EFFECT["level"] * abs(level) if np.isfinite(level) else float("nan")


def _declared(result: EffectResult) -> Any:
    """The registry's entry for the result's design (None for an unregistered one)."""
    from evaluation.designs.registry import design

    try:
        return design(result.design)
    except KeyError:
        return None


def _window(result: EffectResult) -> tuple[str, str]:
    """(first period after the change, last period used): what a placebo shift moves."""
    from evaluation.designs.registry import report_window

    declared = _declared(result)
    return declared.window(result) if declared is not None else report_window(result)


def _post_length(result: EffectResult) -> int:
    start, end = _window(result)
    return periods_between(start, end) + 1


def _placebo_shifts(panel: pd.DataFrame, result: EffectResult,
                    n_dates: int) -> tuple[list[int], str]:
    """How far back (in periods) each placebo copy of the design is moved: every window ends
    before the intervention and leaves the design's minimum pre-period (or, for the
    decomposition, its base window) inside the data (the design's ``placebo_room``)."""
    periods = sorted(panel.loc[(panel["measure"] == result.outcome)
                               & (panel["unit"] == result.treated), "period"].dropna().unique())
    if not periods:
        return [], "no_data"
    first = str(periods[0])
    frequency = period_frequency(first)
    length = _post_length(result)
    declared = _declared(result)
    if declared is not None:
        room = declared.placebo_room(result, first)
    else:
        room = periods_between(first, result.intervention) - MIN_PRE_PERIODS[frequency]
    if room < length:
        return [], "short_pre_period"
    candidates = list(range(length, room + 1))
    # as far apart as possible: non-overlapping windows when there is room for them
    spaced = candidates[::length] if len(candidates[::length]) >= n_dates else candidates
    pick = np.unique(np.linspace(0, len(spaced) - 1, min(n_dates, len(spaced)))
                     .round().astype(int))
    return [spaced[i] for i in pick], ""


def _units(panel: pd.DataFrame, result: EffectResult, n: int) -> list[str]:
    """The evaluated kommun and the comparison units closest to it in size."""
    from evaluation.designs.donor_designs import nearest_in_size

    treated = result.treated
    declared = _declared(result)
    if declared is not None and declared.needs_donors:
        pool = [str(u) for u in result.diagnostics.get("donors") or []]
    else:
        units = rows_where(panel, panel["measure"] == result.outcome, ["unit"])["unit"]
        pool = sorted(u for u in units.unique()
                      if u != treated and len(u) == len(treated) and u != "00")
    return [treated, *nearest_in_size(panel, treated, pool, max(0, n - 1))[:max(0, n - 1)]]


def _design_runner(result: EffectResult, comparison: Any) -> Runner:
    """The report's design call, moved back by ``shift`` periods and with ``unit`` treated
    (the design's ``rerun`` in the registry)."""
    declared = _declared(result)
    if declared is None:
        raise ValueError(f"unknown design {result.design!r}")

    def run(data, *, unit, shift):
        return declared.rerun(result, data, unit=unit, shift=shift, comparison=comparison)
    return run


def _group_rows(panel: pd.DataFrame, result: EffectResult, units: list[str], shift: int,
                kind: str, step: float, starts: dict | None = None) -> list[dict[str, Any]]:
    """One placebo date of a comparison-group design: every unit's run from one set of fits
    (:func:`~evaluation.designs.donor_designs.placebo_date_runs`, with ``starts``), on the
    fitting scale."""
    from evaluation.designs.donor_designs import placebo_date_runs

    start, end = (shift_period(p, -shift) for p in _window(result))
    date = start
    data = rows_until(panel, end)
    donors = [str(u) for u in result.diagnostics.get("donors") or []]
    try:
        runs = placebo_date_runs(data, design=result.design, outcome=result.outcome,
                                 treated=result.treated, units=units, donors=donors,
                                 intervention=start, post_end=end, ci_level=result.ci_level,
                                 starts=starts)
    except EvaluationError as exc:
        return [{"unit": u, "date": date, "testable": False, "rejected": False,
                 "error": exc.en, "error_sv": exc.sv} for u in units]
    rows = []
    for rec in runs.to_dict(orient="records"):
        rows.append({"unit": rec["unit"], "date": date,
                     **_interval_outcome(rec["estimate"], rec["low"], rec["high"],
                                         rec["level"], kind, step)})
    return rows


def _outcome_of(r: EffectResult, kind: str, step: float) -> dict[str, Any]:
    """Estimate, interval, rejection, and the rejections with the reference steps added."""
    observed = r.frame["observed"].to_numpy(dtype=float)[r.frame["post"].astype(bool).to_numpy()]
    observed = observed[~np.isnan(observed)]  # the post-period's level, as Series.mean() skips
    level = float(observed.mean()) if observed.size else float("nan")
    low, high = r.ci if r.testable else (np.nan, np.nan)
    return _interval_outcome(r.average_effect, low, high, level, kind, step)


def _interval_outcome(est: float, low: float, high: float, level: float, kind: str,
                      step: float) -> dict[str, Any]:
    if not (np.isfinite(est) and np.isfinite(low) and np.isfinite(high)):
        return {"estimate": est, "low": np.nan, "high": np.nan, "testable": False,
                "rejected": False, "error": ""}
    unit_step = step * level if kind == "count" else step
    out = {"estimate": est, "low": low, "high": high, "testable": True,
           "rejected": bool(low > 0 or high < 0), "error": "",
           # the interval in units of the reference step's scale (relative for counts)
           "scale": float(level) if kind == "count" else 1.0}
    for m in POWER_MULTIPLES:
        s = m * unit_step
        out[f"power_{m}"] = bool(low + s > 0 or high + s < 0)
    return out


#: Power at which the minimum detectable effect is stated.
MDE_POWER = 0.8


def minimum_detectable(runs: pd.DataFrame, step: float, power: float = MDE_POWER) -> float | None:
    """The smallest effect in the reference step's direction that the design would have found
    with probability ``power`` on these placebo runs (the minimum detectable effect).

    Each placebo run's interval moves one for one with an effect added to its post window (see
    the module docstring), so an effect of size ``d`` in the step's direction is found in a
    run when the shifted interval excludes zero. The MDE is the smallest ``d`` at which the
    share of runs that find it reaches ``power`` — read off the placebo distribution, not
    post-hoc power on the report's own estimate. Counts: a share of each run's post-window
    level (as the reference step, e.g. 0.15 = 15 %); rates and levels: the outcome's unit.
    None when even ten times the reference step is not found often enough.
    """
    if runs.empty or not np.isfinite(step) or step == 0:
        return None
    sign = -1.0 if step < 0 else 1.0
    scale = runs["scale"].to_numpy(float) if "scale" in runs else np.ones(len(runs))
    low, high = runs["low"].to_numpy(float), runs["high"].to_numpy(float)
    # an effect d (> 0) in the step's direction moves the interval by sign·d·scale
    with np.errstate(divide="ignore", invalid="ignore"):
        edge = np.where(sign < 0, high / scale, -low / scale)  # found once d exceeds this
    limit = 10 * abs(step)
    candidates = np.unique(np.clip(np.concatenate([edge[np.isfinite(edge)], [0.0]]), 0, None))
    for d in candidates[candidates <= limit] + 1e-12:
        shifted_low = low + sign * d * scale
        shifted_high = high + sign * d * scale
        if np.mean((shifted_low > 0) | (shifted_high < 0)) >= power:
            return float(d)
    return None


def _inconclusive(result: EffectResult, step: float, reason: str) -> ReliabilityCheck:
    return ReliabilityCheck(
        design=result.design, outcome=result.outcome, status="inconclusive",
        false_positive_rate=None, power=None, reference_effect=step, n_pairs=0, n_units=0,
        n_dates=0, details={"reason": reason, "post_length": _post_length(result),
                            "frequency": period_frequency(result.intervention)},
    )


def _common_error(table: pd.DataFrame) -> dict[str, str]:
    """The most common error of the re-runs that failed, as ``error_sv``/``error_en`` (empty
    when none failed with an error)."""
    if table.empty or "error" not in table.columns:
        return {}
    failed = table[table["error"].fillna("").astype(str) != ""]
    if failed.empty:
        return {}
    en = str(failed["error"].value_counts().index[0])
    sv_rows = failed.loc[failed["error"] == en, "error_sv"] if "error_sv" in failed else []
    sv = str(sv_rows.iloc[0]) if len(sv_rows) and isinstance(sv_rows.iloc[0], str) else ""
    return {"error_en": en, "error_sv": sv} if sv else {"error_en": en}

