"""Two-period decomposition: the local change net of what the national development predicts.

For two periods t0 < t1 (e.g. April 2022 and April 2023):

* rates and levels: predicted_t1 = local_t0 + (comparison_t1 − comparison_t0) (percentage points,
  or the level's own unit, e.g. kr per invånare);
* counts: predicted_t1 = local rate per 1 000 at t0 × (comparison rate t1 / t0) × local
  population at t1 / 1 000, i.e. local_t0 × comparison ratio × population growth;

local deviation = observed_t1 − predicted_t1 (the effect estimate, in natural units), and for
counts also relative to the prediction. What an outcome is comes from
:func:`evaluation.data.panel.measure_info` (declared, never guessed).

Uncertainty: the same deviation is computed for ``n_similar`` kommuner of similar size (each
against the comparison series recomputed without that unit and without the treated unit);
their deviations D describe how much a kommun of this size deviates from the national
development without any reform. Each deviation is divided by a size scale (each unit's
pre-period noise regressed on ``log population`` over the treated and similar units;
:func:`evaluation.designs.inference.size_scale_fit`), so a small pool of kommuner of every size
does not give small kommuner too narrow intervals and large ones too wide. With at least
⌈2/α⌉ − 1 units (39 for 95 %) the interval inverts the rank test of "effect = δ" on the scaled
deviations (exact under exchangeability); with 2–38 it is the placebo variance with a t(N − 1)
critical value (as the comparison-group designs); the p-value comes from the same procedure.

The interval is never narrower than the treated kommun's own past allows: its deviation is
also computed for up to six earlier pairs of windows the same distance apart, before the base
window, and :func:`~evaluation.designs.inference.in_time_floor` widens the interval when those
deviations are larger than the similar kommuner's spread explains (all pairs are the same
distance apart, so their root mean square is a spread with as many degrees of freedom as pairs:
a t quantile) — a kommun that reacts more
strongly than the nation to the national cycle, or drifts on its own, shows it there
(calibration study, R = 1 000: 11–13 % false alarms without the floor in that cell; 7–8.5 %
with 7 similar kommuner, where the placebo spread alone is a thin basis).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.panel import measure_info, period_frequency, periods_between, shift_period
from evaluation.designs.comparison import (
    ComparisonSet,
    _comparison,
    _Pool,
    _pool,
    _set_members,
    _similar,
    _validate_set,
    excluded_units,
    outcome_series,
    population_series,
)
from evaluation.designs.inference import (  # noqa: F401  (rank_interval re-exported)
    in_time_floor,
    min_units_for_level,
    placebo_inference,
    rank_interval,
    size_scale_fit,
)
from evaluation.designs.wide import mean_skipping_nan, positions, positions_or_missing
from evaluation.errors import DataError, DesignError
from evaluation.windows import (  # noqa: F401  (re-exported)
    COMPARE_WINDOW,
    default_compare_periods,
)
from evaluation.results import CI_LEVEL, EffectResult


#: Kommuner of similar size whose deviations give the interval: with 79, k = 2 and the rank
#: interval has exactly 95 % coverage (59 gives 96.7 %, i.e. a conservative test).
N_SIMILAR = 79
#: At most this many earlier pairs of windows for the treated unit's own floor (cheap: means).
MAX_IN_TIME = 6


def _predict(kind: str, *, y0: np.ndarray, c0: np.ndarray, c1: np.ndarray,
             p0: np.ndarray | None, p1: np.ndarray | None) -> np.ndarray:
    """Predicted t1 value from the t0 value and the comparison development (additive for rates
    and levels, proportional for counts)."""
    if kind != "count":
        return y0 + (c1 - c0)
    growth = 1.0 if p0 is None or p1 is None else p1 / p0
    with np.errstate(divide="ignore", invalid="ignore"):
        return y0 * (c1 / c0) * growth


def decomposition(
    panel: pd.DataFrame,
    *,
    outcome: str,
    treated: str,
    compare_periods: tuple[str, str],
    comparison: ComparisonSet = "riket",
    n_similar: int = N_SIMILAR,
    ci_level: float = CI_LEVEL,
    window: int = 1,
    exclude: Sequence[str] | None = None,
) -> EffectResult:
    """Observed change between two periods = national-predicted change + local deviation.

    Parameters
    ----------
    panel
        Canonical long panel.
    outcome
        Measure name (rate or count).
    treated
        Code of the treated unit.
    compare_periods
        ``(t0, t1)`` with t0 before t1, e.g. ``("2022-04", "2023-04")``.
    comparison
        ``"riket"``, ``"lan"`` or a list of codes (see :func:`comparison_series`).
    n_similar
        Number of kommuner of similar size whose deviations give the interval.
    ci_level
        Interval level.
    window
        Number of periods averaged at each end: 1 compares the two months (or years) themselves;
        12 compares the means of the 12 months up to and including t0 and t1 (a full year each,
        so seasonal and one-off monthly noise largely cancel).
    exclude
        Units left out of the comparison series and of the similar units (neighbours, similar
        reforms); default the units
        :func:`~evaluation.designs.comparison.exclude_from_comparison` marked on ``panel``.

    Returns
    -------
    EffectResult
        ``design="decomposition"``; ``average_effect`` = local deviation at t1 (window mean),
        ``post_window`` = the window ending at t1,
        ``post_window = (t1, t1)``; ``ci``/``p_value`` None when fewer than 39 (for 95 %)
        comparison units are available.

    Raises
    ------
    DesignError
        Periods in the wrong order or without data for the treated unit.
    """
    t0, t1 = (str(p) for p in compare_periods)
    for p in (t0, t1):
        try:
            period_frequency(p)
        except DataError as exc:
            raise DesignError(exc.sv, exc.en) from exc
    if not t0 < t1:
        raise DesignError(
            f"Jämförelseperioderna {t0} och {t1} är i fel ordning: ange den tidigare perioden "
            "först.",
            f"The comparison periods {t0} and {t1} are in the wrong order: give the earlier "
            "period first.",
        )
    if not 0 < ci_level < 1:
        raise DesignError(
            f"Konfidensnivån {ci_level} måste ligga mellan 0 och 1, t.ex. 0.95.",
            f"The confidence level {ci_level} must lie between 0 and 1, e.g. 0.95.",
        )
    if int(window) < 1:
        raise DesignError(
            f"Jämförelsefönstret {window} måste vara minst 1 period.",
            f"The comparison window {window} must be at least 1 period.",
        )
    window = int(window)
    w0 = [shift_period(t0, -k) for k in range(window - 1, -1, -1)]
    w1 = [shift_period(t1, -k) for k in range(window - 1, -1, -1)]
    if w1[0] <= t0:
        raise DesignError(
            f"Fönstren på {window} perioder fram till {t0} och {t1} överlappar: välj perioder "
            f"minst {window} perioder isär eller ett kortare fönster.",
            f"The {window}-period windows ending {t0} and {t1} overlap: choose periods at least "
            f"{window} periods apart or a shorter window.",
        )
    y = outcome_series(panel, unit=treated, measure=outcome)
    missing = _without_value(y, w0 + w1)
    if missing:
        raise DesignError(
            f"{treated} saknar värde för {outcome} {', '.join(missing)}: välj perioder med data.",
            f"{treated} has no value for {outcome} in {', '.join(missing)}: choose periods "
            "with data.",
        )
    info = measure_info(outcome)
    kind = info.kind
    _validate_set(comparison)
    pool = _pool(panel, outcome)
    exclude = [u for u in excluded_units(panel, exclude) if u != treated]
    comp = _comparison(pool, treated=treated, comparison=comparison, exclude=exclude)
    c = comp.series
    if _without_value(c, w0 + w1):
        raise DesignError(
            f"Jämförelseserien saknar värde för {t0} eller {t1}: välj perioder med data.",
            f"The comparison series has no value for {t0} or {t1}: choose periods with data.",
        )
    pop_s = population_series(panel, treated) if kind == "count" else None
    y0, y1, c0, c1, p0, p1, pred = _window_prediction(y, c, _filled(pop_s, w0 + w1), kind,
                                                      w0, w1)
    if kind == "count" and not pred > 0:
        raise DesignError(
            f"Förväntat värde för {treated} {t1} blir {pred:g} (antalet {t0} är {y0:g}): "
            "beräkningen kräver ett positivt antal under basperioden.",
            f"The predicted value for {treated} {t1} is {pred:g} (the count in {t0} is {y0:g}): "
            "the decomposition needs a positive count in the base period.",
        )
    d = y1 - pred
    rel = d / pred if kind == "count" else None

    # ------------------------------------------------------------ similar units
    draws, used, reason = _similar_deviations(
        pool, outcome=outcome, treated=treated, comparison=comparison, windows=(w0, w1),
        n_similar=n_similar, kind=kind, comp_diagnostics=comp.diagnostics, exclude=exclude,
    )
    need = min_units_for_level(ci_level)
    ci = p_value = rel_ci = None
    method = None
    scales = _size_scales(pool, treated, used, draws, w0)
    in_time = _in_time_deviations(y, c, pop_s, kind, w0, w1, periods_between(t0, t1))
    widened = False
    ci_in_space = None
    if len(draws) >= 2:
        stat = d if kind != "count" else rel
        interval, p_value, method = placebo_inference(
            stat, scales[treated], draws, np.array([scales[u] for u in used]), ci_level)
        # never narrower than the treated unit's own deviations at earlier dates allow
        values = np.array([v[0] for v in in_time.values()], float)
        in_space = interval
        interval, p_value, widened = in_time_floor(stat, interval, p_value, values, values,
                                                   len(draws), ci_level,
                                                   df_time=len(values) or None)
        if in_space is not None:
            ci_in_space = (in_space if kind != "count"
                           else (in_space[0] * pred, in_space[1] * pred))
        if interval is not None and kind == "count":
            rel_ci = interval
            ci = (rel_ci[0] * pred, rel_ci[1] * pred)
        else:
            ci = interval
    elif reason is None:
        reason = (f"{len(draws)} jämförelseenheter av liknande storlek, minst 2 behövs",
                  f"{len(draws)} comparison units of similar size, at least 2 needed")

    frame = pd.DataFrame(
        {"observed": [y0, y1], "counterfactual": [y0, pred], "comparison": [c0, c1],
         "post": [False, True]},
        index=pd.Index([t0, t1], name="period"),
    )
    frame["effect"] = frame["observed"] - frame["counterfactual"]
    frame = frame[["observed", "counterfactual", "effect", "post", "comparison"]]
    diagnostics: dict[str, Any] = {
        "observed_change": y1 - y0,
        "national_predicted_change": pred - y0,
        "local_deviation": d,
        "relative_deviation": rel,
        # the same parts under the names the report layer reads (figures.decomposition_parts)
        "decomposition": {"observed_change": y1 - y0, "national_change": pred - y0,
                          "local_deviation": d},
        "n_units": len(draws),
        "units": used,
        # the treated unit's own deviations (in the outcome's unit) at earlier pairs of
        # windows the same distance apart, and whether they widened the interval
        "in_time_estimates": {k: v[1] for k, v in in_time.items()},
        "in_time_widened": bool(widened),
        "ci_in_space": ci_in_space,
        "similar_unit_deviations": [float(v) for v in draws],
        "deviation_scale": {"rate": "percentage points", "count": "relative to predicted"}.get(
            kind, info.unit_en),
        "comparison_t0": c0,
        "comparison_t1": c1,
        "comparison": comp.description,
        "comparison_sv": comp.description_sv,
        "comparison_diagnostics": comp.diagnostics,
        "population_t0": p0,
        "population_t1": p1,
        "min_units_needed": need,
        "inference": method if ci is not None else None,
        "n_placebo": len(draws),
        "size_scales": {u: scales[u] for u in [treated, *used]},
        "model_based": method == "placebo_variance_t" and len(draws) + 1 < 1 / (1 - ci_level),
        "permutation_min_p": min(1.0, 1.0 / (len(draws) + 1)),
        "window": window,
        "windows": [[w0[0], w0[-1]], [w1[0], w1[-1]]],
        # why there is no interval, in both languages (a report shows only its own)
        "not_testable_reason": reason[1] if ci is None and reason else None,
        "not_testable_reason_sv": reason[0] if ci is None and reason else None,
        "excluded": list(exclude),
        "method": {
            "prediction": "local_t0 + Δcomparison" if kind != "count"
            else "local_t0 × comparison_t1/comparison_t0 × population_t1/population_t0",
            "interval": "similar-size kommuner' deviations divided by size scales: rank "
                        "inversion with at least 39, placebo variance with t(N-1) below",
        },
    }
    return EffectResult(
        design="decomposition",
        outcome=outcome,
        kind=kind,
        unit=info.effect_unit,
        treated=treated,
        treated_name=pool.names.get(treated, treated),
        intervention=shift_period(t0, 1),
        post_window=(w1[0], t1),  # the averaged window (t1 itself for single periods)
        frame=frame,
        average_effect=float(d),
        ci=ci,
        p_value=p_value,
        p_value_method=(method or "not_testable") if ci is not None else "not_testable",
        cumulative_effect=float(d),
        cumulative_ci=ci,
        relative_effect=None if rel is None else float(rel),
        relative_ci=rel_ci,
        ci_level=ci_level,
        diagnostics=diagnostics,
    )


def _mean_at(series: pd.Series, labels: list[str]) -> float:
    """``float(series[labels].mean())`` (NaN skipped; a missing label is a KeyError) without
    pandas' label indexing, which costs more than the mean on these short windows."""
    return mean_skipping_nan(series.to_numpy(dtype=float)[positions(series.index, labels)])


