"""The canonical long panel every source is turned into.

Columns: ``unit, unit_name, period, measure, value`` and optionally ``unit_type``
(kommun/lan/riket), ``population``, ``status`` (preliminary/final/suppressed), ``source`` and
the measure's declaration ``kind`` (rate/count/level), ``unit_text`` and ``unit_text_en``.
Unit codes are strings (4 digits kommun, 2 digits län, ``00`` riket); ``period`` is ``YYYY-MM``
(monthly) or ``YYYY`` (yearly).

:func:`read_panel` reads CSV (also gzipped), XLSX and parquet the way Swedish users save them
(``;`` and decimal commas, thousands separated by spaces, Windows-1252, BOMs, ``2022M04``,
suppression marks such as ``..`` and ``<5``) and notes each conversion (:class:`Conversion`);
anything else wrong is refused with one sentence naming the file, the line and the value
(``docs/inputs.md`` lists both). Reading is linear in the number of rows.

What a measure is (:class:`Measure`) is declared, never guessed from its values: the shipped
list :data:`MEASURES`, and per evaluation the spec's ``outcome_kinds``, the panel's ``kind``
columns or Kolada's KPI catalogue (resolved once by :func:`evaluation.inputs.resolve_measures`
and registered with :func:`declare_measures`). :func:`measure_info` answers from that registry;
an outcome nobody declared is a *level* in neutral "enheter"/"units" (:func:`undeclared`).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import gzip
import io
import math
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from evaluation.errors import DataError

REQUIRED_COLUMNS = ("unit", "unit_name", "period", "measure", "value")
OPTIONAL_COLUMNS = ("unit_type", "population", "status", "source", "kind", "unit_text",
                    "unit_text_en")
#: The optional columns that declare what a measure is (one value per measure).
DECLARATION_COLUMNS = ("kind", "unit_text", "unit_text_en")
STATUSES = ("preliminary", "final", "suppressed")
NATIONAL_CODE = "00"
#: Shortest pre-period any design accepts: 24 months or 6 years.
MIN_PRE_PERIODS = {"monthly": 24, "yearly": 6}

Frequency = Literal["monthly", "yearly"]
MeasureKind = Literal["rate", "count", "level"]
#: rate: a share in % (effects in procentenheter); count: a number of people, households …
#: (compared per 1 000 inhabitants when a population exists); level: any other quantity in its
#: own unit (kr per invånare, USD per invånare …), compared as it is.
KINDS: tuple[str, ...] = ("rate", "count", "level")
#: Unit words of a rate's effects and of an outcome nobody declared.
PP_UNIT = ("procentenheter", "percentage points")
NEUTRAL_UNIT = ("enheter", "units")
COUNT_UNIT = ("st.", "units")

_MONTHLY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEARLY = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Measure:
    """What a measure is: its kind (rate, count or level), its unit and how people call it.

    ``unit_sv``/``unit_en`` are the words effects are given in: "procentenheter" for a rate,
    e.g. "hushåll" for a count, e.g. "USD per invånare" for a level. ``origin`` says where the
    declaration comes from: ``shipped`` (:data:`MEASURES`), ``spec`` (``outcome_kinds``),
    ``data`` (the panel's ``kind`` column), ``kolada`` (the KPI catalogue's title) or
    ``undeclared`` (nobody said: a level in neutral units).
    """

    name: str
    kind: MeasureKind
    label_sv: str
    label_en: str
    unit_sv: str
    unit_en: str
    # For counts: the per-capita scale used to compare units of different size.
    per: int = 1000
    origin: str = "shipped"

    def label(self, language: str = "sv") -> str:
        return self.label_en if language == "en" else self.label_sv

    def unit(self, language: str = "sv") -> str:
        return self.unit_en if language == "en" else self.unit_sv

    @property
    def additive(self) -> bool:
        """Rates and levels are compared and modelled additively; counts multiplicatively."""
        return self.kind != "count"

    @property
    def declared(self) -> bool:
        return self.origin != "undeclared"

    @property
    def effect_unit(self) -> str:
        """The unit key of :attr:`evaluation.results.EffectResult.unit`: ``"pp"`` for a rate,
        else the English unit (the report finds the Swedish words through the outcome)."""
        return "pp" if self.kind == "rate" else self.unit_en


MEASURES: dict[str, Measure] = {
    "unemployment_rate": Measure(
        "unemployment_rate", "rate", "Inskrivna arbetslösa, andel av arbetskraften",
        "Registered unemployment, share of labour force", "procentenheter", "percentage points",
    ),
    "households_assistance": Measure(
        "households_assistance", "count", "Hushåll med ekonomiskt bistånd",
        "Households receiving social assistance", "hushåll", "households",
    ),
    "population": Measure(
        "population", "count", "Folkmängd", "Population", "invånare", "inhabitants",
    ),
    "labour_force": Measure(
        "labour_force", "count", "Arbetskraft", "Labour force", "personer", "persons",
    ),
    "unemployed": Measure(
        "unemployed", "count", "Inskrivna arbetslösa", "Registered unemployed", "personer",
        "persons",
    ),
}


#: Measures declared for the running evaluation (see :func:`declare_measures`).
_DECLARED: dict[str, Measure] = {}


def measure_info(name: str, values: pd.Series | None = None) -> Measure:
    """What the measure ``name`` is: as declared for the running evaluation
    (:func:`declare_measures`), else as shipped (:data:`MEASURES`), else :func:`undeclared`.

    ``values`` is accepted for compatibility and not used: a kind is never guessed from the
    numbers (whole dollars are not a count, and a share below 100 need not be a rate).
    """
    if name in _DECLARED:
        return _DECLARED[name]
    if name in MEASURES:
        return MEASURES[name]
    return undeclared(name)


def undeclared(name: str) -> Measure:
    """An outcome nobody declared: compared as a level, effects in neutral "enheter"/"units"
    (never procentenheter, never a count that needs a population)."""
    return Measure(name, "level", name, name, *NEUTRAL_UNIT, origin="undeclared")


def declared_measure(name: str, kind: str, *, unit_sv: str | None = None,
                     unit_en: str | None = None, label_sv: str | None = None,
                     label_en: str | None = None, origin: str = "spec") -> Measure:
    """A :class:`Measure` from a declaration; missing words get the kind's defaults (rates
    always "procentenheter"; counts "st."; levels the neutral "enheter")."""
    if kind not in KINDS:
        raise DataError(
            f"Måttet {name} har typen {kind!r}: använd rate, count eller level.",
            f"The measure {name} has the kind {kind!r}: use rate, count or level.",
        )
    shipped = MEASURES.get(name)
    if kind == "rate":
        unit_sv, unit_en = PP_UNIT
    elif not unit_sv and not unit_en:
        if shipped is not None and shipped.kind == kind:
            unit_sv, unit_en = shipped.unit_sv, shipped.unit_en
        else:
            unit_sv, unit_en = COUNT_UNIT if kind == "count" else NEUTRAL_UNIT
    else:  # one language given: the same words in the other
        unit_sv, unit_en = unit_sv or unit_en, unit_en or unit_sv
    label_sv = label_sv or (shipped.label_sv if shipped else name)
    label_en = label_en or (shipped.label_en if shipped else label_sv)
    return Measure(name, kind, label_sv, label_en, unit_sv, unit_en, origin=origin)


def declare_measures(measures: Mapping[str, Measure] | None) -> None:
    """Make ``measures`` what :func:`measure_info` answers for the running evaluation.

    Replaces the previous declarations (one evaluation at a time per process; the report
    notebook's kernel loads its own). :func:`evaluation.inputs.check_inputs` calls it with
    the measures it resolved, so the designs, checks and report all see the same kind.
    """
    _DECLARED.clear()
    _DECLARED.update(measures or {})


def declared_measures() -> dict[str, Measure]:
    """The measures declared for the running evaluation (a copy)."""
    return dict(_DECLARED)


@contextmanager
def measures_declared(measures: Mapping[str, Measure]) -> Iterator[None]:
    """Declare ``measures`` (on top of the current ones) inside a ``with`` block only."""
    before = dict(_DECLARED)
    _DECLARED.update(measures)
    try:
        yield
    finally:
        declare_measures(before)


def known_measures() -> dict[str, Measure]:
    """Every measure known now: the shipped ones, overridden by the declared ones."""
    return {**MEASURES, **_DECLARED}


def panel_measures(frame: pd.DataFrame) -> dict[str, Measure]:
    """The measures a panel declares in its ``kind`` (and ``unit_text``, ``unit_text_en``)
    columns; measures without a ``kind`` are left out."""
    if "kind" not in frame.columns:
        return {}
    out: dict[str, Measure] = {}
    cols = [c for c in DECLARATION_COLUMNS if c in frame.columns]
    rows = frame.loc[frame["kind"].astype(str).str.strip().ne(""), ["measure", *cols]]
    for measure, group in rows.groupby("measure", sort=True):
        first = group.iloc[0]
        texts = {c: str(first[c]).strip() for c in cols if c != "kind"}
        out[str(measure)] = declared_measure(
            str(measure), str(first["kind"]).strip(), unit_sv=texts.get("unit_text") or None,
            unit_en=texts.get("unit_text_en") or None, origin="data")
    return out


# --------------------------------------------------------------------------- periods
def period_frequency(period: str) -> Frequency:
    if _MONTHLY.match(period):
        return "monthly"
    if _YEARLY.match(period):
        return "yearly"
    raise DataError(
        f"Perioden '{period}' har fel format: skriv ÅÅÅÅ-MM för månader eller ÅÅÅÅ för år.",
        f"The period '{period}' has the wrong format: write YYYY-MM for months or YYYY for years.",
    )


# Periods are converted tens of thousands of times per evaluation (re-fits at shifted dates);
# pd.Period is immutable, so the conversions are remembered.
@functools.lru_cache(maxsize=8192)
def to_period(period: str) -> pd.Period:
    freq = period_frequency(str(period))
    return pd.Period(str(period), freq="M" if freq == "monthly" else "Y")


def period_str(p: pd.Period) -> str:
    return p.strftime("%Y-%m") if p.freqstr.startswith("M") else p.strftime("%Y")


@functools.lru_cache(maxsize=65536)
def shift_period(period: str, n: int) -> str:
    return period_str(to_period(period) + n)


def period_range(start: str, end: str) -> list[str]:
    """The periods from ``start`` to ``end``, both included, as text (a new list each call)."""
    return list(_period_range(str(start), str(end)))


@functools.lru_cache(maxsize=4096)
def _period_range(start: str, end: str) -> tuple[str, ...]:
    # remembered: a screen asks for the same grid once per kommun and design (1 700 calls,
    # 0.13 ms each for pandas' range and a strftime per period), an evaluation a few hundred
    # times
    return tuple(period_str(p) for p in pd.period_range(to_period(start), to_period(end)))


@functools.lru_cache(maxsize=65536)
def periods_between(start: str, end: str) -> int:
    """Number of periods from ``start`` to ``end`` (end − start)."""
    return (to_period(end) - to_period(start)).n


def steps_per_year(frequency: Frequency) -> int:
    return 12 if frequency == "monthly" else 1


def unit_type_of(code: str) -> str:
    if code == NATIONAL_CODE:
        return "riket"
    return "lan" if len(code) == 2 else "kommun"


# --------------------------------------------------------------------------- reading
class Conversion(NamedTuple):
    """Something the reader converted to read a file, said in Swedish and English for the
    report's data box (``Inputs.conversions``), e.g. ("semikolonseparerad CSV med
    decimalkomma", "semicolon-separated CSV with decimal commas")."""

    sv: str
    en: str

    def text(self, language: str = "sv") -> str:
        return self.en if language == "en" else self.sv


#: What statistical agencies print in a cell whose value is suppressed or not published:
#: ``..`` (SCB, Socialstyrelsen), ``.``, ``…``, a dash (``–``, ``—``, ``-``), ``X`` and
#: ``<5`` (any ``<n``). Read as status ``suppressed``; in a comparison kommun the unit is then
#: left out and named, in the evaluated kommun it is refused by :mod:`evaluation.inputs`.
SUPPRESSION_MARKS = ("..", ".", "...", "–", "—", "-", "X", "x", "<5")
_MARK = re.compile(r"^(?:\.{1,3}|…|[-–—]|[xX]|<\s*\d+(?:[.,]\d+)?)$")
#: Cells read as missing (no value, status unchanged) — pandas' own list, as before.
_MISSING_TEXT = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                 "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan",
                 "null")
