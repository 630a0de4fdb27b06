"""Figures for the report, drawn from a result; no estimation and no data reading here.

Every function takes an :class:`~evaluation.results.EffectResult` (or any object with the same
attributes: ``frame``, ``outcome``, ``kind``, ``unit``, ``intervention``, ``post_window``,
``treated_name``, ``average_effect``, ``ci``, ``ci_level``) and an optional ``ax``, and returns the
:class:`~matplotlib.figure.Figure`. Figures are created without pyplot (``Figure`` with an Agg
canvas), so they work on servers without a display and are not shown twice in notebooks.

Axis labels and numbers follow the report language (Swedish by default: decimal comma, true minus
sign). With ``simulated=True`` every figure carries the watermark "SIMULERADE DATA – fiktiv
kommun".
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from evaluation.data.panel import period_frequency, periods_between, to_period
from evaluation.report import format as fmt
from evaluation.report.format import Language, check_language
from evaluation.report.text import (
    TEXTS,
    design_label,
    outcome_kind,
    outcome_label,
    result_unit,
    t,
    unit_label,
    value_decimals,
)

FIGSIZE = (8.0, 4.5)
DPI = 200
SVG_HASHSALT = "evaluation-report"

OBSERVED_COLOR = "#1f3b73"
COUNTERFACTUAL_COLOR = "#c0392b"
COMPARISON_COLOR = "#8c8c8c"
EFFECT_COLOR = "#1f3b73"
POST_SHADE = "#ececec"
WATERMARK_COLOR = "#b00020"


# --------------------------------------------------------------------------- helpers
class NumberFormatter(mticker.Formatter):
    """Tick labels through :func:`evaluation.report.format.number` (e.g. "−1 234,5").

    The number of decimals follows the tick spacing, so ticks 0,5 / 1,0 / 1,5 keep one decimal.
    """

    def __init__(self, language: Language = "sv", suffix: str = ""):
        self.language = check_language(language)
        self.suffix = suffix
        self.decimals = 1

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        values = np.asarray(locs, dtype=float)
        values = values[np.isfinite(values)]
        self.decimals = 1
        if values.size:
            scale = max(1.0, float(np.max(np.abs(values))))
            for decimals in range(5):
                scaled = values * 10**decimals
                if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6 * scale * 10**decimals):
                    self.decimals = decimals
                    break
            else:
                self.decimals = 4

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt.number(x, self.decimals, self.language) + self.suffix


def _new_axes(
    ax: Axes | None, figsize: tuple[float, float] = FIGSIZE
) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw on, and whether this module created them."""
    if ax is not None:
        return ax.get_figure(root=True), ax, False
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(), True


def _legend(fig: Figure, ax: Axes, owned: bool, handles: list | None = None,
            labels: list | None = None) -> None:
    if handles is None or labels is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if owned:  # below the plot, so it never hides data
        ncols = 2 if len(handles) == 4 else min(3, len(handles))
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False,
                   fontsize=8.5)
    else:
        ax.legend(handles, labels, loc="best", frameon=False, fontsize=8.5)


def _frame(result: Any) -> pd.DataFrame:
    frame = result.frame if hasattr(result, "frame") else result["frame"]
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    return frame.sort_index()


def _positions(periods: Sequence[str], origin: str) -> np.ndarray:
    """Periods as integer steps from ``origin`` (gaps in the index stay gaps on the axis)."""
    return np.array([periods_between(origin, str(p)) for p in periods], dtype=float)


