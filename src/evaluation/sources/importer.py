"""A configurable importer for statistics published as spreadsheets or CSV files.

One *mapping* (a dict or a YAML file) describes one file layout; :func:`import_file` turns a file
of that layout into the canonical long panel. Shipped mappings live in
``evaluation/sources/mappings/`` (``arbetsformedlingen_monthly``,
``socialstyrelsen_ekonomiskt_bistand``, ``scb_bas_lan_monthly`` and the commented template
``own_series_template`` for the municipality's own series); :func:`load_mapping` finds them by
name.

Mapping keys (all but ``period``, ``unit`` and ``measures`` optional)::

    name: arbetsformedlingen_monthly   # for messages
    source: "Arbetsförmedlingen"       # text of the panel's source column (default: file name)
    format: xlsx                       # xlsx | csv (default: from the file suffix)
    sheet: Kommun                      # xlsx: sheet name or 0-based index (default: first sheet)
    header_row: 1                      # 1-based row holding the column names (as Excel counts)
    encoding: utf-8                    # csv: utf-8 (BOM allowed), cp1252, latin-1, ...
    delimiter: ";"                     # csv: default guessed from the header row (, ; tab)
    decimal: ","                       # decimal mark of numbers stored as text ("." default)
    thousands: " "                     # thousands separator; spaces are always ignored
    period: {column: Månad}            # 2024-01, 2024M01, 202401, "januari 2024", dates
    # or    {year_column: År, month_column: Månad}   month 1-12 or name (januari, jan, ...)
    # or    {year_column: År}                         yearly data
    unit: {column: Kommunkod, name_column: Kommun, pad: 4}
    # or    {code: "1984", name: Arboga}              one fixed unit for the whole file
    measures: {"Antal inskrivna arbetslösa": unemployed, "Andel (%)": unemployment_rate}
    suppressed: ["<5", "..", "X", "-"] # cells meaning "not published" -> NaN, status suppressed
    zero: []                           # cells meaning 0 (e.g. "–" in some SCB tables)
    status: final                      # final | preliminary for published values
    filters: {Kön: Totalt}             # keep only rows with these values
    drop: {Månad: [Totalt]}            # drop rows with these values (yearly totals, ...)
    fill_down: [År]                    # fill empty cells from above (merged cells)
    duplicates: error                  # error | first | last (same unit, period, measure)
    aliases: {Riket: "00"}             # unit names/codes that map to a code
    download: "Socialstyrelsen, Statistikdatabasen → …"   # where a user gets the file

Header names match ignoring case and extra spaces. Empty value cells give no row; rows whose
mapped cells are all empty, and footnote rows starting with "Källa"/"Anm"/"Not", are skipped.
Every problem raises :class:`DataError` naming the file, sheet, row and column (rows counted as
in Excel or as CSV lines).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from evaluation.data import store
from evaluation.data.panel import STATUSES, validate_panel
from evaluation.errors import DataError

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

DEFAULT_SUPPRESSED = ("..", ".", "<5", "X", "-", "–")
DEFAULT_ALIASES = {"riket": "00", "hela riket": "00", "sverige": "00", "hela landet": "00"}
FOOTNOTE_PREFIXES = ("källa", "anm", "not:", "not ", "fotnot", "kommentar", "source")

_KEYS = {
    "name", "description", "source", "format", "sheet", "header_row", "encoding", "delimiter",
    "decimal", "thousands", "period", "unit", "measures", "suppressed", "zero", "status",
    "filters", "drop", "fill_down", "duplicates", "aliases", "raw_source", "download",
}
_PERIOD_KEYS = {"column", "year_column", "month_column"}
_UNIT_KEYS = {"column", "name_column", "code", "name", "pad"}

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "augusti": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}

__all__ = ["MAPPINGS_DIR", "import_file", "load_mapping", "read_table", "shipped_mappings"]


# --------------------------------------------------------------------------- mappings
def shipped_mappings() -> list[str]:
    """Names of the mappings shipped with the package."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


