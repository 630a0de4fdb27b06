"""Figures for the report, drawn from a result; no estimation and no data reading here.

Every function takes an :class:`~evaluation.results.EffectResult` (or any object with the same
attributes: ``frame``, ``outcome``, ``kind``, ``unit``, ``intervention``, ``post_window``,
``treated_name``, ``average_effect``, ``ci``, ``ci_level``) and an optional ``ax``, and returns the
:class:`~matplotlib.figure.Figure`. Figures are created without pyplot (``Figure`` with an Agg
canvas), so they work on servers without a display and are not shown twice in notebooks.

Every figure is drawn at its printed size for an A4 text column (16 cm wide, see
:mod:`evaluation.report.style`) and has a title, y axes labelled with their units, the
intervention marked (a line and "Insatsen startar april 2022", never over a tick label) and a
source line under it ("Källa: SCB, egen bearbetning"): pass ``source=`` (the data's source, e.g.
``Inputs.data_info()["source"]``), else the result's own ``source`` is used when it has one, else
the line says "Källa: egen bearbetning".

Axis labels and numbers follow the report language (Swedish by default: decimal comma); negative
numbers always get the true minus sign "−". With ``simulated=True`` every figure carries the
watermark "SIMULERADE DATA – fiktiv kommun".
"""

from __future__ import annotations

import io
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import ticker as mticker
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from evaluation.data.panel import period_frequency, periods_between, to_period
from evaluation.report import format as fmt
from evaluation.report import style
from evaluation.report.format import Language, check_language
from evaluation.report.style import (
    COMPARISON_COLOR,
    COUNTERFACTUAL_COLOR,
    DPI,
    EFFECT_COLOR,
    FIGSIZE,
    OBSERVED_COLOR,
    POST_SHADE,
    WATERMARK_COLOR,
    styled,
)
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

__all__ = [
    "COMPARISON_COLOR", "COUNTERFACTUAL_COLOR", "DPI", "EFFECT_COLOR", "FIGSIZE",
    "FILE_RC", "OBSERVED_COLOR", "POST_SHADE", "SVG_HASHSALT", "WATERMARK_COLOR", "NumberFormatter",
    "add_watermark", "counterfactual_figures", "decomposition_bars", "decomposition_parts",
    "design_figures", "effect_path", "event_study", "observed_vs_counterfactual", "placebo_gaps",
    "result_source", "save_figure", "sensitivity_label", "sensitivity_plot", "three_panel",
]

SVG_HASHSALT = "evaluation-report"
#: matplotlib settings while a figure is drawn for its files (:func:`render_figure_pixels`).
#: SVG: text stays text (searchable; the watermark can be found in the file) and ids are salted
#: with a fixed string, so a rerun gives byte-identical files. Text is not hinted: hinting
#: snaps glyph outlines to the pixel grid, which matters on a 100-dpi screen and not at the
#: files' 300 dpi (a stem is 3 px wide; the page's image is reduced from those pixels), and
#: FreeType's hinter is a third of the cost of drawing text — measured on the demo's 18
#: design figures, the Agg draws 1.71–1.92 → 1.29–1.31 CPU-s. The SVG's text is never
#: hinted anyway.
#: Read-only: every figure file depends on it.
FILE_RC: Mapping[str, Any] = MappingProxyType({"svg.hashsalt": SVG_HASHSALT,
                                               "svg.fonttype": "none",
                                               "text.hinting": "no_hinting"})
#: ``source=`` not given to :func:`_finish`: no source line (figures of other modules).
_NO_LINE = object()


# --------------------------------------------------------------------------- helpers
class NumberFormatter(mticker.Formatter):
    """Tick labels through :func:`evaluation.report.format.number` (e.g. "−1 234,5"), always
    with the true minus sign "−" (also in English).

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
        return style.minus(fmt.number(x, self.decimals, self.language)) + self.suffix


def _new_axes(
    ax: Axes | None, figsize: tuple[float, float] = FIGSIZE
) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw on, and whether this module created them."""
    if ax is not None:
        return ax.get_figure(root=True), ax, False
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    fig._evaluation_new = True  # type: ignore[attr-defined]  # gets a source line in _finish
    return fig, fig.add_subplot(), True


def _text_width(text: str, size: float) -> float:
    """Approximate width in inches of ``text`` in DejaVu Sans at ``size`` points."""
    return len(text) * size * 0.58 / 72


def _legend_columns(labels: Sequence[str], width: float) -> int:
    """As many legend columns as fit into ``width`` inches (at most 3)."""
    n = len(labels)
    for ncols in (3, 2):
        if n < ncols or (ncols == 3 and n == 4):
            continue  # 4 entries read better as 2 × 2
        rows = -(-n // ncols)
        cols = [labels[i * rows:(i + 1) * rows] for i in range(ncols)]
        needed = sum(max(_text_width(x, style.LEGEND_SIZE) for x in col) + 0.55
                     for col in cols if col)
        if needed <= width:
            return ncols
    return 1


def _legend(fig: Figure, ax: Axes, owned: bool, handles: list | None = None,
            labels: list | None = None) -> None:
    if handles is None or labels is None:
        handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if owned:  # below the plot, so it never hides data
        ncols = _legend_columns(labels, fig.get_figwidth() * 0.95)
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False,
                   fontsize=style.LEGEND_SIZE)
    else:
        ax.legend(handles, labels, loc="best", frameon=False, fontsize=style.LEGEND_SIZE)


