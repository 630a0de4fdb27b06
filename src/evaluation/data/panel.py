"""The canonical long panel every source is turned into.

Columns: ``unit, unit_name, period, measure, value`` and optionally ``unit_type``
(kommun/lan/riket), ``population``, ``status`` (preliminary/final/suppressed) and ``source``.
Unit codes are strings (4 digits kommun, 2 digits län, ``00`` riket); ``period`` is ``YYYY-MM``
(monthly) or ``YYYY`` (yearly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from evaluation.errors import DataError

REQUIRED_COLUMNS = ("unit", "unit_name", "period", "measure", "value")
OPTIONAL_COLUMNS = ("unit_type", "population", "status", "source")
STATUSES = ("preliminary", "final", "suppressed")
NATIONAL_CODE = "00"
#: Shortest pre-period any design accepts: 24 months or 6 years.
MIN_PRE_PERIODS = {"monthly": 24, "yearly": 6}

Frequency = Literal["monthly", "yearly"]
MeasureKind = Literal["rate", "count"]

_MONTHLY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEARLY = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Measure:
    """What a measure is: its kind (rate in % or count) and how people call it."""

    name: str
    kind: MeasureKind
    label_sv: str
    label_en: str
    unit_sv: str
    unit_en: str
    # For counts: the per-capita scale used to compare units of different size.
    per: int = 1000

    def label(self, language: str = "sv") -> str:
        return self.label_en if language == "en" else self.label_sv

    def unit(self, language: str = "sv") -> str:
        return self.unit_en if language == "en" else self.unit_sv


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


def measure_info(name: str, values: pd.Series | None = None) -> Measure:
    """Metadata for a measure; unknown measures are a count if all values are whole numbers."""
    if name in MEASURES:
        return MEASURES[name]
    is_count = values is not None and len(values) > 0 and bool(
        np.all(np.isclose(values.dropna() % 1, 0)) and (values.dropna() >= 0).all()
    )
    if is_count:
        return Measure(name, "count", name, name, "antal", "count")
    return Measure(name, "rate", name, name, "enheter", "units")


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
    columns = [*REQUIRED_COLUMNS, *[c for c in OPTIONAL_COLUMNS if c in frame.columns]]
    return frame[columns].sort_values(["measure", "unit", "period"]).reset_index(drop=True)


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