def _without_value(series: pd.Series, labels: list[str]) -> list[str]:
    """The ``labels`` that ``series`` lacks or holds NaN at, in order (for a series with
    unique labels; one index lookup instead of a pandas ``get`` per label)."""
    at = positions_or_missing(series.index, labels)
    values = series.to_numpy(dtype=float)
    return [p for p, i in zip(labels, at, strict=True) if i < 0 or np.isnan(values[i])]


def _filled(pop_s: pd.Series | None, labels: list[str]) -> pd.Series | None:
    """The population at ``labels`` as well as at its own periods, gaps carried from the nearest
    earlier period (else the nearest later one). Filling a longer list of labels gives the same
    value at each label: only observed values are carried."""
    if pop_s is None:
        return None
    return pop_s.reindex(sorted(set(pop_s.index) | set(labels))).ffill().bfill()


def _window_prediction(y: pd.Series, c: pd.Series, pop_f: pd.Series | None, kind: str,
                       a: list[str], b: list[str]) -> tuple[float, float, float, float,
                                                           float | None, float | None, float]:
    """Window means over the base window ``a`` and the later window ``b`` of the unit (``y0``,
    ``y1``), the comparison (``c0``, ``c1``) and the population (``p0``, ``p1``, from ``pop_f``
    filled at least over ``a`` and ``b`` by :func:`_filled`; None without one), and the unit's
    predicted later value."""
    y0, y1 = _mean_at(y, a), _mean_at(y, b)
    c0, c1 = _mean_at(c, a), _mean_at(c, b)
    p0 = p1 = None
    if pop_f is not None:
        p0, p1 = _mean_at(pop_f, a), _mean_at(pop_f, b)
    return y0, y1, c0, c1, p0, p1, _predicted(kind, y0, c0, c1, p0, p1)