def _frame(result: Any) -> pd.DataFrame:
    frame = result.frame if hasattr(result, "frame") else result["frame"]
    frame = frame.copy()
    frame.index = frame.index.astype(str)
    return frame.sort_index()


def _positions(periods: Sequence[str], origin: str) -> np.ndarray:
    """Periods as integer steps from ``origin`` (gaps in the index stay gaps on the axis)."""
    return np.array([periods_between(origin, str(p)) for p in periods], dtype=float)


def _axes_width(ax: Axes) -> float:
    """Approximate drawing width of ``ax`` in inches once the layout has made room for labels."""
    return ax.get_position().width * ax.get_figure(root=True).get_figwidth() * 0.85


def _set_period_ticks(ax: Axes, origin: str, first: float, last: float, language: Language) -> None:
    """Ticks labelled with Swedish/English period names, as many as fit side by side."""
    start = to_period(origin)
    lo, hi = int(np.floor(first)), int(np.ceil(last))
    width = _axes_width(ax)

    def fits(labels: Sequence[str]) -> bool:
        gap = 0.08
        return sum(_text_width(x, style.TICK_SIZE) + gap for x in labels) <= width

    locs: list[int] = []
    labels: list[str] = []
    if start.freqstr.startswith("M"):
        for months in (3, 6, 12, 24, 36, 60, 120):
            locs, labels = [], []
            for x in range(lo, hi + 1):
                p = start + x
                if months < 12 and (p.month - 1) % months == 0:
                    locs.append(x)
                    labels.append(fmt.period_short(p.strftime("%Y-%m"), language))
                elif months >= 12 and p.month == 1 and p.year % (months // 12) == 0:
                    locs.append(x)
                    labels.append(str(p.year))
            if fits(labels) and len(locs) <= 12:
                break
    else:
        for step in (1, 2, 5, 10, 20, 50):
            locs = [x for x in range(lo, hi + 1) if (start + x).year % step == 0]
            labels = [str((start + x).year) for x in locs]
            if fits(labels) and len(locs) <= 14:
                break
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


def _intervention_label(result: Any, language: Language) -> str | None:
    intervention = getattr(result, "intervention", None)
    if not intervention:
        return None
    return t("fig.intervention", language, period=fmt.period_label(str(intervention), language))


def _mark_intervention(ax: Axes, result: Any, origin: str, language: Language, *,
                       label: bool = True) -> None:
    """The intervention's line and label (call after the data and the x limits)."""
    intervention = getattr(result, "intervention", None)
    if not intervention:
        return
    x = periods_between(origin, str(intervention)) - 0.5
    style.mark_intervention(ax, x, _intervention_label(result, language) if label else None)


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
            ax.axvline(x, color=style.EVENT_COLOR, linewidth=0.8, linestyle=":", zorder=1)
            ax.text(x, 0.02, " " + label, transform=trans, rotation=90, ha="right", va="bottom",
                    fontsize=style.SMALL_SIZE, color=style.EVENT_COLOR, zorder=2)


def add_watermark(fig: Figure, language: Language = "sv") -> None:
    """Write "SIMULERADE DATA – fiktiv kommun" across the figure and in its upper-right corner."""
    text = t("simulated_banner", language)
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and getattr(suptitle, "_autopos", False):
        # the layout puts a suptitle at the very top: an empty first line takes the corner text
        if not suptitle.get_text().startswith("\n"):
            suptitle.set_text("\n" + suptitle.get_text())
    else:  # a strip for the corner text
        style.reserve_top(fig, 1.0 - (style.SMALL_SIZE * 2.0 / 72) / fig.get_figheight())
    size = min(26.0, 3.1 * float(fig.get_figwidth()))  # stays inside narrow figures
    fig.text(0.5, 0.5, text, ha="center", va="center", rotation=20, fontsize=size,
             color=WATERMARK_COLOR, alpha=0.22, fontweight="bold", zorder=100, gid="watermark")
    fig.text(0.995, 0.995, text, ha="right", va="top", fontsize=style.SMALL_SIZE,
             color=WATERMARK_COLOR, fontweight="bold", zorder=100, gid="watermark-corner")


def _kind(result: Any) -> str:
    """``rate``, ``count`` or ``level`` (see :func:`evaluation.report.text.outcome_kind`)."""
    return outcome_kind(result)


def _wrap_ylabel(ax: Axes, text: str) -> str:
    """``text`` wrapped to the height of ``ax`` (the y label runs along it)."""
    fig = ax.get_figure(root=True)
    height = ax.get_position().height * fig.get_figheight() * 0.85
    chars = max(16, int(height * 72 / (style.LABEL_SIZE * 0.58)))
    return "\n".join(textwrap.wrap(text.replace("\n", " "), chars))


def _level_axis_label(result: Any, language: Language) -> str:
    kind = _kind(result)
    label = outcome_label(result.outcome, language)
    if kind == "rate":
        return t("fig.rate_axis", language, label=label)
    unit = result_unit(result, language)
    if kind == "level":
        return t("fig.level_axis", language, label=label, unit=unit)
    return t("fig.count_axis", language, unit=unit or t("fig.count", language))


def _comparison_axis_label(result: Any, language: Language) -> str:
    """The right axis of a count's comparison series, in the scale the design compared on:
    "Jämförelseserie: hushåll per 1 000 invånare" or "Jämförelseserie: antal hushåll"."""
    unit = result_unit(result, language) or t("fig.count", language)
    diagnostics = getattr(result, "diagnostics", None) or {}
    scale = str((diagnostics.get("comparison_diagnostics") or {}).get("scale") or "")
    if scale.replace(" ", "_").startswith("per_1000"):
        return t("fig.comparison_per_1000_axis", language, unit=unit)
    return t("fig.comparison_count_axis", language, unit=unit)


def _effect_unit(result: Any, language: Language) -> str:
    return result_unit(result, language)


def _title(ax: Axes, result: Any, title: str | None, language: Language, *,
           design: bool = False, design_key: str | None = None) -> None:
    """The title: ``title``, or for ``None`` the outcome and the kommun and, with
    ``design=True``, the design's name on a second line (inside the text ``design_key`` when
    given); ``""`` gives none."""
    if title is None:
        place = getattr(result, "treated_name", None) or getattr(result, "treated", "")
        outcome = outcome_label(result.outcome, language)
        title = t("fig.title", language, outcome=outcome, place=place)
        name = getattr(result, "design", None)
        if design and name:
            label = design_label(str(name), language)
            title += "\n" + (t(design_key, language, design=label) if design_key else label)
    if title:
        _set_title(ax, title)


def _set_title(ax: Axes, title: str, *, left: float = 0.85) -> None:
    """A left-aligned title, wrapped to the figure's width (``left``: inches taken by the y
    axis' labels left of the axes, where the title starts).

    The title sits at the axes' top (``y=1.0``) instead of being placed on every draw and
    layout pass above whatever is drawn there: matplotlib's automatic placement measures all
    of the y axes' tick labels to find an offset text ("1e6") over the axes, and there is none
    (:class:`NumberFormatter` writes every number in full) nor tick labels at the top. The
    files are byte-identical (tested); the demo's 18 design figures take about 5 % less CPU
    to draw."""
    width = ax.get_figure(root=True).get_figwidth() - left - 0.1
    chars = max(24, int(width * 72 / (style.TITLE_SIZE * 0.6)))
    lines = [w for line in title.split("\n") for w in (textwrap.wrap(line, chars) or [""])]
    ax.set_title("\n".join(lines), fontsize=style.TITLE_SIZE, loc="left", y=1.0)


def result_source(result: Any) -> str | None:
    """The source a result names for its data, if any: its ``source`` attribute or key,
    ``diagnostics["source"]``, or the ``source`` column of its frame."""
    if isinstance(result, dict):
        found = result.get("source")
    else:
        found = getattr(result, "source", None)
    if not found:
        found = (getattr(result, "diagnostics", None) or {}).get("source")
    if not found:
        frame = getattr(result, "frame", None)
        if isinstance(frame, pd.DataFrame) and "source" in frame.columns:
            names = [str(s) for s in dict.fromkeys(frame["source"].dropna()) if str(s)]
            found = ", ".join(names)
    if isinstance(found, (list, tuple)):
        found = ", ".join(str(x.get("name", x)) if isinstance(x, dict) else str(x)
                          for x in found)
    return str(found) if found else None


def _source(result: Any, source: str | None) -> str | None:
    return source if source is not None else result_source(result)


def _finish(fig: Figure, ax: Axes, language: Language, simulated: bool,
            source: Any = _NO_LINE) -> Figure:
    """Number formats, the report's axes style and title size, the source line and the
    watermark.

    ``source`` is the data's source, or ``None`` for "Källa: egen bearbetning"; when it is not
    given at all, a figure made by :func:`_new_axes` still gets the "egen bearbetning" line
    (figures of other report modules) and a figure made elsewhere none."""
    ax.yaxis.set_major_formatter(NumberFormatter(language))
    if ax.get_title(loc="left"):
        _set_title(ax, ax.get_title(loc="left"))  # wrapped to the A4 column, report size
    if ax.get_title(loc="center"):
        ax.title.set_fontsize(style.TITLE_SIZE)
    ax.yaxis.label.set_fontsize(style.LABEL_SIZE)
    ax.xaxis.label.set_fontsize(style.LABEL_SIZE)
    if source is _NO_LINE and getattr(fig, "_evaluation_new", False):
        source = None
    style.style_axes(ax, twin=getattr(ax, "_evaluation_twin", False))
    for other in fig.axes:
        if getattr(other, "_evaluation_twin", False):
            style.style_axes(other, twin=True)
    if source is not _NO_LINE:
        style.source_line(fig, source, language)
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


def _line_for(owned: bool, source: str | None, result: Any) -> Any:
    """What :func:`_finish` gets as ``source``: a line on the figures this module creates (and
    on any figure when a source is given), none when drawing into someone else's axes."""
    if owned or source is not None:
        return _source(result, source)
    return _NO_LINE


# --------------------------------------------------------------------------- figures
@styled
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
    source: str | None = None,
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
        Draw into this axes instead of a new figure (then no source line unless ``source`` is
        given, and the legend goes inside the axes).
    show_comparison
        Draw the comparison series when the frame has one (for counts on a right-hand axis,
        labelled with its unit, since the national count is on another scale).
    comparison_label
        Legend text for the comparison series (default "Jämförelseserie").
    events
        ``(period, label)`` pairs marked with dotted lines, e.g.
        :func:`evaluation.report.text.national_events`.
    title
        Figure title; ``None`` gives "<outcome> – <kommun>" (and the design's name on a second
        line when the counterfactual is drawn), ``""`` none.
    counterfactual
        ``False`` draws only the data (observed and comparison series, intervention date), e.g.
        for the "Data och mått" section before any model is shown.
    source
        The data's source for the line under the figure ("SCB", "Kolada, egen bearbetning" …);
        ``None``: the result's own source if it names one, else "Källa: egen bearbetning".
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
        ax.plot(x, cf, linestyle="--", color=COUNTERFACTUAL_COLOR, linewidth=1.5,
                label=t("fig.counterfactual", language), zorder=4)
    ax.plot(x, frame["observed"].to_numpy(dtype=float), color=OBSERVED_COLOR, linewidth=1.6,
            label=t("fig.observed", language), zorder=5)
    twin_line = None
    if show_comparison and "comparison" in frame.columns and frame["comparison"].notna().any():
        comp = frame["comparison"].to_numpy(dtype=float)
        if _kind(result) != "count":  # rates and levels: the same unit, the same axis
            ax.plot(x, comp, color=COMPARISON_COLOR, linewidth=1.1, zorder=2,
                    label=comparison_label or t("fig.comparison", language))
        else:
            twin = ax.twinx()
            twin._evaluation_twin = True  # type: ignore[attr-defined]
            (twin_line,) = twin.plot(x, comp, color=COMPARISON_COLOR, linewidth=1.1, zorder=2)
            twin.yaxis.set_major_formatter(NumberFormatter(language))
            twin.set_ylabel(_wrap_ylabel(twin, _comparison_axis_label(result, language)),
                            color=style.TEXT_GREY)
    first, last = float(np.nanmin(x)), float(np.nanmax(x))
    _set_period_ticks(ax, origin, first, last, language)
    _mark_events(ax, events, origin, first, last)
    _mark_intervention(ax, result, origin, language)
    ax.set_ylabel(_wrap_ylabel(ax, _level_axis_label(result, language)))
    _title(ax, result, title, language, design=counterfactual)
    handles, labels = ax.get_legend_handles_labels()
    if twin_line is not None:
        handles.append(twin_line)
        labels.append(comparison_label or t("fig.comparison_axis", language))
    _legend(fig, ax, owned, handles, labels)
    return _finish(fig, ax, language, simulated, _line_for(owned, source, result))


@styled
def effect_path(
    result: Any,
    *,
    language: Language = "sv",
    simulated: bool = False,
    ax: Axes | None = None,
    events: Sequence[tuple[str, str]] | None = None,
    title: str | None = None,
    source: str | None = None,
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
    ax.plot(x, frame["effect"].to_numpy(dtype=float), color=EFFECT_COLOR, linewidth=1.4,
            marker="o", markersize=2.2, label=t("fig.effect", language), zorder=4)
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
    _set_period_ticks(ax, origin, first, last, language)
    _mark_events(ax, events, origin, first, last)
    _mark_intervention(ax, result, origin, language)
    ylabel = t("fig.effect_axis", language, unit=_effect_unit(result, language))
    ax.set_ylabel(_wrap_ylabel(ax, ylabel))
    _title(ax, result, title, language, design=True, design_key="fig.effect_title")
    _legend(fig, ax, owned)
    return _finish(fig, ax, language, simulated, _line_for(owned, source, result))


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


@styled
def placebo_gaps(
    result: Any, *, language: Language = "sv", simulated: bool = False, ax: Axes | None = None,
    source: str | None = None,
) -> Figure:
    """Synthetic control: the treated unit's gap to its synthetic control, with every placebo
    unit's gap (each donor treated in turn) drawn thin and grey behind it (ADH 2010, fig. 4)."""
    check_language(language)
    d = result.diagnostics
    frame, origin, x, fig, ax, owned, span = _time_axes(result, ax)
    if span:
        ax.axvspan(*span, color=POST_SHADE, zorder=0, linewidth=0)
    placebos = d.get("placebo_gaps") or {}
    if placebos:
        # one collection of lines, not a line artist each (the demo's 79 placebo gaps: 0.25–
        # 0.35 CPU-s to build and draw the figure as lines, 0.22–0.26 as one collection)
        gaps = np.column_stack([np.asarray(g, float) for g in placebos.values()])
        ax.add_collection(LineCollection(
            [np.column_stack([x, gaps[:, j]]) for j in range(gaps.shape[1])],
            colors=COMPARISON_COLOR, linewidths=0.5, alpha=0.5, zorder=1,
            label=t("fig.placebo.others", language, n=len(placebos))), autolim=True)
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=2)
    ax.plot(x, np.asarray(d.get("gap") or frame["effect"], float), color=EFFECT_COLOR,
            linewidth=1.8, zorder=4,
            label=t("fig.placebo.treated", language, place=result.treated_name))
    first, last = float(np.nanmin(x)), float(np.nanmax(x))
    _set_period_ticks(ax, origin, first, last, language)
    _mark_intervention(ax, result, origin, language)
    ax.set_ylabel(_wrap_ylabel(ax, t("fig.placebo.axis", language,
                                     unit=_fitting_unit(result, language))))
    _title(ax, result, t("fig.placebo.title", language,
                         outcome=outcome_label(result.outcome, language),
                         place=result.treated_name), language)
    _legend(fig, ax, owned)
    return _finish(fig, ax, language, simulated, _line_for(owned, source, result))


def _bin_label(label: Any) -> str:
    """An event-time bin for a tick: "-87..-85" → "−87 – −85", "+0..+2" → "0 – 2"."""
    text = str(label)
    parts = text.split("..")
    if len(parts) == 2:
        ends = [p.strip().lstrip("+") or "0" for p in parts]
        return style.minus(f"{ends[0]}\u2009\u2013\u2009{ends[1]}")
    return style.minus(text.lstrip("+"))


@styled
def event_study(
    result: Any, *, language: Language = "sv", simulated: bool = False, ax: Axes | None = None,
    source: str | None = None,
) -> Figure:
    """DiD event study: one estimate per bin of event time with its placebo interval; the last
    bin before the intervention is the reference (zero by construction)."""
    check_language(language)
    rows = pd.DataFrame(result.diagnostics.get("event_study") or [])
    fig, ax, owned = _new_axes(ax)
    line = _line_for(owned, source, result)
    if rows.empty:
        _title(ax, result, t("fig.event.title", language,
                             outcome=outcome_label(result.outcome, language),
                             place=result.treated_name), language)
        return _finish(fig, ax, language, simulated, line)
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
                color=EFFECT_COLOR, ecolor=EFFECT_COLOR, elinewidth=1.0, capsize=1.5,
                markersize=3, zorder=4, label=t("fig.event.estimate", language, level=level))
    ref = rows["reference"].astype(bool).to_numpy() if "reference" in rows else ~ok
    if ref.any():
        ax.plot(x[ref], est[ref], marker="D", linestyle="none", color=COUNTERFACTUAL_COLOR,
                markersize=4, zorder=5, label=t("fig.event.reference", language))
    ax.set_xticks(x)
    ax.set_xticklabels([_bin_label(b) for b in rows["bin"]], rotation=90,
                       fontsize=style.SMALL_SIZE)
    ax.set_xlim(-0.5, len(rows) - 0.5)
    if post.any():
        style.mark_intervention(ax, float(x[post][0]) - 0.5,
                                _intervention_label(result, language))
    ax.set_xlabel(t("fig.event.x", language))
    ax.set_ylabel(_wrap_ylabel(ax, t("fig.event.axis", language,
                                     unit=_fitting_unit(result, language))))
    _title(ax, result, t("fig.event.title", language,
                         outcome=outcome_label(result.outcome, language),
                         place=result.treated_name), language)
    _legend(fig, ax, owned)
    return _finish(fig, ax, language, simulated, line)