def _set_period_ticks(ax: Axes, origin: str, first: float, last: float, language: Language) -> None:
    """Ticks labelled with Swedish/English period names at sensible steps."""
    start = to_period(origin)
    span = max(1, int(last - first))
    if start.freqstr.startswith("M"):
        quarterly = span <= 30
        year_step = max(1, int(np.ceil(span / 12 / 10)))
        locs, labels = [], []
        for x in range(int(np.floor(first)), int(np.ceil(last)) + 1):
            p = start + x
            if quarterly and p.month in (1, 4, 7, 10):
                locs.append(x)
                labels.append(fmt.period_short(p.strftime("%Y-%m"), language))
            elif not quarterly and p.month == 1 and p.year % year_step == 0:
                locs.append(x)
                labels.append(str(p.year))
    else:
        step = max(1, int(np.ceil(span / 10)))
        locs = [x for x in range(int(np.floor(first)), int(np.ceil(last)) + 1)
                if (start + x).year % step == 0]
        labels = [str((start + x).year) for x in locs]
    ax.xaxis.set_major_locator(mticker.FixedLocator(locs))
    ax.xaxis.set_major_formatter(mticker.FixedFormatter(labels))
    ax.set_xlim(first - 0.5, last + 0.5)


def _post_span(result: Any, frame: pd.DataFrame, origin: str) -> tuple[float, float] | None:
    window = getattr(result, "post_window", None)
    if window:
        lo, hi = periods_between(origin, str(window[0])), periods_between(origin, str(window[-1]))
        return lo - 0.5, hi + 0.5
    if "post" in frame and frame["post"].astype(bool).any():
        x = _positions(frame.index[frame["post"].astype(bool)], origin)
        return float(x.min()) - 0.5, float(x.max()) + 0.5
    return None


def _mark_intervention(ax: Axes, result: Any, origin: str, language: Language) -> None:
    intervention = getattr(result, "intervention", None)
    if not intervention:
        return
    x = periods_between(origin, str(intervention)) - 0.5
    ax.axvline(x, color="black", linewidth=1.0, zorder=3)
    label = t("fig.intervention", language, period=fmt.period_label(str(intervention), language))
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    ax.text(x, 0.98, " " + label, transform=trans, ha="left", va="top", fontsize=8.5, zorder=6,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5})


def _mark_events(
    ax: Axes, events: Sequence[tuple[str, str]] | None, origin: str, first: float, last: float
) -> None:
    if not events:
        return
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    frequency = period_frequency(origin)
    for period, label in events:
        if period_frequency(str(period)) != frequency:
            continue  # e.g. a monthly event on a yearly figure
        x = periods_between(origin, str(period)) - 0.5
        if first - 0.5 <= x <= last + 0.5:
            ax.axvline(x, color="#999999", linewidth=0.8, linestyle=":", zorder=1)
            ax.text(x, 0.02, " " + label, transform=trans, rotation=90, ha="right", va="bottom",
                    fontsize=7, color="#666666", zorder=2)


def add_watermark(fig: Figure, language: Language = "sv") -> None:
    """Write "SIMULERADE DATA – fiktiv kommun" across the figure and in its upper-right corner."""
    text = t("simulated_banner", language)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
        engine.set(rect=(0.0, 0.0, 1.0, 0.955))  # keep a strip free for the corner text
    size = min(26.0, 3.1 * float(fig.get_figwidth()))  # stays inside narrow figures
    fig.text(0.5, 0.5, text, ha="center", va="center", rotation=20, fontsize=size,
             color=WATERMARK_COLOR, alpha=0.22, fontweight="bold", zorder=100, gid="watermark")
    fig.text(0.995, 0.995, text, ha="right", va="top", fontsize=8, color=WATERMARK_COLOR,
             fontweight="bold", zorder=100, gid="watermark-corner")


def _kind(result: Any) -> str:
    """``rate``, ``count`` or ``level`` (see :func:`evaluation.report.text.outcome_kind`)."""
    return outcome_kind(result)


def _level_axis_label(result: Any, language: Language) -> str:
    kind = _kind(result)
    label = outcome_label(result.outcome, language)
    if kind == "rate":
        return "\n".join(textwrap.wrap(t("fig.rate_axis", language, label=label), 45))
    unit = result_unit(result, language)
    if kind == "level":
        return "\n".join(textwrap.wrap(t("fig.level_axis", language, label=label, unit=unit),
                                        45))
    return t("fig.count_axis", language, unit=unit or t("fig.count", language))


