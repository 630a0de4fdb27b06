"""Error rates of the verdict itself: how often does it say *tydlig effekt*, with and without one?

The verdict (:func:`evaluation.verdict.decide`) combines every design's result for one outcome
into ``clear_effect`` / ``method_dependent`` / ``no_effect`` / ``insufficient``. Its error rates
are measured by simulation, the way :mod:`evaluation.checks.placebo` measures one design's:

* :func:`null_runs` — every design (its registry ``run_at``: its defaults, the
  comparison-group designs with every other unit of the same type as donors) is run on an
  untreated unit at a placebo date, on the data up to the end of the post window only (as an
  evaluator would see them). Nothing happened there, so a ``clear_effect`` is a false alarm.
* :func:`stepped_verdicts` — the same pairs with a known effect added from the date, read off
  the null runs (see the function: a step moves every design's estimate and interval one for
  one, :mod:`evaluation.checks.reliability`'s docstring), so the power costs no re-fit.
* :func:`rates` — the share of pairs in a category with a 95 % band from a bootstrap that
  resamples whole **dates** (a national shock hits every unit at once, so pairs at one date
  are not independent), overall and for kommuner of 10 000–20 000 inhabitants.
* :func:`detectable_step` — the smallest multiple of the reference effect at which the
  verdict finds ``clear_effect`` (in the right direction) in at least 80 % of the pairs.
* :func:`null_check` — the false-alarm rate against the nominal 5 % with the exact one-sided
  binomial test the reliability check uses (it fails for a verdict that calls everything clear,
  ``tests/checks/test_verdict_rates.py``).

**Reliability checks are not run in the simulation.** In a report each design's reliability
check re-fits the design about 36 times (12 kommuner × 3 placebo dates) and a *failed* check
removes the design from the verdict (``evaluation.verdict`` rule 2). Running it for every
simulated pair would multiply the cost by ~36, so :func:`decide` gets ``checks=()``: every
design has "reliability_missing", which is noted but does not exclude it. The measured rates
are therefore those of a verdict in which no design was excluded by its reliability check (the
other gates — no interval, DiD's pre-trend test, synthetic control's pre-period fit, the lead's
in-time widening — are applied as in a report). Nor is the sensitivity grid
(:mod:`evaluation.checks.sensitivity`, another ~10 re-estimations per design): ``decide`` gets
no ``sensitivity`` rows, so no lead is blocked by a flip. Both omitted gates can only move a
pair out of ``clear_effect``, so they can only lower the measured P(clear) — false alarms and
power alike.

The reference effect is frozen at today's (2026-11-30) values, the demo's effect sizes:
:data:`REFERENCE_STEP` = −1.0 percentage point for rates, −15 % for counts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import measure_info, shift_period
from evaluation.errors import EvaluationError
from evaluation.verdict import CATEGORIES, OutcomeVerdict, decide, significance

#: The effect the power refers to, frozen at the demo's effect sizes of 2026-11-30
#: (``evaluation.data.demo.EFFECT_UNEMPLOYMENT_PP`` / ``EFFECT_HOUSEHOLDS_RELATIVE`` and
#: ``evaluation.checks.reliability.REFERENCE_EFFECT``): −1.0 p.p. for rates, a relative −15 %
#: for counts. Levels have no frozen step (10 % of the unit's pre-period mean in a report).
REFERENCE_STEP = {"rate": -1.0, "count": -0.15}
#: The issue's targets: P(clear_effect | no effect) ≤ 5 %, P(clear_effect | effect) ≥ 80 %.
NOMINAL = 0.05
TARGET_POWER = 0.80
#: Kommuner the power target is stated for (inhabitants, both ends included).
SIZE_BAND = (10_000.0, 20_000.0)
#: Grid of multiples of the reference effect searched by :func:`detectable_step`.
STEP_MULTIPLES = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
#: Inference diagnostics the verdict's gates read (``evaluation.verdict.standing``).
GATE_KEYS = ("inference", "pretrend_p_value", "pre_rmspe", "placebo_pre_rmspe_median",
             "has_comparison", "in_time_widened", "n_placebo")
RECORD_KEYS = ("outcome", "design", "kind", "unit", "estimand", "post_window", "average_effect",
               "relative_effect", "ci", "relative_ci", "p_value", "p_value_method")
RELIABILITY_NOTE = ("reliability checks not run in the simulation (each re-fits a design ~36 "
                    "times per pair); decide() got checks=() — 'reliability_missing', which "
                    "does not exclude a design — and no sensitivity-grid rows (no lead blocked "
                    "by a flip); both gates can only lower P(clear)")

DecideFn = Callable[..., OutcomeVerdict]


# ------------------------------------------------------------------------------ null runs
def null_runs(
    panel: pd.DataFrame,
    *,
    outcome: str,
    units: Sequence[str] | None = None,
    dates: Sequence[str] = (),
    post_length: int,
    designs: Iterable[Any] | None = None,
    comparison: Any = "riket",
    primary: str | None = "its",
    progress: Callable[[int, int, dict[str, Any]], None] | None = None,
    pairs: Sequence[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Every design at every (unit, date) pair of a panel where nothing happened, and the verdict.

    Parameters
    ----------
    panel
        Long panel (``unit, period, measure, value``) without any real effect on ``units``
        (leave the actually treated unit out).
    outcome
        The outcome measure.
    units, dates
        The grid of untreated units × placebo dates (``pairs`` instead gives the pairs).
    post_length
        Periods in the post window, the date included; a pair whose window would reach past
        the unit's last period of ``outcome`` is skipped.
    designs
        Design names or :class:`~evaluation.designs.registry.Design` objects; None: the
        registry's default set.
    comparison
        Comparison set of the national designs (``"riket"``).
    primary
        The primary design given to :func:`~evaluation.verdict.decide`.
    progress
        Called as ``progress(i, n, row)`` after each pair.
    pairs
        Explicit ``(unit, date)`` pairs (overrides the ``units`` × ``dates`` grid).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``unit, date, end, population`` (mean of the unit's ``population``
        measure up to ``end``, NaN without one), ``pre_mean`` (the unit's outcome before the
        date), ``kind``, per design ``<design>__estimate / __low / __high / __rel_low /
        __rel_high / __significance / __error / __seconds``, ``records`` (the
        ``EffectResult.to_dict()`` fields :func:`decide` reads, plus ``_post_mean`` and
        ``_cf_mean``, the observed and counterfactual post-window means the step shortcut
        needs), the null verdict ``category, rule, direction, lead`` and ``seconds`` (wall time
        of the pair). ``attrs`` holds the settings and :data:`RELIABILITY_NOTE`: the
        designs' reliability checks are **not** run (``checks=()``).
    """
    from evaluation.designs.registry import Design, design
    from evaluation.designs.registry import designs as registered

    chosen = registered() if designs is None else sorted(
        (d if isinstance(d, Design) else design(d) for d in designs), key=lambda d: d.order)
    kind = measure_info(outcome).kind
    sub = panel[panel["measure"].isin({outcome, "population", "labour_force"})]
    last = sub.loc[sub["measure"] == outcome].groupby("unit")["period"].max()
    grid = list(pairs) if pairs is not None else [(u, d) for d in dates for u in (units or [])]
    todo = []
    for unit, date in grid:
        end = shift_period(date, post_length - 1)
        if unit in last.index and end <= str(last[unit]):
            todo.append((str(unit), str(date), end))
    rows = []
    for i, (unit, date, end) in enumerate(todo):
        t_pair = time.perf_counter()
        data = sub[sub["period"] <= end]
        row: dict[str, Any] = {"unit": unit, "date": date, "end": end, "kind": kind}
        mine = data[data["unit"] == unit]
        pop = mine.loc[mine["measure"] == "population", "value"]
        row["population"] = float(pop.mean()) if len(pop) else float("nan")
        pre = mine.loc[(mine["measure"] == outcome) & (mine["period"] < date), "value"]
        row["pre_mean"] = float(pre.mean()) if len(pre) else float("nan")
        records = []
        for d in chosen:
            t0 = time.perf_counter()
            try:
                result = d.run_at(data, outcome=outcome, unit=unit, date=date, post_end=end,
                                  comparison=comparison)
            except EvaluationError as exc:
                row[f"{d.name}__error"] = exc.text("en")
                row[f"{d.name}__significance"] = "no_result"
            else:
                rec = slim_record(result)
                records.append(rec)
                row.update(_flat(d.name, rec))
                row[f"{d.name}__error"] = ""
            row[f"{d.name}__seconds"] = time.perf_counter() - t0
        row["records"] = records
        v = decide(outcome, records, (), primary=primary, pre_mean=row["pre_mean"])
        row.update(category=v.category, rule=v.rule, direction=v.direction, lead=v.lead)
        row["seconds"] = time.perf_counter() - t_pair
        rows.append(row)
        if progress is not None:
            progress(i + 1, len(todo), row)
    runs = pd.DataFrame(rows)
    runs.attrs.update(outcome=outcome, kind=kind, post_length=int(post_length),
                      designs=[d.name for d in chosen], primary=primary,
                      comparison=str(comparison), reliability=RELIABILITY_NOTE,
                      skipped=len(grid) - len(todo))
    return runs


