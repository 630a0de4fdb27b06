"""The report's "Jämförelse med liknande kommuner": figures, rank table and text from a
:func:`evaluation.peers.peer_table`.

The section is **descriptive**. It says where the kommun ranks among the group's kommuner and
how far it is from the group's mean, year by year; it never says why, and its text states that it
is not an effect estimate (:data:`DISCLAIMER_KEY`). No other sentence of it uses causal words.

Figures are small multiples, one panel per peer kommun: the treated kommun is drawn on every
panel in a strong colour, the panel's kommun in grey and the group's mean dashed, all panels on
the same y axis. With eight or so peers this reads better than one panel with every kommun
(nine tangled lines, where a peer cannot be told from another): each panel is one pairwise
comparison, and the treated kommun's line is the same everywhere, so the eye compares shapes.
Counts are drawn per 1 000 inhabitants when the table has them (see :mod:`evaluation.peers`).

All wording (Swedish default, English) is in the one catalogue
:data:`evaluation.report.text.TEXTS` under ``peer.*`` (:data:`PEER_TEXTS` shows them without
the prefix), reached through :func:`pt`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker as mticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from evaluation.data.panel import measure_info
from evaluation.report import format as fmt
from evaluation.report.figures import (
    COMPARISON_COLOR,
    FIGSIZE,
    OBSERVED_COLOR,
    NumberFormatter,
    add_watermark,
)
from evaluation.report.format import Language, check_language
from evaluation.report.text import TEXTS, value_decimals

__all__ = [
    "DISCLAIMER_KEY",
    "PEER_TEXTS",
    "peer_figure",
    "peer_figures",
    "peer_heading",
    "peer_rank_table",
    "peer_text",
    "pt",
]

MEAN_COLOR = "#222222"
#: The one sentence of the section that may (and must) speak of effects: it says there are none
#: to read here.
DISCLAIMER_KEY = "disclaimer"
_PREFIX = "peer."

#: The section's wording (Swedish default, English): the ``peer.*`` entries of the one
#: catalogue :data:`evaluation.report.text.TEXTS`, here without the prefix.
PEER_TEXTS: dict[str, dict[str, str]] = {
    key.removeprefix(_PREFIX): entry for key, entry in TEXTS.items() if key.startswith(_PREFIX)
}

_MONTHS = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def pt(key: str, language: Language = "sv", **kw: Any) -> str:
    """The peer section's text ``key`` in ``language``, ``{placeholders}`` filled from ``kw``."""
    check_language(language)
    try:
        template = TEXTS[_PREFIX + key][language]
    except KeyError:
        raise KeyError(f"No text with key {_PREFIX + key!r} in evaluation.report.text.TEXTS") \
            from None
    return template.format(**kw) if kw else template


def peer_heading(language: Language = "sv") -> str:
    """"Jämförelse med liknande kommuner" / "Comparison with similar municipalities"."""
    return pt("heading", language)


# --------------------------------------------------------------------------- helpers
def _join(items: list[str], language: Language) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {'och' if language == 'sv' else 'and'} {items[-1]}"


def _treated(table: pd.DataFrame) -> tuple[str, str]:
    rows = table[table["treated"].astype(bool)]
    if rows.empty:
        code = str(table.attrs.get("treated", ""))
        return code, str(table.attrs.get("treated_name", code))
    return str(rows["unit"].iloc[0]), str(rows["unit_name"].iloc[0])


def _measures(table: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(table["measure"]))


