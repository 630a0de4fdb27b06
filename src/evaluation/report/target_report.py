"""Target follow-up (måluppföljning) for people: a paragraph, a figure and a table.

Everything here reads the dict of :meth:`evaluation.target.TargetFollowUp.to_dict`; no
estimation. Keys read: ``treated_name, kind, unit, measure_label, label, frequency, level,
baseline, goal, interim, direction, required_change, rows, history, latest, national, band,
noise, series_breaks``.

* :func:`target_text` — one Markdown paragraph: the goal, where the kommun is, progress against
  the path, how much of it the national trend accounts for, and the plain noise sentence;
* :func:`target_figure` — observed series, target path (baseline, interim and goal markers) and
  the national-trend counterfactual with its band;
* :func:`target_table` — one row per period from the baseline.

Wording (Swedish default, English) is in the one catalogue :data:`evaluation.report.text.TEXTS`
under ``target.*`` (:data:`TEXTS` here shows them without the prefix) and reached through
:func:`t`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from evaluation.report import format as fmt
from evaluation.report.figures import (
    COUNTERFACTUAL_COLOR,
    FIGSIZE,
    OBSERVED_COLOR,
    _finish,
    _legend,
    _new_axes,
    _set_period_ticks,
)
from evaluation.report.format import Language, check_language
from evaluation.report.tables import _attach_raw
from evaluation.report.text import TEXTS as CATALOGUE
from evaluation.target import anchor

PATH_COLOR = "#2e7d32"
#: Periods of history before the baseline drawn in the figure.
HISTORY_SHOWN = {"yearly": 6, "monthly": 24}
_PREFIX = "target."

#: This module's wording (Swedish default, English): the ``target.*`` entries of the one
#: catalogue :data:`evaluation.report.text.TEXTS`, here without the prefix.
TEXTS: dict[str, dict[str, str]] = {
    key.removeprefix(_PREFIX): entry for key, entry in CATALOGUE.items()
    if key.startswith(_PREFIX)
}


def t(key: str, language: Language = "sv", **kw: Any) -> str:
    """The text ``key`` in ``language`` with ``{placeholders}`` filled from ``kw``."""
    check_language(language)
    try:
        template = CATALOGUE[_PREFIX + key][language]
    except KeyError:
        raise KeyError(f"No text with key {_PREFIX + key!r} in evaluation.report.text.TEXTS") \
            from None
    return template.format(**kw) if kw else template


# --------------------------------------------------------------------------- numbers
def _ok(x: Any) -> bool:
    return not fmt.is_missing(x)


def _decimals(d: Mapping[str, Any], x: float) -> int:
    if d["kind"] == "rate":
        return 1
    if d["kind"] == "count":
        return 0 if abs(x) >= 10 or float(x).is_integer() else 1
    x = abs(float(x))
    return 0 if x >= 10 or x == 0 else 1 if x >= 1 else 2


def _value(d: Mapping[str, Any], x: float | None, language: Language) -> str:
    """A level: "59", "2,1 %", "523 kr per invånare"."""
    if not _ok(x):
        return fmt.MISSING
    text = fmt.number(x, _decimals(d, x), language)
    if d["kind"] == "rate":
        return text + fmt.percent_sign(language)
    if d["kind"] == "level":
        return f"{text} {d['unit'][language]}"
    return text


def _amount(d: Mapping[str, Any], x: float, language: Language) -> str:
    """A difference with its unit: "9 personer", "1,4 procentenheter", "12 kr"."""
    text = fmt.number(abs(x), _decimals(d, x), language)
    if d["kind"] == "rate":
        return f"{text} {'procentenheter' if language == 'sv' else 'percentage points'}"
    return f"{text} {d['unit'][language]}"


def _interval(d: Mapping[str, Any], lo: Any, hi: Any, language: Language) -> str:
    """"41 till 67" (sv), "2,0 % to 2,9 %" (en), "12 till 20 kr"; a missing end gives "–"."""
    if not (_ok(lo) and _ok(hi)):
        return fmt.MISSING
    word = "till" if language == "sv" else "to"
    if d["kind"] == "rate":
        return f"{_value(d, lo, language)} {word} {_value(d, hi, language)}"
    decimals = max(_decimals(d, lo), _decimals(d, hi))
    unit = d["unit"][language] if d["kind"] == "level" else None
    return fmt.interval(lo, hi, decimals=decimals, language=language, unit=unit)


def _when(period: str, language: Language, *, by: bool = False, cap: bool = False) -> str:
    """"år 2021" / "i mars 2021" (sv); "in 2021" / "in March 2021", or "by …" (en)."""
    monthly = len(str(period)) > 4
    label = fmt.period_label(str(period), language)
    if language == "sv":
        text = f"i {label}" if monthly else f"år {label}"
    else:
        text = f"{'by' if by else 'in'} {label}"
    return text[:1].upper() + text[1:] if cap else text


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _place(d: Mapping[str, Any]) -> str:
    return str(d.get("treated_name") or d.get("treated") or "")


def _down(d: Mapping[str, Any]) -> bool:
    return int(d.get("direction", -1)) < 0


# --------------------------------------------------------------------------- the paragraph
def _goal_sentence(d: Mapping[str, Any], language: Language) -> str:
    items = [f"{_value(d, p['value'], language)} {_when(p['period'], language, by=True)}"
             for p in d.get("interim") or []]
    interim = ""
    if items:
        words = " och " if language == "sv" else " and "
        joined = ", ".join(items[:-1]) + words + items[-1] if len(items) > 1 else items[0]
        interim = t("interim.many" if len(items) > 1 else "interim.one", language, items=joined)
    count = d["kind"] == "count"
    label = d["measure_label"][language]
    return t("goal.count" if count else "goal.other", language,
             noun=_lower(label) if count else label, place=_place(d),
             verb=t("verb.down" if _down(d) else "verb.up", language),
             baseline=_value(d, d["baseline"]["value"], language),
             baseline_when=_when(d["baseline"]["period"], language),
             goal=_value(d, d["goal"]["value"], language),
             goal_when=_when(d["goal"]["period"], language, by=True), interim=interim)


def _where_sentences(d: Mapping[str, Any], row: Mapping[str, Any], language: Language) -> list[str]:
    count = d["kind"] == "count"
    diff = float(row["observed"]) - float(d["baseline"]["value"])
    when = _when(row["period"], language, cap=True)
    observed = _value(d, row["observed"], language)
    if abs(diff) < 1e-12:
        out = [t("where.count_same" if count else "where.other_same", language, when=when,
                 observed=observed)]
    else:
        word = ("fewer" if diff < 0 else "more") if count else ("lower" if diff < 0 else "higher")
        number = fmt.number(abs(diff), _decimals(d, diff), language) if count else \
            _amount(d, diff, language)
        out = [t("where.count" if count else "where.other", language, when=when,
                 observed=observed, diff=number, more_less=t(word, language))]
    if _ok(row.get("progress")) and row["progress"] > 0:
        out.append(t("achieved", language, share=fmt.percent(row["share_achieved"], 0, language),
                     change=t("change.down" if _down(d) else "change.up", language),
                     required=_amount(d, d["required_change"], language)))
    else:
        out.append(t("no_progress", language))
    if _ok(row.get("remaining")) and row["remaining"] <= 0:
        out.append(t("reached", language, goal=_value(d, d["goal"]["value"], language)))
    else:
        out.append(_path_sentence(d, row, language))
    if row.get("preliminary"):
        out.append(t("preliminary", language, when=_when(row["period"], language)))
    return out


def _path_sentence(d: Mapping[str, Any], row: Mapping[str, Any], language: Language) -> str:
    noun = t("noun.count" if d["kind"] == "count" else "noun.other", language)
    kw = {"noun": noun, "path": _value(d, row["target"], language),
          "when": _when(row["period"], language), "place": _place(d)}
    if row.get("on_track"):
        return t("path.on", language, **kw)
    gap = abs(float(row["observed"]) - float(row["target"]))
    return t("path.behind", language, gap=_amount(d, gap, language), **kw)


def _national_sentences(d: Mapping[str, Any], row: Mapping[str, Any],
                        language: Language) -> list[str]:
    national = d.get("national") or {}
    if national.get("available") and not _ok(row.get("expected")):
        return [t("national.missing_period", language, when=_when(row["period"], language))]
    if not national.get("available"):
        key = "national.missing_baseline" if national.get("reason") == "missing_baseline" \
            else "national.missing"
        return [t(key, language)]
    place = _place(d)
    has_band = _ok(row.get("expected_low")) and _ok(row.get("expected_high"))
    if has_band:
        interval = _interval(d, row["expected_low"], row["expected_high"], language)
        band = t("national.band", language, level=fmt.level_label(d.get("level", 0.95),
                                                                   language), interval=interval)
    else:
        band = t("national.no_band", language)
    noun = t("noun.count" if d["kind"] == "count" else "noun.other", language)
    out = [t("national", language, place=place, noun=noun, when=_when(row["period"], language),
             expected=_value(d, row["expected"], language), band=band)]
    method = (d.get("band") or {}).get("method")
    if has_band and method in ("poisson_history", "poisson", "history"):
        out.append(t(f"band.{method}", language, place=place))
    out += _share_sentence(d, row, language)
    if has_band and row.get("vs_national"):
        out.append(_vs_sentence(d, row, language))
    return out


def _share_sentence(d: Mapping[str, Any], row: Mapping[str, Any], language: Language) -> list[str]:
    share = row.get("share_national")
    if not _ok(share):
        return []
    change = t("change.down_def" if _down(d) else "change.up_def", language)
    if share <= 0:
        return [t("share.none", language, change=change)]
    if share >= 1:
        return [t("share.all", language, change=change)]
    return [t("share.part", language, change=change, share=fmt.percent(share, 0, language))]


def _vs_sentence(d: Mapping[str, Any], row: Mapping[str, Any], language: Language) -> str:
    vs = row["vs_national"]
    if vs == "within":
        return t("vs.within", language, place=_place(d))
    below = float(row["observed"]) < float(row["expected_low"])
    return t(f"vs.{vs}", language, place=_place(d),
             side=t("side.below" if below else "side.above", language))


def noise_sentences(d: Mapping[str, Any], language: Language = "sv") -> list[str]:
    """The plain noise sentences for the latest period (empty when the movement is larger
    than the noise); for a rate or a level, the sentence saying the rule does not apply."""
    check_language(language)
    row = d.get("latest")
    if not row:
        return []
    if d["kind"] != "count":
        return [t("noise.rate" if d["kind"] == "rate" else "noise.level", language,
                  place=_place(d))]
    noise = d.get("noise") or {}
    half = fmt.number(noise.get("half_width"), 0, language)
    out = []
    if noise.get("progress_within"):
        diff = float(row["observed"]) - float(d["baseline"]["value"])
        changed = "changed.none" if abs(diff) < 1e-12 else (
            "changed.down" if diff < 0 else "changed.up")
        out.append(t("noise.progress", language, diff=_amount(d, diff, language),
                     half_width=half, changed=t(changed, language)))
    if noise.get("goal_within"):  # then whatever remains is within the noise too
        out.append(t("noise.goal", language, diff=_amount(d, d["required_change"], language),
                     half_width=half))
    elif noise.get("remaining_within"):
        out.append(t("noise.remaining", language, diff=_amount(d, row["remaining"], language),
                     half_width=half))
    return out


def target_text(d: Mapping[str, Any], language: Language = "sv") -> str:
    """One Markdown paragraph on the target follow-up ``d`` (a
    :meth:`~evaluation.target.TargetFollowUp.to_dict`): the goal, where the kommun is against
    the baseline and the target path, what the national trend alone would have given and how
    much of the progress it accounts for, and — for a count within the noise of a small
    number — the plain noise sentence."""
    check_language(language)
    parts = []
    if d.get("label"):
        parts.append(f"**{d['label']}.**")
    parts.append(_goal_sentence(d, language))
    row = d.get("latest")
    if row:
        parts += _where_sentences(d, row, language)
        parts += _national_sentences(d, row, language)
        parts += noise_sentences(d, language)
    else:
        parts.append(t("no_data", language, place=_place(d)))
    later = d.get("after_goal")
    if later:
        parts.append(t("after_goal", language, when=_when(later["period"], language),
                       value=_value(d, later["observed"], language),
                       preliminary=t("after_goal.preliminary", language)
                       if later.get("preliminary") else ""))
    if d.get("series_breaks"):
        parts.append(t("series_break", language))
    return " ".join(parts)


# --------------------------------------------------------------------------- the figure
def _steps(d: Mapping[str, Any]) -> int:
    return 1 if d.get("frequency") == "monthly" else 12


def _x(d: Mapping[str, Any], period: str, origin: str) -> float:
    """Position on the figure's axis (data periods from ``origin``; other frequencies placed
    by their end, as on the target path)."""
    return (anchor(period) - anchor(origin)) / _steps(d)


def _axis_label(d: Mapping[str, Any], language: Language) -> str:
    label = d["measure_label"][language]
    if d["kind"] == "rate":
        return t("fig.rate_axis", language, label=label)
    if d["kind"] == "level":
        return t("fig.level_axis", language, label=label, unit=d["unit"][language])
    return t("fig.count_axis", language, unit=d["unit"][language])


def _column(rows: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    return np.array([np.nan if not _ok(r.get(key)) else float(r[key]) for r in rows])


def _draw_path(ax: Any, d: Mapping[str, Any], origin: str, end: float,
               language: Language) -> None:
    points = ([(d["baseline"]["period"], d["baseline"]["value"], "o", "fig.baseline")]
              + [(p["period"], p["value"], "D", "fig.interim") for p in d.get("interim") or []]
              + [(d["goal"]["period"], d["goal"]["value"], "*", "fig.goal")])
    xs = [_x(d, p, origin) for p, *_ in points]
    ys = [float(v) for _, v, *_ in points]
    if end > xs[-1]:
        ax.plot([xs[-1], end], [ys[-1]] * 2, color=PATH_COLOR, linewidth=1.2, linestyle=":",
                zorder=3)
    ax.plot(xs, ys, color=PATH_COLOR, linewidth=1.6, linestyle="--",
            label=t("fig.path", language), zorder=3)
    seen = set()
    for x, y, (_, _, marker, key) in zip(xs, ys, points):
        ax.plot([x], [y], marker=marker, color=PATH_COLOR, markersize=9 if marker == "*" else 6,
                linestyle="none", zorder=6, label=None if key in seen else t(key, language))
        seen.add(key)


def target_figure(d: Mapping[str, Any], language: Language = "sv", simulated: bool = False, *,
                  ax: Any = None, title: str | None = None) -> Figure:
    """Observed series, target path and the national-trend counterfactual with its band.

    The path is a dashed green line through the baseline (circle), interim targets (diamonds)
    and the goal (star), dotted after the goal; the counterfactual "with the national trend" is
    a dashed red line with its band shaded; the observed series (with some periods before the
    baseline) is solid. ``simulated`` adds the "SIMULERADE DATA" watermark; ``title=""`` gives
    none. Returns the :class:`~matplotlib.figure.Figure`.
    """
    check_language(language)
    fig, ax, owned = _new_axes(ax, FIGSIZE)
    rows = list(d.get("rows") or [])
    history = list(d.get("history") or [])[-HISTORY_SHOWN.get(d.get("frequency"), 6):]
    origin = (history or rows)[0]["period"]
    xr = np.array([_x(d, r["period"], origin) for r in rows])
    lo, hi = _column(rows, "expected_low"), _column(rows, "expected_high")
    at_base = np.array([r.get("horizon") == 0 for r in rows])
    lo[at_base] = hi[at_base] = _column(rows, "expected")[at_base]  # the band opens from zero
    ok = np.isfinite(lo) & np.isfinite(hi)
    if ok.any():
        level = fmt.level_label(d.get("level", 0.95), language)
        ax.fill_between(xr, lo, hi, where=ok, color=COUNTERFACTUAL_COLOR, alpha=0.15,
                        linewidth=0, label=t("fig.band", language, level=level), zorder=1)
    expected = _column(rows, "expected")
    if np.isfinite(expected).any():
        ax.plot(xr, expected, color=COUNTERFACTUAL_COLOR, linestyle="--", linewidth=1.4,
                label=t("fig.expected", language), zorder=4)
    first, last = 0.0, float(xr.max())
    _draw_path(ax, d, origin, last, language)
    observed = history + [r for r in rows if _ok(r.get("observed"))]
    ax.plot([_x(d, r["period"], origin) for r in observed],
            [float(r["observed"]) for r in observed], color=OBSERVED_COLOR, linewidth=1.8,
            marker="o", markersize=3.5, label=t("fig.observed", language), zorder=5)
    ax.axvline(_x(d, d["baseline"]["data_period"], origin), color="#999999", linewidth=0.8,
               linestyle=":", zorder=1)
    _set_period_ticks(ax, origin, first, last, language)
    ax.set_ylabel(_axis_label(d, language))
    ax.set_ylim(bottom=0 if d["kind"] == "count" else None)
    if title is None:
        title = t("fig.title", language, label=d.get("label") or d["measure_label"][language],
                  place=_place(d))
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    _legend(fig, ax, owned, *_legend_items(ax))
    return _finish(fig, ax, language, simulated)


def _legend_items(ax: Any) -> tuple[list, list]:
    handles, labels = ax.get_legend_handles_labels()
    keep = [(h, lab) for h, lab in zip(handles, labels) if lab and not lab.startswith("_")]
    return [h for h, _ in keep], [lab for _, lab in keep]


# --------------------------------------------------------------------------- the table
def _raw_table(d: Mapping[str, Any], language: Language) -> pd.DataFrame:
    rows = list(d.get("rows") or [])
    return pd.DataFrame({
        t("table.period", language): [r["period"] for r in rows],
        t("table.observed", language): _column(rows, "observed"),
        t("table.path", language): _column(rows, "target"),
        t("table.expected", language): _column(rows, "expected"),
        t("table.low", language): _column(rows, "expected_low"),
        t("table.high", language): _column(rows, "expected_high"),
        t("table.progress", language): _column(rows, "progress"),
        t("table.share", language): _column(rows, "share_achieved"),
        t("table.on_track", language): [r.get("on_track") for r in rows],
        t("table.vs", language): [r.get("vs_national") for r in rows],
    })


def _yes_no(x: Any, language: Language) -> str:
    return fmt.MISSING if x is None else t("table.yes" if x else "table.no", language)


def target_table(d: Mapping[str, Any], language: Language = "sv", *,
                 formatted: bool = True) -> pd.DataFrame:
    """One row per period from the baseline: observed, target path, the national-trend
    expectation with its band, progress towards the goal, share of the goal achieved, on-track
    flag and the comparison with the national trend.

    ``formatted=True`` (default) gives display strings (the numbers in ``df.attrs["raw"]`` as in
    :mod:`evaluation.report.tables`); ``formatted=False`` gives numbers, the band as two
    columns, periods as ``YYYY``/``YYYY-MM``.
    """
    check_language(language)
    raw = _raw_table(d, language)
    if not formatted:
        return raw
    rows = list(d.get("rows") or [])

    def num(x: Any) -> str:
        return _value(d, x, language) if _ok(x) else fmt.MISSING

    def period(r: Mapping[str, Any]) -> str:
        label = fmt.period_label(r["period"], language)
        return t("table.preliminary", language, period=label) if r.get("preliminary") else label

    def band(r: Mapping[str, Any]) -> str:
        return _interval(d, r.get("expected_low"), r.get("expected_high"), language)

    def progress(r: Mapping[str, Any]) -> str:
        x = r.get("progress")
        return fmt.MISSING if not _ok(x) else fmt.signed(x, _decimals(d, x), language)

    level = fmt.level_label(d.get("level", 0.95), language)
    out = pd.DataFrame({
        t("table.period", language): [period(r) for r in rows],
        t("table.observed", language): [num(r.get("observed")) for r in rows],
        t("table.path", language): [num(r.get("target")) for r in rows],
        t("table.expected", language): [num(r.get("expected")) for r in rows],
        t("table.interval", language, level=level): [band(r) for r in rows],
        t("table.progress", language): [progress(r) for r in rows],
        t("table.share", language): [fmt.percent(r.get("share_achieved"), 0, language)
                                     for r in rows],
        t("table.on_track", language): [_yes_no(r.get("on_track"), language) for r in rows],
        t("table.vs", language): [t(f"table.{r['vs_national']}", language)
                                  if r.get("vs_national") else fmt.MISSING for r in rows],
    })
    _attach_raw(out, raw)
    return out
