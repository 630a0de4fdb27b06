"""Sensitivity grid: does the answer survive reasonable other choices? (issue "One answer", 5)

Every design of the evaluation is re-estimated, through the same registry call the report
used (:mod:`evaluation.designs.registry`), under variants an evaluator or a reviewer would
ask about:

* ``anticipation_3`` / ``anticipation_6`` — the change started 3 or 6 months earlier
  (announcement, decision, staff moving before the formal start): the intervention date is
  moved back, the post window's end kept;
* ``phase_in_3`` / ``phase_in_6`` — the first 3 or 6 months are a phase-in and excluded: the
  intervention date is moved forward, the post window's end kept;
* ``date_<name>`` — the spec's ``intervention_variants`` (e.g. ``beslut: 2021-11``);
* ``later_start`` — the pre-period starts a third later (older years may follow other rules);
* ``without_2020_21`` — the pandemic months March 2020 to December 2021 are removed from the
  pre-period (monthly data whose pre-period covers them);

* ``donors_closest_half`` — the comparison-group designs with only the half of their donor
  pool closest to the kommun in the outcome's pre-period mean (at least
  :data:`MIN_HALF_POOL` donors; a pool chosen on size or group membership may hold kommuner
  whose level is far away);
* ``log_scale`` — the outcome on the log scale (a multiplicative instead of an additive
  model; outcomes with a value ≤ 0 skip it): the design's average log difference ``δ`` is
  turned back into the outcome's unit as ``ȳ·(1 − e^−δ)`` with ``ȳ`` the kommun's post-period
  mean;

(yearly data: anticipation and phase-in by one year). A variant that leaves too short a
pre-period or post window is skipped with its reason. A **flip** is a variant whose estimate has
the other sign than the baseline's, or lies outside the baseline's interval; a design with a
flip cannot lead a clear effect in the verdict (:mod:`evaluation.verdict`). The
comparison-group designs are re-fitted for their estimate only (``Design.point``: their
placebo inference re-fits every donor, and the flip is judged on the estimate), so their rows
have no interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import (
    MIN_PRE_PERIODS,
    period_frequency,
    periods_between,
    rows_where,
    shift_period,
)
from evaluation.errors import EvaluationError
from evaluation.results import EffectResult

PANDEMIC = ("2020-03", "2021-12")
#: The closest-half donor variant needs at least this many donors left.
MIN_HALF_POOL = 5


@dataclass(frozen=True)
class Variant:
    """One alternative choice: a name, the intervention date and the panel filter."""

    name: str
    intervention: str
    drop: tuple[str, str] | None = None  # periods removed (inclusive)
    start: str | None = None  # first period kept
    scale: str = "level"  # "log": the outcome is modelled on the log scale
    donors: str = "report"  # "closest_half": half the pool, closest in pre-period level


def variants(intervention: str, post_end: str, first: str,
             named: dict[str, str] | None = None) -> tuple[list[Variant], dict[str, str]]:
    """The variants that fit the data, and the skipped ones with their reason."""
    yearly = period_frequency(intervention) == "yearly"
    steps = (1,) if yearly else (3, 6)
    out: list[Variant] = []
    skipped: dict[str, str] = {}
    minimum = MIN_PRE_PERIODS[period_frequency(intervention)]

    def add(v: Variant) -> None:
        begin = v.start or first
        if periods_between(begin, v.intervention) < minimum:
            skipped[v.name] = "short_pre_period"
        elif v.intervention > post_end:
            skipped[v.name] = "no_post_period"
        else:
            out.append(v)

    for k in steps:
        label = f"{k}" if not yearly else "1y"
        add(Variant(f"anticipation_{label}", shift_period(intervention, -k)))
        add(Variant(f"phase_in_{label}", shift_period(intervention, k)))
    for name, date in (named or {}).items():
        add(Variant(f"date_{name}", str(date)))
    pre = periods_between(first, intervention)
    add(Variant("later_start", intervention, start=shift_period(first, pre // 3)))
    if not yearly and first <= PANDEMIC[0] and PANDEMIC[1] < shift_period(intervention, -1):
        kept = pre - (periods_between(*PANDEMIC) + 1)
        if kept >= minimum:
            out.append(Variant("without_2020_21", intervention, drop=PANDEMIC))
        else:
            skipped["without_2020_21"] = "short_pre_period"
    out.append(Variant("donors_closest_half", intervention, donors="closest_half"))
    out.append(Variant("log_scale", intervention, scale="log"))
    return out, skipped


def _panel_for(panel: pd.DataFrame, v: Variant) -> pd.DataFrame:
    keep = np.ones(len(panel), dtype=bool)
    if v.start is not None:
        keep &= (panel["period"] >= v.start).to_numpy()
    if v.drop is not None:
        keep &= ~panel["period"].between(*v.drop).to_numpy()
    if keep.all():
        return panel
    out = panel[keep]
    out.attrs = dict(panel.attrs)
    return out


def run_grid(ev: Any, *, named: dict[str, str] | None = None) -> pd.DataFrame:
    """Re-estimate every result of ``ev`` (an estimated :class:`~evaluation.evaluate.Evaluation`)
    under every variant; one row per (outcome, design, variant) with the estimate, interval,
    and ``flip``. Skipped variants have ``status`` "skipped" and a ``reason`` (a code:
    ``short_pre_period``, ``no_post_period``, ``small_donor_pool``, ``non_positive_values``, or
    ``design_error`` with the design's sentence in ``reason_sv`` and ``reason_en``)."""
    from evaluation.designs.decomposition import default_compare_periods
    from evaluation.designs.registry import EvaluationContext, design

    inputs, spec = ev.inputs, ev.spec
    first = str(inputs.first_period)
    chosen, skipped = variants(spec.intervention, inputs.post_end, first, named)
    national = inputs.comparison_panel()
    rows: list[dict[str, Any]] = []
    # one view of a panel per variant (and one log view per outcome), shared by every design
    # and outcome: the tables a design derives from a panel are remembered per panel object
    # (evaluation.data.memo), so a view built once is prepared once
    views: dict[tuple[Any, ...], pd.DataFrame] = {}

    def view(frame: pd.DataFrame, v: Variant, log_of: str | None = None) -> pd.DataFrame:
        key = (id(frame), v.start, v.drop, log_of)
        if key not in views:
            views[key] = (_panel_for(frame, v) if log_of is None
                          else _log(view(frame, v), log_of))
        return views[key]

    for result in ev.results:
        base = dict(outcome=result.outcome, design=result.design)
        for name, reason in skipped.items():
            rows.append({**base, "variant": name, "status": "skipped", "reason": reason})
        declared = design(result.design)
        for v in chosen:
            row = {**base, "variant": v.name, "intervention": v.intervention}
            donors = _donors(result)
            if v.donors == "closest_half":
                if not declared.needs_donors:
                    continue  # the national designs have no donor pool
                donors = closest_half(inputs.panel, result.outcome, inputs.treated,
                                      donors or [], spec.intervention)
                if donors is None:
                    rows.append({**row, "status": "skipped", "reason": "small_donor_pool"})
                    continue
            outcome, panel, nat = result.outcome, view(inputs.panel, v), view(national, v)
            if v.scale == "log":
                if not _positive(panel, outcome) or not _positive(nat, outcome):
                    rows.append({**row, "status": "skipped", "reason": "non_positive_values"})
                    continue
                panel, nat = view(inputs.panel, v, outcome), view(national, v, outcome)
                outcome = LOG_PREFIX + outcome
            compare = list(default_compare_periods(v.intervention, spec.compare_window))
            if compare[1] > inputs.post_end:
                compare[1] = inputs.post_end
            context = EvaluationContext(
                panel=panel, national_panel=nat,
                outcome=outcome, treated=inputs.treated, intervention=v.intervention,
                post_end=inputs.post_end, comparison=spec.comparison,
                compare_periods=tuple(compare), compare_window=spec.compare_window,
                donors=donors, seed=spec.seed, ci_level=result.ci_level)
            try:
                if declared.point is not None:  # the estimate is what a flip is judged on
                    est, ci = declared.point(context), None
                else:
                    r = declared.estimate(context)
                    est, ci = float(r.average_effect), (r.ci if r.testable else None)
            except EvaluationError as exc:
                # a code like the other skips, and the design's sentence in both languages
                rows.append({**row, "status": "skipped", "reason": "design_error",
                             "reason_sv": exc.sv, "reason_en": exc.en})
                continue
            if v.scale == "log":  # back to the outcome's unit (the interval is not shown)
                est, ci = _from_log(est, inputs.panel, result), None
            rows.append({**row, **_compare(result, est, ci)})
    return pd.DataFrame(rows)


#: The log-scale variant's measure name (an undeclared measure is modelled as a level).
LOG_PREFIX = "log__"


def _positive(panel: pd.DataFrame, outcome: str) -> bool:
    values = panel.loc[panel["measure"] == outcome, "value"]
    return bool(len(values)) and bool((values.dropna() > 0).all())


def _log(panel: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The panel with ``outcome`` on the log scale under the name ``log__<outcome>``."""
    out = panel.copy()
    mask = out["measure"] == outcome
    if isinstance(out["measure"].dtype, pd.CategoricalDtype):  # an evaluation's panel
        out["measure"] = out["measure"].cat.add_categories([LOG_PREFIX + outcome])
    out.loc[mask, "value"] = np.log(out.loc[mask, "value"].astype(float))
    out.loc[mask, "measure"] = LOG_PREFIX + outcome
    for column in ("kind", "unit_text", "unit_text_en"):
        if column in out:
            out.loc[mask, column] = None
    out.attrs = dict(panel.attrs)
    return out


def _from_log(delta: float, panel: pd.DataFrame, result: EffectResult) -> float:
    """An average log difference in the outcome's unit: ȳ·(1 − e^−δ), ȳ the kommun's observed
    post-period mean (the counterfactual is ȳ·e^−δ)."""
    start, end = result.post_window
    sub = panel[(panel["measure"] == result.outcome) & (panel["unit"] == result.treated)
                & panel["period"].between(result.intervention, end)]
    level = float(sub["value"].mean())
    return level * (1.0 - float(np.exp(-delta)))


def closest_half(panel: pd.DataFrame, outcome: str, treated: str, donors: list[str],
                 intervention: str) -> list[str] | None:
    """The half of ``donors`` closest to ``treated`` in the outcome's pre-period mean (None
    when fewer than :data:`MIN_HALF_POOL` would be left)."""
    n = len(donors) // 2
    if n < MIN_HALF_POOL:
        return None
    pre = rows_where(panel, (panel["measure"] == outcome) & (panel["period"] < intervention),
                     ["unit", "value"])
    means = pre.groupby("unit")["value"].mean()
    if treated not in means.index:
        return None
    distance = {u: abs(float(means.get(u, np.inf)) - float(means[treated])) for u in donors}
    chosen = set(sorted(donors, key=lambda u: (distance[u], u))[:n])
    return [u for u in donors if u in chosen]


def _donors(result: EffectResult) -> Any:
    donors = result.diagnostics.get("donors")
    return [str(u) for u in donors] if donors else None


def _compare(baseline: EffectResult, est: float,
             ci: tuple[float, float] | None) -> dict[str, Any]:
    """The variant's estimate against the baseline: a flip is another sign or an estimate
    outside the baseline's interval (the variant's own interval is shown where the design
    gives it cheaply; it does not enter the flip)."""
    est = float(est)
    b_est, b_ci = float(baseline.average_effect), baseline.ci if baseline.testable else None
    other_sign = np.sign(est) != np.sign(b_est) and est != 0 and b_est != 0
    outside = b_ci is not None and not (b_ci[0] <= est <= b_ci[1])
    return {"status": "ok", "estimate": est,
            "low": None if ci is None else float(ci[0]),
            "high": None if ci is None else float(ci[1]),
            "baseline": b_est, "flip": bool(other_sign or outside),
            "sign_change": bool(other_sign), "outside_baseline": bool(outside)}


def flips(rows: Any) -> dict[tuple[str, str], list[str]]:
    """(outcome, design) → the variants that flip, from grid rows (records or a frame)."""
    records = rows.to_dict(orient="records") if isinstance(rows, pd.DataFrame) else rows
    out: dict[tuple[str, str], list[str]] = {}
    for r in records or []:
        flag = r.get("flip")  # NaN (truthy) on skipped rows
        if isinstance(flag, (bool, np.bool_)) and flag:
            out.setdefault((str(r["outcome"]), str(r["design"])), []).append(str(r["variant"]))
    return out