def _sub(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    sub = table[table["measure"] == measure]
    if sub.empty:
        known = ", ".join(_measures(table)) or "–"
        raise ValueError(f"The peer table has no measure {measure!r} (it has {known}).")
    return sub


def _kind(sub: pd.DataFrame) -> str:
    return str(sub["kind"].iloc[0])


def _basis(sub: pd.DataFrame) -> str:
    return str(sub["basis"].iloc[0])


def _decimals(sub: pd.DataFrame) -> int:
    kind, basis = _kind(sub), _basis(sub)
    values = sub["compared"].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    typical = float(np.median(np.abs(values))) if values.size else 0.0
    if kind == "rate":
        return 1
    if basis == "per_1000":
        return 1 if typical < 100 else 0
    return value_decimals(typical, kind)


def _monthly(table: pd.DataFrame) -> bool:
    return table.attrs.get("frequency") == "monthly" or bool(table["months"].notna().any())


def _unit_words(sub: pd.DataFrame, measure: str, language: Language,
                monthly: bool) -> str:
    """What the compared numbers are in: "procent", "hushåll per 1 000 invånare", …"""
    info = measure_info(measure)
    kind, basis = _kind(sub), _basis(sub)
    if kind == "rate":
        return pt("unit.rate", language)
    if basis == "per_1000":
        return pt("unit.per_1000", language, unit=info.unit(language))
    if kind == "count" and monthly:
        return pt("unit.per_month", language, unit=info.unit(language))
    return info.unit(language)


def _value(x: Any, sub: pd.DataFrame, measure: str, language: Language, decimals: int,
           monthly: bool) -> str:
    """A compared value with its unit, for a sentence ("5,1 %", "31,2 per 1 000 invånare")."""
    if fmt.is_missing(x):
        return fmt.MISSING
    kind, basis = _kind(sub), _basis(sub)
    if kind == "rate":
        return fmt.percent(x, decimals, language, fraction=False)
    number = fmt.number(x, decimals, language)
    if basis == "per_1000":
        return pt("value.per_1000", language, value=number,
                  unit=measure_info(measure).unit(language))
    return pt("value.unit", language, value=number,
              unit=_unit_words(sub, measure, language, monthly))


def _month_span(first: Any, last: Any, language: Language) -> str:
    """"jan–jun" from "2024-01" and "2024-06"."""
    if not isinstance(first, str) or not isinstance(last, str):
        return ""
    names = _MONTHS[language]
    a, b = names[int(first[5:7]) - 1], names[int(last[5:7]) - 1]
    return a if a == b else f"{a}\u2013{b}"


def _month_names(first: str, last: str, language: Language) -> str:
    """"januari–juni" / "January–June" from "2024-01" and "2024-06"."""
    a = fmt.period_label(first, language).rsplit(" ", 1)[0]
    b = fmt.period_label(last, language).rsplit(" ", 1)[0]
    return a if a == b else f"{a}\u2013{b}"


def _year_labels(table: pd.DataFrame, language: Language) -> dict[int, str]:
    """Year -> column label: "2024", or "2024 (jan–jun)" for a partial year."""
    labels: dict[int, str] = {}
    for year, rows in table.groupby("year", sort=True):
        partial = rows[rows["partial"].astype(bool) & rows["treated"].astype(bool)]
        if partial.empty:
            labels[int(year)] = str(year)
            continue
        spans = {(r.first_month, r.last_month) for r in partial.itertuples()}
        if len(spans) == 1:
            first, last = next(iter(spans))
            labels[int(year)] = pt("table.partial", language, year=year,
                                   months=_month_span(first, last, language))
        else:
            labels[int(year)] = pt("table.partial_year", language, year=year)
    return labels


def _group_words(table: pd.DataFrame, group_title: str | None) -> str | None:
    from evaluation.peers import clean_title

    title = group_title if group_title is not None else table.attrs.get("group_title")
    return clean_title(title) if title else None


# --------------------------------------------------------------------------- figures
def peer_figure(table: pd.DataFrame, measure: str, language: Language = "sv",
                simulated: bool = False) -> Figure:
    """Small multiples for one measure: one panel per peer kommun, the treated kommun on every
    panel (strong colour), the panel's kommun in grey and the group mean dashed, one y axis.

    Incomplete years (``partial``) are drawn with hollow markers. With ``simulated=True`` the
    figure carries the "SIMULERADE DATA – fiktiv kommun" watermark.
    """
    check_language(language)
    sub = _sub(table, measure)
    code, name = _treated(sub)
    monthly = _monthly(table)
    peers = (sub[~sub["treated"].astype(bool)].drop_duplicates("unit")
             .sort_values("unit_name")[["unit", "unit_name"]])
    n = max(1, len(peers))
    ncols = 1 if n == 1 else 2 if n in (2, 4) else 3 if n <= 9 else 4
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(FIGSIZE[0], 1.4 + 1.75 * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    mine = sub[sub["treated"].astype(bool)].sort_values("year")
    means = sub.drop_duplicates("year").sort_values("year")[["year", "group_mean", "partial"]]
    partial_years = set(sub.loc[sub["partial"].astype(bool), "year"].astype(int))

    def draw(ax, rows: pd.DataFrame, column: str, **style: Any) -> None:
        x = rows["year"].to_numpy(dtype=float)
        y = rows[column].to_numpy(dtype=float)
        ax.plot(x, y, **style)
        hollow = rows["year"].isin(partial_years).to_numpy()
        if hollow.any() and style.get("marker"):
            ax.plot(x[hollow], y[hollow], linestyle="none", marker=style["marker"],
                    markersize=style.get("markersize", 4) + 1.5, markerfacecolor="white",
                    markeredgecolor=style["color"], zorder=style.get("zorder", 3) + 0.5)

    flat = list(axes.flat)
    for ax, peer in zip(flat, peers.itertuples(index=False), strict=False):
        rows = sub[sub["unit"] == peer.unit].sort_values("year")
        draw(ax, means, "group_mean", color=MEAN_COLOR, linestyle="--", linewidth=1.0,
             zorder=2)
        draw(ax, rows, "compared", color=COMPARISON_COLOR, linewidth=1.4, marker="o",
             markersize=3, zorder=3)
        draw(ax, mine, "compared", color=OBSERVED_COLOR, linewidth=2.2, marker="o",
             markersize=3.5, zorder=4)
        # at the top: no offset text to avoid (shared NumberFormatter), see figures._set_title
        ax.set_title(str(peer.unit_name), fontsize=9, loc="left", y=1.0)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=8)
    for i, ax in enumerate(flat):
        if i >= len(peers):
            ax.set_visible(False)
        elif i + ncols >= len(peers):  # last panel of its column: show the years
            ax.xaxis.set_tick_params(labelbottom=True)
    first_ax = flat[0]
    first_ax.xaxis.set_major_locator(mticker.MaxNLocator(nbins=4, integer=True))
    first_ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda x, _pos: f"{int(round(x))}"))
    first_ax.yaxis.set_major_formatter(NumberFormatter(language))
    years = sub["year"].astype(int)
    first_ax.set_xlim(years.min() - 0.5, years.max() + 0.5)

    info = measure_info(measure)
    group = _group_words(table, None) or pt("fig.group", language)
    title = pt("fig.title", language, label=info.label(language), treated=name, group=group)
    fig.suptitle("\n".join(textwrap.wrap(title, 68)) + "\n"
                 + pt("fig.disclaimer", language), fontsize=10, x=0.01, ha="left")
    fig.supylabel("\n".join(textwrap.wrap(_unit_words(sub, measure, language, monthly), 40)),
                  fontsize=9)
    handles = [Line2D([], [], color=OBSERVED_COLOR, linewidth=2.2, marker="o", markersize=3.5),
               Line2D([], [], color=COMPARISON_COLOR, linewidth=1.4, marker="o", markersize=3),
               Line2D([], [], color=MEAN_COLOR, linestyle="--", linewidth=1.0)]
    labels = [name, pt("fig.peer", language), pt("fig.mean", language)]
    if partial_years:
        spans = _year_labels(sub, language)
        months = ", ".join(spans[y] for y in sorted(partial_years))
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=5,
                              markerfacecolor="white", markeredgecolor="#555555"))
        labels.append(pt("fig.partial", language, months=months))
    fig.legend(handles, labels, loc="outside lower center", ncols=2 if len(handles) == 4 else 3,
               frameon=False, fontsize=8)
    if simulated:
        add_watermark(fig, language)
    return fig