def _effect_unit(result: Any, language: Language) -> str:
    return result_unit(result, language)


def _title(ax: Axes, result: Any, title: str | None, language: Language) -> None:
    if title is None:
        place = getattr(result, "treated_name", None) or getattr(result, "treated", "")
        outcome = outcome_label(result.outcome, language)
        title = t("fig.title", language, outcome=outcome, place=place)
    if title:
        ax.set_title(title, fontsize=11, loc="left")


def _finish(fig: Figure, ax: Axes, language: Language, simulated: bool) -> Figure:
    ax.yaxis.set_major_formatter(NumberFormatter(language))
    for side in ("top", "right"):
        if side in ax.spines and not getattr(ax, "_evaluation_twin", False):
            ax.spines[side].set_visible(False)
    if simulated:
        add_watermark(fig, language)
    return fig


def _time_axes(result: Any, ax: Axes | None):
    """Frame, time origin, x positions, figure/axes and the post-period span of a time plot."""
    frame = _frame(result)
    origin = frame.index[0]
    fig, new_ax, owned = _new_axes(ax)
    return (frame, origin, _positions(frame.index, origin), fig, new_ax, owned,
            _post_span(result, frame, origin))


# --------------------------------------------------------------------------- figures
def observed_vs_counterfactual(
    result: Any,
    *,
    language: Language = "sv",
    simulated: bool = False,
    ax: Axes | None = None,
    show_comparison: bool = True,
    comparison_label: str | None = None,
    events: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
    counterfactual: bool = True,
) -> Figure:
    """Observed series against the counterfactual ("vad som hade hänt utan insatsen").

    Parameters
    ----------
    result
        An :class:`~evaluation.results.EffectResult`; its ``frame`` gives ``observed``,
        ``counterfactual`` and, when present, ``counterfactual_low``/``counterfactual_high``
        (drawn as a band) and ``comparison``.
    language
        ``"sv"`` (default) or ``"en"``.
    simulated
        Add the "SIMULERADE DATA – fiktiv kommun" watermark.
    ax
        Draw into this axes instead of a new figure.
    show_comparison
        Draw the comparison series when the frame has one (for counts on a right-hand axis,
        since the national count is on another scale).
    comparison_label
        Legend text for the comparison series (default "Jämförelseserie").
    events
        ``(period, label)`` pairs marked with dotted lines, e.g.
        :func:`evaluation.report.text.national_events`.
    title
        Figure title; ``None`` gives "<outcome> – <kommun>", ``""`` none.
    counterfactual
        ``False`` draws only the data (observed and comparison series, intervention date), e.g.
        for the "Data och mått" section before any model is shown.
    """
    check_language(language)
    frame, origin, x, fig, ax, owned, span = _time_axes(result, ax)
    if span:
        ax.axvspan(*span, color=POST_SHADE, zorder=0, linewidth=0)
    level = fmt.level_label(getattr(result, "ci_level", 0.95), language)
    bands = {"counterfactual_low", "counterfactual_high"} <= set(frame.columns)
    if counterfactual and bands:
        lo = frame["counterfactual_low"].to_numpy(dtype=float)
        hi = frame["counterfactual_high"].to_numpy(dtype=float)
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            ax.fill_between(x, lo, hi, where=ok, color=COUNTERFACTUAL_COLOR, alpha=0.15,
                            linewidth=0, label=t("fig.band", language, level=level), zorder=1)
    if counterfactual:
        cf = frame["counterfactual"].to_numpy(dtype=float)
        ax.plot(x, cf, linestyle="--", color=COUNTERFACTUAL_COLOR, linewidth=1.6,
                label=t("fig.counterfactual", language), zorder=4)
    ax.plot(x, frame["observed"].to_numpy(dtype=float), color=OBSERVED_COLOR, linewidth=1.8,
            label=t("fig.observed", language), zorder=5)
    handles, labels = ax.get_legend_handles_labels()
    if show_comparison and "comparison" in frame.columns and frame["comparison"].notna().any():
        comp = frame["comparison"].to_numpy(dtype=float)
        if _kind(result) != "count":  # rates and levels: the same unit, the same axis
            (line,) = ax.plot(x, comp, color=COMPARISON_COLOR, linewidth=1.2, zorder=2,
                              label=comparison_label or t("fig.comparison", language))
            handles, labels = ax.get_legend_handles_labels()
        else:
            twin = ax.twinx()
            twin._evaluation_twin = True  # type: ignore[attr-defined]
            (line,) = twin.plot(x, comp, color=COMPARISON_COLOR, linewidth=1.2, zorder=2)
            twin.yaxis.set_major_formatter(NumberFormatter(language))
            twin.tick_params(axis="y", colors=COMPARISON_COLOR, labelsize=8)
            handles.append(line)
            labels.append(comparison_label or t("fig.comparison_axis", language))
    first, last = float(np.nanmin(x)), float(np.nanmax(x))
    _mark_events(ax, events, origin, first, last)
    _mark_intervention(ax, result, origin, language)
    _set_period_ticks(ax, origin, first, last, language)
    ax.set_ylabel(_level_axis_label(result, language))
    _title(ax, result, title, language)
    _legend(fig, ax, owned, handles, labels)
    return _finish(fig, ax, language, simulated)