def _predicted(kind: str, y0: float, c0: float, c1: float, p0: float | None,
               p1: float | None) -> float:
    """:func:`_predict` for one unit's window means."""
    return float(_predict(kind, y0=np.array(y0), c0=np.array(c0), c1=np.array(c1),
                          p0=None if p0 is None else np.array(p0),
                          p1=None if p1 is None else np.array(p1)))


def _in_time_deviations(y: pd.Series, c: pd.Series, pop_s: pd.Series | None, kind: str,
                        w0: list[str], w1: list[str],
                        distance: int) -> dict[str, tuple[float, float]]:
    """The treated unit's deviation for up to :data:`MAX_IN_TIME` earlier pairs of windows the
    same distance apart, laid back to back before the base window (so each later window ends
    by the base period: nothing of the change can leak in). Keys are each pair's later window's
    last period; values ``(statistic, deviation)``: the statistic the interval is made on
    (relative for counts) and the deviation in the outcome's own unit (households, p.p.)."""
    out: dict[str, tuple[float, float]] = {}
    pairs = [([shift_period(p, -k * distance) for p in w0],
              [shift_period(p, -k * distance) for p in w1]) for k in range(1, MAX_IN_TIME + 1)]
    pop_f = _filled(pop_s, [p for a, b in pairs for p in a + b])  # once for every pair
    # positions and values once (the same means as _window_prediction's, without a pandas
    # lookup per period and window)
    series = {"y": y, "c": c} if pop_f is None else {"y": y, "c": c, "p": pop_f}
    at = {key: {p: i for i, p in enumerate(s.index)} for key, s in series.items()}
    values = {key: s.to_numpy(dtype=float) for key, s in series.items()}
    for a, b in pairs:
        pos = {key: np.array([at[key].get(p, -1) for p in a + b]) for key in series}
        if any((pos[key] < 0).any() or np.isnan(values[key][pos[key]]).any()
               for key in ("y", "c")):
            break
        if "p" in pos and (pos["p"] < 0).any():  # cannot happen: pop_f is filled at a + b
            raise KeyError("population not filled at every window period")
        n0 = len(a)
        ends = {key: (mean_skipping_nan(values[key][pos[key][:n0]]),
                      mean_skipping_nan(values[key][pos[key][n0:]]))
                for key in series}
        y1 = ends["y"][1]
        pred = _predicted(kind, ends["y"][0], *ends["c"], *ends.get("p", (None, None)))
        if kind == "count" and not pred > 0:
            break
        out[b[-1]] = ((y1 - pred) / pred if kind == "count" else y1 - pred, y1 - pred)
    return out