#: Thousands separators between digit groups: space, thin space, no-break space, narrow
#: no-break space (Excel and Word in Swedish write the last three).
_THOUSANDS = {" ": ("mellanslag", "spaces"), "\u2009": ("tunna mellanslag", "thin spaces"),
              "\u00a0": ("hårda mellanslag", "no-break spaces"),
              "\u202f": ("smala hårda mellanslag", "narrow no-break spaces")}
_THOUSANDS_RE = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f](?=\d{3}(?!\d))")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_ENGLISH_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$")
#: Period spellings read as months (``2022M04``, ``2022-04-01``, ``202204``, ``2022-4``) or
#: years (``2022``, ``2022.0`` from a spreadsheet), turned into ``YYYY-MM`` / ``YYYY``.
_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "monthly"),
    (re.compile(r"^(\d{4})[Mm](\d{1,2})$"), "monthly"),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"), "date"),
    (re.compile(r"^(\d{4})(\d{2})$"), "monthly"),
    (re.compile(r"^(\d{4})(?:\.0)?$"), "yearly"),
)
_EXCEL = (".xlsx", ".xlsm")
#: A multi-byte UTF-8 character (two or three bytes; Swedish letters are two).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def read_panel(path: str | Path, *, notes: list[Conversion] | None = None) -> pd.DataFrame:
    """Read a long panel from CSV (also gzipped), XLSX or parquet.

    Accepted as Swedish users have them, and converted (each conversion is appended to
    ``notes`` for the report's data box): ``,``, ``;`` or tab as separator; UTF-8 with or
    without BOM, UTF-16 with BOM (Excel's "Unicode text"), Windows-1252/Latin-1; decimal
    commas; thousands separated by a space, thin space or no-break space; periods written
    ``2022M04``, ``2022-04-01``, ``202204`` or ``2022-4``; suppression marks
    (:data:`SUPPRESSION_MARKS`). Everything else that is wrong is refused with one sentence
    naming the file, the row and the value (:class:`DataError`); see ``docs/inputs.md``.

    Reading is linear in the number of rows (vectorised parsing; periods and codes are
    converted once per distinct value; the only superlinear step is the final sort).
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(
            f"Datafilen {path} är en mapp, inte en fil: ange filen under 'data' i "
            "specifikationen.",
            f"The data file {path} is a folder, not a file: give the file under 'data' in the "
            "spec.",
        )
    if not path.is_file():
        raise DataError(
            f"Datafilen {path} finns inte: kontrollera sökvägen under 'data' i specifikationen.",
            f"The data file {path} does not exist: check the path under 'data' in the spec.",
        )
    found: list[Conversion] = []
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        elif suffix in _EXCEL:
            frame = _read_excel(path, found)
        elif suffix == ".xls":
            raise DataError(
                f"Datafilen {path.name} är en gammal Excel-fil (.xls): spara den som .xlsx eller "
                "CSV i det långa formatet unit, unit_name, period, measure, value.",
                f"The data file {path.name} is an old Excel file (.xls): save it as .xlsx or CSV "
                "in the long format unit, unit_name, period, measure, value.",
            )
        else:
            frame = _read_csv(path, found)
    except PermissionError as exc:
        from evaluation.errors import RunFailure

        raise RunFailure(
            f"Datafilen {path} kan inte läsas (behörighet saknas): ge läsrättighet till filen "
            "eller kopiera den till en mapp du kan läsa.",
            f"The data file {path} cannot be read (permission denied): make the file readable "
            "or copy it to a folder you can read.",
        ) from exc
    except (ValueError, OSError, UnicodeDecodeError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"Datafilen {path.name} kunde inte läsas ({exc.__class__.__name__}): spara den som "
            "CSV, XLSX eller parquet i det långa formatet unit, unit_name, period, measure, "
            "value.",
            f"The data file {path.name} could not be read ({exc.__class__.__name__}): save it "
            "as CSV, XLSX or parquet in the long format unit, unit_name, period, measure, "
            "value.",
        ) from exc
    frame = validate_panel(frame, source=path.name, notes=found)
    if notes is not None:
        notes.extend(found)
    return frame


def _decode(path: Path, found: list[Conversion]) -> str:
    """The text of a CSV file, whatever encoding a Swedish user's program saved it in."""
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        data = gzip.decompress(data)
    if data.startswith(codecs.BOM_UTF8):
        found.append(Conversion("UTF-8 med BOM", "UTF-8 with a byte order mark"))
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        found.append(Conversion("teckenkodning UTF-16 (Excels \"Unicode-text\")",
                                "encoding UTF-16 (Excel's \"Unicode text\")"))
        return data.decode("utf-16")
    if b"\x00" in data[:65536]:
        raise DataError(
            f"Datafilen {path.name} är ingen textfil (den innehåller nollbyte): spara den som "
            "CSV (UTF-8), XLSX eller parquet.",
            f"The data file {path.name} is not a text file (it contains NUL bytes): save it as "
            "CSV (UTF-8), XLSX or parquet.",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_SEQUENCE.search(data):  # UTF-8 with a stray byte: mixed encodings
            line = data[:exc.start].count(b"\n") + 1
            raise DataError(
                f"Datafilen {path.name} har på rad {line} tecknet {data[exc.start:exc.end]!r}, "
                "som inte är UTF-8, fast resten av filen är UTF-8: spara om hela filen som "
                "UTF-8 (eller hela som Windows-1252).",
                f"The data file {path.name} has the byte {data[exc.start:exc.end]!r} on line "
                f"{line}, which is not UTF-8, while the rest of the file is UTF-8: save the whole "
                "file as UTF-8 (or all of it as Windows-1252).",
            ) from exc
    found.append(Conversion("teckenkodning Windows-1252/Latin-1 (omkodad till UTF-8)",
                            "encoding Windows-1252/Latin-1 (converted to UTF-8)"))
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _read_csv(path: Path, found: list[Conversion]) -> pd.DataFrame:
    text = _decode(path, found)
    if not text.strip():
        raise DataError(
            f"Datafilen {path.name} är tom: spara den igen med rubrikraden unit, unit_name, "
            "period, measure, value och en rad per enhet, period och mått.",
            f"The data file {path.name} is empty: save it again with the header unit, "
            "unit_name, period, measure, value and one row per unit, period and measure.",
        )
    header = next(line for line in text.splitlines() if line.strip())
    sep = max((",", ";", "\t"), key=header.count)
    if not header.count(sep):
        shown = header if len(header) <= 60 else header[:57] + "..."
        raise DataError(
            f"Datafilen {path.name} har rubrikraden {shown!r} utan komma, semikolon eller tabb "
            "mellan kolumnerna: spara den som CSV med kolumnerna unit, unit_name, period, "
            "measure, value.",
            f"The data file {path.name} has the header {shown!r} without commas, semicolons or "
            "tabs between the columns: save it as CSV with the columns unit, unit_name, "
            "period, measure, value.")
    if sep == ";":
        found.append(Conversion("semikolonseparerad CSV", "semicolon-separated CSV"))
    elif sep == "\t":
        found.append(Conversion("tabbseparerad text", "tab-separated text"))
    names = [_column_name(c) for c in next(csv.reader([header], delimiter=sep))]
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        raise DataError(
            f"Datafilen {path.name} har kolumnen {twice[0]} två gånger i rubrikraden: behåll "
            "en av dem.",
            f"The data file {path.name} has the column {twice[0]} twice in its header: keep "
            "one of them.")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        raise _parser_error(path, text, sep, exc) from exc
    return _with_lines(frame, first_line=2)


def _parser_error(path: Path, text: str, sep: str, exc: Exception) -> DataError:
    """A row with more fields than the header, named with its line and text."""
    message = str(exc)
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if not match:
        return DataError(
            f"Datafilen {path.name} kunde inte läsas som CSV ({message.splitlines()[0][:80]}): "
            "kontrollera citattecken och avgränsare.",
            f"The data file {path.name} could not be read as CSV "
            f"({message.splitlines()[0][:80]}): check the quotes and the separator.",
        )
    expected, line, saw = (int(g) for g in match.groups())
    lines = text.splitlines()
    content = lines[line - 1] if 0 < line <= len(lines) else ""
    content = content if len(content) <= 80 else content[:77] + "..."
    name = {",": "komma", ";": "semikolon", "\t": "tabb"}[sep]
    name_en = {",": "comma", ";": "semicolon", "\t": "tab"}[sep]
    return DataError(
        f"Datafilen {path.name} har på rad {line} ({content!r}) {saw} fält men rubriken har "
        f"{expected} (avgränsare {name}): ett decimalkomma i en kommaseparerad fil måste stå "
        "inom citattecken – spara filen med semikolon som avgränsare eller rätta raden.",
        f"The data file {path.name} has {saw} fields on line {line} ({content!r}) but the "
        f"header has {expected} (separator {name_en}): a decimal comma in a comma-separated "
        "file must be quoted – save the file with semicolons as separator or fix the line.",
    )


def _with_lines(frame: pd.DataFrame, *, first_line: int) -> pd.DataFrame:
    """Keep each row's line in the file (``_line``, for messages); drop empty rows."""
    frame = frame.copy()
    frame.columns = [_column_name(c) for c in frame.columns]
    frame["_line"] = np.arange(first_line, first_line + len(frame))
    cells = [c for c in frame.columns if c != "_line"]
    if cells and len(frame):
        filled = np.zeros(len(frame), dtype=bool)
        for c in cells:
            filled |= frame[c].astype(str).str.strip().ne("").to_numpy()
        frame = frame.loc[filled]
    return frame


def _read_excel(path: Path, found: list[Conversion]) -> pd.DataFrame:
    """The first sheet of an XLSX file that has the panel's columns (else the first sheet),
    every cell as text as a CSV would have it (dates as ``YYYY-MM-DD``)."""
    sheets = pd.read_excel(path, sheet_name=None, dtype=object, engine="openpyxl")
    if not sheets:
        raise DataError(f"Excel-filen {path.name} har inga blad: spara den igen med data.",
                        f"The Excel file {path.name} has no sheets: save it again with data.")
    chosen = next((name for name, sheet in sheets.items()
                   if set(REQUIRED_COLUMNS) <= {_column_name(c) for c in sheet.columns}),
                  next(iter(sheets)))
    sheet = sheets[chosen].map(_cell_text)
    found.append(Conversion(f"Excel-fil (bladet '{chosen}') i långt format",
                            f"Excel file (sheet '{chosen}') in the long format"))
    return _with_lines(sheet, first_line=2)


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _column_name(name: Any) -> str:
    """``" Unit "`` / ``"VALUE"`` -> ``"unit"`` / ``"value"`` (a header typed by hand)."""
    return str(name).strip().strip('"').strip().casefold()


def _text(column: pd.Series) -> pd.Series:
    """A column as stripped text, missing cells as empty text."""
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        return column.fillna("").astype(str).str.strip()
    return column.astype(str).str.strip().where(column.notna(), "")


def _casefolded_status(status: pd.Series) -> pd.Series:
    """The status column casefolded, empty cells ``final``: each distinct value converted once
    (``str.casefold`` on the column converts every cell in Python: 40 ms on the demo panel,
    whose three statuses are already in lower case)."""
    mapping = {v: v.casefold() or "final" for v in status.unique()}
    if all(k == v for k, v in mapping.items()):
        return status
    return status.map(mapping)


def _quoted(value: Any) -> str:
    """A value quoted for a sentence, cut when long (a whole line pasted into one cell)."""
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _shown(value: Any) -> str:
    """A cell as it can stand in a one-line sentence: control characters escaped, long text
    cut."""
    text = str(value)
    if any(ch < " " or ch == "\x7f" for ch in text):
        text = repr(text)[1:-1]
    return text if len(text) <= 40 else text[:37] + "..."


def _where_row(frame: pd.DataFrame, label: Any) -> tuple[str, str]:
    """'på rad 17 (0114, 2020-06, unemployment_rate)' / 'on line 17 (…)': where a row is,
    by its line in the file when known, and by its unit, period and measure."""
    row = frame.loc[label]
    what = ", ".join(_shown(row[c]) for c in ("unit", "period", "measure")
                     if c in frame.columns and str(row[c]) != "")
    what = f"({what})" if what else ""
    line = row["_line"] if "_line" in frame.columns else None
    if line is None or pd.isna(line):
        return what, what
    return f"på rad {int(line)} {what}".rstrip(), f"on line {int(line)} {what}".rstrip()


def validate_panel(frame: pd.DataFrame, *, source: str = "panelen",
                   notes: list[Conversion] | None = None) -> pd.DataFrame:
    """Check and normalise a long panel; raise :class:`DataError` with one clear sentence
    naming the source, the row (its line in the file, when read by :func:`read_panel`) and
    the value. Conversions (text values with decimal commas or thousands separators,
    suppression marks, other period spellings, lost leading zeros) are appended to ``notes``.
    """
    found: list[Conversion] = []
    if any(c != _column_name(c) for c in frame.columns):
        names = [_column_name(c) for c in frame.columns]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise DataError(
                f"{source} har kolumnen {twice[0]} två gånger: behåll en av dem.",
                f"{source} has the column {twice[0]} twice: keep one of them.")
        frame = frame.set_axis(names, axis=1)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source} saknar kolumnerna {', '.join(missing)}: panelen ska ha kolumnerna "
            "unit, unit_name, period, measure, value.",
            f"{source} lacks the columns {', '.join(missing)}: the panel needs the columns "
            "unit, unit_name, period, measure, value.",
        )
    if frame.empty:
        raise DataError(
            f"{source} har inga rader med värden: filen har bara rubriker (eller är tom) – "
            "spara om den med data.",
            f"{source} has no rows of values: the file holds only a header (or is empty) – "
            "save it again with data.",
        )
    frame = frame.reset_index(drop=True)  # a copy, with one label per row
    for col in ("unit", "unit_name", "period", "measure"):
        frame[col] = _text(frame[col])
    for col, sv, en in (("unit", "enhetskod", "unit code"), ("period", "period", "period"),
                        ("measure", "mått", "measure")):
        empty = frame[col].eq("") | frame[col].isin(("nan", "None"))
        if empty.any():
            at_sv, at_en = _where_row(frame, frame.index[int(np.argmax(empty.to_numpy()))])
            raise DataError(
                f"{source} saknar {sv} {at_sv}: fyll i kolumnen {col} på varje rad eller ta "
                "bort raden.",
                f"{source} lacks the {en} {at_en}: fill in the column {col} on every row or "
                "remove the row.",
            )
    frame["unit"] = _codes(frame["unit"], found)
    frame["period"] = _periods(frame, source, found)
    if "status" not in frame.columns:
        frame["status"] = "final"
    frame["status"] = _casefolded_status(_text(frame["status"]))
    bad_status = sorted(set(frame["status"].unique()) - set(STATUSES))
    if bad_status:
        at_sv, at_en = _where_row(frame, frame.index[frame["status"].eq(bad_status[0])][0])
        raise DataError(
            f"{source} har okänd status {_quoted(bad_status[0])} {at_sv}: använd preliminary, "
            "final eller suppressed.",
            f"{source} has unknown status {_quoted(bad_status[0])} {at_en}: use preliminary, "
            "final or suppressed.",
        )
    freqs = {p: period_frequency(p) for p in frame["period"].unique()}
    if len(set(freqs.values())) > 1:
        yearly = next(p for p, f in freqs.items() if f == "yearly")
        at_sv, at_en = _where_row(frame, frame.index[frame["period"].eq(yearly)][0])
        raise DataError(
            f"{source} blandar månads- och årsperioder (t.ex. {yearly!r} {at_sv}): dela upp "
            "filen i en med ÅÅÅÅ-MM och en med ÅÅÅÅ.",
            f"{source} mixes monthly and yearly periods (e.g. {yearly!r} {at_en}): split it "
            "into one file per frequency.",
        )
    values, marked = _numbers(frame, "value", source, found)
    frame["value"] = values
    if marked.any():
        frame.loc[marked, "status"] = "suppressed"
    frame.loc[frame["status"] == "suppressed", "value"] = np.nan
    infinite = np.isinf(frame["value"].to_numpy(dtype=float))
    if infinite.any():
        label = frame.index[int(np.argmax(infinite))]
        raise _not_finite(frame, label, str(frame.at[label, "value"]), source)
    dup = frame.duplicated(["unit", "period", "measure"], keep=False)
    if dup.any():
        labels = frame.index[dup.to_numpy()]
        row = frame.loc[labels[0]]
        twin = frame.index[(frame["unit"] == row["unit"]) & (frame["period"] == row["period"])
                           & (frame["measure"] == row["measure"])]
        lines = ""
        if "_line" in frame.columns:
            lines = " (rad " + " och ".join(str(int(frame.at[i, "_line"])) for i in twin[:2]) + ")"
        lines_en = lines.replace("rad", "lines").replace(" och ", " and ")
        raise DataError(
            f"{source} har dubbla rader för {row['unit']} {row['period']} ({row['measure']})"
            f"{lines}: behåll en rad per enhet, period och mått.",
            f"{source} has duplicated rows for {row['unit']} {row['period']} "
            f"({row['measure']}){lines_en}: keep one row per unit, period and measure.",
        )
    if "unit_type" not in frame.columns:
        frame["unit_type"] = frame["unit"].map(unit_type_of)
    else:  # cells left empty are derived from the code
        derived = frame["unit_type"].isna() | frame["unit_type"].astype(str).str.strip().eq("")
        if derived.any():
            frame.loc[derived, "unit_type"] = frame.loc[derived, "unit"].map(unit_type_of)
    if "source" not in frame.columns:
        frame["source"] = ""
    frame["source"] = frame["source"].fillna("").astype(str)
    if "population" in frame.columns:
        frame["population"], _ = _numbers(frame, "population", source, found,
                                          as_float=False)
    _check_declarations(frame, source)
    if notes is not None:
        notes.extend(dict.fromkeys(found))
    columns = [*REQUIRED_COLUMNS, *[c for c in OPTIONAL_COLUMNS if c in frame.columns]]
    return frame[columns].sort_values(["measure", "unit", "period"]).reset_index(drop=True)