def effect_path(
    result: Any,
    *,
    language: Language = "sv",
    simulated: bool = False,
    ax: Axes | None = None,
    events: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
) -> Figure:
    """The effect (observed − counterfactual) per period, with a zero line and the post window
    shaded; the average effect and its interval are drawn over the post window.

    The pointwise band is ``observed − counterfactual_high`` to ``observed − counterfactual_low``
    when the frame has them. Parameters as in :func:`observed_vs_counterfactual`.
    """
    check_language(language)
    frame, origin, x, fig, ax, owned, span = _time_axes(result, ax)
    if span:
        ax.axvspan(*span, color=POST_SHADE, zorder=0, linewidth=0, label=t("fig.post", language))
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=2)
    level = fmt.level_label(getattr(result, "ci_level", 0.95), language)
    if {"counterfactual_low", "counterfactual_high"} <= set(frame.columns):
        obs = frame["observed"].to_numpy(dtype=float)
        lo = obs - frame["counterfactual_high"].to_numpy(dtype=float)
        hi = obs - frame["counterfactual_low"].to_numpy(dtype=float)
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            ax.fill_between(x, lo, hi, where=ok, color=EFFECT_COLOR, alpha=0.15, linewidth=0,
                            label=t("fig.band", language, level=level), zorder=1)
    ax.plot(x, frame["effect"].to_numpy(dtype=float), color=EFFECT_COLOR, linewidth=1.5,
            marker="o", markersize=2.5, label=t("fig.effect", language), zorder=4)
    avg = getattr(result, "average_effect", None)
    if span and not fmt.is_missing(avg):
        ax.hlines(avg, span[0], span[1], colors=COUNTERFACTUAL_COLOR, linewidth=2, zorder=5,
                  label=t("fig.average_effect", language))
        ci = getattr(result, "ci", None)
        if ci is not None and not any(fmt.is_missing(v) for v in ci):
            ax.fill_between(list(span), [ci[0]] * 2, [ci[1]] * 2, color=COUNTERFACTUAL_COLOR,
                            alpha=0.12, linewidth=0, zorder=1,
                            label=t("fig.average_band", language, level=level))
    first, last = float(np.nanmin(x)), float(np.nanmax(x))
    _mark_events(ax, events, origin, first, last)
    _mark_intervention(ax, result, origin, language)
    _set_period_ticks(ax, origin, first, last, language)
    ylabel = t("fig.effect_axis", language, unit=_effect_unit(result, language))
    ax.set_ylabel("\n".join(textwrap.wrap(ylabel, 40)))
    _title(ax, result, title, language)
    _legend(fig, ax, owned)
    return _finish(fig, ax, language, simulated)