@styled
def three_panel(result: Any, *, language: Language = "sv", simulated: bool = False,
                source: str | None = None) -> Figure:
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
    for artist in [a for a in ax2.texts if a.get_gid() == style.INTERVENTION_GID]:
        artist.remove()  # the label once, on the top panel
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
        ax3.plot(x, [p["effect"] for p in path], color=EFFECT_COLOR, linewidth=1.4,
                 label=t("fig.cumulative", language))
    else:
        post = frame["post"].astype(bool)
        x = _positions(list(frame.index[post]), origin)
        ax3.plot(x, np.cumsum(frame.loc[post, "effect"].to_numpy(float)), color=EFFECT_COLOR,
                 linewidth=1.4, label=t("fig.cumulative", language))
    ax3.axhline(0.0, color="black", linewidth=0.8)
    _mark_intervention(ax3, result, origin, language, label=False)
    ax3.set_ylabel(_wrap_ylabel(ax3, t("fig.cumulative_axis", language,
                                       unit=_effect_unit(result, language))))
    # one legend under the figure instead of one inside each panel
    handles: list = []
    labels: list[str] = []
    for ax in (ax1, ax2, ax3):
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        h, lab = ax.get_legend_handles_labels()
        for handle, text in zip(h, lab, strict=True):
            if text not in labels:
                handles.append(handle)
                labels.append(text)
    for ax in fig.axes:
        if getattr(ax, "_evaluation_twin", False) and ax.lines:
            comparison = t("fig.comparison_axis", language)
            if comparison not in labels:
                handles.append(ax.lines[0])
                labels.append(comparison)
    _legend(fig, ax1, True, handles, labels)
    for ax in (ax1, ax2, ax3):
        _finish(fig, ax, language, False)
    style.source_line(fig, _source(result, source), language)
    if simulated:
        add_watermark(fig, language)
    return fig