def _codes(units: pd.Series, found: list[Conversion]) -> pd.Series:
    """Unit codes with a leading zero a spreadsheet dropped restored (``114`` -> ``0114``)."""
    unique = units.unique()
    mapping = {u: _normalise_code(u) for u in unique}
    changed = [u for u, c in mapping.items() if u != c]
    if not changed:
        return units
    found.append(Conversion(
        f"enhetskoder utan inledande nolla kompletterade (t.ex. {changed[0]} → "
        f"{mapping[changed[0]]})",
        f"unit codes without their leading zero completed (e.g. {changed[0]} → "
        f"{mapping[changed[0]]})"))
    return units.map(mapping)


def _normalise_period(text: str) -> str | None:
    """``YYYY-MM`` or ``YYYY`` for any accepted spelling of a period; None if none fits."""
    for pattern, kind in _PERIOD_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if kind == "yearly":
            return f"{year:04d}"
        month = int(match.group(2))
        if not 1 <= month <= 12:
            return None
        if kind == "date":
            try:
                dt.date(year, month, int(match.group(3)))
            except ValueError:
                return None
        return f"{year:04d}-{month:02d}"
    return None


def _periods(frame: pd.DataFrame, source: str, found: list[Conversion]) -> pd.Series:
    """Periods as ``YYYY-MM``/``YYYY``: each distinct spelling is converted once."""
    unique = frame["period"].unique()
    mapping = {p: (p if _MONTHLY.match(p) or _YEARLY.match(p) else _normalise_period(p))
               for p in unique}
    bad = [p for p, v in mapping.items() if v is None]
    if bad:
        at_sv, at_en = _where_row(frame, frame.index[frame["period"].eq(bad[0])][0])
        raise DataError(
            f"{source} har perioden {_quoted(bad[0])} {at_sv}, som inte är en månad eller ett "
            "år: skriv ÅÅÅÅ-MM (även 2022M04, 2022-04-01 och 202204 går bra) eller ÅÅÅÅ.",
            f"{source} has the period {_quoted(bad[0])} {at_en}, which is no month or year: "
            "write YYYY-MM (2022M04, 2022-04-01 and 202204 are read too) or YYYY.",
        )
    changed = [p for p, v in mapping.items() if p != v]
    if not changed:
        return frame["period"]
    found.append(Conversion(
        f"perioder skrivna som {changed[0]} omvandlade till {mapping[changed[0]]}",
        f"periods written as {changed[0]} converted to {mapping[changed[0]]}"))
    return frame["period"].map(mapping)