def peer_figures(table: pd.DataFrame, language: Language = "sv",
                 simulated: bool = False) -> list[tuple[str, Figure]]:
    """One :func:`peer_figure` per measure, as ``(file stem, figure)``: stems
    ``"<measure>_jamforelse"`` (e.g. for :func:`evaluation.report.figures.save_figure`)."""
    return [(f"{measure}_jamforelse", peer_figure(table, measure, language, simulated))
            for measure in _measures(table)]


# --------------------------------------------------------------------------- table
def peer_rank_table(table: pd.DataFrame, language: Language = "sv") -> pd.DataFrame:
    """Years as columns; per measure three rows: the treated kommun's rank ("3 av 9", 1 =
    lowest), its value and the group's mean (on the compared basis, e.g. per 1 000 inhabitants).

    The numeric twin (ranks and values as numbers) is in ``attrs["raw"]``, so
    :func:`evaluation.report.tables.write_table` writes numbers to the CSV.
    """
    from evaluation.report.tables import _attach_raw

    check_language(language)
    _code, name = _treated(table)
    monthly = _monthly(table)
    labels = _year_labels(table, language)
    years = sorted(labels)
    col_measure, col_row = pt("table.measure", language), pt("table.row", language)
    shown: list[dict[str, Any]] = []
    raw: list[dict[str, Any]] = []
    for measure in _measures(table):
        sub = _sub(table, measure)
        decimals = _decimals(sub)
        head = f"{measure_info(measure).label(language)} " \
               f"({_unit_words(sub, measure, language, monthly)})"
        mine = sub[sub["treated"].astype(bool)].set_index("year")
        means = sub.drop_duplicates("year").set_index("year")["group_mean"]
        rank_row = {col_measure: head, col_row: pt("table.rank", language)}
        value_row = {col_measure: head, col_row: name}
        mean_row = {col_measure: head, col_row: pt("table.mean", language)}
        raws = [dict(rank_row), dict(value_row), dict(mean_row)]
        for year in years:
            col = labels[year]
            rank = mine["rank"].get(year, pd.NA) if year in mine.index else pd.NA
            n = mine["n_ranked"].get(year, pd.NA) if year in mine.index else pd.NA
            value = mine["compared"].get(year, np.nan) if year in mine.index else np.nan
            mean = means.get(year, np.nan)
            rank_row[col] = (fmt.MISSING if pd.isna(rank) else
                             pt("rank_of", language, rank=int(rank), n=int(n)))
            value_row[col] = fmt.number(value, decimals, language)
            mean_row[col] = fmt.number(mean, decimals, language)
            raws[0][col] = None if pd.isna(rank) else float(rank)
            raws[1][col] = None if fmt.is_missing(value) else float(value)
            raws[2][col] = None if fmt.is_missing(mean) else float(mean)
        shown += [rank_row, value_row, mean_row]
        raw += raws
    columns = [col_measure, col_row, *(labels[y] for y in years)]
    out = pd.DataFrame(shown, columns=columns)
    numeric = pd.DataFrame(raw, columns=columns)
    for col in columns[2:]:
        numeric[col] = numeric[col].astype(float)
    _attach_raw(out, numeric)
    return out


