"""The report's "Kommuner som gjort samma förändring": text, figure and table from
``summary["pooled"]`` (:meth:`evaluation.pooled.PooledEvidence.to_dict`).

* :func:`pooled_text` — one paragraph built from the numbers: how many kommuner made the change
  and when, what they are compared with, on which yearly scale, who is left out and why, per
  outcome the average effect with its interval and whether it is distinguishable from zero, the
  test of the years before the change, and where the evaluated kommun's own estimate lies;
* :func:`pooled_figure` — per outcome the effect by years since the change (the dynamic
  aggregation, intervals, the years before the change drawn apart) with the kommun's own
  estimate drawn over the years its post window covers;
* :func:`pooled_table` — per year of adoption the number of kommuner and each outcome's
  effect with its interval (the cohorts' ATTs), and the weighted average of all;
* :func:`exclusions_text` — the kommuner left out, each with its reason.

All wording is in :data:`evaluation.report.text.TEXTS` under ``pooled.*`` (and the heading
``section_pooled``); no number is typed here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker as mticker
from matplotlib.figure import Figure

from evaluation.report import format as fmt
from evaluation.report import style
from evaluation.report.figures import (
    COMPARISON_COLOR,
    COUNTERFACTUAL_COLOR,
    EFFECT_COLOR,
    POST_SHADE,
    NumberFormatter,
    _finish,
    _legend,
    _new_axes,
    _set_title,
    _wrap_ylabel,
)
from evaluation.report.format import Language, check_language
from evaluation.report.text import design_label, join_words, outcome_label, outcome_noun, t

__all__ = ["exclusions_text", "figure_stem", "pooled_figure", "pooled_figures",
           "pooled_source", "pooled_table", "pooled_text"]

#: Order of the exclusion reasons in the text.
REASONS = ("always_treated", "switch_back", "adoption_year_unknown", "no_flag",
           "excluded_by_spec", "excluded_by_caller", "unbalanced", "no_pre_period")
SUFFIX = "_samma_forandring"
ALPHA = 0.05


# --------------------------------------------------------------------------- helpers
def figure_stem(outcome: str) -> str:
    """File stem of an outcome's figure: ``<outcome>_samma_forandring``."""
    return f"{outcome}{SUFFIX}"


def _owner(place: str, language: Language) -> str:
    """The possessive of a name: "Exempelstads", "Kils" → "Kils"; "Exempelstad's"."""
    if language == "en":
        return f"{place}'" if place.endswith("s") else f"{place}'s"
    return place if place[-1:].lower() in ("s", "x", "z") else f"{place}s"


def _design(name: Any, language: Language) -> str:
    """A design's name inside a sentence: "avbruten tidsserie …" (an acronym stays)."""
    label = design_label(str(name), language)
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _decimals(values: list[float]) -> int:
    """Decimals that show the interval's half-width with two significant digits (1–3)."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    width = max(finite) if finite else 1.0
    if width <= 0:
        return 2
    return int(min(3, max(1, 1 - math.floor(math.log10(width)))))


def _outcome_decimals(o: Mapping[str, Any]) -> int:
    lo, hi = o["simple"]["ci"]
    return _decimals([(hi - lo) / 2]) if lo is not None and hi is not None else 2


def _unit(o: Mapping[str, Any], language: Language) -> str:
    return str((o.get("unit") or {}).get(language) or "")


def _amount(x: float | None, o: Mapping[str, Any], language: Language, decimals: int) -> str:
    if x is None or not math.isfinite(float(x)):
        return fmt.MISSING
    return f"{fmt.signed(float(x), decimals, language)} {_unit(o, language)}".strip()


def _ci(ci: Any, level: float, language: Language, decimals: int) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return fmt.MISSING
    return (f"{fmt.ci_label(level, language)} "
            f"{fmt.interval(ci[0], ci[1], decimals=decimals, language=language)}")


def pooled_source(d: Mapping[str, Any], data_source: str | None) -> str | None:
    """The figure's and table's source: the data's, and the flag's own source when it names
    another (a ``source`` column in the flag file), else the flag file's name."""
    source = d.get("source") or {}
    names = [data_source] if data_source else []
    extra = source.get("name") or source.get("file")
    if extra and extra not in names and not source.get("simulated"):
        names.append(str(extra))
    return ", ".join(n for n in names if n) or None


# --------------------------------------------------------------------------- text
def pooled_text(d: Mapping[str, Any], language: Language = "sv") -> str:
    """One paragraph (Markdown) from ``summary["pooled"]``; see the module docstring."""
    lead, method = pooled_parts(d, language)
    return " ".join(p for p in (lead, method) if p)