def slim_record(result: Any) -> dict[str, Any]:
    """The parts of ``result.to_dict()`` the verdict reads, plus the post-window means.

    ``_post_mean``: mean observed value over the design's post rows (the decomposition's one
    post row is already the window mean); ``_cf_mean``: the same for the counterfactual. Both
    over the rows where both are finite (the rows the estimate averages).
    """
    full = result.to_dict()
    rec = {k: full.get(k) for k in RECORD_KEYS}
    inference = full.get("inference") or {}
    rec["inference"] = {k: inference[k] for k in GATE_KEYS if k in inference} or None
    frame = result.frame
    post = frame["post"].astype(bool).to_numpy()
    obs = frame["observed"].to_numpy(float)
    cf = frame["counterfactual"].to_numpy(float)
    ok = post & np.isfinite(obs) & np.isfinite(cf)
    rec["_post_mean"] = float(obs[ok].mean()) if ok.any() else None
    rec["_cf_mean"] = float(cf[ok].mean()) if ok.any() else None
    return rec


def _flat(name: str, rec: Mapping[str, Any]) -> dict[str, Any]:
    ci = rec.get("ci") or [None, None]
    rel = rec.get("relative_ci") or [None, None]
    inf = rec.get("inference") or {}
    return {f"{name}__estimate": rec.get("average_effect"),
            f"{name}__low": ci[0], f"{name}__high": ci[1],
            f"{name}__rel_low": rel[0], f"{name}__rel_high": rel[1],
            f"{name}__significance": significance(rec),
            f"{name}__pretrend_p": inf.get("pretrend_p_value"),
            f"{name}__in_time_widened": inf.get("in_time_widened")}


