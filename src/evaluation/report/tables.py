"""Tables for people (formatted, Swedish column names) and files for people and machines.

* :func:`results_table` — one row per design and outcome, from ``summary["results"]``;
* :func:`effects_table` — one row per period, from an :class:`~evaluation.results.EffectResult`;
* :func:`write_table` — XLSX for people (bold header, column widths, title and simulated-data
  banner) and CSV for machines (raw values, UTF-8, ``.`` as decimal separator, no banner).

Both table functions return display strings by default (``formatted=True``: "−0,9
procentenheter", "95 % KI" …) and ``formatted=False`` gives numbers. A formatted table carries its
numeric twin in ``df.attrs["raw"]`` (plain lists), so ``write_table(results_table(...), ...)``
writes what people read to the XLSX and the raw numbers to the CSV. Numeric tables carry Excel
number formats in ``df.attrs["number_formats"]`` (used when a numeric table goes to XLSX).
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from evaluation.data.store import write_bytes
from evaluation.report import format as fmt
from evaluation.report.format import Language, check_language
from evaluation.report.text import (
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

#: Fixed timestamp written into XLSX files so that reruns give identical bytes.
FIXED_TIMESTAMP = _dt.datetime(2000, 1, 1, 0, 0, 0)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


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
        pct = "0.0%"
        frame.attrs["number_formats"] = {
            t("table.effect", language): "#,##0.00",
            t("table.ci_low", language): "#,##0.00",
            t("table.ci_high", language): "#,##0.00",
            t("table.relative", language): pct,
            t("table.relative_ci_low", language): pct,
            t("table.relative_ci_high", language): pct,
            t("table.p", language): "0.000",
            t("table.truth", language): "#,##0.00",
            t("table.truth_relative", language): pct,
        }
    return frame


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
        number_format = "#,##0.00" if rate else "#,##0.0"
        out.attrs["number_formats"] = {t(key, language): number_format for _, key in columns}
    return out


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
    return pd.DataFrame(records)


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
    if formatted:
        out[col_w] = [fmt.number(w, 3, language) for w in out[col_w]]
    else:
        out.attrs["number_formats"] = {col_w: "0.000"}
    return out


def _attach_raw(formatted: pd.DataFrame, raw: pd.DataFrame) -> None:
    """Keep the numeric twin of a formatted table in its attrs, as plain JSON-like lists."""
    formatted.attrs["raw"] = {
        "columns": [str(c) for c in raw.columns],
        "data": {str(c): [_cell_value(v) for v in raw[c].tolist()] for c in raw.columns},
        "number_formats": dict(raw.attrs.get("number_formats", {})),
    }


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
    return out


# --------------------------------------------------------------------------- files
def write_table(
    df: pd.DataFrame,
    folder: str | Path,
    stem: str,
    *,
    title: str | None = None,
    simulated: bool = False,
    language: Language = "sv",
) -> list[Path]:
    """Write ``df`` as ``<stem>.xlsx`` (for people) and ``<stem>.csv`` (for machines).

    The XLSX shows ``df`` as given; the CSV holds its numeric twin (:func:`raw_table`) when ``df``
    is a formatted table from this module, else ``df``. The XLSX has an optional title row, a red
    "SIMULERADE DATA – fiktiv kommun" row when ``simulated``, a bold and frozen header, column
    widths fitted to the content and Excel number formats from ``df.attrs["number_formats"]``;
    its timestamps are fixed so reruns give identical bytes. The CSV holds only the header and
    the raw values (UTF-8 without BOM, ``.`` decimal, empty cells for missing values). Both files
    are written atomically.

    Returns
    -------
    list of Path
        ``[xlsx, csv]``.
    """
    check_language(language)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    table = df.reset_index() if not isinstance(df.index, pd.RangeIndex) else df
    machine = raw_table(df)
    machine = machine.reset_index() if not isinstance(machine.index, pd.RangeIndex) else machine
    xlsx_path = folder / f"{stem}.xlsx"
    csv_path = folder / f"{stem}.csv"
    banner = t("simulated_banner", language) if simulated else None
    formats = df.attrs.get("number_formats", {})
    write_bytes(xlsx_path, _xlsx_bytes(table, formats, title=title, banner=banner, sheet=stem))
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


def _sheet_name(stem: str) -> str:
    name = "".join("_" if c in '[]:*?/\\' else c for c in stem)[:31]
    return name or "Tabell"


def _xlsx_bytes(
    table: pd.DataFrame,
    number_formats: Mapping[str, str],
    *,
    title: str | None,
    banner: str | None,
    sheet: str,
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_name(sheet)
    row = 1
    if title:
        ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=13)
        row += 1
    if banner:
        ws.cell(row=row, column=1, value=banner).font = Font(bold=True, color="B00020")
        row += 1
    if row > 1:
        row += 1  # blank line between the title block and the table
    header_row = row
    thin = Side(style="thin", color="808080")
    for j, name in enumerate(table.columns, start=1):
        cell = ws.cell(row=header_row, column=j, value=str(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
        cell.border = Border(bottom=thin)
        cell.alignment = Alignment(vertical="top", wrap_text=False)
    widths = [len(str(name)) for name in table.columns]
    for i, record in enumerate(table.itertuples(index=False, name=None), start=header_row + 1):
        for j, value in enumerate(record, start=1):
            cell = ws.cell(row=i, column=j, value=_cell_value(value))
            name = str(table.columns[j - 1])
            if isinstance(cell.value, float) or (isinstance(cell.value, int)
                                                 and not isinstance(cell.value, bool)):
                cell.number_format = number_formats.get(
                    name, "#,##0" if isinstance(cell.value, int) else "#,##0.00"
                )
                shown = len(fmt.number(cell.value, 2)) + (2 if "%" in cell.number_format else 0)
            else:
                shown = len(str(cell.value)) if cell.value is not None else 0
            widths[j - 1] = max(widths[j - 1], shown)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(60, width + 2)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    props = wb.properties
    props.creator = "evaluation"
    props.lastModifiedBy = "evaluation"
    props.title = title
    props.created = FIXED_TIMESTAMP
    props.modified = FIXED_TIMESTAMP
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps and order, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()