def _fitting_unit(result: Any, language: Language) -> str:
    """Unit of the comparison-group designs' fitting scale: p.p., the level's unit, or per
    1 000 inhabitants (a count without population is fitted as a count)."""
    kind = _kind(result)
    if kind == "rate":
        return unit_label("pp", language)
    scale = str((getattr(result, "diagnostics", None) or {}).get("scale", ""))
    if kind == "count" and (scale.startswith("per 1000") or not scale):
        return t("unit.per_1000", language)
    return result_unit(result, language)


def placebo_gaps(
    result: Any, *, language: Language = "sv", simulated: bool = False, ax: Axes | None = None,
) -> Figure:
    """Synthetic control: the treated unit's gap to its synthetic control, with every placebo
    unit's gap (each donor treated in turn) drawn thin and grey behind it (ADH 2010, fig. 4)."""
    check_language(language)
    d = result.diagnostics
    frame, origin, x, fig, ax, owned, span = _time_axes(result, ax)
    if span:
        ax.axvspan(*span, color=POST_SHADE, zorder=0, linewidth=0)
    placebos = d.get("placebo_gaps") or {}
    for i, gap in enumerate(placebos.values()):
        ax.plot(x, np.asarray(gap, float), color=COMPARISON_COLOR, linewidth=0.5, alpha=0.5,
                zorder=1, label=t("fig.placebo.others", language, n=len(placebos)) if i == 0
                else None)
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=2)
    ax.plot(x, np.asarray(d.get("gap") or frame["effect"], float), color=EFFECT_COLOR,
            linewidth=2.0, zorder=4,
            label=t("fig.placebo.treated", language, place=result.treated_name))
    first, last = float(np.nanmin(x)), float(np.nanmax(x))
    _mark_intervention(ax, result, origin, language)
    _set_period_ticks(ax, origin, first, last, language)
    ax.set_ylabel(t("fig.placebo.axis", language, unit=_fitting_unit(result, language)))
    _title(ax, result, t("fig.placebo.title", language,
                         outcome=outcome_label(result.outcome, language),
                         place=result.treated_name), language)
    _legend(fig, ax, owned)
    return _finish(fig, ax, language, simulated)


def event_study(
    result: Any, *, language: Language = "sv", simulated: bool = False, ax: Axes | None = None,
) -> Figure:
    """DiD event study: one estimate per bin of event time with its placebo interval; the last
    bin before the intervention is the reference (zero by construction)."""
    check_language(language)
    rows = pd.DataFrame(result.diagnostics.get("event_study") or [])
    fig, ax, owned = _new_axes(ax)
    if rows.empty:
        return _finish(fig, ax, language, simulated)
    x = np.arange(len(rows), dtype=float)
    level = fmt.level_label(getattr(result, "ci_level", 0.95), language)
    post = ~rows["pre"].astype(bool).to_numpy()
    if post.any():
        ax.axvspan(x[post][0] - 0.5, x[-1] + 0.5, color=POST_SHADE, zorder=0, linewidth=0)
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=2)
    est = rows["estimate"].to_numpy(float)
    lo = rows["low"].to_numpy(float)
    hi = rows["high"].to_numpy(float)
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(x[ok], est[ok], yerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="o",
                color=EFFECT_COLOR, ecolor=EFFECT_COLOR, elinewidth=1.2, capsize=2, markersize=4,
                zorder=4, label=t("fig.event.estimate", language, level=level))
    ref = rows["reference"].astype(bool).to_numpy() if "reference" in rows else ~ok
    if ref.any():
        ax.plot(x[ref], est[ref], marker="D", linestyle="none", color=COUNTERFACTUAL_COLOR,
                markersize=5, zorder=5, label=t("fig.event.reference", language))
    ax.set_xticks(x)
    ax.set_xticklabels([str(b) for b in rows["bin"]], rotation=90, fontsize=7)
    ax.set_xlabel(t("fig.event.x", language))
    ax.set_ylabel("\n".join(textwrap.wrap(
        t("fig.event.axis", language, unit=_fitting_unit(result, language)), 45)))
    _title(ax, result, t("fig.event.title", language,
                         outcome=outcome_label(result.outcome, language),
                         place=result.treated_name), language)
    _legend(fig, ax, owned)
    return _finish(fig, ax, language, simulated)