def pooled_parts(d: Mapping[str, Any], language: Language = "sv") -> tuple[str, str]:
    """:func:`pooled_text` in two parts for the page: what was found (who made the change,
    the result per outcome, where the kommun lies) and how (the comparison, the scale, who is
    left out, notes) — the second part is shown collapsed."""
    lead, method = _pooled_sentences(d, language)
    return " ".join(p for p in lead if p), " ".join(p for p in method if p)


def _pooled_sentences(d: Mapping[str, Any], language: Language) -> tuple[list[str], list[str]]:
    check_language(language)
    place = str((d.get("treated") or {}).get("name") or (d.get("treated") or {}).get("code"))
    level = float(d.get("ci_level") or 0.95)
    source = d.get("source") or {}
    kind = "demo" if source.get("simulated") else source.get("kind", "flag")
    years = d.get("cohort_years") or []
    included = bool((d.get("treated") or {}).get("cohort"))
    outcomes = list((d.get("outcomes") or {}).values())
    first = outcomes[0] if outcomes else {}
    parts = [t("pooled.intro", language,
               source=t(f"pooled.source.{kind}", language, file=source.get("file") or ""),
               n=first.get("n_adopters", d.get("n_adopters")), place=place,
               first=min(years) if years else fmt.MISSING,
               last=max(years) if years else fmt.MISSING,
               own=t("pooled.intro.own", language, place=place) if included else "")]
    lead, parts = parts, []
    parts.append(t(f"pooled.compare.{d.get('control', 'notyet')}", language,
                   n_never=first.get("n_never_treated", 0)))
    items = [t(f"pooled.scale.{o['scale']}", language,
               noun=outcome_noun(o["outcome"], language)) for o in outcomes]
    if items:
        parts.append(t("pooled.scale", language, items=join_words(items, language)))
    excluded = d.get("excluded") or []
    if excluded:
        counts = Counter(e["code"] for e in excluded)
        reasons = [t(f"pooled.reason.{code}", language, n=counts[code])
                   for code in (*REASONS, *sorted(set(counts) - set(REASONS)))
                   if counts.get(code) and f"pooled.reason.{code}" in _keys()]
        parts.append(t("pooled.excluded", language, n=len(excluded),
                       reasons=join_words(reasons, language)))
    for o in outcomes:
        lead += _outcome_sentences(o, place, level, language)
    if source.get("simulated"):
        lead.append(t("pooled.simulated", language, place=place))
    parts += [_note(n, language) for n in d.get("notes") or []]
    return lead, parts


def _note(note: Mapping[str, Any], language: Language) -> str:
    """A note of :class:`evaluation.pooled.PooledEvidence`: a catalogue key with its values,
    or a sentence in both languages."""
    if note.get("key"):
        values = {k: v for k, v in note.items() if k not in ("key", "sv", "en")}
        return t(f"pooled.note.{note['key']}", language, reason=note.get(language, ""), **values)
    return str(note.get(language) or "")


def _keys() -> set[str]:
    from evaluation.report.text import TEXTS

    return set(TEXTS)


def _outcome_sentences(o: Mapping[str, Any], place: str, level: float,
                       language: Language) -> list[str]:
    decimals = _outcome_decimals(o)
    simple = o["simple"]
    noun = outcome_noun(o["outcome"], language)
    out = [t("pooled.effect", language, noun=noun,
             effect=_amount(simple["att"], o, language, decimals),
             ci=_ci(simple["ci"], level, language, decimals))]
    lo, hi = simple["ci"]
    if lo is not None and hi is not None:
        if lo > 0:
            out.append(t("pooled.higher", language))
        elif hi < 0:
            out.append(t("pooled.lower", language))
        else:
            out.append(t("pooled.none", language))
    test = o.get("pretrend")
    if test and test.get("p_value") is not None:
        p = fmt.p_value(test["p_value"], language)
        key = "pooled.pretrend.differ" if test["p_value"] < ALPHA else "pooled.pretrend.same"
        out.append(t(key, language, p=p))
    own, place_d = o.get("own"), o.get("placement")
    if own and place_d:
        out.append(_own_sentence(o, own, place_d, place, level, language))
    return out


