"""Tables for people (formatted, Swedish column names) and files for people and machines.

* :func:`results_table` — one row per design and outcome, from ``summary["results"]``;
* :func:`effects_table` — one row per period, from an :class:`~evaluation.results.EffectResult`;
* :func:`write_table` — XLSX for people and CSV for machines.

Both table functions return display strings by default (``formatted=True``: "−0,9
procentenheter", "95 % KI" …) and ``formatted=False`` gives numbers. A formatted table carries its
numeric twin in ``df.attrs["raw"]`` (plain lists), so ``write_table(results_table(...), ...)``
writes numbers to both files. Numeric tables carry Excel number formats in
``df.attrs["number_formats"]``, and the tables of this module also what the XLSX needs to be
read on its own (``attrs["xlsx"]``: the unit of each column, the sheet name, the title).

The XLSX is for people who sum, sort and re-chart: every number is a number cell with an Excel
number format (true minus sign, the unit in the column header: "Effekt (procentenheter)"), text
stays only where a cell is text ("ja", "ej prövbar", "3 av 9"), the sheet has a human name
("Resultat", "ITS – hushåll"; at most 31 characters, never cut inside a word), a title row, the
simulated-data banner when the data are simulated and a "Källa: …" row under the table. The CSV is
for machines: raw numbers, ``.`` as decimal separator, codes where the data have codes.
"""

from __future__ import annotations

import datetime as _dt
import io
import itertools
import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

from evaluation.data.store import write_bytes
from evaluation.report import format as fmt
from evaluation.report.format import Language, check_language
from evaluation.report.style import source_text
from evaluation.report.text import (
    DESIGN_LABELS,
    TEXTS,
    design_key,
    design_label,
    effect_text,
    enough_decimals,
    interval_of,
    is_rate,
    level_of,
    outcome_kind,
    outcome_label,
    relative_text,
    result_unit,
    t,
    value_decimals,
    verdict,
    verdict_text,
)
from evaluation.report.zipfiles import fixed_dates

#: Fixed timestamp written into XLSX files so that reruns give identical bytes.
FIXED_TIMESTAMP = _dt.datetime(2000, 1, 1, 0, 0, 0)
#: Excel's limit on the length of a sheet name.
SHEET_MAX = 31
_MINUS = "\u2212"


def number_format(decimals: int, *, percent: bool = False, suffix: str = "") -> str:
    """An Excel number format with ``decimals`` decimals, thousands grouping and the true minus
    sign "−" for negative numbers (Excel shows the separators of the reader's locale):
    ``number_format(2)`` → ``#,##0.00;"−"#,##0.00``; ``percent=True`` for fractions shown as
    per cent."""
    body = ("0" if percent else "#,##0") + ("." + "0" * decimals if decimals > 0 else "")
    body += "%" if percent else ""
    if suffix:
        body += f'" {suffix}"'
    return f'{body};"{_MINUS}"{body}'


def p_value_format(language: Language = "sv") -> str:
    """p-values with three decimals, below 0,001 shown as "< 0,001" (the cell keeps the
    number)."""
    below = fmt.p_value(0.0001, language, prefix=False).replace(fmt.NBSP, " ")
    return f'[<0.001]"{below}";0.000'


# --------------------------------------------------------------------------- results
def _truth_parts(result: Mapping[str, Any]) -> tuple[float | None, float | None]:
    truth = result.get("truth")
    if not truth:
        return None, None
    if not isinstance(truth, Mapping):
        truth = {"average_effect": truth}
    avg = truth.get(str(result.get("estimand") or "average_effect"), truth.get("average_effect"))
    if avg is None and len(truth) == 1 and "relative_effect" not in truth:
        avg = next(iter(truth.values()))
    rel = truth.get("relative_effect")
    avg = None if fmt.is_missing(avg) else float(avg)
    rel = None if fmt.is_missing(rel) else float(rel)
    return avg, rel