def _numbers(frame: pd.DataFrame, col: str, source: str, found: list[Conversion], *,
             as_float: bool = True) -> tuple[pd.Series, pd.Series]:
    """The column ``col`` as numbers, and which cells held a suppression mark.

    Numeric columns are taken as they are. Text (a CSV, a spreadsheet, a source's strings) is
    read as numbers in one vectorised pass; the cells that are no plain number are then read
    the Swedish way: decimal comma, thousands separated by (thin, no-break) spaces,
    suppression marks, empty cells. A cell that is still no number is refused by name, as is
    a value that is not finite.
    """
    raw = frame[col]
    none = pd.Series(False, index=frame.index)
    if raw.dtype != object and not pd.api.types.is_string_dtype(raw):
        values = pd.to_numeric(raw, errors="coerce")
        return (values.astype(float) if as_float else values), none
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    slow = values.isna() & raw.notna()
    marked = none
    if slow.any():
        values, marked = _swedish_numbers(frame, col, raw, values, slow, source, found)
    infinite = np.isinf(values.to_numpy())
    if infinite.any():
        label = frame.index[int(np.argmax(infinite))]
        raise _not_finite(frame, label, str(raw[label]).strip(), source)
    return values, marked


def _swedish_numbers(frame: pd.DataFrame, col: str, raw: pd.Series, values: pd.Series,
                     slow: pd.Series, source: str,
                     found: list[Conversion]) -> tuple[pd.Series, pd.Series]:
    """Read the cells ``slow`` (no plain number) of ``raw``; see :func:`_numbers`."""
    text = raw[slow].astype(str).str.strip()
    missing = text.isin(_MISSING_TEXT)
    marked = text.str.match(_MARK) & ~missing
    cleaned = text.str.replace(_THOUSANDS_RE, "", regex=True)
    grouped = cleaned.ne(text)
    comma = cleaned.str.match(_DECIMAL_COMMA)
    english = comma & cleaned.str.match(_ENGLISH_THOUSANDS)
    if english.any():
        everything = raw.astype(str).str.strip()
        point = everything.str.match(_DECIMAL_POINT)
        if point.any():
            label = english.index[int(np.argmax(english.to_numpy()))]
            at_sv, at_en = _where_row(frame, label)
            value = text[label]
            example = everything[frame.index[int(np.argmax(point.to_numpy()))]]
            raise DataError(
                f"{source} har värdet {_quoted(value)} {at_sv} men decimalpunkt på andra rader "
                f"(t.ex. {example!r}), så kommat kan vara en tusentalsavgränsare: skriv alla tal "
                "med samma decimaltecken och utan tusentalsavgränsare (eller med mellanslag).",
                f"{source} has the value {_quoted(value)} {at_en} but decimal points on other rows "
                f"(e.g. {example!r}), so the comma may separate thousands: write every number "
                "with the same decimal mark and without thousands separators (or with spaces).",
            )
    cleaned = cleaned.where(~comma, cleaned.str.replace(",", ".", regex=False))
    usable = ~(missing | marked)
    parsed = pd.to_numeric(cleaned.where(usable, "nan"), errors="coerce").astype(float)
    bad = parsed.isna() & usable
    if "status" in frame.columns:  # a suppressed row may hold any text
        bad &= frame.loc[bad.index, "status"].ne("suppressed")
    if bad.any():
        label = bad.index[int(np.argmax(bad.to_numpy()))]
        raise _not_a_number(frame, label, text[label], col, source)
    values = values.copy()
    values[slow] = parsed
    if grouped.any():
        grouped_text = text[grouped]
        kinds = [_THOUSANDS[ch] for ch in _THOUSANDS
                 if grouped_text.str.contains(ch, regex=False).any()]
        found.append(Conversion(
            f"tusentalsavgränsare ({', '.join(k[0] for k in kinds)}) borttagna i kolumnen {col}",
            f"thousands separators ({', '.join(k[1] for k in kinds)}) removed in the column "
            f"{col}"))
    if comma.any():
        found.append(Conversion(f"decimalkomma i kolumnen {col} läst som decimaltecken",
                                f"decimal commas in the column {col} read as decimal marks"))
    if marked.any():
        marks = ", ".join(repr(m) for m in sorted(set(text[marked]))[:4])
        found.append(Conversion(
            f"{int(marked.sum())} värden markerade {marks} lästa som skyddade (suppressed)",
            f"{int(marked.sum())} values marked {marks} read as suppressed"))
    return values, marked.reindex(frame.index, fill_value=False)