def three_panel(result: Any, *, language: Language = "sv",
                simulated: bool = False) -> Figure:
    """Observed against the counterfactual, the effect per period and the cumulative effect,
    one above the other (the figure CausalImpact users know). The cumulative band comes from
    ``diagnostics["cumulative_path"]`` (per post period: effect, low, high) when the design
    gives one (the structural model's joint paths)."""
    check_language(language)
    fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] * 2.1), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2, ax3 = fig.subplots(3, 1, sharex=True)
    observed_vs_counterfactual(result, language=language, ax=ax1)
    effect_path(result, language=language, ax=ax2, title="")
    frame = _frame(result)
    origin = frame.index[0]
    path = (getattr(result, "diagnostics", None) or {}).get("cumulative_path") or []
    if path:
        x = _positions([p["period"] for p in path], origin)
        low = np.array([p["low"] for p in path], float)
        high = np.array([p["high"] for p in path], float)
        ax3.fill_between(x, low, high, color=EFFECT_COLOR, alpha=0.15, linewidth=0,
                         label=t("fig.band", language,
                                 level=fmt.level_label(getattr(result, "ci_level", 0.95),
                                                       language)))
        ax3.plot(x, [p["effect"] for p in path], color=EFFECT_COLOR, linewidth=1.5,
                 label=t("fig.cumulative", language))
    else:
        post = frame["post"].astype(bool)
        x = _positions(list(frame.index[post]), origin)
        ax3.plot(x, np.cumsum(frame.loc[post, "effect"].to_numpy(float)), color=EFFECT_COLOR,
                 linewidth=1.5, label=t("fig.cumulative", language))
    ax3.axhline(0.0, color="black", linewidth=0.8)
    ax3.set_ylabel(t("fig.cumulative", language))
    ax3.legend(loc="upper left", fontsize=8, frameon=False)
    for ax in (ax1, ax2, ax3):
        _finish(fig, ax, language, False)
    if simulated:
        add_watermark(fig, language)
    return fig


def counterfactual_figures(result: Any, *, language: Language = "sv",
                           simulated: bool = False) -> list[tuple[str, Figure]]:
    """Observed against the counterfactual, and the effect path: what a design with a
    counterfactual series shows unless it declares more."""
    return [("", observed_vs_counterfactual(result, language=language, simulated=simulated)),
            ("_effekt", effect_path(result, language=language, simulated=simulated))]


def design_figures(result: Any, *, language: Language = "sv",
                   simulated: bool = False) -> list[tuple[str, Figure]]:
    """The figures a design's result gets in the report, as ``(file suffix, figure)`` pairs:
    those the design declares in the registry (:mod:`evaluation.designs.registry`), or
    :func:`counterfactual_figures` for a result of an unregistered design."""
    from evaluation.designs.registry import design

    try:
        declared = design(result.design)
    except KeyError:
        return counterfactual_figures(result, language=language, simulated=simulated)
    return declared.figures(result, language=language, simulated=simulated)