# --------------------------------------------------------------------------- text
def peer_text(table: pd.DataFrame, language: Language = "sv", group_title: str | None = None,
              *, notes: list[Mapping[str, str]] | None = None) -> str:
    """The section's Markdown (without its heading, see :func:`peer_heading`).

    Who is compared with whom; the explicit sentence that this describes differences and is no
    effect estimate (:data:`DISCLAIMER_KEY`); how ranks and means are read; per measure, where
    the kommun stands in the latest year (value, group mean, rank) and in the first year, and
    how its rank moved; then the notes (kommuner or measures missing from the data, the treated
    kommun added to the group …) from ``table.attrs["notes"]`` and ``notes``.

    ``group_title`` defaults to ``table.attrs["group_title"]`` (set by
    :func:`evaluation.peers.peer_comparison`).
    """
    check_language(language)
    code, name = _treated(table)
    group = _group_words(table, group_title)
    monthly = _monthly(table)
    peers = (table[~table["treated"].astype(bool)].drop_duplicates("unit")
             .sort_values("unit_name"))
    names = _join([str(v) for v in peers["unit_name"]], language)
    n = len(peers)
    if n == 1:
        intro = pt("intro.one_group" if group else "intro.one_list", language, treated=name,
                   group=group, names=names)
    else:
        intro = pt("intro.group" if group else "intro.list", language, treated=name, n=n,
                   group=group, names=names)
    how = [pt("how.rank", language), pt("how.mean", language, treated=name)]
    if monthly:
        how.append(pt("how.monthly", language))
    if (table["basis"] == "per_1000").any():
        how.append(pt("how.per_1000", language))
    labels = _year_labels(table, language)
    for year in sorted({int(y) for y in table.loc[table["partial"].astype(bool), "year"]}):
        rows = table[(table["year"] == year) & table["treated"].astype(bool)
                     & table["partial"].astype(bool)]
        first, last = rows["first_month"].iloc[0], rows["last_month"].iloc[0]
        how.append(pt("how.partial", language, year=year,
                      months=_month_names(first, last, language)))
    prelim = sorted({int(y) for y in table.loc[table["preliminary"].astype(bool), "year"]})
    if prelim:
        how.append(pt("how.preliminary", language,
                      years=_join([str(y) for y in prelim], language)))
    paragraphs = [f"{intro} {pt(DISCLAIMER_KEY, language)}", " ".join(how)]
    bullets = [_measure_bullet(table, m, name, labels, language, monthly)
               for m in _measures(table)]
    paragraphs.append("\n".join(bullets))
    all_notes = [*(table.attrs.get("notes") or []), *(notes or [])]
    if all_notes:
        lines = [pt("notes", language)] + [f"- {note[language]}" for note in all_notes]
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs) + "\n"