def _own_sentence(o: Mapping[str, Any], own: Mapping[str, Any], p: Mapping[str, Any],
                  place: str, level: float, language: Language) -> str:
    decimals = max(_outcome_decimals(o), _decimals([float(own.get("se") or 0) * 2]))
    owner = _owner(place, language)
    amount = _amount(own["estimate"], o, language, decimals)
    ci = _ci(own.get("ci"), level, language, decimals)
    if own.get("source") == "lead_design":
        w = own.get("post_window") or [None, None]
        window = fmt.period_range_label(w[0], w[1], language)
        converted = (t("pooled.own.converted", language, unit=_unit(o, language))
                     if o.get("scale") == "per_1000" else "")
        head = t("pooled.own.lead", language, owner=owner,
                 design=_design(own.get("design"), language),
                 window=window, converted=converted, own=amount, ci=ci)
    else:
        head = t("pooled.own.cohort", language, owner=owner, own=amount, ci=ci)
    pct = p.get("percentile_att_gt")
    if pct is None:
        position = t("pooled.position.at", language, pct=fmt.MISSING)
    elif pct <= 0:
        position = t("pooled.position.below", language)
    elif pct >= 100:
        position = t("pooled.position.above", language)
    else:
        position = t("pooled.position.at", language, pct=fmt.number(pct, 0, language))
    span = p.get("range_att_gt") or [None, None]
    if p.get("overlaps_simple") is None:
        overlap = t("pooled.overlap.none", language)
    elif p["overlaps_simple"]:
        overlap = t("pooled.overlap.yes", language)
    else:
        overlap = t("pooled.overlap.below" if own["estimate"] < p["simple_att"]
                    else "pooled.overlap.above", language)
    tail = t("pooled.own.tail", language, position=position, n=int(o.get("n_post_cells") or 0),
             range=fmt.interval(span[0], span[1], decimals=decimals, language=language),
             overlap=overlap)
    return head + tail


# --------------------------------------------------------------------------- figure
@style.styled
def pooled_figure(d: Mapping[str, Any], outcome: str, language: Language = "sv",
                  simulated: bool = False, *, source: str | None = None,
                  ax: Any = None) -> Figure:
    """The effect by years since the change for ``outcome`` (see the module docstring)."""
    check_language(language)
    o = d["outcomes"][outcome]
    level = float(d.get("ci_level") or 0.95)
    level_text = fmt.level_label(level, language)
    place = str((d.get("treated") or {}).get("name") or "")
    fig, ax, owned = _new_axes(ax)
    rows = pd.DataFrame(o.get("dynamic") or [])
    x = rows["event_time"].to_numpy(float) if len(rows) else np.array([])
    est = rows["att"].to_numpy(float) if len(rows) else np.array([])
    lo = rows["ci_low"].to_numpy(float) if len(rows) else np.array([])
    hi = rows["ci_high"].to_numpy(float) if len(rows) else np.array([])
    post = x >= 0
    if len(x):
        ax.axvspan(-0.5, x.max() + 0.5, color=POST_SHADE, zorder=0, linewidth=0)
    ax.axhline(0.0, color="black", linewidth=0.8, zorder=2)
    ok = np.isfinite(lo) & np.isfinite(hi)
    for mask, color, face, label in (
            (~post & ok, COMPARISON_COLOR, "white", t("pooled.fig.pre", language)),
            (post & ok, EFFECT_COLOR, EFFECT_COLOR,
             t("pooled.fig.estimate", language, level=level_text))):
        if mask.any():
            ax.errorbar(x[mask], est[mask], yerr=[est[mask] - lo[mask], hi[mask] - est[mask]],
                        fmt="o", color=color, ecolor=color, markerfacecolor=face,
                        elinewidth=1.0, capsize=1.5, markersize=3.5, zorder=4, label=label)
    own = o.get("own")
    if own and own.get("estimate") is not None:
        spans = own.get("event_times") or [0, 0]
        left, right = float(spans[0]) - 0.35, float(spans[1]) + 0.35
        key = "pooled.fig.own"
        design = (_design(own.get("design"), language)
                  if own.get("source") == "lead_design" else t("pooled.fig.own_cohort",
                                                               language))
        label = t(key, language, place=place, design=design, level=level_text)
        ci = own.get("ci")
        if ci and ci[0] is not None:
            ax.fill_between([left, right], [ci[0]] * 2, [ci[1]] * 2,
                            color=COUNTERFACTUAL_COLOR, alpha=0.15, linewidth=0, zorder=1)
        ax.plot([left, right], [own["estimate"]] * 2, color=COUNTERFACTUAL_COLOR,
                linewidth=2.0, zorder=5, label=label)
    if len(x):
        ax.set_xlim(x.min() - 0.6, x.max() + 0.6)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.xaxis.set_major_formatter(NumberFormatter(language))
    style.mark_intervention(ax, -0.5, t("pooled.fig.change", language))
    ax.set_xlabel(t("pooled.fig.x", language))
    ax.set_ylabel(_wrap_ylabel(ax, t("pooled.fig.y", language, unit=_unit(o, language))))
    _set_title(ax, t("pooled.fig.title", language, label=outcome_label(outcome, language)))
    handles, labels = ax.get_legend_handles_labels()
    first = [t("pooled.fig.pre", language), t("pooled.fig.estimate", language, level=level_text)]
    order = sorted(range(len(labels)),  # before, after, then the kommun's own
                   key=lambda i: first.index(labels[i]) if labels[i] in first else len(first))
    _legend(fig, ax, owned, [handles[i] for i in order], [labels[i] for i in order])
    return _finish(fig, ax, language, simulated, source)