def sensitivity_plot(grid: pd.DataFrame, results: Sequence[Any], outcome: str, *,
                     language: Language = "sv", simulated: bool = False) -> Figure:
    """How each design's estimate moves across the sensitivity variants: one row per variant
    (the report's own choice first, with its interval), one marker per design; a flipped
    variant (another sign, or outside the report's interval) is drawn hollow and red."""
    check_language(language)
    base = [r for r in results if r.outcome == outcome]
    rows = grid[(grid["outcome"] == outcome) & (grid["status"] == "ok")] if len(grid) else grid
    variants = list(dict.fromkeys(rows["variant"])) if len(rows) else []
    labels = [t("sens.baseline", language)] + [sensitivity_label(v, language) for v in variants]
    fig, ax, owned = _new_axes(None, (FIGSIZE[0], 1.2 + 0.42 * len(labels)))
    n = max(len(base), 1)
    offsets = {r.design: (i - (n - 1) / 2) * 0.12 for i, r in enumerate(base)}
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, r in enumerate(base):
        colour = colours[i % len(colours)]
        y0 = 0 + offsets[r.design]
        if r.testable:
            ax.plot(r.ci, [y0, y0], color=colour, linewidth=1.5)
        ax.plot([r.average_effect], [y0], "o", color=colour, markersize=6,
                label=design_label(r.design, language))
        mine = rows[rows["design"] == r.design] if len(rows) else rows
        for _, row in mine.iterrows():
            y = 1 + variants.index(row["variant"]) + offsets[r.design]
            if pd.notna(row.get("low")) and pd.notna(row.get("high")):
                ax.plot([row["low"], row["high"]], [y, y], color=colour, linewidth=0.8,
                        alpha=0.6)
            flipped = bool(row.get("flip"))
            ax.plot([row["estimate"]], [y], "o", markersize=6,
                    color="#b00020" if flipped else colour,
                    markerfacecolor="none" if flipped else colour)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(["\n".join(textwrap.wrap(lab, 38)) for lab in labels], fontsize=8)
    ax.invert_yaxis()
    unit = _fitting_unit(base[0], language) if base else ""
    ax.set_xlabel(t("sens.axis", language, unit=unit))
    ax.xaxis.set_major_formatter(NumberFormatter(language))
    ax.set_title(t("sens.title", language, outcome=outcome_label(outcome, language)),
                 fontsize=11, loc="left")
    _legend(fig, ax, owned)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if simulated:
        add_watermark(fig, language)
    return fig


def sensitivity_label(variant: str, language: Language = "sv") -> str:
    """A sensitivity variant in words ("Insatsen började 3 månader tidigare")."""
    if variant.startswith("date_"):
        return t("sens.date", language, name=variant[5:])
    head, _, k = variant.rpartition("_")
    if head in ("anticipation", "phase_in"):
        years = k.endswith("y")
        n = k[:-1] if years else k
        return t(f"sens.{head}", language, n=n, unit=t(
            "sens.years" if years else "sens.months", language))
    key = f"sens.{variant}"
    return t(key, language) if key in TEXTS else variant


def decomposition_parts(result: Any) -> dict[str, float]:
    """The observed change from the pre-period split into a nationally expected part and a local
    deviation (the estimated effect).

    Uses ``result.diagnostics["decomposition"]`` (keys ``observed_change`` and
    ``national_change``) when the design provides it; otherwise the observed change is the mean of
    the post rows minus the mean of the pre rows of ``frame``, the local deviation is
    ``average_effect`` and the national part is the remainder, so the parts always add up.
    """
    diag = (getattr(result, "diagnostics", None) or {}).get("decomposition") or {}
    local = float(result.average_effect)
    if "observed_change" in diag and "national_change" in diag:
        return {"observed": float(diag["observed_change"]),
                "national": float(diag["national_change"]), "local": local}
    frame = _frame(result)
    post = frame["post"].astype(bool)
    base = float(frame.loc[~post, "observed"].mean())
    observed = float(frame.loc[post, "observed"].mean()) - base
    if not (np.isfinite(observed) and np.isfinite(local)):
        raise ValueError(
            "decomposition_bars needs result.diagnostics['decomposition'] with 'observed_change' "
            "and 'national_change', or a frame with observed values before (post=False) and "
            "after (post=True) the change, and a finite average_effect."
        )
    return {"observed": observed, "national": observed - local, "local": local}