# ------------------------------------------------------------------------------ the step
def shift_record(rec: Mapping[str, Any], step: float, kind: str) -> dict[str, Any]:
    """One design's record as it would be with a known effect ``step`` added from the date.

    Rates and levels: the estimate and both ends of the interval move by ``step``. Counts (a
    relative ``step``): they move by ``δ = step × the observed post-window mean`` (the step
    multiplies every observed post value; the counterfactual is fitted on the pre-period only).
    The relative interval follows the design's own construction:

    * a relative end that is ``Σ observed / Σ counterfactual-at-that-end − 1`` (ITS, synthetic
      control, DiD, SDID: ``r = a / (m − a)`` with ``a`` the absolute end and ``m`` the observed
      post mean) keeps its counterfactual, so ``r' = r + δ / (m − a)``;
    * a relative interval made around the relative estimate (the decomposition:
      ``a = r × predicted``) moves with the estimate, ``r' = r + δ / predicted``;
    * anything else (not recognised): ``r' = r + step`` (the brief's approximation).

    The relative estimate becomes ``(1 + step)(1 + r) − 1``. Gates (pre-trend, pre-period fit,
    in-time widening) depend on the pre-period and the interval's width only, and stay.
    """
    out = dict(rec)
    if not step:
        return out
    ci = rec.get("ci")
    if kind == "count":
        m = rec.get("_post_mean")
        if m is None or not math.isfinite(float(m)):
            return out
        delta = step * float(m)
    else:
        delta = step
    if rec.get("average_effect") is not None:
        out["average_effect"] = float(rec["average_effect"]) + delta
    if ci is not None and all(v is not None for v in ci):
        out["ci"] = [float(ci[0]) + delta, float(ci[1]) + delta]
    if kind == "count":
        rel = rec.get("relative_effect")
        if rel is not None:
            out["relative_effect"] = (1 + step) * (1 + float(rel)) - 1
        rel_ci = rec.get("relative_ci")
        if rel_ci is not None and ci is not None and all(v is not None for v in (*rel_ci, *ci)):
            out["relative_ci"] = [_shift_relative(float(r), float(a), float(m),
                                                  rec.get("_cf_mean"), step, delta)
                                  for r, a in zip(rel_ci, ci, strict=True)]
    return out