def results_table(
    summary_results: Sequence[Mapping[str, Any]],
    language: Language = "sv",
    *,
    formatted: bool = True,
) -> pd.DataFrame:
    """One row per result: outcome, method, estimate, interval, relative effect, p-value.

    Parameters
    ----------
    summary_results
        ``summary["results"]`` (dicts as from :meth:`EffectResult.to_dict`).
    language
        ``"sv"``: columns Utfall, Metod, Skattad effekt, 95 % KI, Relativ effekt, p-värde,
        Bedömning (+ Sant värde when any result has a truth); ``"en"``: Outcome, Method, Effect
        estimate, 95% CI, Relative effect, p-value, Assessment (+ True value).
    formatted
        ``True``: display strings. ``False``: numbers (interval ends and relative interval in
        separate columns, relative effects as fractions, plus a unit column).
    """
    check_language(language)
    results = [dict(r) for r in summary_results]
    level = level_of(results[0]) if results else 0.95
    has_truth = any(_truth_parts(r) != (None, None) for r in results)
    has_relative_truth = not formatted and any(_truth_parts(r)[1] is not None for r in results)
    rows = []
    for r in results:
        avg_truth, rel_truth = _truth_parts(r)
        outcome = outcome_label(str(r.get("outcome", "")), language)
        design = design_label(str(r.get("design", "")), language)
        judged = verdict_text(verdict(r), language)
        if formatted:
            row: dict[str, Any] = {
                t("table.outcome", language): outcome,
                t("table.design", language): design,
                t("table.effect", language): effect_text(r, language),
                fmt.ci_label(level, language): _ci_cell(r, language),
                t("table.relative", language): _relative_cell(r, language),
                t("table.p", language): fmt.p_value(r.get("p_value"), language, prefix=False),
                t("table.verdict", language): judged,
            }
            if has_truth:
                row[t("table.truth", language)] = _truth_cell(r, avg_truth, rel_truth, language)
        else:
            ci = interval_of(r) or (None, None)
            rel_ci = interval_of(r, "relative_ci") or (None, None)
            row = {
                t("table.outcome", language): outcome,
                t("table.design", language): design,
                t("table.effect", language): _num(r.get("average_effect")),
                t("table.ci_low", language): _num(ci[0]),
                t("table.ci_high", language): _num(ci[1]),
                t("table.relative", language): _num(r.get("relative_effect")),
                t("table.relative_ci_low", language): _num(rel_ci[0]),
                t("table.relative_ci_high", language): _num(rel_ci[1]),
                t("table.p", language): _num(r.get("p_value")),
                t("table.unit", language): result_unit(r, language),
                t("table.verdict", language): judged,
            }
            if has_truth:
                row[t("table.truth", language)] = avg_truth
            if has_relative_truth:
                row[t("table.truth_relative", language)] = rel_truth
        rows.append(row)
    frame = pd.DataFrame(rows)
    if formatted:
        _attach_raw(frame, results_table(results, language, formatted=False))
    else:
        pct = number_format(1, percent=True)
        frame.attrs["number_formats"] = {
            t("table.effect", language): "#,##0.00",
            t("table.ci_low", language): "#,##0.00",
            t("table.ci_high", language): "#,##0.00",
            t("table.relative", language): pct,
            t("table.relative_ci_low", language): pct,
            t("table.relative_ci_high", language): pct,
            t("table.p", language): p_value_format(language),
            t("table.truth", language): "#,##0.00",
            t("table.truth_relative", language): pct,
        }
        frame.attrs["xlsx"] = _results_xlsx(results, language)
    return frame


def _results_xlsx(results: Sequence[Mapping[str, Any]], language: Language) -> dict[str, Any]:
    """What the results sheet needs: numbers per row in the outcome's precision (rates two
    decimals, counts one), the unit in the headers when every row has the same unit (the
    "Enhet" column is then left out), relative effects as per cent."""
    units = [result_unit(r, language) for r in results]
    amounts = [t(k, language) for k in ("table.effect", "table.ci_low", "table.ci_high",
                                        "table.truth")]
    relative = [t(k, language) for k in ("table.relative", "table.relative_ci_low",
                                         "table.relative_ci_high", "table.truth_relative")]
    per_row = []
    for r in results:
        kind = outcome_kind(r)
        if kind == "rate":
            decimals = 2
        elif kind == "count":
            decimals = 1
        else:
            decimals = value_decimals(float(_num(r.get("average_effect")) or 0), kind) + 1 \
                if _finite(r.get("average_effect")) else 2
        per_row.append(number_format(decimals))
    meta: dict[str, Any] = {
        "numeric": amounts + relative + [t("table.p", language)],
        "row_formats": {c: per_row for c in amounts},
        "units": {c: "%" for c in relative},
        "sheet": t("sheet.results", language),
        "language": language,
    }
    if units and len(set(units)) == 1 and units[0]:
        meta["units"].update({c: units[0] for c in amounts})
        meta["drop"] = [t("table.unit", language)]
    return meta


def _finite(x: Any) -> bool:
    return not fmt.is_missing(x)


def _num(x: Any) -> float:
    return float("nan") if fmt.is_missing(x) else float(x)


def _ci_cell(r: Mapping[str, Any], language: Language) -> str:
    ci = interval_of(r)
    if ci is None:
        return t("verdict.not_testable", language)
    decimals = 1 if is_rate(r) else value_decimals(float(r.get("average_effect") or 0),
                                                   outcome_kind(r))
    return fmt.interval(*ci, decimals=enough_decimals(ci, decimals), language=language)