def counterfactual_figures(result: Any, *, language: Language = "sv",
                           simulated: bool = False,
                           source: str | None = None) -> list[tuple[str, Figure]]:
    """Observed against the counterfactual, and the effect path: what a design with a
    counterfactual series shows unless it declares more."""
    return [("", observed_vs_counterfactual(result, language=language, simulated=simulated,
                                            source=source)),
            ("_effekt", effect_path(result, language=language, simulated=simulated,
                                    source=source))]


def design_figures(result: Any, *, language: Language = "sv", simulated: bool = False,
                   source: str | None = None) -> list[tuple[str, Figure]]:
    """The figures a design's result gets in the report, as ``(file suffix, figure)`` pairs:
    those the design declares in the registry (:mod:`evaluation.designs.registry`), or
    :func:`counterfactual_figures` for a result of an unregistered design.

    ``source`` is the data's source for the line under every figure ("SCB", "Kolada, egen
    bearbetning" …); ``None`` keeps the result's own (or "Källa: egen bearbetning")."""
    from evaluation.designs.registry import design

    try:
        declared = design(result.design)
    except KeyError:
        return counterfactual_figures(result, language=language, simulated=simulated,
                                      source=source)
    with style.rc_context():
        out = declared.figures(result, language=language, simulated=simulated)
    for _, fig in out:
        style.source_line(fig, _source(result, source), language)  # replaces the default
    return out