def load_mapping(mapping: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    """A checked mapping from a dict, a YAML file or the name of a shipped mapping."""
    if isinstance(mapping, Mapping):
        data = dict(mapping)
        origin = str(data.get("name", "mappningen"))
    else:
        path = Path(mapping)
        if not path.is_file() and (MAPPINGS_DIR / f"{mapping}.yaml").is_file():
            path = MAPPINGS_DIR / f"{mapping}.yaml"
        if not path.is_file():
            raise DataError(
                f"Mappningen {mapping} finns inte: ange en YAML-fil eller ett av namnen "
                f"{', '.join(shipped_mappings())}.",
                f"The mapping {mapping} does not exist: give a YAML file or one of the names "
                f"{', '.join(shipped_mappings())}.",
            )
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise DataError(
                f"Mappningen {path} är inte giltig YAML ({exc.__class__.__name__}): rätta filen.",
                f"The mapping {path} is not valid YAML ({exc.__class__.__name__}): fix the file.",
            ) from exc
        if not isinstance(data, Mapping):
            raise DataError(f"Mappningen {path} är tom eller ingen YAML-ordlista.",
                            f"The mapping {path} is empty or not a YAML mapping.")
        data = dict(data)
        data.setdefault("name", path.stem)
        origin = str(path)
    _check_mapping(data, origin)
    return data


def _mapping_error(origin: str, sv: str, en: str) -> DataError:
    return DataError(f"Mappningen {origin}: {sv}", f"The mapping {origin}: {en}")


def _check_mapping(m: dict[str, Any], origin: str) -> None:
    unknown = sorted(set(m) - _KEYS)
    if unknown:
        raise _mapping_error(origin,
                             f"okänd nyckel {unknown[0]!r}; tillåtna: {', '.join(sorted(_KEYS))}.",
                             f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(_KEYS))}.")
    period, unit, measures = m.get("period"), m.get("unit"), m.get("measures")
    if isinstance(period, str):
        m["period"] = period = {"column": period}
    if not isinstance(period, Mapping) or not (set(period) & {"column", "year_column"}) or (
            set(period) - _PERIOD_KEYS) or (
            "month_column" in period and "year_column" not in period):
        raise _mapping_error(origin, "'period' ska vara {column: …} eller {year_column: …, "
                             "month_column: …}.",
                             "'period' must be {column: …} or {year_column: …, month_column: …}.")
    if not isinstance(unit, Mapping) or not (set(unit) & {"column", "code"}) or (
            set(unit) - _UNIT_KEYS):
        raise _mapping_error(origin, "'unit' ska ha 'column' (kolumn med kommunkod) eller 'code' "
                             "(fast kod), och valfritt name_column, name, pad.",
                             "'unit' needs 'column' (column with the unit code) or 'code' (a fixed "
                             "code), optionally name_column, name, pad.")
    if not isinstance(measures, Mapping) or not measures:
        raise _mapping_error(origin, "'measures' ska para ihop värdekolumner med mått, t.ex. "
                             "{'Antal hushåll': households_assistance}.",
                             "'measures' must pair value columns with measures, e.g. "
                             "{'Antal hushåll': households_assistance}.")
    if m.get("format") not in (None, "xlsx", "csv"):
        raise _mapping_error(origin, f"format {m['format']!r} stöds inte; använd xlsx eller csv.",
                             f"format {m['format']!r} is not supported; use xlsx or csv.")
    if m.get("status", "final") not in ("final", "preliminary"):
        raise _mapping_error(origin, "'status' ska vara final eller preliminary.",
                             "'status' must be final or preliminary.")
    if m.get("duplicates", "error") not in ("error", "first", "last"):
        raise _mapping_error(origin, "'duplicates' ska vara error, first eller last.",
                             "'duplicates' must be error, first or last.")
    if m.get("decimal", ".") not in (".", ","):
        raise _mapping_error(origin, "'decimal' ska vara '.' eller ','.",
                             "'decimal' must be '.' or ','.")
    header_row = m.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        raise _mapping_error(origin, "'header_row' ska vara ett radnummer från 1.",
                             "'header_row' must be a row number from 1.")