def _relative_cell(r: Mapping[str, Any], language: Language) -> str:
    text = relative_text(r, language)
    rel_ci = interval_of(r, "relative_ci")
    if text != fmt.MISSING and rel_ci is not None:
        decimals = enough_decimals(rel_ci, 1, factor=100)
        text += f" ({fmt.interval(*rel_ci, decimals=decimals, language=language, unit='%')})"
    return text


def _truth_cell(r: Mapping[str, Any], avg: float | None, rel: float | None,
                language: Language) -> str:
    parts = []
    if avg is not None:
        parts.append(effect_text(dict(r, average_effect=avg), language))
    if rel is not None and not is_rate(r):
        parts.append(fmt.percent(rel, 1, language, plus=True))
    if not parts:
        return fmt.MISSING
    return parts[0] if len(parts) == 1 else f"{parts[0]} ({parts[1]})"


# --------------------------------------------------------------------------- per period
def effects_table(
    result: Any, language: Language = "sv", *, formatted: bool = True
) -> pd.DataFrame:
    """One row per period: observed, counterfactual (with band), comparison, effect, post flag.

    Parameters
    ----------
    result
        An :class:`~evaluation.results.EffectResult` (or anything with ``frame`` and ``kind``).
    language
        Column names and, when formatted, period names and numbers.
    formatted
        ``True``: "april 2022", "7,53", "ja"/"nej". ``False``: "2022-04", floats, booleans.
    """
    check_language(language)
    frame = result.frame.copy()
    frame.index = frame.index.astype(str)
    columns = [
        ("observed", "table.observed"),
        ("counterfactual", "table.counterfactual"),
        ("counterfactual_low", "table.counterfactual_low"),
        ("counterfactual_high", "table.counterfactual_high"),
        ("comparison", "table.comparison"),
        ("effect", "table.effect_period"),
    ]
    kind = outcome_kind(result)
    rate = kind == "rate"
    out = pd.DataFrame({t("table.period", language): list(frame.index)})
    observed = pd.to_numeric(frame.get("observed"), errors="coerce") \
        if "observed" in frame.columns else pd.Series(dtype=float)
    typical = float(observed.abs().median()) if observed.notna().any() else 0.0
    for col, key in columns:
        if col not in frame.columns:
            continue
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        if formatted:
            if kind == "level":  # one digit more than an effect of the level's size
                decimals = value_decimals(typical, "level") + 1
            else:
                decimals = 2 if rate else (0 if col == "comparison" else 1)
            out[t(key, language)] = [fmt.number(v, decimals, language) for v in values]
        else:
            out[t(key, language)] = values
    post = frame["post"].astype(bool).to_numpy() if "post" in frame.columns else None
    if post is not None:
        out[t("table.post", language)] = (
            [t("yes" if p else "no", language) for p in post] if formatted else post
        )
    if formatted:
        out[t("table.period", language)] = [fmt.period_label(p, language) for p in frame.index]
        _attach_raw(out, effects_table(result, language, formatted=False))
    else:
        shown = "#,##0.00" if rate else "#,##0.0"
        out.attrs["number_formats"] = {t(key, language): shown for _, key in columns}
        out.attrs["xlsx"] = _effects_xlsx(result, columns, typical, language)
    return out


def _effects_xlsx(result: Any, columns: Sequence[tuple[str, str]], typical: float,
                  language: Language) -> dict[str, Any]:
    """Units and number formats of the per-period sheet: levels in the outcome's unit ("%" for
    a rate, "hushåll" …), the comparison series in the scale it was compared on (e.g. "hushåll
    per 1 000 invånare"), the effect in the effect's unit ("procentenheter", "hushåll")."""
    kind = outcome_kind(result)
    unit = result_unit(result, language)
    level_unit = "%" if kind == "rate" else unit
    diagnostics = getattr(result, "diagnostics", None) or {}
    scale = str((diagnostics.get("comparison_diagnostics") or {}).get("scale") or "")
    per_1000 = scale.replace(" ", "_").startswith("per_1000")
    comparison_unit = (f"{unit} {t('unit.per_1000', language)}".replace("1 000", "1\u00a0000")
                       if kind == "count" and per_1000 else level_unit)
    if kind == "rate":
        decimals = 2
    elif kind == "level":
        decimals = value_decimals(typical, "level") + 1
    else:
        decimals = 1
    units, formats = {}, {}
    for col, key in columns:
        name = t(key, language)
        units[name] = {"effect": unit, "comparison": comparison_unit}.get(col, level_unit)
        formats[name] = number_format(2 if col == "comparison" and per_1000 else decimals)
    outcome = str(getattr(result, "outcome", ""))
    design = str(getattr(result, "design", ""))
    place = getattr(result, "treated_name", None) or getattr(result, "treated", "")
    return {
        "numeric": [t(key, language) for _, key in columns],
        "units": units,
        "number_formats": formats,
        "sheet": sheet_name(_design_names(design, language), _outcome_short(outcome, language)),
        "title": t("xlsx.effects_title", language, outcome=outcome_label(outcome, language),
                   place=place, design=design_label(design, language)),
        "language": language,
    }