def _shift_relative(r: float, a: float, m: float, cf_mean: float | None, step: float,
                    delta: float) -> float:
    if m - a > 0 and math.isclose(r, a / (m - a), rel_tol=1e-6, abs_tol=1e-9):
        return r + delta / (m - a)
    if cf_mean and math.isclose(r, a / cf_mean, rel_tol=1e-6, abs_tol=1e-9):
        return r + delta / cf_mean
    return r + step


def verdicts(
    runs: pd.DataFrame,
    *,
    step: float = 0.0,
    kind: str | None = None,
    primary: str | None = None,
    decide_fn: DecideFn | None = None,
) -> pd.DataFrame:
    """The verdict of every pair of ``runs`` with ``step`` added (0: the null verdicts again).

    ``decide_fn`` replaces :func:`~evaluation.verdict.decide` (same signature); the tests feed
    a verdict that calls everything clear to see :func:`null_check` fail. Returns ``unit, date,
    population, category, rule, direction, lead``.
    """
    decide_fn = decide_fn or decide
    outcome = runs.attrs.get("outcome")
    primary = primary if primary is not None else runs.attrs.get("primary", "its")
    rows = []
    for rec in runs.to_dict(orient="records"):
        k = kind or rec.get("kind") or "rate"
        records = [shift_record(r, step, k) for r in rec["records"]]
        name = outcome or (records[0]["outcome"] if records else "")
        pre_mean = rec.get("pre_mean")
        v = decide_fn(name, records, (), primary=primary,
                      pre_mean=None if pre_mean is None or not np.isfinite(pre_mean)
                      else float(pre_mean))
        rows.append({"unit": rec["unit"], "date": rec["date"],
                     "population": rec.get("population", np.nan), "category": v.category,
                     "rule": v.rule, "direction": v.direction, "lead": v.lead})
    out = pd.DataFrame(rows, columns=["unit", "date", "population", "category", "rule",
                                      "direction", "lead"])
    out.attrs.update(runs.attrs, step=step)
    return out


def restrict(runs: pd.DataFrame, designs: Iterable[str]) -> pd.DataFrame:
    """``runs`` as if only ``designs`` had been run: the other designs' records and columns
    dropped and the null verdict decided again (no re-fit; the designs do not see each other)."""
    keep = [str(d) for d in designs]
    dropped = [d for d in runs.attrs.get("designs", []) if d not in keep]
    out = runs.drop(columns=[c for c in runs.columns if c.split("__")[0] in dropped]).copy()
    out["records"] = [[r for r in recs if r.get("design") in keep] for recs in runs["records"]]
    out.attrs.update(runs.attrs, designs=[d for d in runs.attrs.get("designs", keep)
                                          if d in keep])
    v = verdicts(out)
    for col in ("category", "rule", "direction", "lead"):
        out[col] = v[col].to_numpy()
    timed = [f"{d}__seconds" for d in keep if f"{d}__seconds" in out]
    if timed:  # the kept designs' fitting time (the pair's overhead is not re-measured)
        out["seconds"] = out[timed].sum(axis=1)
    return out