def _size_scales(pool: _Pool, treated: str, units: list[str], draws: np.ndarray,
                 base: list[str]) -> dict[str, float]:
    """Size scales of the treated unit and the similar units (all ones without population).

    Each unit's noise is measured on the periods up to the end of the base window, never on
    the deviations the interval is made from: the standard deviation of the first differences
    of its series minus the cross-unit mean (of the logs, for counts, whose deviations are
    relative). ``log noise`` is regressed on ``log population`` over the treated and the
    similar units (:func:`~evaluation.designs.inference.size_scale_fit`) and the fitted value
    is the scale. With a pool of 79 kommuner of every size, unscaled ranks gave the small third
    of kommuner 15 % false alarms and the large third intervals 3.6 times too wide; scales fitted
    to the deviations themselves overfit a pool of 7 (7.8 % false alarms at R = 1 000).
    """
    everyone = [treated, *units]
    population = pool.population
    if population is None or not all(u in population.columns for u in everyone):
        return {u: 1.0 for u in everyone}
    # on arrays by position (the tables' label lookups were most of a fit's time), with the
    # pandas expressions' arithmetic: means with NaN skipped, rows with a gap dropped, and the
    # tables' column-major layout, so that every sum adds in the same order (bit for bit)
    # a unit without a value in the base window (or no base period in the table) has a NaN
    # size, and size_scale_fit then gives all ones
    rows = population.index.get_indexer(base)
    size = mean_skipping_nan(np.asfortranarray(pool.array("population")[np.ix_(
        rows[rows >= 0], positions(population.columns, everyone))]), axis=0)
    last = max(base)
    values = pool.values
    pre = pool.array("values")[np.asarray(values.index, dtype=object) <= last][
        :, positions(values.columns, everyone)]
    if pool.kind == "count":
        with np.errstate(divide="ignore", invalid="ignore"):
            pre = np.log(np.where(pre > 0, pre, np.nan))
    pre = np.asfortranarray(pre[~np.isnan(pre).any(axis=1)])
    if len(pre) < 3:
        noise = {u: float(abs(v)) for u, v in zip(units, draws, strict=True)}
    else:
        diffs = np.asfortranarray(np.diff(pre - pre.mean(axis=1, keepdims=True), axis=0))
        noise = dict(zip(everyone, diffs.std(axis=0, ddof=1).tolist(), strict=True))
    return size_scale_fit(noise, dict(zip(everyone, size.tolist(), strict=True)), everyone)