def _not_finite(frame: pd.DataFrame, label: Any, value: str, source: str) -> DataError:
    at_sv, at_en = _where_row(frame, label)
    return DataError(
        f"{source} har värdet {_quoted(value)} {at_sv}, inte ett ändligt tal: rätta värdet "
        "eller markera det som skyddat (suppressed) – annars kan det bli ett resultat.",
        f"{source} has the value {_quoted(value)} {at_en}, not a finite number: correct it or mark "
        "it as suppressed – otherwise it can become a finding.",
    )


def _not_a_number(frame: pd.DataFrame, label: Any, value: str, col: str,
                  source: str) -> DataError:
    at_sv, at_en = _where_row(frame, label)
    if "%" in value:
        fix_sv, fix_en = ("skriv talet utan procenttecken (6,5 i stället för 6,5 %)",
                          "write the number without a percent sign (6.5 instead of 6.5 %)")
    elif re.search(r"\d", value) and re.search(r"[^\W\d_]", value):
        fix_sv, fix_en = ("skriv bara talet, utan enhet eller ord",
                          "write the number alone, without a unit or words")
    elif re.search(r"\d", value) and ("," in value or "." in value or " " in value):
        fix_sv, fix_en = (("skriv talet med ett decimaltecken (komma eller punkt) och utan "
                           "tusentalsavgränsare, eller med mellanslag mellan tusental"),
                          ("write the number with one decimal mark (comma or point) and without "
                           "thousands separators, or with spaces between thousands"))
    else:
        fix_sv, fix_en = ("rätta värdet till ett tal, eller skriv '..' om värdet är skyddat",
                          "correct it to a number, or write '..' if the value is suppressed")
    return DataError(
        f"{source} har ett icke-numeriskt värde {_quoted(value)} i kolumnen {col} {at_sv}: "
        f"{fix_sv}.",
        f"{source} has a non-numeric value {_quoted(value)} in the column {col} {at_en}: {fix_en}.",
    )