@styled
def sensitivity_plot(grid: pd.DataFrame, results: Sequence[Any], outcome: str, *,
                     language: Language = "sv", simulated: bool = False,
                     source: str | None = None) -> Figure:
    """How each design's estimate moves across the sensitivity variants: one row per variant
    (the report's own choice first, with its interval), one marker per design; a flipped
    variant (another sign, or outside the report's interval) is drawn hollow and vermillion."""
    check_language(language)
    base = [r for r in results if r.outcome == outcome]
    rows = grid[(grid["outcome"] == outcome) & (grid["status"] == "ok")] if len(grid) else grid
    variants = list(dict.fromkeys(rows["variant"])) if len(rows) else []
    labels = [t("sens.baseline", language)] + [sensitivity_label(v, language) for v in variants]
    fig, ax, owned = _new_axes(None, (FIGSIZE[0], 1.6 + 0.4 * len(labels)))
    n = max(len(base), 1)
    offsets = {r.design: (i - (n - 1) / 2) * 0.12 for i, r in enumerate(base)}
    colours = style.PALETTE
    for i, r in enumerate(base):
        colour = colours[i % len(colours)]
        y0 = 0 + offsets[r.design]
        if r.testable:
            ax.plot(r.ci, [y0, y0], color=colour, linewidth=1.4)
        ax.plot([r.average_effect], [y0], "o", color=colour, markersize=5,
                label=design_label(r.design, language))
        mine = rows[rows["design"] == r.design] if len(rows) else rows
        for _, row in mine.iterrows():
            y = 1 + variants.index(row["variant"]) + offsets[r.design]
            if pd.notna(row.get("low")) and pd.notna(row.get("high")):
                ax.plot([row["low"], row["high"]], [y, y], color=colour, linewidth=0.8,
                        alpha=0.6)
            flipped = bool(row.get("flip"))
            ax.plot([row["estimate"]], [y], "o", markersize=5,
                    color=style.FLIP_COLOR if flipped else colour,
                    markerfacecolor="none" if flipped else colour)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(labels)))
    wrapped = ["\n".join(textwrap.wrap(lab, 36)) for lab in labels]
    ax.set_yticklabels(wrapped, fontsize=style.SMALL_SIZE)
    ax.invert_yaxis()
    unit = _fitting_unit(base[0], language) if base else ""
    ax.set_xlabel(t("sens.axis", language, unit=unit))
    ax.xaxis.set_major_formatter(NumberFormatter(language))
    longest = max((len(x) for w in wrapped for x in w.split("\n")), default=0)
    _set_title(ax, t("sens.title", language, outcome=outcome_label(outcome, language)),
               left=_text_width("x" * longest, style.SMALL_SIZE) + 0.15)
    _legend(fig, ax, owned)
    style.style_axes(ax)
    style.source_line(fig, source if source is not None else
                      (result_source(base[0]) if base else None), language)
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