def _similar_deviations(
    pool: _Pool, *, outcome: str, treated: str, comparison: ComparisonSet,
    windows: tuple[list[str], list[str]], n_similar: int, kind: str,
    comp_diagnostics: dict[str, Any], exclude: Sequence[str] = (),
) -> tuple[np.ndarray, list[str], tuple[str, str] | None]:
    """Deviations of similar-size units (p.p. for rates, the unit for levels, relative for
    counts).

    Each unit is compared with its own comparison set (for ``"lan"``: its own county) without
    itself, the treated unit and the excluded units; when the treated unit's comparison is a
    published aggregate, each unit's comparison is that aggregate with the unit (and whatever
    was subtracted for the treated unit) taken out. Values, comparison values and populations
    are averaged over each window (as for the treated unit).
    """
    w0, w1 = windows
    periods = list(w0) + list(w1)
    try:
        units = _similar(pool, treated=treated, n=n_similar, periods=periods, exclude=exclude)
    except DataError as exc:
        return np.zeros(0), [], (exc.sv, exc.en)
    if not units:
        return np.zeros(0), [], ("inga jämförelseenheter har data för båda perioderna",
                                 "no comparison units have data for both periods")
    member = _membership(pool, units, treated=treated, comparison=comparison, kind=kind,
                         comp_diagnostics=comp_diagnostics, exclude=exclude)
    dev = _unit_deviations(pool, units, member, periods, len(w0), kind)
    good = np.isfinite(dev) & (np.abs(member).sum(axis=1) > 0)
    return dev[good], [u for u, g in zip(units, good, strict=True) if g], None