def _check_declarations(frame: pd.DataFrame, source: str) -> None:
    """Normalise the ``kind``/``unit_text`` columns: known kinds, one declaration per measure."""
    cols = [c for c in DECLARATION_COLUMNS if c in frame.columns]
    for col in cols:
        frame[col] = frame[col].fillna("").astype(str).str.strip()
        frame.loc[frame[col].str.casefold().isin(("nan", "none")), col] = ""
    if "kind" not in frame.columns:
        return
    frame["kind"] = frame["kind"].str.casefold()
    bad = sorted(set(frame["kind"]) - {"", *KINDS})
    if bad:
        raise DataError(
            f"{source} har typen {_quoted(bad[0])} i kolumnen kind: använd rate (andel i %), "
            "count (antal) eller level (nivå i egen enhet), eller lämna cellen tom.",
            f"{source} has the kind {_quoted(bad[0])} in the column kind: use rate (share in %), "
            "count or level (a level in its own unit), or leave the cell empty.",
        )
    for col in cols:
        values = frame.loc[frame[col] != "", ["measure", col]].drop_duplicates()
        twice = values["measure"][values["measure"].duplicated()]
        if len(twice):
            measure = twice.iloc[0]
            found = ", ".join(repr(v) for v in values.loc[values["measure"] == measure, col])
            raise DataError(
                f"{source} anger flera värden i kolumnen {col} för måttet {measure} ({found}): "
                "ett mått har en typ och en enhet, så skriv samma värde på varje rad.",
                f"{source} gives several values in the column {col} for the measure {measure} "
                f"({found}): a measure has one kind and one unit, so write the same value on "
                "every row.",
            )