def stepped_verdicts(runs: pd.DataFrame, step: float, kind: str | None = None,
                     **kwargs: Any) -> pd.DataFrame:
    """The verdict of every pair with a known effect ``step`` added from its date to its end.

    Why this equals re-fitting (``evaluation.checks.reliability``'s docstring, "Power"): every
    design fits its counterfactual — and, for the comparison-group designs and the
    decomposition, its placebo units' estimates, size scales and in-time estimates — on the
    pre-period (or on units other than the stepped one) only, so the step changes the treated
    unit's post-period observations and nothing else: the estimate moves by the step and the
    interval, whose width does not depend on the estimate, moves with it one for one. Exact for
    rates and levels; for counts the step is relative and the shift is ``step × the unit's
    observed post-window mean`` (exact for ITS and the decomposition, up to the population's
    change within the window for the comparison-group designs, which fit per 1 000
    inhabitants); :func:`shift_record` gives the relative interval.
    ``tests/checks/test_verdict_rates.py`` checks the shortcut against a re-fit with
    :func:`~evaluation.checks.placebo.add_step`.

    ``kind``: ``"rate"``/``"level"`` (``step`` in the outcome's unit) or ``"count"``
    (relative); None: the runs' own kind.
    """
    return verdicts(runs, step=step, kind=kind, **kwargs)


# ------------------------------------------------------------------------------ rates
def _in_band(population: pd.Series, band: tuple[float, float]) -> pd.Series:
    return population.between(band[0], band[1], inclusive="both")