def _membership(pool: _Pool, units: list[str], *, treated: str, comparison: ComparisonSet,
                kind: str, comp_diagnostics: dict[str, Any],
                exclude: Sequence[str] = ()) -> np.ndarray:
    """Each of ``units``' comparison as signed weights on the pool's columns (units ×
    columns): its own comparison set without itself, the treated unit and the excluded units;
    or the published aggregate minus what was subtracted for the treated unit and minus the
    unit itself."""
    col_index = {u: i for i, u in enumerate(pool.values.columns)}
    member = np.zeros((len(units), len(col_index)))
    if comp_diagnostics.get("source", "kommuner") == "kommuner":
        for j, u in enumerate(units):
            for m in _set_members(pool, focal=u, comparison=comparison,
                                  exclude=[treated, u, *exclude]):
                member[j, col_index[m]] = 1.0
    else:  # aggregate (minus what was subtracted for the treated unit) minus the unit itself
        member[:, col_index[comp_diagnostics["units"][0]]] = 1.0
        for gone in comp_diagnostics.get("subtracted") or []:
            if gone in col_index:
                member[:, col_index[gone]] = -1.0
        for j, u in enumerate(units):
            if pool.weights is not None or kind == "count":
                member[j, col_index[u]] = -1.0
    return member


def _unit_deviations(pool: _Pool, units: list[str], member: np.ndarray, periods: list[str],
                     n0: int, kind: str) -> np.ndarray:
    """Each unit's deviation from its comparison (``member``'s rows) over the two windows
    (``periods``, the first ``n0`` the base window), on the scale of the design: NaN or inf
    where it cannot be computed. Read from the pool's arrays by position (label lookups on the
    tables were most of the cost), with the tables' products and means."""
    rows = positions(pool.values.index, periods)
    Y = pool.array("values")[rows]
    W = pool.weight_array()[rows]
    ok = ~np.isnan(Y) & ~np.isnan(W)
    contrib = np.where(ok, Y * W if kind != "count" else Y, 0.0)
    wts = np.where(ok, W, 0.0)
    num = member @ contrib.T  # units × periods
    den = member @ wts.T

    y = Y[:, positions(pool.values.columns, units)].T
    pop = None
    if kind == "count" and pool.population is not None and all(
            u in pool.population.columns for u in units):
        population = pool.population
        pop = pool.array("population")[np.ix_(
            positions(population.index, periods), positions(population.columns, units))].T
    return _window_deviations(pool, kind, num, den, y, pop, n0)