def _normalise_code(code: str) -> str:
    code = code.strip()
    if code.endswith(".0"):
        code = code[:-2]
    if code.isdigit() and len(code) in (1, 3):  # leading zero lost by a spreadsheet
        code = code.zfill(len(code) + 1)
    return code


def panel_frequency(frame: pd.DataFrame) -> Frequency:
    return period_frequency(str(frame["period"].iloc[0]))


#: Text columns held as categoricals by :func:`with_compact_text`: those that describe a row
#: (the unit's name and type, the value's status and source) and the measure's name.
COMPACT_COLUMNS = ("unit_name", "unit_type", "status", "source", "measure")


def with_compact_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its :data:`COMPACT_COLUMNS` as pandas categoricals (a new frame; the
    values, their order and every other column are unchanged).

    An evaluation selects rows of its whole panel a few hundred times (placebo dates, the
    sensitivity grid, the horizon) and compares its measure column with an outcome's name as
    often. pandas holds text as Arrow strings, so each selection copied all seven text columns
    (8 ms on the demo panel; about 3.5 ms with these five as categoricals, which copy small
    integer codes: 312 unit names, five measures, three unit types, two statuses, one source)
    and each comparison compared 200 000 strings (1 ms; 0.05 ms as a categorical).

    ``unit`` and ``period`` stay strings: periods are compared with ``<=``, which an
    unordered categorical refuses, and unit codes are the keys of look-ups. In pandas 3.1.1 a
    categorical Series mapped through a Series whose *values* are categorical takes those
    values by position, not by key (``codes.map(names)`` with categorical codes and names gave
    riket another unit's name when the unit was tried as a categorical); mapped from text, or
    through a dict, the answer is right. So map a column of :data:`COMPACT_COLUMNS` through a
    dict or plain values only. Code that gives one of these columns a value it does not hold
    yet adds the category first (``cat.add_categories``; pandas refuses the assignment
    otherwise), and a frame concatenated with one holding plain strings gets plain text
    (object) in that column."""
    compact = {c: frame[c].astype("category") for c in COMPACT_COLUMNS
               if c in frame.columns and not isinstance(frame[c].dtype, pd.CategoricalDtype)}
    if not compact:
        return frame
    return frame.assign(**compact)  # keeps ``attrs``


def rows_where(frame: pd.DataFrame, where: Any, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of ``frame`` where the boolean ``where`` (a Series or array, one per row)
    holds, with ``columns`` only. Selecting rows of every column copies all of a panel's text
    columns (pandas' Arrow strings, seven in a panel); on the demo panel half its rows cost
    6–10 ms that way and 1.5 ms with two columns, so code that reads a few columns takes
    those."""
    return frame.loc[np.asarray(where, dtype=bool), list(columns)]


def wide(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Periods × units table of one measure.

    Its period index and unit columns hold Python strings (object dtype), not pandas' Arrow
    strings: the designs look units up and loop over them thousands of times per evaluation,
    and iterating an Arrow-backed index costs a conversion per element.

    What ``pivot`` gives (sorted periods and units, NaN where a pair has no row; a pair twice
    is an error), built from the three columns alone: an evaluation builds these tables a
    hundred times and the screen once per kommun, and ``pivot`` spent most of its time
    copying the other columns and building a MultiIndex. Unusual input (a missing period or
    unit, values that are not floats) takes ``pivot`` itself."""
    rows = np.flatnonzero((frame["measure"] == measure).to_numpy(dtype=bool, na_value=False))
    if rows.size and frame["value"].dtype == np.float64:
        p_codes, periods = pd.factorize(frame["period"].take(rows), sort=True)
        u_codes, units = pd.factorize(frame["unit"].take(rows), sort=True)
        if p_codes.min() >= 0 and u_codes.min() >= 0:
            cell = p_codes.astype(np.int64) * len(units) + u_codes
            if np.bincount(cell).max() > 1:
                raise ValueError("Index contains duplicate entries, cannot reshape")
            table = np.full(len(periods) * len(units), np.nan)
            table[cell] = frame["value"].to_numpy()[rows]
            return pd.DataFrame(  # the memory layout pivot leaves (one row per period)
                table.reshape(len(periods), len(units)),
                index=pd.Index(np.asarray(periods, dtype=object), dtype=object, name="period"),
                columns=pd.Index(np.asarray(units, dtype=object), dtype=object, name="unit"))
    sub = frame[frame["measure"] == measure]
    out = sub.pivot(index="period", columns="unit", values="value").sort_index()
    out.index = pd.Index(out.index.to_numpy(dtype=object), dtype=object, name=out.index.name)
    out.columns = pd.Index(out.columns.to_numpy(dtype=object), dtype=object,
                           name=out.columns.name)
    return out


def first_of_each_unit(frame: pd.DataFrame, column: str) -> dict[str, Any]:
    """``column`` on each unit's first row, in order of first appearance (what
    ``drop_duplicates("unit")`` keeps). The units are factorised, which numbers them in order
    of first appearance, so a unit's first row is where the running maximum of the numbers
    reaches its number: no copy of the frame (the screen asks this of a small panel for every
    kommun). A missing unit code takes ``drop_duplicates`` itself."""
    codes, units = pd.factorize(frame["unit"])
    if len(codes) and codes.min() < 0:
        return dict(frame.drop_duplicates("unit")[["unit", column]].itertuples(index=False))
    reached = np.maximum.accumulate(codes)
    first = np.flatnonzero(np.r_[True, reached[1:] > reached[:-1]]) if len(codes) else codes
    return dict(zip(units.tolist(), frame[column].take(first).tolist(), strict=True))


def unit_names(frame: pd.DataFrame) -> dict[str, str]:
    return first_of_each_unit(frame, "unit_name")


def unit_types(frame: pd.DataFrame) -> dict[str, str]:
    return first_of_each_unit(frame, "unit_type")