@styled
def decomposition_bars(
    result: Any,
    *,
    language: Language = "sv",
    simulated: bool = False,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
) -> Figure:
    """A waterfall: the change the national development predicts, the local deviation (with its
    interval) on top of it, and the observed change they add up to.

    See :func:`decomposition_parts` for where the numbers come from.
    """
    check_language(language)
    parts = decomposition_parts(result)
    fig, ax, owned = _new_axes(ax)
    national, local, observed = parts["national"], parts["local"], parts["observed"]
    if _kind(result) == "rate":
        decimals = 1
    else:
        decimals = value_decimals(max(abs(observed), abs(national)), _kind(result))
    local_color = style.DECREASE_COLOR if local < 0 else style.INCREASE_COLOR
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
                    color="black", capsize=4, linewidth=1.1, zorder=4)
        tops += [lo, hi]
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=2)
    for xpos, value, anchor in ((0, national, national), (1, local, national + local),
                                (2, observed, observed)):
        va = "bottom" if anchor >= 0 else "top"
        ax.annotate(style.minus(fmt.signed(value, decimals, language)), (xpos, anchor),
                    xytext=(12, 3 if va == "bottom" else -3), textcoords="offset points",
                    ha="left", va=va, fontsize=style.NOTE_SIZE + 0.5, zorder=6)
    labels = [t("fig.decomp.national", language), t("fig.decomp.local", language),
              t("fig.decomp.observed", language)]
    ax.set_xticks([0, 1, 2], ["\n".join(textwrap.wrap(lbl, 22)) for lbl in labels],
                  fontsize=style.TICK_SIZE)
    low, high = min(0.0, *tops), max(0.0, *tops)
    pad = 0.15 * (high - low or 1.0)
    ax.set_ylim(low - pad, high + pad)
    ax.set_xlim(-0.6, 2.9)
    intervention = getattr(result, "intervention", None)
    if intervention:  # no time axis: the date is said under the bars
        ax.set_xlabel(t("fig.decomp.x", language,
                        period=fmt.period_label(str(intervention), language)),
                      gid=style.INTERVENTION_GID)
    ax.set_ylabel(_wrap_ylabel(ax, t("fig.decomp.axis", language,
                                     unit=_effect_unit(result, language))))
    _title(ax, result, title, language, design=True)
    return _finish(fig, ax, language, simulated, _line_for(owned, source, result))