# --------------------------------------------------------------------------- reading cells
def _norm(text: Any) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip().casefold()


def _text(cell: Any) -> str:
    """A cell as text: whole floats without '.0', dates as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.isoformat()
    return str(cell).strip()


def read_table(path: str | Path,
               mapping: Mapping[str, Any]) -> tuple[list[Any], list[list[Any]], str]:
    """Read all rows of the file: (header row, data rows, place) with ``place`` naming the file
    and sheet for messages. Data rows are the rows below ``header_row``."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Filen {path} finns inte: kontrollera sökvägen.",
                        f"The file {path} does not exist: check the path.")
    fmt = mapping.get("format") or ("xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else "csv")
    if path.stat().st_size == 0:
        raise DataError(f"Filen {path.name} är tom: exportera den igen.",
                        f"The file {path.name} is empty: export it again.")
    if fmt == "xlsx":
        rows, place = _read_xlsx(path, mapping.get("sheet"))
    else:
        rows, place = _read_csv(path, mapping)
    header_row = int(mapping.get("header_row", 1))
    if len(rows) < header_row or not any(_text(c) for c in rows[header_row - 1]):
        raise DataError(
            f"{place} har ingen rubrikrad på rad {header_row}: filen är tom eller header_row "
            "är fel.",
            f"{place} has no header on row {header_row}: the file is empty or header_row is "
            "wrong.",
        )
    return list(rows[header_row - 1]), [list(r) for r in rows[header_row:]], place


def _read_xlsx(path: Path, sheet: Any) -> tuple[list[tuple[Any, ...]], str]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(
            f"{path.name} kunde inte läsas som Excel-fil (.xlsx): spara den som .xlsx eller CSV "
            "och ange rätt format i mappningen.",
            f"{path.name} could not be read as an Excel file (.xlsx): save it as .xlsx or CSV and "
            "give the right format in the mapping.",
        ) from exc
    try:
        names = book.sheetnames
        if sheet is None:
            name = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise _sheet_error(path, sheet, names)
            name = names[sheet]
        else:
            matches = [n for n in names if _norm(n) == _norm(sheet)]
            if not matches:
                raise _sheet_error(path, sheet, names)
            name = matches[0]
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    return rows, f"{path.name}, blad '{name}'"


def _sheet_error(path: Path, sheet: Any, names: list[str]) -> DataError:
    return DataError(
        f"Bladet {sheet!r} finns inte i {path.name} (blad: {', '.join(names)}): ändra 'sheet' i "
        "mappningen.",
        f"The sheet {sheet!r} is not in {path.name} (sheets: {', '.join(names)}): change 'sheet' "
        "in the mapping.",
    )


def _read_csv(path: Path, mapping: Mapping[str, Any]) -> tuple[list[list[str]], str]:
    encoding = str(mapping.get("encoding", "utf-8"))
    data = path.read_bytes()
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path.name} är inte kodad som {encoding} (fel vid byte {exc.start}): ange "
            "'encoding: cp1252' (Excel på Windows) eller 'latin-1' i mappningen.",
            f"{path.name} is not encoded as {encoding} (error at byte {exc.start}): set "
            "'encoding: cp1252' (Excel on Windows) or 'latin-1' in the mapping.",
        ) from exc
    except LookupError as exc:
        raise DataError(
            f"Teckenkodningen {encoding!r} är okänd: använd utf-8, cp1252 eller latin-1.",
            f"The encoding {encoding!r} is unknown: use utf-8, cp1252 or latin-1.") from exc
    if not text.strip():
        raise DataError(f"Filen {path.name} är tom: exportera den igen.",
                        f"The file {path.name} is empty: export it again.")
    lines = text.splitlines()
    header_row = int(mapping.get("header_row", 1))
    delimiter = mapping.get("delimiter")
    if not delimiter:
        sample = lines[header_row - 1] if len(lines) >= header_row else lines[0]
        delimiter = max((",", ";", "\t"), key=sample.count)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=str(delimiter)))
    return rows, path.name


