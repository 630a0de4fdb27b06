"""Placebo check: how often does a design call noise an effect, and how often does it find one?

For a design and a panel the design is re-run on every untreated unit at every placebo date that
leaves the design's minimum pre-period and a fixed post window. The share of 95 % intervals that
exclude zero is the false-positive rate; adding a known step to the same units at the same dates
gives the power. Rejections cluster by date (a national shock hits every unit at once), so the
rate's interval comes from a bootstrap that resamples dates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import (
    MIN_PRE_PERIODS,
    measure_info,
    period_frequency,
    periods_between,
    shift_period,
)
from evaluation.errors import EvaluationError
from evaluation.results import EffectResult

DesignRunner = Callable[..., EffectResult]

POST_LENGTH = {"monthly": 12, "yearly": 1}


def run_design(design: str, panel: pd.DataFrame, *, outcome: str, unit: str, date: str,
               post_end: str, comparison: Any = "riket") -> EffectResult:
    """Run ``design`` as if ``unit`` had been treated from ``date`` to ``post_end`` (the
    design's ``run_at`` in :mod:`evaluation.designs.registry`: its defaults; the
    comparison-group designs take every other unit of the same type as donors)."""
    from evaluation.designs.registry import design as declared

    try:
        entry = declared(design)
    except KeyError:
        raise ValueError(f"unknown design {design!r}") from None
    return entry.run_at(panel, outcome=outcome, unit=unit, date=date, post_end=post_end,
                        comparison=comparison)


def placebo_dates(periods: Sequence[str], *, frequency: str = "monthly",
                  min_pre: int | None = None, post_length: int | None = None,
                  last: str | None = None) -> list[str]:
    """Dates leaving ``min_pre`` periods before and a full post window up to ``last``."""
    min_pre = MIN_PRE_PERIODS[frequency] if min_pre is None else min_pre
    post_length = POST_LENGTH[frequency] if post_length is None else post_length
    periods = sorted(periods)
    end = last or periods[-1]
    first_date = shift_period(periods[0], min_pre)
    last_date = shift_period(end, -(post_length - 1))
    return [p for p in periods if first_date <= p <= last_date]


def add_step(panel: pd.DataFrame, *, unit: str, outcome: str, start: str, end: str,
             step: float) -> pd.DataFrame:
    """A copy of ``panel`` with a known effect on ``unit``: ``step`` p.p. for rates, a relative
    change ``step`` (e.g. −0.15) for counts."""
    out = panel.copy()
    mask = ((out["unit"] == unit) & (out["measure"] == outcome)
            & (out["period"] >= start) & (out["period"] <= end))
    if measure_info(outcome, panel.loc[panel["measure"] == outcome, "value"]).kind == "count":
        out.loc[mask, "value"] = out.loc[mask, "value"] * (1 + step)
    else:
        out.loc[mask, "value"] = out.loc[mask, "value"] + step
    return out


@dataclass
class PlaceboResult:
    """Per unit-date outcomes and the summary figures of one placebo check."""

    design: str
    outcome: str
    step: float | None
    runs: pd.DataFrame  # unit, date, estimate, low, high, rejected, testable, (power_*)
    seed: int
    n_boot: int = 2000
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.runs["testable"].sum())

    @property
    def n_not_testable(self) -> int:
        return int((~self.runs["testable"]).sum())

    def rate(self, column: str = "rejected") -> float:
        runs = self.runs[self.runs["testable"]]
        return float(runs[column].mean()) if len(runs) else float("nan")

    def rate_interval(self, column: str = "rejected", level: float = 0.95) -> tuple[float, float]:
        """Bootstrap interval of the share, resampling dates (clusters) with replacement."""
        runs = self.runs[self.runs["testable"]]
        if runs.empty:
            return (float("nan"), float("nan"))
        grouped = runs.groupby("date")[column].agg(["sum", "count"])
        sums, counts = grouped["sum"].to_numpy(float), grouped["count"].to_numpy(float)
        rng = np.random.default_rng(self.seed)
        idx = rng.integers(0, len(sums), size=(self.n_boot, len(sums)))
        shares = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
        a = (1 - level) / 2
        return float(np.quantile(shares, a)), float(np.quantile(shares, 1 - a))

    def monte_carlo_band(self, nominal: float = 0.05) -> tuple[float, float]:
        """nominal ± 2·√(nominal(1−nominal)/R): where an honest rate lies with R pairs."""
        if self.n == 0:
            return (float("nan"), float("nan"))
        half = 2 * np.sqrt(nominal * (1 - nominal) / self.n)
        return max(0.0, nominal - half), nominal + half

    def summary(self) -> dict[str, Any]:
        lo, hi = self.rate_interval()
        out = {
            "design": self.design, "outcome": self.outcome, "pairs": self.n,
            "dates": int(self.runs["date"].nunique()), "units": int(self.runs["unit"].nunique()),
            "not_testable": self.n_not_testable,
            "false_positive_rate": self.rate(), "fpr_low": lo, "fpr_high": hi,
        }
        if "power_rejected" in self.runs:
            plo, phi = self.rate_interval("power_rejected")
            out.update(step=self.step, power=self.rate("power_rejected"),
                       power_low=plo, power_high=phi)
        return out


def placebo_check(
    panel: pd.DataFrame,
    *,
    design: str | DesignRunner,
    outcome: str,
    units: Sequence[str],
    dates: Sequence[str] | None = None,
    post_length: int | None = None,
    step: float | None = None,
    comparison: Any = "riket",
    seed: int = 1,
    max_pairs: int | None = None,
    n_boot: int = 2000,
    step_by_shift: bool = False,
) -> PlaceboResult:
    """Re-run ``design`` on every unit at every placebo date (and with a known step).

    Parameters
    ----------
    panel
        Long panel without the actually treated unit's post-period (or without that unit).
    design
        ``"its"``, ``"decomposition"`` or a callable with the :func:`run_design` signature.
    units
        Untreated units to re-run the design on.
    dates
        Placebo dates; default every date with ≥ 24 months (6 years) before it and a full
        post window of ``post_length`` (12 months / 1 year) after it.
    step
        Known effect added for the power run (p.p. for rates, relative for counts); None skips.
    max_pairs
        Evaluate a seeded random subset of the unit-date pairs (for speed).
    step_by_shift
        Read the power run off the null run instead of re-fitting it: a step added to every
        post-window value moves the estimate and the interval of a design that fits its
        counterfactual on the pre-period only (ITS, the decomposition) one for one, for rates
        and levels. Only for such designs; :func:`shift_equivariance` checks it on a few pairs.
    """
    periods = sorted(panel.loc[panel["measure"] == outcome, "period"].unique())
    frequency = "monthly" if len(periods[0]) == 7 else "yearly"
    post_length = POST_LENGTH[frequency] if post_length is None else post_length
    dates = list(dates) if dates is not None else placebo_dates(
        periods, frequency=frequency, post_length=post_length)
    runner: DesignRunner = (
        (lambda *a, **k: run_design(design, *a, **k)) if isinstance(design, str) else design
    )
    name = design if isinstance(design, str) else getattr(design, "__name__", "design")
    pairs = [(u, d) for d in dates for u in units]
    rng = np.random.default_rng(seed)
    if max_pairs is not None and len(pairs) > max_pairs:
        keep = np.sort(rng.choice(len(pairs), size=max_pairs, replace=False))
        pairs = [pairs[i] for i in keep]
    sub = panel[panel["measure"].isin({outcome, "population", "labour_force"})]
    rows = []
    for unit, date in pairs:
        end = shift_period(date, post_length - 1)
        # The design sees the data up to the end of the post window only (as an evaluator would).
        data = sub[sub["period"] <= end]
        row: dict[str, Any] = {"unit": unit, "date": date}
        row.update(_one(runner, data, outcome=outcome, unit=unit, date=date, end=end,
                        comparison=comparison))
        if step is not None and step_by_shift:
            row.update(_shifted(row, step))
        elif step is not None:
            stepped = add_step(data, unit=unit, outcome=outcome, start=date, end=end, step=step)
            power = _one(runner, stepped, outcome=outcome, unit=unit, date=date, end=end,
                         comparison=comparison)
            row.update({f"power_{k}": v for k, v in power.items()})
        rows.append(row)
    runs = pd.DataFrame(rows)
    return PlaceboResult(design=name, outcome=outcome, step=step, runs=runs, seed=seed,
                         n_boot=n_boot,
                         details={"post_length": post_length, "dates": list(dates)})


def _shifted(row: dict[str, Any], step: float) -> dict[str, Any]:
    """The null run with ``step`` added to its estimate and interval (see ``step_by_shift``)."""
    low, high = row["low"] + step, row["high"] + step
    return {"power_estimate": row["estimate"] + step, "power_low": low, "power_high": high,
            "power_rejected": bool(row["testable"] and (low > 0 or high < 0)),
            "power_testable": row["testable"], "power_error": row["error"]}


def shift_equivariance(panel: pd.DataFrame, *, design: str, outcome: str,
                       units: Sequence[str], step: float, max_pairs: int = 8,
                       seed: int = 1) -> float:
    """The largest gap between a re-fitted stepped run and the null run shifted by ``step``
    (estimate and both interval ends) over ``max_pairs`` seeded pairs: ~0 when
    ``step_by_shift`` is exact for ``design``."""
    refit = placebo_check(panel, design=design, outcome=outcome, units=units, step=step,
                          max_pairs=max_pairs, seed=seed)
    runs = refit.runs[refit.runs["testable"]]
    gaps = [np.abs(runs[f"power_{k}"] - (runs[k] + step)).max()
            for k in ("estimate", "low", "high")]
    return float(max(gaps))


def _one(runner: DesignRunner, data: pd.DataFrame, **kw: Any) -> dict[str, Any]:
    try:
        r = runner(data, outcome=kw["outcome"], unit=kw["unit"], date=kw["date"],
                   post_end=kw["end"], comparison=kw["comparison"])
    except EvaluationError as exc:
        return {"estimate": np.nan, "low": np.nan, "high": np.nan, "rejected": False,
                "testable": False, "error": str(exc)}
    est = r.relative_effect if r.kind == "count" and r.relative_effect is not None \
        else r.average_effect
    ci = r.relative_ci if r.kind == "count" and r.relative_ci is not None else r.ci
    if ci is None or not all(np.isfinite(ci)):
        return {"estimate": est, "low": np.nan, "high": np.nan, "rejected": False,
                "testable": False, "error": ""}
    return {"estimate": est, "low": ci[0], "high": ci[1],
            "rejected": bool(ci[0] > 0 or ci[1] < 0), "testable": True, "error": ""}