# --------------------------------------------------------------------------- saving
def render_figure(fig: Figure, *, dpi: int = DPI,
                  formats: Sequence[str] = ("png", "svg")) -> dict[str, bytes]:
    """The figure as file contents per format (PNG at ``dpi``, default 300, at least 200; SVG),
    without closing it (:func:`render_figure_pixels` without the pixels)."""
    return render_figure_pixels(fig, dpi=dpi, formats=formats)[0]


def render_figure_pixels(fig: Figure, *, dpi: int = DPI, formats: Sequence[str] = ("png", "svg")
                         ) -> tuple[dict[str, bytes], Any]:
    """The figure as file contents per format (PNG at ``dpi``, default 300, at least 200; SVG),
    without closing it, and the PNG's pixels as a PIL image (None without PNG).

    The figure is laid out once, for the first format, and the other formats reuse that
    layout. The PNG is encoded from the drawn pixels (:func:`_png_of_pixels`), which the caller
    can reduce for the page without decoding the file again. The figure is drawn under
    :data:`FILE_RC` (SVG text stays text, salted ids, no hinting) and the SVG's date is left
    out, so a rerun gives byte-identical files.

    Each format is drawn once. ``savefig`` of a figure with a layout engine first draws it
    without output to lay it out, then draws it again; that first draw is a third of the
    PNG's cost, and for the formats after the first (laid out already) all of it. The PNG's
    pixels are therefore drawn by one draw that lays the figure out on the way
    (:func:`_drawn_pixels`), and the later formats are saved with no layout engine at all
    (the files are byte-identical to ``savefig``'s, which a test checks).

    An axis without a label text has its label's automatic placement switched off first
    (:func:`_unplaced_empty_labels`): the figure's files are its last drawing.
    """
    if dpi < 200:
        raise ValueError(f"dpi={dpi} is too low for a report figure: use at least 200.")
    out: dict[str, bytes] = {}
    pixels = None
    _unplaced_empty_labels(fig)
    engine = fig.get_layout_engine()
    try:
        with matplotlib.rc_context({**FILE_RC,
                                    # so that set_layout_engine(None) means none
                                    "figure.autolayout": False,
                                    "figure.constrained_layout.use": False}):
            for i, ext in enumerate(formats):
                if ext == "png":
                    pixels = _drawn_pixels(fig, dpi)
                    out[ext] = _png_of_pixels(pixels, dpi)
                else:
                    buffer = io.BytesIO()
                    metadata: dict[str, Any] = {"Date": None} if ext == "svg" else {}
                    fig.savefig(buffer, format=ext, dpi=dpi, metadata=metadata,
                                facecolor="white")
                    out[ext] = buffer.getvalue()
                if i == 0 and engine is not None:
                    fig.set_layout_engine(None)  # keep the layout just computed
    finally:
        if fig.get_layout_engine() is not engine:
            fig.set_layout_engine(engine)
    return out, pixels