def history_table(past: pd.DataFrame, summary: Mapping[str, Any],
                  language: Language = "sv") -> pd.DataFrame:
    """The primary design's estimate per data vintage (earlier runs from ``history.csv`` and this
    run), newest last."""
    from evaluation.history import history_rows

    check_language(language)
    rows = pd.concat([past[past["data_vintage"] != summary.get("data_vintage")],
                      history_rows(summary)], ignore_index=True)
    primary = summary.get("primary_design") or "its"
    rows = rows[rows["design"] == primary]
    out = pd.DataFrame({
        t("table.vintage", language): rows["data_vintage"].astype(str),
        t("table.outcome", language): [outcome_label(o, language) for o in rows["outcome"]],
        t("table.unit", language): [result_unit({"outcome": o}, language)
                                    for o in rows["outcome"]],
        t("table.effect", language): [fmt.number(v, 2, language) for v in rows["average_effect"]],
        t("table.ci", language, ci=fmt.ci_label(0.95, language)):
            [fmt.interval(lo, hi, decimals=2, language=language)
                                  for lo, hi in zip(rows["ci_low"], rows["ci_high"],
                                                    strict=True)],
    })
    return out.reset_index(drop=True)


def sensitivity_table(rows: Sequence[Mapping[str, Any]], language: Language = "sv") -> pd.DataFrame:
    """The sensitivity grid as a table of numbers: outcome, design, variant, estimate, interval
    (where the design gives it cheaply), baseline and whether the result flips."""
    from evaluation.report.figures import sensitivity_label
    from evaluation.report.text import design_label, outcome_label

    sv = language == "sv"
    records = []
    for r in rows:
        if r.get("status") != "ok":
            continue
        records.append({
            ("Utfall" if sv else "Outcome"): outcome_label(str(r["outcome"]), language),
            ("Metod" if sv else "Method"): design_label(str(r["design"]), language),
            ("Variant" if sv else "Variant"): sensitivity_label(str(r["variant"]), language),
            ("Skattning" if sv else "Estimate"): r.get("estimate"),
            ("Nedre gräns" if sv else "Lower bound"): r.get("low"),
            ("Övre gräns" if sv else "Upper bound"): r.get("high"),
            ("Rapportens skattning" if sv else "Report's estimate"): r.get("baseline"),
            ("Vänder" if sv else "Flips"): ("ja" if sv else "yes") if r.get("flip")
            else ("nej" if sv else "no"),
        })
    out = pd.DataFrame(records)
    numeric = ["Skattning", "Nedre gräns", "Övre gräns", "Rapportens skattning"] if sv else \
        ["Estimate", "Lower bound", "Upper bound", "Report's estimate"]
    for col in numeric:
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce")
    out.attrs["number_formats"] = {c: number_format(2) for c in numeric}
    out.attrs["xlsx"] = {"numeric": numeric, "sheet": t("sheet.sensitivity", language),
                         "title": t("xlsx.sensitivity_title", language), "language": language}
    return out


def weights_table(result: Any, language: Language = "sv", *, formatted: bool = True,
                  top: int | None = None) -> pd.DataFrame:
    """Unit weights of a synthetic control or synthetic DiD (largest first); empty otherwise.

    ``top`` keeps the largest weights only (the rest are summed in a last row)."""
    check_language(language)
    weights = getattr(result, "weights", None) or {}
    units = weights.get("unit", weights) if isinstance(weights, dict) else {}
    names = (result.diagnostics.get("donor_pool") or {}).get("member_names") or {}
    rows = sorted(((str(u), float(w)) for u, w in units.items()), key=lambda r: -r[1])
    col_unit, col_code = t("table.municipality", language), t("table.code", language)
    col_w = t("table.weight", language)
    if top is not None and len(rows) > top:
        rest = sum(w for _, w in rows[top:])
        rows = rows[:top] + [("", rest)]
    out = pd.DataFrame({
        col_code: [u for u, _ in rows],
        col_unit: [names.get(u, u) if u else t("table.others", language) for u, _ in rows],
        col_w: [w for _, w in rows],
    })
    outcome = str(getattr(result, "outcome", ""))
    design = str(getattr(result, "design", ""))
    meta = {
        "numeric": [col_w],
        "number_formats": {col_w: number_format(3)},
        "sheet": sheet_name([f"{t('sheet.weights', language)} {d}"
                             for d in _design_names(design, language)],
                            _outcome_short(outcome, language)),
        "title": t("xlsx.weights_title", language, design=design_label(design, language),
                   outcome=outcome_label(outcome, language)),
        "language": language,
    }
    if formatted:
        raw = out.copy()
        out[col_w] = [fmt.number(w, 3, language) for w in out[col_w]]
        raw.attrs["number_formats"] = {col_w: "0.000"}
        raw.attrs["xlsx"] = meta
        _attach_raw(out, raw)
    else:
        out.attrs["number_formats"] = {col_w: "0.000"}
        out.attrs["xlsx"] = meta
    return out