def decomposition_bars(
    result: Any,
    *,
    language: Language = "sv",
    simulated: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A waterfall: the change the national development predicts, the local deviation (with its
    interval) on top of it, and the observed change they add up to.

    See :func:`decomposition_parts` for where the numbers come from.
    """
    check_language(language)
    parts = decomposition_parts(result)
    fig, ax, _ = _new_axes(ax, figsize=(6.5, 4.5))
    national, local, observed = parts["national"], parts["local"], parts["observed"]
    if _kind(result) == "rate":
        decimals = 1
    else:
        decimals = value_decimals(max(abs(observed), abs(national)), _kind(result))
    local_color = "#2e7d32" if local < 0 else "#e67e22"
    ax.bar(0, national, color=COMPARISON_COLOR, width=0.6, zorder=3)
    ax.bar(1, local, bottom=national, color=local_color, width=0.6, zorder=3)
    ax.bar(2, observed, color=OBSERVED_COLOR, width=0.6, zorder=3)
    ax.plot([0.3, 0.7], [national, national], color="#555555", linewidth=0.8, linestyle="--")
    ax.plot([1.3, 1.7], [national + local] * 2, color="#555555", linewidth=0.8, linestyle="--")
    ci = getattr(result, "ci", None)
    tops = [national, national + local, observed]
    if ci is not None and not any(fmt.is_missing(v) for v in ci):
        lo, hi = national + float(ci[0]), national + float(ci[1])
        ax.errorbar(1, national + local, yerr=[[national + local - lo], [hi - national - local]],
                    color="black", capsize=5, linewidth=1.2, zorder=4)
        tops += [lo, hi]
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=2)
    for xpos, value, anchor in ((0, national, national), (1, local, national + local),
                                (2, observed, observed)):
        va = "bottom" if anchor >= 0 else "top"
        ax.annotate(fmt.signed(value, decimals, language), (xpos, anchor),
                    xytext=(14, 3 if va == "bottom" else -3), textcoords="offset points",
                    ha="left", va=va, fontsize=9, zorder=6)
    labels = [t("fig.decomp.national", language), t("fig.decomp.local", language),
              t("fig.decomp.observed", language)]
    ax.set_xticks([0, 1, 2], ["\n".join(textwrap.wrap(lbl, 20)) for lbl in labels], fontsize=8.5)
    low, high = min(0.0, *tops), max(0.0, *tops)
    pad = 0.15 * (high - low or 1.0)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xlim(-0.6, 2.9)
    ax.set_ylabel(t("fig.decomp.axis", language, unit=_effect_unit(result, language)))
    _title(ax, result, title, language)
    return _finish(fig, ax, language, simulated)


# --------------------------------------------------------------------------- saving
def save_figure(
    fig: Figure,
    folder: str | Path,
    stem: str,
    *,
    dpi: int = DPI,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Write the figure as PNG (``dpi`` ≥ 200) and SVG and close it.

    SVG text stays text (``svg.fonttype = "none"``: searchable, and the watermark can be found in
    the file), ids are salted with a fixed string and the date is left out, so a rerun writes
    byte-identical files.

    Returns
    -------
    list of Path
        The written files, in the order of ``formats``.
    """
    if dpi < 200:
        raise ValueError(f"dpi={dpi} is too low for a report figure: use at least 200.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "none"}):
            for ext in formats:
                path = folder / f"{stem}.{ext}"
                if ext == "svg":
                    metadata: dict[str, Any] = {"Date": None}
                elif ext == "png":
                    metadata = {"Software": None}
                else:
                    metadata = {}
                fig.savefig(path, format=ext, dpi=dpi, metadata=metadata, facecolor="white")
                paths.append(path)
    finally:
        plt.close(fig)
    return paths