# --------------------------------------------------------------------------- parsing values
class _Where:
    """Names a cell in messages: file/sheet, row, column."""

    def __init__(self, place: str):
        self.place = place

    def sv(self, row: int, column: str) -> str:
        return f"{self.place}, rad {row}, kolumn '{column}'"

    @property
    def place_en(self) -> str:
        return self.place.replace(", blad ", ", sheet ")

    def en(self, row: int, column: str) -> str:
        return f"{self.place_en}, row {row}, column '{column}'"


_PERIOD_PATTERNS = (
    re.compile(r"^(\d{4})\s*(?:-|/|M|m)\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})-(\d{2})-\d{2}(?:[T ][\d:.]+)?$"),
)


def _month_number(text: str) -> int | None:
    key = _norm(text).rstrip(".")
    if key.isdigit() and 1 <= int(key) <= 12:
        return int(key)
    return MONTHS.get(key)


def _period(cell: Any, month_cell: Any, *, has_month: bool, where: _Where, row: int,
            columns: tuple[str, str | None]) -> str:
    year_col, month_col = columns
    if isinstance(cell, (dt.datetime, dt.date)):
        return f"{cell.year:04d}-{cell.month:02d}"
    text = _text(cell)
    if has_month:
        if not re.fullmatch(r"\d{4}", text):
            raise DataError(
                f"Året {text!r} i {where.sv(row, year_col)} är inget år: skriv ÅÅÅÅ.",
                f"The year {text!r} in {where.en(row, year_col)} is not a year: write YYYY.",
            )
        if isinstance(month_cell, (dt.datetime, dt.date)):
            return f"{text}-{month_cell.month:02d}"
        month = _month_number(_text(month_cell))
        if month is None:
            raise DataError(
                f"Månaden {_text(month_cell)!r} i {where.sv(row, month_col or '')} är okänd: skriv "
                "1–12 eller ett månadsnamn (januari, jan, …).",
                f"The month {_text(month_cell)!r} in {where.en(row, month_col or '')} is unknown: "
                "write 1–12 or a month name (januari, jan, …).",
            )
        return f"{text}-{month:02d}"
    if re.fullmatch(r"\d{4}", text):
        return text
    for pattern in _PERIOD_PATTERNS:
        if match := pattern.match(text):
            year, month = match.group(1), int(match.group(2))
            if 1 <= month <= 12:
                return f"{year}-{month:02d}"
    words = _norm(text).replace(",", " ").split()
    if len(words) == 2:
        for name, year in (words, words[::-1]):
            month = _month_number(name)
            if month is not None and re.fullmatch(r"\d{4}", year):
                return f"{year}-{month:02d}"
    raise DataError(
        f"Perioden {text!r} i {where.sv(row, year_col)} är okänd: skriv t.ex. 2024-01, 2024M01, "
        "'januari 2024' eller ett år ÅÅÅÅ.",
        f"The period {text!r} in {where.en(row, year_col)} is unknown: write e.g. 2024-01, "
        "2024M01, 'januari 2024' or a year YYYY.",
    )


