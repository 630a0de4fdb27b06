"""One answer per outcome: a verdict across the designs, by explicit rules (issue "One answer").

Each design's result is first judged on its own (:func:`significance`: "significant_decrease",
"significant_increase", "no_significant_effect" or "not_testable" — the one place this is
decided). The verdict then combines the designs **that count** into one of four categories:

* ``clear_effect`` — *tydlig effekt*;
* ``method_dependent`` — *beror på metod*;
* ``no_effect`` — *ingen påvisbar effekt*;
* ``insufficient`` — *data räcker inte*.

Which designs count (:func:`standing`), with the thresholds stated:

1. the design gave an interval (with fewer comparison units than its level needs it says
   "ej prövbar" and does not count);
2. its reliability check (placebo dates before the intervention, the report's own window) did
   not fail — more false alarms than chance allows at 5 % (an inconclusive check, e.g. too
   short a pre-period, is noted but does not exclude);
3. the pre-period supports it: difference-in-differences only when its pre-trend test has
   p ≥ :data:`PRETREND_ALPHA` (a small p says the kommun drifted away from its comparison
   before the change; a large p is *not* evidence of parallel trends — the test has little
   power with few pre-period bins); synthetic control only when its pre-period fit error is at
   most :data:`PRE_FIT_RATIO` times the typical placebo unit's (a kommun the donors cannot
   reproduce before the change has no credible counterfactual after it).

The rules, in order (the first that applies decides, and the report prints it):

* R1 no design counts → ``insufficient``;
* R2 the *lead* design — the primary design when it counts, else the first counting design in
  :data:`LEAD_ORDER` — excludes zero, compares with other units (a before–after model never
  leads), its own past did not widen its interval (placebo in time: its deviations at earlier
  dates were as large as the placebo spread allows), no variant of the sensitivity grid flips
  it (:mod:`evaluation.checks.sensitivity`), every counting design's estimate has the
  lead's sign, and, when two or more designs count, at least one other excludes zero
  → ``clear_effect``;
* R3 any counting design excludes zero → ``method_dependent``;
* R4 the lead's interval lies inside ± the smallest relevant effect → ``no_effect``, with the
  equivalence statement the interval gives ("en minskning större än … kan uteslutas");
* R5 otherwise → ``insufficient`` (effects as large as the relevant one cannot be ruled out).

The smallest relevant effect defaults to the reliability check's reference effect
(:data:`evaluation.checks.reliability.REFERENCE_EFFECT`: 1.0 p.p. for rates, 15 % for counts,
10 % of the pre-period mean for levels) and is set by the spec's ``smallest_relevant_effect``.
Counts are judged on the relative effect (the interval of Σ effect / Σ counterfactual).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Category = Literal["clear_effect", "method_dependent", "no_effect", "insufficient"]
CATEGORIES: tuple[Category, ...] = ("clear_effect", "method_dependent", "no_effect",
                                    "insufficient")
#: Lead design when the primary one does not count: national comparisons first (they use the
#: whole country), then the comparison-group designs, the most robust first.
LEAD_ORDER = ("its", "decomposition", "structural", "sdid", "synthetic_control", "did")
#: Difference-in-differences counts only with a pre-trend p-value at least this large.
PRETREND_ALPHA = 0.05
#: Synthetic control counts only when its pre-period RMSPE is at most this many times the
#: median placebo unit's.
PRE_FIT_RATIO = 2.0


def significance(result: Mapping[str, Any] | Any) -> str:
    """A single result's verdict key from its interval (the one place this is decided).

    "significant_decrease"/"significant_increase" when the interval excludes 0,
    "no_significant_effect" when it covers 0, "not_testable" when there is no finite interval.
    Works on a ``summary.json`` result record or an :class:`~evaluation.results.EffectResult`.
    """
    ci = result.get("ci") if isinstance(result, Mapping) else getattr(result, "ci", None)
    if ci is None or len(ci) != 2:
        return "not_testable"
    try:
        low, high = float(ci[0]), float(ci[1])
    except (TypeError, ValueError):
        return "not_testable"
    if not (math.isfinite(low) and math.isfinite(high)):
        return "not_testable"
    if high < 0:
        return "significant_decrease"
    if low > 0:
        return "significant_increase"
    return "no_significant_effect"


@dataclass
class Standing:
    """How one design's result enters the verdict."""

    design: str
    significance: str
    estimate: float | None
    counts: bool
    excluded_because: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_comparison: bool = True

    @property
    def significant(self) -> bool:
        return self.significance.startswith("significant_")

    @property
    def sign(self) -> int:
        if self.estimate is None or not math.isfinite(self.estimate) or self.estimate == 0:
            return 0
        return 1 if self.estimate > 0 else -1