def _unplaced_empty_labels(fig: Figure) -> None:
    """Switch off the automatic placement of every axis label without text.

    On each draw and in each pass of the constrained layout, matplotlib places an axis' label
    beside the bounding boxes of all its tick labels, measuring each of them
    (``Axis._update_label_position``), also when the label has no text, which draws nothing
    and takes no room (its extent has no width, and the layout leaves such boxes out).
    ``set_label_coords`` (public) fixes such a label's place instead: the files are
    byte-identical (tested), and the 18 design figures of the demo take about 6 % less CPU
    to draw. An axis given a label text afterwards would keep it at that fixed place, so
    this is done only when the figure's files are drawn."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(0.5, 0.5)


def close(fig: Figure) -> None:
    """Let go of a drawn figure: pyplot's ``close`` when pyplot is in use (a figure made with
    pyplot is held by it until closed), nothing otherwise. This package makes its figures
    without pyplot and does not import it: that would cost every run 0.2–0.25 CPU-s of
    imports for a figure manager no report uses."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)


class _SavingCanvas(FigureCanvasAgg):
    """An Agg canvas that says it is saving, as ``savefig``'s canvas does: pyplot's stale-figure
    callback then does not start a draw of its own in the middle of this one."""

    def is_saving(self) -> bool:
        return True


def _drawn_pixels(fig: Figure, dpi: int) -> Any:
    """The figure drawn by Agg at ``dpi`` on white, as a PIL image: the pixels ``savefig(format=
    "png")`` encodes, as RGB when every pixel is opaque (the figures are drawn on white).

    One draw on a canvas of its own, which runs the figure's layout engine before it draws
    (``savefig`` would draw once more, without output, to lay the figure out first). The
    figure's canvas, resolution and face colour are put back afterwards."""
    from PIL import Image

    canvas, resolution, face = fig.canvas, fig.dpi, fig.get_facecolor()
    try:
        drawing = _SavingCanvas(fig)
        fig.set_facecolor("white")
        fig.dpi = dpi
        drawing.draw()
        raw = bytes(drawing.buffer_rgba())
    finally:
        fig.dpi = resolution
        fig.set_facecolor(face)
        fig.set_canvas(canvas)
    # Agg's canvas is the figure's size at ``dpi``, truncated to whole pixels
    width, height = int(fig.get_figwidth() * dpi), int(fig.get_figheight() * dpi)
    if len(raw) != 4 * width * height:
        raise RuntimeError(f"unexpected raw figure size {len(raw)} for {width}×{height} px")
    image = Image.frombuffer("RGBA", (width, height), raw, "raw", "RGBA", 0, 1)
    # every pixel opaque: the alpha bytes' minimum (numpy: 0.7 ms, where PIL's getextrema,
    # which scans all four bands, takes 8.5 ms of a figure's 0.2 s)
    opaque = int(np.frombuffer(raw, dtype=np.uint8)[3::4].min()) == 255
    return image.convert("RGB") if opaque else image


def drawn_png(fig: Figure, dpi: int) -> bytes:
    """The figure as PNG bytes at ``dpi`` from one Agg draw on white (:func:`_drawn_pixels`:
    the layout engine runs on the way, no second draw, no cropping), without closing it: the
    figures drawn for the page alone. Like :func:`render_figure_pixels`, it is the figure's
    last drawing (:func:`_unplaced_empty_labels`)."""
    _unplaced_empty_labels(fig)
    return _png_of_pixels(_drawn_pixels(fig, dpi), dpi)


def _png_of_pixels(image: Any, dpi: int) -> bytes:
    """PNG bytes of a drawn figure: the resolution recorded, no software or date stamp
    (byte-identical reruns), rows unfiltered (:mod:`evaluation.report.png`)."""
    from evaluation.report import png

    return png.encode(image, dpi)


def write_figure_files(files: dict[str, bytes], folder: str | Path, stem: str) -> list[Path]:
    """Write what :func:`render_figure` gave as ``folder/stem.<format>``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext, data in files.items():
        path = folder / f"{stem}.{ext}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def save_figure(
    fig: Figure,
    folder: str | Path,
    stem: str,
    *,
    dpi: int = DPI,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Write the figure as PNG (``dpi``, default 300, at least 200) and SVG and close it
    (:func:`render_figure`, :func:`write_figure_files`).

    Returns
    -------
    list of Path
        The written files, in the order of ``formats``.
    """
    try:
        files = render_figure(fig, dpi=dpi, formats=formats)
    finally:
        close(fig)
    return write_figure_files(files, folder, stem)