class _Numbers:
    def __init__(self, mapping: Mapping[str, Any], where: _Where):
        self.decimal = str(mapping.get("decimal", "."))
        self.thousands = str(mapping.get("thousands") or "")
        self.suppressed = {_norm(t) for t in mapping.get("suppressed", DEFAULT_SUPPRESSED)}
        self.zero = {_norm(t) for t in mapping.get("zero") or ()}
        self.where = where

    def parse(self, cell: Any, row: int, column: str) -> tuple[float, str] | None:
        """(value, "ok"|"suppressed") or None for an empty cell."""
        if cell is None:
            return None
        if isinstance(cell, bool) or isinstance(cell, (dt.datetime, dt.date, dt.time)):
            raise self._error(cell, row, column)
        if isinstance(cell, (int, float, np.integer, np.floating)):
            return (float(cell), "ok") if not np.isnan(cell) else None
        text = str(cell).strip()
        if not text:
            return None
        key = _norm(text)
        if key in self.suppressed:
            return np.nan, "suppressed"
        if key in self.zero:
            return 0.0, "ok"
        clean = re.sub(r"[\s\u00a0\u202f\u2009]", "", text).replace("\u2212", "-").rstrip("%")
        if self.thousands.strip() and self.thousands != self.decimal:
            clean = clean.replace(self.thousands, "")
        if self.decimal == ",":
            if clean.count(",") > 1 or "." in clean:
                raise self._error(text, row, column)
            clean = clean.replace(",", ".")
        elif "," in clean:
            raise self._error(text, row, column, hint_comma=True)
        try:
            return float(clean), "ok"
        except ValueError:
            raise self._error(text, row, column) from None

    def _error(self, value: Any, row: int, column: str, hint_comma: bool = False) -> DataError:
        hint_sv = " (decimalkomma? ange decimal: ',')" if hint_comma else ""
        hint_en = " (decimal comma? set decimal: ',')" if hint_comma else ""
        return DataError(
            f"Värdet {_text(value)!r} i {self.where.sv(row, column)} är inget tal{hint_sv}: rätta "
            "cellen eller lägg till tecknet under 'suppressed' i mappningen.",
            f"The value {_text(value)!r} in {self.where.en(row, column)} is not a number{hint_en}: "
            "fix the cell or add the token under 'suppressed' in the mapping.",
        )


def _unit_code(cell: Any, name_cell: Any, mapping: Mapping[str, Any], aliases: dict[str, str],
               where: _Where, row: int, column: str) -> tuple[str, str | None]:
    """(code, name found in the code cell or None)."""
    if isinstance(cell, float) and not cell.is_integer():
        raise _code_error(cell, where, row, column)
    text = _text(cell)
    name = None
    if not text and name_cell is not None and _norm(_text(name_cell)) in aliases:
        return aliases[_norm(_text(name_cell))], None
    if _norm(text) in aliases:
        return aliases[_norm(text)], text
    if match := re.fullmatch(r"(\d{1,4})\s+(\D.*)", text):  # "1984 Arboga"
        text, name = match.group(1), match.group(2).strip()
    if not text.isdigit():
        raise _code_error(text, where, row, column)
    pad = mapping.get("unit", {}).get("pad")
    if pad:
        text = text.zfill(int(pad))
    if len(text) not in (2, 4):
        raise _code_error(text, where, row, column)
    return text, name


def _code_error(value: Any, where: _Where, row: int, column: str) -> DataError:
    return DataError(
        f"Koden {_text(value)!r} i {where.sv(row, column)} är ingen kommunkod (4 siffror), länskod "
        "(2 siffror) eller '00' för riket: rätta cellen eller ange 'pad'/'aliases' i mappningen.",
        f"The code {_text(value)!r} in {where.en(row, column)} is no kommun code (4 digits), län "
        "code (2 digits) or '00' for riket: fix the cell or set 'pad'/'aliases' in the mapping.",
    )


