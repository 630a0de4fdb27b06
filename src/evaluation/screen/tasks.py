"""One kommun × one outcome: the screened designs as library calls, and the row they give.

:func:`screen_one` is the unit of work: it runs each design the way an ordinary evaluation
does (:meth:`evaluation.evaluate.Evaluation.estimate` — the registry's estimator on an
:class:`~evaluation.designs.registry.EvaluationContext`, warnings kept in the diagnostics, the
effect in the outcome's declared unit) on the rows that design reads
(:class:`evaluation.screen.data.Prepared`), and summarises the results in one small dict
(:func:`summarise`): the lead design's estimate, interval and p-value, an approximate minimum
detectable effect and the verdict class of :func:`evaluation.verdict.decide` — the same rules
as the report, without the reliability check and the sensitivity grid (which re-fit every
design many times over; the drill-down runs them).

:func:`run_batch` is one dask task: a batch of kommuner against the data shipped once to the
worker.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from evaluation.designs.inference import normal_quantile
from evaluation.errors import DataError, DesignError
from evaluation.results import pre_period_mean
from evaluation.screen.data import Prepared, ScreenData, decomposition_windows, prepared
from evaluation.screen.settings import Resolved

#: Power of the approximate minimum detectable effect (as the reliability check's MDE).
MDE_POWER = 0.8


# =========================================================================== design calls
def _context(panel: Any, kommun: str, outcome: str, settings: Resolved) -> Any:
    from evaluation.designs.registry import EvaluationContext

    return EvaluationContext(
        panel=panel, national_panel=panel, outcome=outcome, treated=kommun,
        intervention=settings.intervention, post_end=settings.post_end,
        comparison=settings.comparison, compare_periods=tuple(settings.compare_periods),
        compare_window=settings.compare_window, donors=None, seed=settings.seed,
        ci_level=settings.ci_level)


def _estimate(prep: Prepared, kommun: str, outcome: str, settings: Resolved, design: str,
              fit_store: Any, entry: dict[str, Any]) -> Any:
    from evaluation.designs.registry import design as design_of

    exclude = settings.exclude_for(kommun)
    if design == "its":
        from evaluation.designs.its import default_error_model, its

        model = counts = None
        if fit_store is not None:
            from evaluation.screen.cache import CountModelPrefits, StoredErrorModel

            model = StoredErrorModel(default_error_model(settings.frequency), fit_store)
            counts = CountModelPrefits(fit_store)
        # the registry's ITS estimator with its own default error model, handed in so that
        # a stored pre-period fit (and a count's GLM) can be reused (evaluation.screen.cache)
        return its(prep.national_panel(kommun, exclude), outcome=outcome, treated=kommun,
                   intervention=settings.intervention, comparison=settings.comparison,
                   post_end=settings.post_end, ci_level=settings.ci_level, error_model=model,
                   prefit=counts)
    if design == "structural":
        from evaluation.designs import structural

        prefit = None
        if fit_store is not None:
            from evaluation.screen.cache import StructuralPrefits

            prefit = StructuralPrefits(fit_store)
        # the registry's estimator, with a store for its pre-period fit (equal numbers)
        return structural._estimate(
            _context(prep.national_panel(kommun, exclude), kommun, outcome, settings),
            prefit=prefit)
    if design == "decomposition":
        from evaluation.designs.comparison import _similar
        from evaluation.designs.decomposition import N_SIMILAR

        w0, w1 = decomposition_windows(settings)
        # the similar kommuner the decomposition picks (the library's own choice on the same
        # panel), recorded so that the result is stored only under the key that names them
        try:
            similar = _similar(prep.pool(outcome), treated=kommun, n=N_SIMILAR,
                               periods=[*w0, *w1], exclude=list(exclude))
        except DataError:
            similar = []
        entry["similar"] = list(similar)
        panel = prep.decomposition_panel(exclude)
        return design_of(design).estimate(_context(panel, kommun, outcome, settings))
    return design_of(design).estimate(_context(prep.national_panel(kommun, exclude), kommun,
                                               outcome, settings))


def _series(result: Any) -> dict[str, Any] | None:
    """The observed and counterfactual series (with the band) for the figure."""
    frame = result.frame
    if len(frame) < 3 or "counterfactual" not in frame:
        return None

    def values(column: str) -> list[float | None]:
        if column not in frame:
            return [None] * len(frame)
        a = frame[column].to_numpy(dtype=float)
        # NaN and ±inf as None (NaN is the only value unequal to itself)
        return [None if v != v else v for v in np.where(np.isfinite(a), a, np.nan).tolist()]

    # ``tolist`` converts a text index at once (iterating it converts each label: 0.2 CPU-s a
    # re-screen)
    return {"periods": [str(p) for p in frame.index.tolist()], "observed": values("observed"),
            "counterfactual": values("counterfactual"), "low": values("counterfactual_low"),
            "high": values("counterfactual_high")}


def run_designs(prep: Prepared, kommun: str, outcome: str, settings: Resolved,
                designs: Iterable[str], *, fit_store: Any = None) -> dict[str, dict[str, Any]]:
    """Each design in ``designs`` for one kommun and outcome; one entry per design.

    An entry holds the design's ``summary.json`` record, the pre-period mean, the series of
    the figure and the seconds it took — or the design's error (``{"sv", "en"}``) when it
    cannot be estimated for this kommun (an ordinary evaluation would stop there; the screen
    reports the kommun as not evaluated by that design).
    """
    from evaluation.data.panel import measure_info

    measure = prep.data.measures.get(outcome) or measure_info(outcome)
    out: dict[str, dict[str, Any]] = {}
    for name in designs:
        entry: dict[str, Any] = {"design": name, "kommun": kommun, "outcome": outcome,
                                 "vintage": prep.data.vintage, "record": None,
                                 "pre_mean": None, "series": None, "error": None}
        start = time.perf_counter()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = _estimate(prep, kommun, outcome, settings, name, fit_store, entry)
        except (DesignError, DataError) as exc:
            entry["error"] = {"sv": exc.sv, "en": exc.en}
        else:
            if caught:
                result.diagnostics.setdefault("warnings", []).extend(
                    sorted({str(w.message) for w in caught}))
            result.unit = measure.effect_unit
            entry["record"] = result.to_dict()
            entry["pre_mean"] = pre_period_mean(result.frame)
            entry["series"] = _series(result)
        entry["seconds"] = round(time.perf_counter() - start, 4)
        out[name] = entry
    return out


# =========================================================================== the row
def _interval(values: Any) -> tuple[float, float] | None:
    if values is None or len(values) != 2:
        return None
    try:
        lo, hi = float(values[0]), float(values[1])
    except (TypeError, ValueError):
        return None
    return (lo, hi) if math.isfinite(lo) and math.isfinite(hi) else None


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v if math.isfinite(v) else float("nan")


def mde_factor(ci_level: float, power: float = MDE_POWER) -> float:
    """Minimum detectable effect per half-width of a symmetric interval: an effect is found
    with probability ``power`` when it exceeds (z_{1−α/2} + z_power)·se, and the half-width is
    z_{1−α/2}·se (normal approximation)."""
    zc = normal_quantile(0.5 + ci_level / 2)
    return (zc + normal_quantile(power)) / zc


def summarise(kommun: str, name: str, outcome: str, entries: Mapping[str, Mapping[str, Any]],
              settings: Resolved) -> dict[str, Any]:
    """One kommun × outcome row from its designs' entries.

    Columns: the kommun, the outcome and its kind; the verdict (:func:`evaluation.verdict.
    decide`: category, rule, direction, the lead design); the lead design's ``estimate``,
    ``ci_low``/``ci_high`` and ``p_value`` (the p-value the false discovery rate is controlled
    on), for counts also the relative estimate and interval; ``z`` — the estimate over its
    standard error read off the interval, on the verdict's scale (relative for counts), used
    to rank deviations of different sizes and units; ``mde`` — an approximate minimum
    detectable effect at 80 % power on the same scale, (z_{1−α/2} + z_{0.8}) / z_{1−α/2} times
    the interval's half-width (the reliability check's placebo-based MDE re-fits the design
    many times and is left to the drill-down); and each design's estimate, interval, p-value
    and error.
    """
    from evaluation.verdict import decide

    records = [e["record"] for d in settings.designs
               if (e := entries.get(d)) is not None and e.get("record")]
    pre_mean = next((e["pre_mean"] for d in settings.designs
                     if (e := entries.get(d)) is not None and e.get("pre_mean") is not None),
                    None)
    row: dict[str, Any] = {"kommun": kommun, "kommun_name": name, "outcome": outcome}
    kind = next((r.get("kind") for r in records), None)
    row.update(kind=kind, unit=next((r.get("unit") for r in records), None))
    verdict = decide(outcome, records, [], primary=settings.primary_design,
                     relevant=settings.relevant_for(outcome), pre_mean=pre_mean)
    lead = verdict.lead or (settings.primary_design if any(
        r.get("design") == settings.primary_design for r in records) else None)
    record = next((r for r in records if r.get("design") == lead), None)
    ci = _interval(record.get("ci")) if record else None
    rel_ci = _interval(record.get("relative_ci")) if record else None
    row.update(
        verdict=verdict.category if records else "not_evaluated", verdict_rule=verdict.rule,
        direction=verdict.direction, lead_design=lead,
        estimate=_num(record.get("average_effect")) if record else float("nan"),
        ci_low=ci[0] if ci else float("nan"), ci_high=ci[1] if ci else float("nan"),
        p_value=_num(record.get("p_value")) if record else float("nan"),
        relative_estimate=_num(record.get("relative_effect")) if record else float("nan"),
        relative_ci_low=rel_ci[0] if rel_ci else float("nan"),
        relative_ci_high=rel_ci[1] if rel_ci else float("nan"),
        scale=verdict.relevant_scale, relevant_effect=_num(verdict.relevant_effect))
    relative = verdict.relevant_scale == "relative" and rel_ci is not None
    point = row["relative_estimate"] if relative else row["estimate"]
    band = rel_ci if relative else ci
    zc = normal_quantile(0.5 + settings.ci_level / 2)
    if band is not None and band[1] > band[0]:
        half = (band[1] - band[0]) / 2
        row["z"] = point / (half / zc) if math.isfinite(point) else float("nan")
        row["mde"] = half * mde_factor(settings.ci_level)
    else:
        row["z"] = row["mde"] = float("nan")
    errors = []
    for d in settings.designs:
        e = entries.get(d) or {}
        r = e.get("record") or {}
        dci = _interval(r.get("ci"))
        row[f"{d}_estimate"] = _num(r.get("average_effect"))
        row[f"{d}_ci_low"] = dci[0] if dci else float("nan")
        row[f"{d}_ci_high"] = dci[1] if dci else float("nan")
        row[f"{d}_p_value"] = _num(r.get("p_value"))
        err = e.get("error")
        row[f"{d}_error"] = err["en"] if err else ""
        row[f"{d}_error_sv"] = err["sv"] if err else ""
        if err:
            errors.append(d)
    row["designs_failed"] = ",".join(errors)
    return row


# =========================================================================== one call, batches
def screen_one(data: ScreenData, kommun: str, outcome: str, *,
               cached: Mapping[str, Mapping[str, Any]] | None = None,
               fit_store: Any = None, designs: Iterable[str] | None = None,
               ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Screen one kommun for one outcome: ``(row, new entries)``.

    ``cached`` holds entries of designs already known (from the result cache); the other
    designs of ``data.settings`` (of ``designs``, when given) are run, and the row is
    summarised from what is known then.
    """
    settings = data.settings
    cached = dict(cached or {})
    prep = prepared(data)
    wanted = settings.designs if designs is None else tuple(designs)
    todo = [d for d in settings.designs if d in wanted and d not in cached]
    new = run_designs(prep, kommun, outcome, settings, todo, fit_store=fit_store)
    row = summarise(kommun, data.names.get(kommun, kommun), outcome, {**cached, **new},
                    settings)
    return row, new