def date_bootstrap(frame: pd.DataFrame, column: str, *, n_boot: int = 2000, seed: int = 1,
                   level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the mean of the 0/1 ``column``, resampling whole dates."""
    if frame.empty:
        return (float("nan"), float("nan"))
    grouped = frame.groupby("date")[column].agg(["sum", "count"])
    sums, counts = grouped["sum"].to_numpy(float), grouped["count"].to_numpy(float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(sums), size=(n_boot, len(sums)))
    shares = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    a = (1 - level) / 2
    return float(np.quantile(shares, a)), float(np.quantile(shares, 1 - a))


def rates(
    runs: pd.DataFrame,
    category: str = "clear_effect",
    *,
    direction: int | None = None,
    n_boot: int = 2000,
    seed: int = 1,
    band: tuple[float, float] = SIZE_BAND,
) -> pd.DataFrame:
    """Share of pairs whose verdict is ``category`` (and ``direction``), with date-bootstrap bands.

    ``runs`` is :func:`null_runs`' or :func:`verdicts`' frame. Every pair counts in the
    denominator (a pair where no design gave an interval is ``insufficient``, not dropped).
    ``direction`` (−1/+1) counts only verdicts in that direction (power: the right sign).
    Rows: ``all``, ``band`` (population within ``band``, both ends included) and
    ``outside_band``; columns ``group, pairs, dates, share, low, high`` (``low``/``high``: 95 %
    percentile interval of a bootstrap that resamples whole dates, ``n_boot`` draws).
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; known: {CATEGORIES}")
    hit = runs["category"] == category
    if direction is not None:
        hit &= runs["direction"] == direction
    frame = pd.DataFrame({"date": runs["date"], "hit": hit.astype(float)})
    inside = _in_band(runs["population"].astype(float), band)
    groups = {"all": np.ones(len(runs), bool), "band": inside.to_numpy(),
              "outside_band": (~inside).to_numpy()}
    rows = []
    for name, mask in groups.items():
        part = frame[mask]
        low, high = date_bootstrap(part, "hit", n_boot=n_boot, seed=seed)
        rows.append({"group": name, "pairs": int(len(part)),
                     "dates": int(part["date"].nunique()),
                     "share": float(part["hit"].mean()) if len(part) else float("nan"),
                     "low": low, "high": high})
    out = pd.DataFrame(rows)
    out.attrs.update(category=category, direction=direction, band=band)
    return out


def category_shares(runs: pd.DataFrame, **kwargs: Any) -> dict[str, pd.DataFrame]:
    """:func:`rates` for every verdict category."""
    return {c: rates(runs, c, **kwargs) for c in CATEGORIES}


def power(runs: pd.DataFrame, step: float, kind: str | None = None, **kwargs: Any
          ) -> pd.DataFrame:
    """P(clear_effect in the step's direction | step): :func:`rates` of :func:`stepped_verdicts`."""
    stepped = stepped_verdicts(runs, step, kind)
    return rates(stepped, "clear_effect", direction=int(np.sign(step)) or None, **kwargs)


def reference_step(kind: str) -> float:
    """The frozen reference effect for ``kind`` (:data:`REFERENCE_STEP`)."""
    try:
        return REFERENCE_STEP[kind]
    except KeyError:
        raise ValueError(f"no frozen reference step for kind {kind!r}") from None


def detectable_step(
    runs: pd.DataFrame,
    kind: str | None = None,
    target: float = TARGET_POWER,
    *,
    multiples: Sequence[float] = STEP_MULTIPLES,
    reference: float | None = None,
    band: tuple[float, float] | None = SIZE_BAND,
) -> dict[str, Any]:
    """The smallest step at which the verdict finds the effect in ≥ ``target`` of the pairs.

    Searches ``multiples`` × the reference effect (:data:`REFERENCE_STEP`, or ``reference``)
    among the pairs whose population lies in ``band`` (None: every pair — the county panel has
    no kommun of 10–20 k). A step is *detectable* when P(clear_effect in its direction) ≥
    ``target`` at that multiple and at every larger one of the grid (power need not be
    monotone in a finite sample). Returns ``{"reference", "multiple", "step", "power" (by
    multiple), "pairs", "band"}``; ``multiple``/``step`` None when even the largest is short.
    """
    kind = kind or str(runs["kind"].iloc[0])
    ref = reference if reference is not None else reference_step(kind)
    mask = np.ones(len(runs), bool) if band is None else _in_band(
        runs["population"].astype(float), band).to_numpy()
    sub = runs[mask]
    sub.attrs.update(runs.attrs)
    table: dict[float, float] = {}
    for m in sorted(multiples):
        v = stepped_verdicts(sub, m * ref, kind)
        hit = (v["category"] == "clear_effect") & (v["direction"] == int(np.sign(ref)))
        table[float(m)] = float(hit.mean()) if len(v) else float("nan")
    found = None
    for m in sorted(table, reverse=True):
        if table[m] >= target:
            found = m
        else:
            break
    return {"reference": ref, "multiple": found, "step": None if found is None else found * ref,
            "power": table, "pairs": int(mask.sum()), "band": band, "target": target}


def null_check(runs: pd.DataFrame, *, nominal: float = NOMINAL, decide_fn: DecideFn | None = None,
               n_boot: int = 2000, seed: int = 1) -> dict[str, Any]:
    """P(clear_effect | no effect) against ``nominal``: the reliability check's test.

    ``status`` is "failed" when the exact one-sided binomial test of "rate ≤ nominal" rejects
    at 5 % (:func:`evaluation.checks.reliability.false_alarm_status`; it treats pairs as
    independent, so the date-bootstrap band is reported beside it), "passed" otherwise,
    "inconclusive" below 10 pairs. ``decide_fn`` re-decides the pairs with another verdict.
    """
    from evaluation.checks.reliability import false_alarm_status

    v = runs if decide_fn is None else verdicts(runs, decide_fn=decide_fn)
    hit = (v["category"] == "clear_effect").astype(float)
    k, n = int(hit.sum()), int(len(v))
    status, band, p = false_alarm_status(k, n, nominal)
    low, high = date_bootstrap(pd.DataFrame({"date": v["date"], "hit": hit}), "hit",
                               n_boot=n_boot, seed=seed)
    return {"status": status, "false_alarms": k, "pairs": n, "rate": k / n if n else None,
            "binomial_band": list(band), "binomial_p": p, "date_band": [low, high],
            "nominal": nominal}
