"""The clean, demo-like input every corpus case starts from, and how a case writes its files.

The panel: riket (00) and 32 real kommuner (the first codes of SCB's list, the copy beside the
case tests: ``tests/cases/data/kommuner.csv``; 26 in Stockholms län, 6 in Uppsala län) with their
real names (å, ä, ö), monthly 2018-01–2023-12, three measures: ``unemployment_rate`` (a rate
with one decimal), ``households_assistance`` (a count) and ``population`` (a count in the
thousands, so thousands separators matter). Every value is synthetic (seeded); the evaluated
kommun is Upplands Väsby (0114), the change in 2022-04.

A case writes its data under ``<home>/data/raw/korpus/`` (so the check that ``data/raw`` stays
byte-identical also covers the file being read) and its spec under ``<home>/specs/``.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CODE_LIST = Path(__file__).resolve().parents[1] / "cases" / "data" / "kommuner.csv"
_KOMMUNER = pd.read_csv(CODE_LIST, dtype=str)
CODES = sorted(_KOMMUNER["kommunkod"])[:32]
NAMES = {"00": "Riket", **dict(zip(_KOMMUNER["kommunkod"], _KOMMUNER["kommun"], strict=True))}
TREATED = "0114"
TREATED_NAME = NAMES[TREATED]
MONTHS = [p.strftime("%Y-%m") for p in pd.period_range("2018-01", "2023-12", freq="M")]
INTERVENTION = "2022-04"
RATE, COUNT, POP = "unemployment_rate", "households_assistance", "population"
SOURCE_TEXT = "Korpus, syntetiska värden"
COLUMNS = ["unit", "unit_name", "period", "measure", "value", "source"]
ID = "korpus"


def clean_frame() -> pd.DataFrame:
    """The clean panel (values as floats), before it is written (a fresh copy)."""
    return _clean_frame().copy()


@lru_cache(maxsize=1)
def _clean_frame() -> pd.DataFrame:
    rng = np.random.default_rng(14)
    rows = []
    for code in ["00", *CODES]:
        national = code == "00"
        level, size = rng.uniform(4, 9), rng.uniform(80, 400) * (60 if national else 1)
        pop0 = 10_000_000 if national else int(rng.integers(8_000, 120_000))
        for t, month in enumerate(MONTHS):
            rows.append((code, NAMES[code], month, RATE,
                         round(level + 0.5 * np.sin(t / 5) + rng.normal(0, 0.2), 1)))
            rows.append((code, NAMES[code], month, COUNT, float(rng.poisson(size))))
            rows.append((code, NAMES[code], month, POP, float(int(pop0 * (1 + 0.0008 * t)))))
    frame = pd.DataFrame(rows, columns=COLUMNS[:-1])
    frame["source"] = SOURCE_TEXT
    return frame


def number(value: Any, *, decimal: str = ".", thousands: str = "") -> str:
    """A value as a person's program writes it: shortest exact digits, the decimal mark and
    thousands separator asked for; text (a planted defect) is left as it is."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    value = float(value)
    text = str(int(value)) if value.is_integer() else repr(value)
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    if thousands:
        groups = []
        while len(digits) > 3:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        digits = thousands.join([digits, *groups])
    return sign + digits + (decimal + frac if frac else "")


def render(frame: pd.DataFrame, *, sep: str = ",", decimal: str = ".", thousands: str = "",
           period=None, encoding: str = "utf-8", bom: bool = False, newline: str = "\n",
           quote_all: bool = False, header: list[str] | None = None) -> bytes:
    """The bytes of ``frame`` as a CSV file written the way asked (values formatted once per
    distinct value, the file by pandas' C writer)."""
    out = frame.copy()
    for column in ("value", "population"):
        if column in out.columns:
            cells = out[column].astype(object)
            texts = {v: number(v, decimal=decimal, thousands=thousands)
                     for v in pd.unique(cells) if not pd.isna(v)}
            out[column] = [texts[v] if not pd.isna(v) else "" for v in cells]
    if period is not None:
        out["period"] = out["period"].map({p: period(p) for p in out["period"].unique()})
    text = out.to_csv(index=False, sep=sep, lineterminator=newline, header=header or True,
                      quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def plant(frame: pd.DataFrame, unit: str, period: str, measure: str, value: Any) -> pd.DataFrame:
    """``frame`` with one cell's value replaced (text is written as it is)."""
    out = frame.copy()
    out["value"] = out["value"].astype(object)
    mask = (out["unit"] == unit) & (out["period"] == period) & (out["measure"] == measure)
    assert mask.sum() == 1, (unit, period, measure)
    out.loc[mask, "value"] = value
    return out


def drop(frame: pd.DataFrame, **where: Any) -> pd.DataFrame:
    """``frame`` without the rows matching every ``column=value`` (a callable tests a value)."""
    mask = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        mask &= frame[column].map(wanted) if callable(wanted) else frame[column] == wanted
    return frame[~mask].reset_index(drop=True)


def digest(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``folder``."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Ctx:
    """One case's home (a copy of the baseline home) and how the case writes its inputs."""

    home: Path
    hook: Any = None  # called by the fake notebook executor (a fault inside the run)
    cleanup: list[Any] = field(default_factory=list)

    @property
    def raw(self) -> Path:
        return self.home / "data" / "raw" / "korpus"

    @property
    def reports(self) -> Path:
        return self.home / "reports" / ID

    def frame(self) -> pd.DataFrame:
        return clean_frame()

    def csv(self, frame: pd.DataFrame | None = None, name: str = "data.csv", **fmt: Any) -> Path:
        return self.write(name, render(clean_frame() if frame is None else frame, **fmt))

    def write(self, name: str, data: bytes | str) -> Path:
        path = self.raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def spec(self, data: str = "data.csv", *, extra: str = "", drop: tuple[str, ...] = (),
             encoding: str = "utf-8", name: str = "spec.yaml", **keys: str) -> Path:
        """A spec naming ``data`` (a file under the raw folder); ``keys`` replace or add lines
        (YAML text as written), ``drop`` removes keys, ``extra`` is appended as it is."""
        lines = {"evaluation_id": ID, "data": f"../data/raw/korpus/{data}",
                 "treated": f'"{TREATED}"', "intervention": INTERVENTION,
                 "outcomes": f"[{RATE}, {COUNT}]"}
        lines.update(keys)
        text = "".join(f"{k}: {v}\n" for k, v in lines.items() if k not in drop) + extra
        return self.spec_text(text, encoding=encoding, name=name)

    def spec_text(self, text: str | bytes, *, encoding: str = "utf-8",
                  name: str = "spec.yaml") -> Path:
        path = self.home / "specs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        return path