def _attach_raw(formatted: pd.DataFrame, raw: pd.DataFrame) -> None:
    """Keep the numeric twin of a formatted table in its attrs, as plain JSON-like lists."""
    formatted.attrs["raw"] = {
        "columns": [str(c) for c in raw.columns],
        "data": {str(c): [_cell_value(v) for v in raw[c].tolist()] for c in raw.columns},
        "number_formats": dict(raw.attrs.get("number_formats", {})),
    }
    if raw.attrs.get("xlsx"):
        formatted.attrs["raw"]["xlsx"] = dict(raw.attrs["xlsx"])


def raw_table(df: pd.DataFrame) -> pd.DataFrame:
    """The numeric twin of a formatted table (``df.attrs["raw"]``), else ``df`` itself.

    The twin is used only while it still matches the table (same number of rows); a table that
    was filtered after formatting falls back to its displayed values.
    """
    raw = df.attrs.get("raw")
    if not raw:
        return df
    data = {c: raw["data"][c] for c in raw["columns"]}
    if any(len(v) != len(df) for v in data.values()):
        return df
    out = pd.DataFrame(data, columns=raw["columns"])
    for col in out.columns:
        if out[col].map(lambda v: v is None or isinstance(v, float)).all():
            out[col] = out[col].astype(float)
    out.attrs["number_formats"] = dict(raw.get("number_formats", {}))
    if raw.get("xlsx"):
        out.attrs["xlsx"] = dict(raw["xlsx"])
    return out


# --------------------------------------------------------------------------- sheet names
_SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})
_STEM_SHEETS = {"resultat": "sheet.results", "results": "sheet.results",
                "kanslighet": "sheet.sensitivity", "sensitivity": "sheet.sensitivity",
                "mal": "sheet.target", "target": "sheet.target",
                "jamforelse": "sheet.peers", "historik": "sheet.history"}


def _clean_sheet(text: str) -> str:
    text = " ".join(str(text).translate(_SHEET_FORBIDDEN).split())
    return text.strip("'")


def _fit_words(text: str, limit: int) -> str:
    """``text`` shortened by whole words from the end to at most ``limit`` characters (a single
    word longer than that is cut and marked with "…", the only way it can fit)."""
    words = text.split(" ")
    while len(" ".join(words)) > limit and len(words) > 1:
        words.pop()
    out = " ".join(words).rstrip(" –,")
    return out if len(out) <= limit else out[:limit - 1] + "…"


def sheet_name(*parts: str | Sequence[str], taken: Sequence[str] = (),
               default: str = "Tabell") -> str:
    """A sheet name for people, at most 31 characters (Excel's limit) and never cut inside a
    word: the ``parts`` joined with " – " ("ITS – hushåll").

    Each part is a text or a sequence of alternatives from the longest to the shortest
    (``["Syntetisk kontroll", "Synt. kontroll", "SCM"]``); the first combination that fits is
    used, else words are dropped from the end of the longest part. Characters Excel forbids
    (``[]:*?/\\``) become "-". A name in ``taken`` (any case) gets " (2)", " (3)" ….
    """
    options = []
    for part in parts:
        alternatives = [part] if isinstance(part, str) else list(part)
        cleaned = [_clean_sheet(a) for a in alternatives if _clean_sheet(a)]
        if cleaned:
            options.append(list(dict.fromkeys(cleaned)))
    if not options:
        options = [[_clean_sheet(default) or "Tabell"]]
    name = ""
    for combo in itertools.product(*options):
        name = " – ".join(combo)
        if len(name) <= SHEET_MAX:
            break
    else:
        chosen = [alts[-1] for alts in options]
        while len(" – ".join(chosen)) > SHEET_MAX:
            longest = max(range(len(chosen)), key=lambda i: len(chosen[i]))
            other = len(" – ".join(chosen)) - len(chosen[longest])
            shorter = _fit_words(chosen[longest], max(1, SHEET_MAX - other))
            if shorter == chosen[longest]:
                break
            chosen[longest] = shorter
        name = _fit_words(" – ".join(chosen), SHEET_MAX)
    if name.casefold() == "history":  # reserved by Excel
        name = f"{name} 1"
    used = {x.casefold() for x in taken}
    base, n = name, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = _fit_words(base, SHEET_MAX - len(suffix)) + suffix
        n += 1
    return name