@dataclass
class OutcomeVerdict:
    """The verdict for one outcome, with everything the report prints about how it was made."""

    outcome: str
    category: Category
    rule: str  # "R1" … "R5"
    lead: str | None
    primary: str | None
    direction: int  # −1 decrease, +1 increase, 0 none
    relevant_effect: float | None
    relevant_scale: str  # "absolute" (the outcome's unit) or "relative" (share of counterfactual)
    equivalence: dict[str, float] | None
    standings: list[Standing]
    #: the lead design's minimum detectable effect at 80 % power on its placebo runs (the
    #: reliability check; same scale as ``relevant_effect``), None when not measured
    mde: float | None = None

    @property
    def counting(self) -> list[Standing]:
        return [s for s in self.standings if s.counts]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["counting"] = [s.design for s in self.counting]
        out["significant"] = [s.design for s in self.counting if s.significant]
        return out


def standing(result: Mapping[str, Any], check: Mapping[str, Any] | None,
             flips: Sequence[str] = ()) -> Standing:
    """Whether a design's result counts (rules 1–3 of the module docstring), and why not."""
    inference = result.get("inference") or {}
    sig = significance(result)
    excluded: list[str] = []
    notes: list[str] = []
    if sig == "not_testable":
        excluded.append("no_interval")
    status = (check or {}).get("status")
    if status == "failed":
        excluded.append("reliability_failed")
    elif status == "inconclusive":
        notes.append("reliability_inconclusive")
    elif status is None:
        notes.append("reliability_missing")
    pretrend = inference.get("pretrend_p_value")
    if pretrend is not None and float(pretrend) < PRETREND_ALPHA:
        excluded.append("pretrend")
    pre, typical = inference.get("pre_rmspe"), inference.get("placebo_pre_rmspe_median")
    if pre is not None and typical is not None and float(typical) > 0 \
            and float(pre) > PRE_FIT_RATIO * float(typical):
        excluded.append("pre_fit")
    if inference.get("in_time_widened"):
        notes.append("in_time_widened")
    if flips:
        notes.append("sensitivity_flip")
    estimate = result.get("average_effect")
    return Standing(design=str(result.get("design")), significance=sig,
                    estimate=None if estimate is None else float(estimate),
                    counts=not excluded, excluded_because=excluded, notes=notes,
                    has_comparison=bool(inference.get("has_comparison", True)))


def relevant_bound(result: Mapping[str, Any], relevant: float | None = None,
                   pre_mean: float | None = None) -> tuple[float | None, str]:
    """The smallest relevant effect (positive) and the scale it applies to.

    Rates: ``relevant`` p.p. (default 1.0); counts: a share of the counterfactual (default
    0.15) on the relative interval; levels: ``relevant`` in the outcome's unit, default 10 % of
    ``pre_mean``. None when it cannot be formed (a level without its pre-period mean).
    """
    from evaluation.checks.reliability import REFERENCE_EFFECT

    kind = str(result.get("kind") or ("rate" if result.get("unit") == "pp" else "count"))
    if kind == "count" and result.get("relative_ci") is not None:
        return abs(relevant if relevant is not None else REFERENCE_EFFECT["count"]), "relative"
    if kind == "count":  # no relative interval: the share applies to the pre-period level
        share = relevant if relevant is not None else REFERENCE_EFFECT["count"]
        if pre_mean is None or not math.isfinite(pre_mean):
            return None, "absolute"
        return abs(share * pre_mean), "absolute"
    if kind == "level":
        if relevant is not None:
            return abs(relevant), "absolute"
        if pre_mean is None or not math.isfinite(pre_mean):
            return None, "absolute"
        return abs(REFERENCE_EFFECT["level"] * pre_mean), "absolute"
    return abs(relevant if relevant is not None else REFERENCE_EFFECT["rate"]), "absolute"


