"""The canonical long panel every source is turned into.

Columns: ``unit, unit_name, period, measure, value`` and optionally ``unit_type``
(kommun/lan/riket), ``population``, ``status`` (preliminary/final/suppressed), ``source`` and
the measure's declaration ``kind`` (rate/count/level), ``unit_text`` and ``unit_text_en``.
Unit codes are strings (4 digits kommun, 2 digits län, ``00`` riket); ``period`` is ``YYYY-MM``
(monthly) or ``YYYY`` (yearly).

What a measure is (:class:`Measure`) is declared, never guessed from its values: the shipped
list :data:`MEASURES`, and per evaluation the spec's ``outcome_kinds``, the panel's ``kind``
columns or Kolada's KPI catalogue (resolved once by :func:`evaluation.inputs.resolve_measures`
and registered with :func:`declare_measures`). :func:`measure_info` answers from that registry;
an outcome nobody declared is a *level* in neutral "enheter"/"units" (:func:`undeclared`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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
        "unemployed", "count", "Inskrivna arbetslösa", "Registered unemployed", "personer", "persons",
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


def to_period(period: str) -> pd.Period:
    freq = period_frequency(str(period))
    return pd.Period(str(period), freq="M" if freq == "monthly" else "Y")


def period_str(p: pd.Period) -> str:
    return p.strftime("%Y-%m") if p.freqstr.startswith("M") else p.strftime("%Y")


def shift_period(period: str, n: int) -> str:
    return period_str(to_period(period) + n)


def period_range(start: str, end: str) -> list[str]:
    return [period_str(p) for p in pd.period_range(to_period(start), to_period(end))]


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
def read_panel(path: str | Path) -> pd.DataFrame:
    """Read a long panel from CSV or parquet, keeping unit codes and periods as strings."""
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"Datafilen {path} finns inte: kontrollera sökvägen under 'data' i specifikationen.",
            f"The data file {path} does not exist: check the path under 'data' in the spec.",
        )
    try:
        if path.suffix.lower() == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(
                path, dtype={"unit": str, "period": str, "unit_name": str, "measure": str},
                sep=_delimiter(path), encoding="utf-8-sig",
            )
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(
            f"Datafilen {path} kunde inte läsas ({exc.__class__.__name__}): spara den som CSV "
            "(UTF-8) eller parquet i det långa formatet unit, unit_name, period, measure, value.",
            f"The data file {path} could not be read ({exc.__class__.__name__}): save it as CSV "
            "(UTF-8) or parquet in the long format unit, unit_name, period, measure, value.",
        ) from exc
    return validate_panel(frame, source=str(path))


def _delimiter(path: Path) -> str:
    """The CSV delimiter (comma, semicolon or tab), read from the header line."""
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
        header = handle.readline()
    return max((",", ";", "\t"), key=header.count)


def validate_panel(frame: pd.DataFrame, *, source: str = "panelen") -> pd.DataFrame:
    """Check and normalise a long panel; raise :class:`DataError` with one clear sentence."""
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
    frame = frame.copy()
    for col in ("unit", "unit_name", "period", "measure"):
        frame[col] = frame[col].astype(str).str.strip()
    frame["unit"] = frame["unit"].map(_normalise_code)
    if "status" not in frame.columns:
        frame["status"] = "final"
    frame["status"] = frame["status"].fillna("final").astype(str)
    bad_status = sorted(set(frame["status"]) - set(STATUSES))
    if bad_status:
        raise DataError(
            f"{source} har okänd status {bad_status[0]!r}: använd preliminary, final eller suppressed.",
            f"{source} has unknown status {bad_status[0]!r}: use preliminary, final or suppressed.",
        )
    freqs = {period_frequency(p) for p in frame["period"].unique()}
    if len(freqs) > 1:
        raise DataError(
            f"{source} blandar månads- och årsperioder: dela upp filen i en med ÅÅÅÅ-MM och en med ÅÅÅÅ.",
            f"{source} mixes monthly and yearly periods: split it into one file per frequency.",
        )
    raw_values = frame["value"]
    values = pd.to_numeric(raw_values, errors="coerce")
    bad = values.isna() & raw_values.notna() & (frame["status"] != "suppressed")
    bad &= raw_values.astype(str).str.strip().ne("")
    if bad.any():
        row = frame.loc[bad].iloc[0]
        raise DataError(
            f"{source} har ett icke-numeriskt värde {raw_values[bad].iloc[0]!r} för {row['unit']} "
            f"{row['period']} ({row['measure']}): rätta värdet eller markera raden som suppressed.",
            f"{source} has a non-numeric value {raw_values[bad].iloc[0]!r} for {row['unit']} "
            f"{row['period']} ({row['measure']}): fix the value or mark the row as suppressed.",
        )
    frame["value"] = values.astype(float)
    frame.loc[frame["status"] == "suppressed", "value"] = np.nan
    dup = frame.duplicated(["unit", "period", "measure"], keep=False)
    if dup.any():
        row = frame.loc[dup].iloc[0]
        raise DataError(
            f"{source} har dubbla rader för {row['unit']} {row['period']} ({row['measure']}): "
            "behåll en rad per enhet, period och mått.",
            f"{source} has duplicated rows for {row['unit']} {row['period']} ({row['measure']}): "
            "keep one row per unit, period and measure.",
        )
    if "unit_type" not in frame.columns:
        frame["unit_type"] = frame["unit"].map(unit_type_of)
    if "source" not in frame.columns:
        frame["source"] = ""
    frame["source"] = frame["source"].fillna("").astype(str)
    if "population" in frame.columns:
        frame["population"] = pd.to_numeric(frame["population"], errors="coerce")
    _check_declarations(frame, source)
    columns = [*REQUIRED_COLUMNS, *[c for c in OPTIONAL_COLUMNS if c in frame.columns]]
    return frame[columns].sort_values(["measure", "unit", "period"]).reset_index(drop=True)


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
            f"{source} har typen {bad[0]!r} i kolumnen kind: använd rate (andel i %), count "
            "(antal) eller level (nivå i egen enhet), eller lämna cellen tom.",
            f"{source} has the kind {bad[0]!r} in the column kind: use rate (share in %), count "
            "or level (a level in its own unit), or leave the cell empty.",
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


def wide(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Periods × units table of one measure."""
    sub = frame[frame["measure"] == measure]
    return sub.pivot(index="period", columns="unit", values="value").sort_index()


def unit_names(frame: pd.DataFrame) -> dict[str, str]:
    return dict(frame.drop_duplicates("unit")[["unit", "unit_name"]].itertuples(index=False))


def unit_types(frame: pd.DataFrame) -> dict[str, str]:
    return dict(frame.drop_duplicates("unit")[["unit", "unit_type"]].itertuples(index=False))