def _window_deviations(pool: _Pool, kind: str, num: np.ndarray, den: np.ndarray, y: np.ndarray,
                       pop: np.ndarray | None, n0: int) -> np.ndarray:
    """The units' deviations from the per-period sums of their comparisons (``num``, ``den``),
    their own values ``y`` and, for a count, their populations ``pop`` (all units × periods):
    each averaged over the base window (the first ``n0`` periods) and the compared window,
    then the design's prediction from the comparison's change (:func:`_predict`)."""
    def ends(a: np.ndarray) -> np.ndarray:  # units × periods -> units × 2 (window means)
        return np.column_stack([a[:, :n0].mean(axis=1), a[:, n0:].mean(axis=1)])

    with np.errstate(divide="ignore", invalid="ignore"):
        comp = ends(pool.ratio(num, den))
    yj = ends(y)
    p0 = p1 = None
    if pop is not None:
        p0, p1 = ends(pop).T
    pred = _predict(kind, y0=yj[:, 0], c0=comp[:, 0], c1=comp[:, 1], p0=p0, p1=p1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return yj[:, 1] - pred if kind != "count" else (yj[:, 1] - pred) / pred


# =========================================================================== registration
def _estimate(ctx: Any) -> EffectResult:
    return decomposition(ctx.national_panel, outcome=ctx.outcome, treated=ctx.treated,
                         compare_periods=tuple(ctx.compare_periods), comparison=ctx.comparison,
                         window=ctx.compare_window, ci_level=ctx.ci_level)


def _window(result: EffectResult) -> tuple[str, str]:
    """The change and the end of the compared window (the frame's last period)."""
    return result.intervention, str(result.frame.index[-1])


def _placebo_room(result: EffectResult, first: str) -> int:
    """A placebo copy keeps its base window inside the data."""
    window = int(result.diagnostics.get("window") or 1)
    return periods_between(first, shift_period(str(result.frame.index[0]), -(window - 1)))


def _rerun(result: EffectResult, data: pd.DataFrame, *, unit: str, shift: int,
           comparison: Any = "riket") -> EffectResult:
    from evaluation.designs.registry import shifted

    t0, t1 = str(result.frame.index[0]), str(result.frame.index[-1])
    return decomposition(data, outcome=result.outcome, treated=unit,
                         compare_periods=(shifted(t0, shift), shifted(t1, shift)),
                         comparison=comparison, window=int(result.diagnostics.get("window") or 1),
                         ci_level=result.ci_level)


def _run_at(panel: pd.DataFrame, *, outcome: str, unit: str, date: str, post_end: str,
            comparison: Any = "riket") -> EffectResult:
    # The comparison ends the period before the change, so a step from `date` is inside;
    # windows as in the report's default (the year before against the post window).
    window = min(COMPARE_WINDOW[period_frequency(date)], periods_between(date, post_end) + 1)
    return decomposition(panel, outcome=outcome, treated=unit,
                         compare_periods=(shift_period(date, -1), post_end),
                         comparison=comparison, window=window)


def _figures(result: EffectResult, *, language: str = "sv", simulated: bool = False) -> list:
    from evaluation.report.figures import decomposition_bars

    return [("", decomposition_bars(result, language=language, simulated=simulated))]


def _declare() -> Any:
    from evaluation.designs.registry import Design

    return Design(name="decomposition", order=10, estimate=_estimate, rerun=_rerun,
                  run_at=_run_at, figures=_figures, method_key="decomposition", window=_window,
                  placebo_room=_placebo_room)


DESIGN = _declare()