def decide(
    outcome: str,
    results: Sequence[Mapping[str, Any]],
    checks: Sequence[Mapping[str, Any]] = (),
    *,
    primary: str | None = "its",
    relevant: float | None = None,
    pre_mean: float | None = None,
    sensitivity: Sequence[Mapping[str, Any]] = (),
) -> OutcomeVerdict:
    """The verdict for ``outcome`` from its designs' result records and reliability checks.

    Parameters
    ----------
    outcome
        The outcome judged; records of other outcomes are ignored.
    results, checks
        ``summary.json``-style result records (with their ``inference`` block) and reliability
        check records (``design``, ``outcome``, ``status``).
    primary
        The analysis plan's primary design.
    relevant
        The smallest relevant effect (positive; p.p. for rates, a share for counts, the unit
        for levels); None: the defaults of :func:`relevant_bound`.
    pre_mean
        The evaluated kommun's pre-period mean (for a level outcome's default bound).
    """
    mine = [r for r in results if r.get("outcome") == outcome]
    by_design = {(c.get("design"), c.get("outcome")): c for c in checks}
    from evaluation.checks.sensitivity import flips

    flipped = {design: variants for (o, design), variants in flips(sensitivity).items()
               if o == outcome}
    standings = [standing(r, by_design.get((r.get("design"), outcome)),
                          flipped.get(str(r.get("design")), ())) for r in mine]
    records = {str(r.get("design")): r for r in mine}
    counting = [s for s in standings if s.counts]
    primary_name = primary if primary in records else None
    lead = next((s for s in counting if s.design == primary_name), None)
    if lead is None:
        lead = next((s for name in LEAD_ORDER for s in counting if s.design == name),
                    counting[0] if counting else None)
    bound, scale = (None, "absolute")
    if lead is not None:
        bound, scale = relevant_bound(records[lead.design], relevant, pre_mean)

    lead_check = by_design.get((lead.design, outcome)) if lead else None
    mde = (lead_check or {}).get("mde")

    def verdict(category: Category, rule: str, direction: int = 0,
                equivalence: dict[str, float] | None = None) -> OutcomeVerdict:
        return OutcomeVerdict(outcome=outcome, category=category, rule=rule,
                              lead=lead.design if lead else None, primary=primary_name,
                              direction=direction, relevant_effect=bound, relevant_scale=scale,
                              equivalence=equivalence, standings=standings,
                              mde=None if mde is None else float(mde))

    if lead is None:
        return verdict("insufficient", "R1")
    others_sig = [s for s in counting if s is not lead and s.significant]
    agree = all(s.sign == lead.sign for s in counting)
    if (lead.significant and lead.has_comparison and "in_time_widened" not in lead.notes
            and "sensitivity_flip" not in lead.notes
            and agree and (len(counting) == 1 or others_sig)):
        return verdict("clear_effect", "R2", lead.sign)
    significant = [s for s in counting if s.significant]
    if significant:
        signs = {s.sign for s in significant}
        return verdict("method_dependent", "R3", signs.pop() if len(signs) == 1 else 0)
    record = records[lead.design]
    interval = record.get("relative_ci") if scale == "relative" else record.get("ci")
    if bound is not None and interval is not None and all(
            v is not None and math.isfinite(float(v)) for v in interval):
        low, high = float(interval[0]), float(interval[1])
        if -bound < low and high < bound:
            return verdict("no_effect", "R4", 0, {"low": low, "high": high})
    return verdict("insufficient", "R5")


def decide_all(summary: Mapping[str, Any], *, relevant: Mapping[str, float] | None = None,
               pre_means: Mapping[str, float] | None = None) -> dict[str, OutcomeVerdict]:
    """:func:`decide` for every outcome of a ``summary.json``-style dict, in outcome order."""
    results = list(summary.get("results") or [])
    checks = list(summary.get("checks") or [])
    outcomes = list(dict.fromkeys(r.get("outcome") for r in results))
    primary = summary.get("primary_design")
    sensitivity = [r for r in summary.get("sensitivity") or [] if r.get("status") == "ok"]
    return {o: decide(o, results, checks, primary=primary,
                      relevant=(relevant or {}).get(o), pre_mean=(pre_means or {}).get(o),
                      sensitivity=sensitivity)
            for o in outcomes}