# --------------------------------------------------------------------------- import
def import_file(
    path: str | Path,
    mapping: Mapping[str, Any] | str | Path,
    *,
    save_raw: bool = False,
) -> pd.DataFrame:
    """Read a spreadsheet/CSV file described by ``mapping`` into the canonical long panel.

    Parameters
    ----------
    path
        The ``.xlsx`` or ``.csv`` file.
    mapping
        A dict, a YAML file or the name of a shipped mapping (see the module docstring).
    save_raw
        Also store the file as received in the raw store (``source`` = the mapping's
        ``raw_source``, default ``"import"``; meta: the mapping and the original path).

    Returns
    -------
    pandas.DataFrame
        Validated long panel ``unit, unit_name, period, measure, value, unit_type, status,
        source``; suppressed cells have NaN values and ``status="suppressed"``.
        ``attrs["raw_file"]`` is set when ``save_raw``.

    Raises
    ------
    DataError
        Missing file, wrong sheet, empty file, missing columns, unparsable numbers, unknown
        months or codes, duplicated rows; the message names the file, sheet, row and column.
    """
    m = load_mapping(mapping)
    path = Path(path)
    header, rows, place = read_table(path, m)
    where = _Where(place)
    header_row = int(m.get("header_row", 1))
    columns = {_norm(h): i for i, h in reversed(list(enumerate(header))) if _text(h)}

    period_spec, unit_spec = m["period"], m["unit"]
    needed: list[str] = []
    for key in ("column", "year_column", "month_column"):
        if period_spec.get(key):
            needed.append(str(period_spec[key]))
    for key in ("column", "name_column"):
        if unit_spec.get(key):
            needed.append(str(unit_spec[key]))
    needed += [str(c) for c in m["measures"]]
    needed += [str(c) for c in (m.get("filters") or {})]
    needed += [str(c) for c in (m.get("drop") or {})]
    needed += [str(c) for c in (m.get("fill_down") or [])]
    missing = [c for c in dict.fromkeys(needed) if _norm(c) not in columns]
    if missing:
        found = ", ".join(_text(h) for h in header if _text(h))
        raise DataError(
            f"{place} saknar kolumnen/kolumnerna {', '.join(repr(c) for c in missing)} på "
            f"rubrikraden (rad {header_row}; hittade: {found}): kontrollera 'sheet', 'header_row' "
            "och kolumnnamnen i mappningen.",
            f"{where.place_en} lacks the column(s) "
            f"{', '.join(repr(c) for c in missing)} on the header row (row {header_row}; found: "
            f"{found}): check 'sheet', 'header_row' and the column names in the mapping.",
        )

    def col(name: Any) -> int | None:
        return columns[_norm(name)] if name else None

    def cell(values: list[Any], index: int | None) -> Any:
        if index is None or index >= len(values):
            return None
        value = values[index]
        return value.strip() if isinstance(value, str) else value

    period_col, year_col = col(period_spec.get("column")), col(period_spec.get("year_column"))
    month_col = col(period_spec.get("month_column"))
    unit_col, name_col = col(unit_spec.get("column")), col(unit_spec.get("name_column"))
    measure_cols = [(col(c), str(c), str(measure)) for c, measure in m["measures"].items()]
    filters = {col(c): {_norm(_text(v)) for v in (vals if isinstance(vals, list) else [vals])}
               for c, vals in (m.get("filters") or {}).items()}
    drops = {col(c): {_norm(_text(v)) for v in (vals if isinstance(vals, list) else [vals])}
             for c, vals in (m.get("drop") or {}).items()}
    fill = [col(c) for c in m.get("fill_down") or []]
    aliases = {**DEFAULT_ALIASES, **{_norm(k): str(v) for k, v in (m.get("aliases") or {}).items()}}
    numbers = _Numbers(m, where)
    status_ok = str(m.get("status", "final"))
    source = str(m.get("source") or path.name)
    fixed_code = unit_spec.get("code")
    if fixed_code is not None:
        fixed_code = _text(fixed_code)
        if unit_spec.get("pad"):
            fixed_code = fixed_code.zfill(int(unit_spec["pad"]))
        if fixed_code == "0000":
            raise _mapping_error(str(m.get("name", "")), "unit.code är fortfarande mallens "
                                 "'0000': skriv in kommunkoden (fyra siffror, t.ex. '1984').",
                                 "unit.code is still the template's '0000': enter the kommun "
                                 "code (four digits, e.g. '1984').")
        if not (fixed_code.isdigit() and len(fixed_code) in (2, 4)):
            raise _mapping_error(str(m.get("name", "")), f"unit.code {fixed_code!r} är ingen kod "
                                 "med 2 eller 4 siffror.", f"unit.code {fixed_code!r} is not a "
                                 "2- or 4-digit code.")
    period_name = str(period_spec.get("column") or period_spec.get("year_column"))
    month_name = str(period_spec["month_column"]) if period_spec.get("month_column") else None
    mapped = [i for i in (period_col, year_col, month_col, unit_col, name_col) if i is not None]
    mapped += [i for i, _, _ in measure_cols]

    records: list[dict[str, Any]] = []
    last: dict[int, Any] = {}
    for offset, values in enumerate(rows):
        row = header_row + 1 + offset
        for i in fill:
            if _text(cell(values, i)):
                last[i] = cell(values, i)
            elif i in last:
                values = list(values) + [None] * max(0, i + 1 - len(values))
                values[i] = last[i]
        texts = [_text(cell(values, i)) for i in mapped]
        if not any(texts):
            continue
        first = next((_text(v) for v in values if _text(v)), "")
        if _norm(first).startswith(FOOTNOTE_PREFIXES) and sum(bool(t) for t in texts) <= 1:
            continue
        if any(_norm(_text(cell(values, i))) not in allowed for i, allowed in filters.items()):
            continue
        if any(_norm(_text(cell(values, i))) in banned for i, banned in drops.items()):
            continue
        if fixed_code is not None:
            code, code_name = fixed_code, None
        else:
            code, code_name = _unit_code(cell(values, unit_col), cell(values, name_col), m,
                                         aliases, where, row, str(unit_spec["column"]))
        name = (_text(cell(values, name_col)) if name_col is not None else "") or \
            str(unit_spec.get("name") or "") or code_name or ("Riket" if code == "00" else code)
        if period_col is not None:
            period = _period(cell(values, period_col), None, has_month=False, where=where,
                             row=row, columns=(period_name, None))
        else:
            period = _period(cell(values, year_col), cell(values, month_col),
                             has_month=month_col is not None, where=where, row=row,
                             columns=(period_name, month_name))
        for index, column, measure in measure_cols:
            parsed = numbers.parse(cell(values, index), row, column)
            if parsed is None:
                continue
            value, kind = parsed
            records.append({
                "unit": code, "unit_name": name, "period": period, "measure": measure,
                "value": value, "status": "suppressed" if kind == "suppressed" else status_ok,
                "source": source, "_row": row,
            })
    if not records:
        raise DataError(
            f"{place} har inga datarader under rubrikraden (rad {header_row}) som passar "
            "mappningen: kontrollera filen, 'filters' och 'header_row'.",
            f"{where.place_en} has no data rows below the header "
            f"(row {header_row}) that fit the mapping: check the file, 'filters' and 'header_row'.",
        )
    frame = pd.DataFrame.from_records(records)
    keys = ["unit", "period", "measure"]
    policy = m.get("duplicates", "error")
    dup = frame.duplicated(keys, keep=False)
    if dup.any() and policy == "error":
        first = frame[dup].iloc[0]
        rows_dup = frame.loc[dup & (frame[keys] == first[keys]).all(axis=1), "_row"].tolist()
        raise DataError(
            f"{place} har flera rader för {first['unit']} {first['period']} ({first['measure']}) "
            f"på rad {', '.join(map(str, rows_dup))}: ta bort dubbletterna, lägg till 'filters' "
            "eller ange 'duplicates: last'.",
            f"{where.place_en} has several rows for {first['unit']} "
            f"{first['period']} ({first['measure']}) on rows {', '.join(map(str, rows_dup))}: "
            "remove the duplicates, add 'filters' or set 'duplicates: last'.",
        )
    if dup.any():
        frame = frame.drop_duplicates(keys, keep=policy)
    frame = frame.drop(columns="_row")
    assert set(frame["status"]) <= set(STATUSES)
    panel = validate_panel(frame.reset_index(drop=True), source=place)
    if save_raw:
        safe = re.sub(r"[^A-Za-z0-9_.\-]", "_", path.name).lstrip("._-") or "file"
        raw_file = store.save_raw(
            path.read_bytes(), source=str(m.get("raw_source") or "import"), name=safe,
            meta={"path": str(path), "mapping": _jsonable(m)},
        )
        panel.attrs["raw_file"] = str(raw_file)
    return panel


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_jsonable(v) for v in value]
    return value if isinstance(value, (int, float, bool, type(None))) else str(value)