def _relation(value: float, mean: float, decimals: int, language: Language) -> str:
    a, b = fmt.number(value, decimals, language), fmt.number(mean, decimals, language)
    if a == b:
        return pt("relation.equal", language)
    return pt("relation.above" if value > mean else "relation.below", language)


def _measure_bullet(table: pd.DataFrame, measure: str, name: str, labels: Mapping[int, str],
                    language: Language, monthly: bool) -> str:
    sub = _sub(table, measure)
    decimals = _decimals(sub)
    head = f"- **{measure_info(measure).label(language)}**"
    mine = sub[sub["treated"].astype(bool) & sub["compared"].notna()
               & sub["rank"].notna()].sort_values("year")
    if mine.empty:
        return f"{head}: {pt('measure.no_value', language, treated=name)}"
    last = mine.iloc[-1]
    parts = [pt("measure.latest", language, year=labels[int(last["year"])], treated=name,
                value=_value(last["compared"], sub, measure, language, decimals, monthly),
                mean=_value(last["group_mean"], sub, measure, language, decimals, monthly),
                relation=_relation(float(last["compared"]), float(last["group_mean"]), decimals,
                                   language),
                rank=int(last["rank"]), n=int(last["n_ranked"]))]
    if len(mine) > 1:
        first = mine.iloc[0]
        parts.append(pt("measure.first", language, year=labels[int(first["year"])],
                        value=_value(first["compared"], sub, measure, language, decimals,
                                     monthly),
                        mean=_value(first["group_mean"], sub, measure, language, decimals,
                                    monthly),
                        rank=int(first["rank"]), n=int(first["n_ranked"])))
        if int(first["rank"]) == int(last["rank"]):
            parts.append(pt("measure.same_rank", language))
        else:
            parts.append(pt("measure.rank_moved", language,
                            first=pt("rank_of", language, rank=int(first["rank"]),
                                     n=int(first["n_ranked"])),
                            last=pt("rank_of", language, rank=int(last["rank"]),
                                    n=int(last["n_ranked"]))))
    return f"{head}: " + " ".join(parts)