def pooled_figures(d: Mapping[str, Any], language: Language = "sv", simulated: bool = False,
                   *, source: str | None = None) -> list[tuple[str, Figure]]:
    """``(stem, figure)`` per outcome, stems from :func:`figure_stem`."""
    return [(figure_stem(name), pooled_figure(d, name, language, simulated, source=source))
            for name in (d.get("outcomes") or {})]


# --------------------------------------------------------------------------- table
def pooled_table(d: Mapping[str, Any], language: Language = "sv") -> pd.DataFrame:
    """Per year of adoption: the number of kommuner and each outcome's effect (the cohort's
    average over its years after the change) with its interval; the last row the average of
    all (every year after the change, weighted by group size). Display strings, with the
    numbers (interval ends in two columns) in ``attrs["raw"]`` for the XLSX and CSV."""
    from evaluation.report.tables import _attach_raw

    check_language(language)
    level = float(d.get("ci_level") or 0.95)
    outcomes = list((d.get("outcomes") or {}).values())
    col_g, col_n = t("pooled.table.cohort", language), t("pooled.table.n", language)
    cohorts = sorted({c["cohort"] for o in outcomes for c in o["cohorts"]})
    sizes = {c["cohort"]: c["n_units"] for o in outcomes for c in o["cohorts"]}
    shown: dict[str, list[Any]] = {col_g: [str(g) for g in cohorts]
                                   + [t("pooled.table.all", language)],
                                   col_n: [str(sizes[g]) for g in cohorts]
                                   + [str(sum(sizes.values()))]}
    raw: dict[str, list[Any]] = {col_g: [*cohorts, t("pooled.table.all", language)],
                                 col_n: [float(sizes[g]) for g in cohorts]
                                 + [float(sum(sizes.values()))]}
    formats: dict[str, str] = {col_n: "0"}
    units: dict[str, str] = {}
    for o in outcomes:
        label = outcome_label(o["outcome"], language)
        decimals = _outcome_decimals(o)
        by = {c["cohort"]: c for c in o["cohorts"]}
        col_shown = t("pooled.table.effect", language, label=label, unit=_unit(o, language))
        col_e = t("pooled.table.estimate", language, label=label)
        col_ci = t("pooled.table.ci", language, label=label,
                   level=fmt.level_label(level, language))
        col_lo = t("pooled.table.low", language, label=label)
        col_hi = t("pooled.table.high", language, label=label)
        rows = [by.get(g) for g in cohorts]
        effects = [r["att"] if r else None for r in rows] + [o["simple"]["att"]]
        lows = [r["ci_low"] if r else None for r in rows] + [o["simple"]["ci"][0]]
        highs = [r["ci_high"] if r else None for r in rows] + [o["simple"]["ci"][1]]
        shown[col_shown] = [fmt.signed(e, decimals, language) if e is not None else fmt.MISSING
                            for e in effects]
        shown[col_ci] = [fmt.interval(a, b, decimals=decimals, language=language)
                         for a, b in zip(lows, highs, strict=True)]
        raw[col_e], raw[col_lo], raw[col_hi] = effects, lows, highs
        number = "#,##0." + "0" * decimals
        for col in (col_e, col_lo, col_hi):
            formats[col] = number
            units[col] = _unit(o, language)
    out = pd.DataFrame(shown)
    numeric = pd.DataFrame(raw)
    numeric.attrs["number_formats"] = formats
    numeric.attrs["xlsx"] = {"units": units, "sheet": t("pooled.table.sheet", language),
                             "language": language,
                             "title": t("pooled.table.caption", language)}
    _attach_raw(out, numeric)
    return out


def exclusions_text(d: Mapping[str, Any], language: Language = "sv") -> str:
    """The kommuner left out, one Markdown bullet each with its reason ('' when none)."""
    excluded = d.get("excluded") or []
    if not excluded:
        return ""
    lines = [t("pooled.excluded.list", language), ""]
    for e in excluded:
        sentence = str(e.get(language) or "")
        code, name = str(e["unit"]), str(e.get("name") or e["unit"])
        if e.get("code") == "excluded_by_spec":
            sentence = t("pooled.exclusion.excluded_by_spec", language, unit=code)
        if sentence.startswith(code) and name != code:
            sentence = f"{name} ({code})" + sentence[len(code):]
        lines.append(f"- {sentence}")
    return "\n".join(lines)