def unique_sheet_names(names: Sequence[str]) -> list[str]:
    """``names`` made unique for one workbook (a repeated name gets " (2)", " (3)" …)."""
    out: list[str] = []
    for name in names:
        out.append(sheet_name(name, taken=out))
    return out


def _design_names(design: str, language: Language) -> list[str]:
    """A design's names for a sheet, from the longest to the shortest."""
    key = design_key(design)
    names = [t(f"sheet.{kind}.{key}", language)
             for kind in ("design", "design_short", "design_abbr")
             if f"sheet.{kind}.{key}" in TEXTS]
    if not names:
        label = design_label(design, language)
        names = [label if label != design else design.replace("_", " ")]
    return names


def _outcome_short(outcome: str, language: Language) -> str:
    """An outcome in a word or two for a sheet name ("hushåll", "arbetslöshet")."""
    key = f"sheet.outcome.{outcome}"
    if key in TEXTS:
        return t(key, language)
    label = outcome_label(outcome, language)
    if label == outcome:
        return outcome.replace("_", " ")
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _is_design(text: str) -> bool:
    from evaluation.designs.registry import names as registered

    return design_key(text) in DESIGN_LABELS or text in registered()


def _is_code(text: str) -> bool:
    """A design or measure code ("synthetic_control", "households_assistance")."""
    from evaluation.data.panel import known_measures

    text = text.strip()
    return (_is_design(text) or text in known_measures()
            or bool(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", text)))


def _sheet_from_stem(stem: str, language: Language) -> str:
    """A sheet name from a file stem when the table does not bring its own: "resultat" →
    "Resultat", "households_assistance_its" → "ITS – hushåll", "…_vikter" → "Vikter ITS – …"."""
    if stem in _STEM_SHEETS:
        return sheet_name(t(_STEM_SHEETS[stem], language))
    base, weights = (stem[:-len("_vikter")], True) if stem.endswith("_vikter") else (stem, False)
    tokens = base.split("_")
    for i in range(1, len(tokens)):
        outcome, design = "_".join(tokens[:i]), "_".join(tokens[i:])
        if _is_design(design):
            names = _design_names(design, language)
            if weights:
                names = [f"{t('sheet.weights', language)} {n}" for n in names]
            return sheet_name(names, _outcome_short(outcome, language))
        if design in _STEM_SHEETS:
            return sheet_name(t(_STEM_SHEETS[design], language),
                              _outcome_short(outcome, language))
    text = stem.replace("_", " ").strip()
    return sheet_name(text[:1].upper() + text[1:], default=t("sheet.table", language))


def _human_title(title: str, language: Language) -> str:
    """Codes in a title in words: "synthetic_control – households_assistance" → "Syntetisk
    kontroll – Hushåll med ekonomiskt bistånd"."""
    parts = []
    for part in title.split(" – "):
        word = part.strip()
        if _is_design(word):
            parts.append(design_label(word, language))
        elif _is_code(word):
            parts.append(outcome_label(word, language))
        else:
            parts.append(part)
    return " – ".join(parts)


# --------------------------------------------------------------------------- files
def write_table(
    df: pd.DataFrame,
    folder: str | Path,
    stem: str,
    *,
    title: str | None = None,
    simulated: bool = False,
    language: Language | None = None,
    source: str | None = None,
    sheet: str | None = None,
) -> list[Path]:
    """Write ``df`` as ``<stem>.xlsx`` (for people) and ``<stem>.csv`` (for machines).

    The XLSX holds numbers as number cells: a formatted table of this module (or any table with
    a numeric twin in ``attrs["raw"]``) is written from its twin, keeping the displayed text
    only where a cell is text ("ja", "ej prövbar", "3 av 9"); headers carry the unit
    ("Effekt (procentenheter)"); numbers get Excel number formats with the true minus sign.
    Above the table: the title row (``title``, else the table's own title with outcome and
    design in words; design and outcome codes in ``title`` are put in words) and a red
    "SIMULERADE DATA – fiktiv kommun" row when ``simulated``; below it a "Källa: …" row
    (``source``, e.g. "SCB"; ``None``: "Källa: egen bearbetning"). The sheet is named for people
    (``sheet``, else the table's own name, else one made from ``stem``: "Resultat", "ITS –
    hushåll"), at most 31 characters. The header is bold and frozen, the column widths fit the
    content, and the timestamps are fixed so reruns give identical bytes.

    The CSV holds only the header and the raw values (:func:`raw_table`; UTF-8 without BOM,
    ``.`` decimal, empty cells for missing values, no units, title or source). Both files are
    written atomically.

    Parameters
    ----------
    language
        Language of the sheet name, banner and source row; ``None``: the table's own language
        (tables of this module remember it), else Swedish.

    Returns
    -------
    list of Path
        ``[xlsx, csv]``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    twin = raw_table(df)
    meta = dict(twin.attrs.get("xlsx") or df.attrs.get("xlsx") or {})
    language = check_language(language or meta.get("language") or "sv")
    machine = twin.reset_index() if not isinstance(twin.index, pd.RangeIndex) else twin
    people, cell_formats = _people_table(df, twin, meta, language)
    if title and any(_is_code(part) for part in title.split(" – ")):
        title = meta.get("title") or _human_title(title, language)
    title = title or meta.get("title")
    sheet = sheet_name(sheet) if sheet else (meta.get("sheet") or _sheet_from_stem(stem,
                                                                                 language))
    xlsx_path = folder / f"{stem}.xlsx"
    csv_path = folder / f"{stem}.csv"
    banner = t("simulated_banner", language) if simulated else None
    write_bytes(xlsx_path, _xlsx_bytes(people, cell_formats, title=title, banner=banner,
                                       sheet=sheet, source=source_text(source, language)))
    csv_text = machine.to_csv(index=False, lineterminator="\n")
    write_bytes(csv_path, csv_text.encode("utf-8"))
    return [xlsx_path, csv_path]


def _cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if value is pd.NA or value is pd.NaT:
        return None
    return value if isinstance(value, (int, str)) else str(value)


_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _parse_display(text: Any, language: Language) -> tuple[float, int, bool] | None:
    """A displayed number ("−1 234,5", "45 %", "+0,9") as (value, decimals, percent), or None
    for text."""
    if not isinstance(text, str):
        return None
    s = text.strip().replace(_MINUS, "-")
    percent = s.endswith("%")
    s = s.rstrip("%")
    for space in (" ", fmt.NBSP, "\u202f", "\u2009"):
        s = s.replace(space, "")
    s = s.replace(",", ".") if language == "sv" else s.replace(",", "")
    if not _NUMBER.match(s):
        return None
    decimals = len(s.split(".")[1]) if "." in s else 0
    return float(s), decimals, percent


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _people_table(df: pd.DataFrame, twin: pd.DataFrame, meta: Mapping[str, Any],
                  language: Language) -> tuple[pd.DataFrame, dict[str, list[str | None]]]:
    """The table people get in the XLSX and an Excel number format per numeric cell
    (``twin``: ``df``'s numeric twin, :func:`raw_table`)."""
    formats = dict(df.attrs.get("number_formats") or {})
    if twin is df or not df.attrs.get("raw"):
        table = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df
        shown = None
    else:
        formats.update(twin.attrs.get("number_formats") or {})
        table, shown = twin, df
    # the columns are read from frames without attrs: pandas deep-copies a frame's attrs (a
    # formatted table's numeric twin, as lists) into every column taken from it
    table = pd.DataFrame(table, copy=False)
    shown = None if shown is None else pd.DataFrame(shown, copy=False)
    formats.update(meta.get("number_formats") or {})
    declared = set(meta.get("numeric") or [])
    row_formats = meta.get("row_formats") or {}
    # decimals the table shows most often: for numbers that are not displayed (band ends)
    seen: list[int] = []
    if shown is not None:
        for col in shown.columns:
            for v in shown[col].tolist():
                parsed = _parse_display(v, language)
                if parsed is not None and not parsed[2]:
                    seen.append(parsed[1])
    usual = max(set(seen), key=seen.count) if seen else 2
    columns: dict[str, list[Any]] = {}
    cell_formats: dict[str, list[str | None]] = {}
    for col in table.columns:
        name = str(col)
        values = [_cell_value(v) for v in table[col].tolist()]
        display = shown[col].tolist() if shown is not None and col in shown.columns else None
        numeric = name in declared or (
            any(_is_number(v) for v in values)
            and all(v is None or _is_number(v) for v in values))
        out: list[Any] = []
        cells: list[str | None] = []
        for i, v in enumerate(values):
            d = display[i] if display is not None else None
            if not numeric:
                out.append(_cell_value(d) if display is not None else v)
                cells.append(None)
                continue
            parsed = _parse_display(d, language) if display is not None else None
            if name in declared or display is None or parsed is not None:
                out.append(v)
                if name in row_formats and i < len(row_formats[name]):
                    cells.append(row_formats[name][i])
                elif name in formats:
                    cells.append(_with_minus(formats[name]))
                elif parsed is not None and v is not None:
                    value, decimals, percent = parsed
                    as_share = percent and abs(v * 100 - value) <= abs(value) * 0.01 + 10**-decimals
                    cells.append(number_format(decimals, percent=as_share,
                                               suffix="%" if percent and not as_share else ""))
                else:
                    cells.append(number_format(usual))
            elif d is None or (isinstance(d, str) and d.strip() in ("", fmt.MISSING)):
                out.append(None)
                cells.append(None)
            else:  # displayed as words ("3 av 9", "ej prövbar"): text
                out.append(_cell_value(d))
                cells.append(None)
        units = meta.get("units") or {}
        header = f"{name} ({units[name]})" if units.get(name) else name
        columns[header] = out
        cell_formats[header] = cells
    for name in meta.get("drop") or []:
        columns.pop(name, None)
        cell_formats.pop(name, None)
    return pd.DataFrame(columns), cell_formats


def _with_minus(number_format_code: str) -> str:
    """An Excel format with the true minus sign for negatives (unless it has sections)."""
    if ";" in number_format_code or "[" in number_format_code:
        return number_format_code
    return f'{number_format_code};"{_MINUS}"{number_format_code}'


def _sheet_name(stem: str) -> str:
    """Kept for callers of the old name: a sheet name from a stem (see :func:`sheet_name`)."""
    return _sheet_from_stem(stem, "sv")


def _shown_width(value: Any, number_format_code: str | None) -> int:
    if value is None:
        return 0
    if _is_number(value):
        decimals = 0
        code = (number_format_code or "").split(";")[0]
        if "." in code:
            decimals = len(code.split(".")[1].split('"')[0].rstrip("%"))
        shown = value * 100 if "%" in code else value
        width = len(fmt.number(shown, decimals)) + (2 if "%" in code else 0)
        if '"' in code:
            width += len(code.split('"')[1])
        return width
    return max(len(line) for line in str(value).split("\n"))


def _xlsx_bytes(
    table: pd.DataFrame,
    cell_formats: Mapping[str, Sequence[str | None]],
    *,
    title: str | None,
    banner: str | None,
    sheet: str,
    source: str | None = None,
) -> bytes:
    """The XLSX file of ``table``: title, banner, header (bold, grey, wrapped when long), the
    cells with their number formats, the source line, frozen below the header, dated
    :data:`FIXED_TIMESTAMP`. Written by XlsxWriter (write-only, about half openpyxl's time and
    a quarter of its import; the files read back the same, tested with openpyxl)."""
    raw = io.BytesIO()
    wb = xlsxwriter.Workbook(raw, {"in_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(sheet)
    styles: dict[tuple, Any] = {}

    def style(**props: Any) -> Any:  # one format object per distinct style
        key = tuple(sorted(props.items()))
        if key not in styles:
            styles[key] = wb.add_format(props)
        return styles[key]

    row = 0  # XlsxWriter counts rows and columns from 0
    if title:
        ws.write_string(row, 0, title, style(bold=True, font_size=13))
        row += 1
    if banner:
        ws.write_string(row, 0, banner, style(bold=True, font_color="#B00020"))
        row += 1
    if row > 0:
        row += 1  # blank line between the title block and the table
    header_row = row
    widths = []
    for j, col in enumerate(table.columns):
        values = table[col].tolist()
        formats = list(cell_formats.get(str(col)) or [None] * len(values))
        content = max([_shown_width(v, f) for v, f in zip(values, formats, strict=False)] + [4])
        header = str(col)
        # a long header wraps over a narrower column of numbers
        width = min(60, max(content, min(len(header), 20)))
        widths.append(width)
        ws.write_string(header_row, j, header, style(
            bold=True, pattern=1, bg_color="#E7E6E6", bottom=1, bottom_color="#808080",
            valign="top", text_wrap=len(header) > width))
    lines = max([len(textwrap.wrap(str(c), w)) for c, w in zip(table.columns, widths,
                                                               strict=True)] + [1])
    if lines > 1:
        ws.set_row(header_row, 15 * lines)
    codes = [list(cell_formats.get(str(c)) or [None] * len(table)) for c in table.columns]
    for i, record in enumerate(table.itertuples(index=False, name=None)):
        for j, value in enumerate(record):
            cell = _cell_value(value)
            if cell is None:
                continue
            if _is_number(cell):
                code = codes[j][i] if i < len(codes[j]) else None
                ws.write_number(header_row + 1 + i, j, cell, style(num_format=code or (
                    "#,##0" if isinstance(cell, int) else number_format(2))))
            elif isinstance(cell, bool):
                ws.write_boolean(header_row + 1 + i, j, cell)
            else:
                ws.write_string(header_row + 1 + i, j, cell)
    for j, width in enumerate(widths):
        ws.set_column(j, j, width + 2)
    last = header_row + len(table)
    if source:
        ws.write_string(last + 2, 0, source, style(italic=True, font_size=9,
                                                   font_color="#595959"))
    ws.freeze_panes(header_row + 1, 0)
    wb.set_properties({"title": title or "", "author": "evaluation",
                       "created": FIXED_TIMESTAMP})
    wb.close()
    return fixed_dates(raw.getvalue(), mode=0o600)