def run_batch(data: ScreenData, items: list[tuple[str, str, dict[str, Any]]],
              fit_dir: str | None = None) -> dict[str, Any]:
    """One dask task: ``items`` are ``(kommun, outcome, cached entries)``, optionally with the
    designs to run as a fourth element (default: every design of the settings); returns the
    rows, the new entries and what the worker computed (design calls, ITS fits made and
    reused). The garbage collector runs less often meanwhile
    (:func:`evaluation.gc_tuning.fewer_collections`)."""
    import os

    from evaluation.data.panel import declare_measures
    from evaluation.gc_tuning import fewer_collections
    from evaluation.screen.cache import FitStore, fit_counts

    declare_measures(data.measures)
    store = FitStore(fit_dir) if fit_dir else None
    rows, entries = [], []
    calls: dict[str, int] = {}
    start, cpu = time.perf_counter(), time.process_time()
    with fewer_collections():
        for kommun, outcome, cached, *designs in items:
            row, new = screen_one(data, kommun, outcome, cached=cached, fit_store=store,
                                  designs=designs[0] if designs else None)
            rows.append(row)
            entries.append(new)
            for d in new:
                calls[d] = calls.get(d, 0) + 1
    return {"rows": rows, "entries": entries, "calls": calls, **fit_counts(store),
            "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            "pid": os.getpid()}
