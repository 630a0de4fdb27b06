"""The corpus as data: one :class:`Case` per hostile input or fault (issue 14).

Each case says how to make its input from the clean panel (:mod:`corpus.world`), the command,
the exit code (0 ok; 2 bad input: spec or data; 1 the run failed: disk, permissions,
interruption) and what the one sentence on stderr must contain — patterns naming the file,
row or key *and* the value. Accepted variants (exit 0) say which conversion the data box will
note and, through ``expected``, the panel they must read to (the clean panel by default).

Categories: ``data`` (values, formats, encodings, separators, suppression marks, missing
months, unknown codes, long and short files), ``spec`` (keys, types, dates outside the data,
pre-periods, donors, post windows, encodings), ``source`` (``sources:`` blocks and local
source files — network behaviour is tested in ``tests/sources/``) and ``fault`` (disk full,
read-only, permission denied and signals injected where the run writes; see
``test_corpus.py``).
"""

from __future__ import annotations

import errno
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from corpus.world import (
    CODES,
    COUNT,
    ID,
    MONTHS,
    NAMES,
    POP,
    RATE,
    TREATED,
    Ctx,
    clean_frame,
    drop,
    plant,
    render,
)

OTHER = CODES[5]  # a comparison kommun (0125 Ekerö)


@dataclass(frozen=True)
class Case:
    id: str
    category: str
    build: Callable[[Ctx], Path]
    code: int
    says: tuple[str, ...] = ()
    command: str = "check"
    #: a refusal of ``check`` is also run through ``run`` (same code and sentence, no notebook):
    #: by default the data cases, and the spec cases checked against the data
    also_run: bool | None = None
    language: str = "sv"
    #: accepted variants: the expected panel from the clean one, and notes in Inputs.conversions
    expected: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    notes: tuple[str, ...] = ()
    inspect: Callable[[Any], None] | None = None
    #: faults: installed (with a MonkeyPatch and the case's Ctx) around the command
    fault: Callable[[Any, Ctx], None] | None = None
    publishes: bool = False
    #: a failed run is kept under failed/ (False: it could not even be moved there)
    kept: bool = True


def line_of(unit: str, period: str, measure: str) -> int:
    """The line of a cell in a file written from :func:`clean_frame` (header = line 1)."""
    units = ["00", *CODES]
    row = (units.index(unit) * len(MONTHS) + MONTHS.index(period)) * 3 + [RATE, COUNT,
                                                                          POP].index(measure)
    return row + 2


def csv_case(mutate: Callable[[pd.DataFrame], pd.DataFrame] | None = None, *,
             name: str = "data.csv", spec: dict[str, str] | None = None,
             extra: str = "", **fmt: Any) -> Callable[[Ctx], Path]:
    def build(ctx: Ctx) -> Path:
        frame = ctx.frame()
        if mutate is not None:
            frame = mutate(frame)
        ctx.csv(frame, name=name, **fmt)
        return ctx.spec(name, extra=extra, **(spec or {}))
    return build


def raw_case(data: bytes | str | Callable[[], bytes], *, name: str = "data.csv",
             spec: dict[str, str] | None = None) -> Callable[[Ctx], Path]:
    def build(ctx: Ctx) -> Path:
        ctx.write(name, data() if callable(data) else data)
        return ctx.spec(name, **(spec or {}))
    return build


def spec_case(extra: str = "", *, drop_keys: tuple[str, ...] = (), encoding: str = "utf-8",
              mutate: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
              **keys: str) -> Callable[[Ctx], Path]:
    def build(ctx: Ctx) -> Path:
        frame = ctx.frame()
        ctx.csv(mutate(frame) if mutate else frame)
        return ctx.spec(extra=extra, drop=drop_keys, encoding=encoding, **keys)
    return build


def text_spec(text: str | bytes) -> Callable[[Ctx], Path]:
    def build(ctx: Ctx) -> Path:
        ctx.csv()
        return ctx.spec_text(text)
    return build


def suppressed(*cells: tuple[str, str, str]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The clean panel with ``cells`` (unit, period, measure) suppressed."""
    def expected(clean: pd.DataFrame) -> pd.DataFrame:
        out = clean.copy()
        for unit, period, measure in cells:
            mask = (out["unit"] == unit) & (out["period"] == period) & (out["measure"] == measure)
            out.loc[mask, "value"] = float("nan")
            out.loc[mask, "status"] = "suppressed"
        return out
    return expected


#: The XLSX cases use a smaller file (Excel files are slow to write and read): these units.
XLSX_UNITS = ["00", *CODES[:8]]


def _small(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["unit"].isin(XLSX_UNITS)].reset_index(drop=True)


def _xlsx(frame: pd.DataFrame, *, dates: bool = False, text_values: bool = False) -> bytes:
    import io

    out = frame.copy()
    if dates:
        out["period"] = pd.to_datetime(out["period"] + "-01")
    if text_values:
        out["value"] = out["value"].map(lambda v: f"{v}".replace(".", ",").removesuffix(",0"))
    buffer = io.BytesIO()
    out.to_excel(buffer, index=False, sheet_name="Blad1")
    return buffer.getvalue()


def _parquet(frame: pd.DataFrame) -> bytes:
    import io

    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _gzip(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data, mtime=0)


def _dropped(unit: str, reason: str) -> Callable[[Any], None]:
    def inspect(inputs: Any) -> None:
        assert inputs.dropped.get(unit) == reason, inputs.dropped
    return inspect


def _skipped(*designs: str) -> Callable[[Any], None]:
    def inspect(inputs: Any) -> None:
        assert {n["design"] for n in inputs.design_notes} == set(designs), inputs.design_notes
        assert all(n["sv"] and n["en"] for n in inputs.design_notes)
    return inspect


# ============================================================================ data
ROW = line_of(TREATED, "2020-06", RATE)
OTHER_ROW = line_of(OTHER, "2020-06", RATE)
T, P = TREATED, "2020-06"


DATA_ACCEPTED = [
    Case("semicolon-decimal-comma", "data", csv_case(sep=";", decimal=","), 0,
         notes=("semikolonseparerad", "decimalkomma")),
    Case("semicolon-decimal-point", "data", csv_case(sep=";"), 0, notes=("semikolon",)),
    Case("tab-separated", "data", csv_case(sep="\t"), 0, notes=("tabbseparerad",)),
    Case("thousands-space", "data", csv_case(thousands=" "), 0, notes=("mellanslag",)),
    Case("thousands-thin-space", "data", csv_case(thousands="\u2009"), 0,
         notes=("tunna mellanslag",)),
    Case("thousands-no-break-space", "data", csv_case(thousands="\u00a0"), 0,
         notes=("hårda mellanslag",)),
    Case("thousands-narrow-no-break-space", "data", csv_case(thousands="\u202f"), 0,
         notes=("smala hårda",)),
    Case("excel-swedish-windows", "data",
         csv_case(sep=";", decimal=",", thousands="\u00a0", encoding="cp1252"), 0,
         notes=("Windows-1252", "semikolon", "decimalkomma", "hårda mellanslag")),
    Case("latin-1", "data", csv_case(encoding="latin-1"), 0, notes=("Latin-1",)),
    Case("utf-8-bom", "data", csv_case(bom=True), 0, notes=("BOM",)),
    Case("utf-16-unicode-text", "data", csv_case(sep="\t", encoding="utf-16"), 0,
         notes=("UTF-16",)),
    Case("crlf-line-endings", "data", csv_case(newline="\r\n"), 0),
    Case("xlsx-long-format", "data",
         raw_case(lambda: _xlsx(_small(clean_frame())), name="data.xlsx"), 0,
         expected=_small, notes=("Excel-fil",)),
    Case("xlsx-dates-and-text-decimal-commas", "data",
         raw_case(lambda: _xlsx(_small(clean_frame()), dates=True, text_values=True),
                  name="data.xlsx"), 0, expected=_small,
         notes=("Excel-fil", "decimalkomma", "2018-01-01")),
    Case("period-2022M04", "data", csv_case(period=lambda p: p.replace("-", "M")), 0,
         notes=("2018M01",)),
    Case("period-2022-04-01", "data", csv_case(period=lambda p: f"{p}-01"), 0,
         notes=("2018-01-01",)),
    Case("period-202204", "data", csv_case(period=lambda p: p.replace("-", "")), 0,
         notes=("201801",)),
    Case("period-2022M4", "data",
         csv_case(period=lambda p: f"{p[:4]}M{int(p[5:])}"), 0, notes=("2018M1",)),
    Case("period-excel-datetime", "data", csv_case(period=lambda p: f"{p}-01 00:00:00"), 0),
    Case("period-mixed-spellings", "data",
         csv_case(period=lambda p: p.replace("-", "M") if p < "2020" else p.replace("-", "")),
         0, notes=("omvandlade",)),
    Case("mark-two-dots", "data", csv_case(lambda f: plant(f, OTHER, P, RATE, "..")), 0,
         expected=suppressed((OTHER, P, RATE)), notes=("'..'",),
         inspect=_dropped(OTHER, "skyddade värden")),
    Case("mark-en-dash", "data", csv_case(lambda f: plant(f, OTHER, P, COUNT, "–")), 0,
         expected=suppressed((OTHER, P, COUNT)), notes=("'–'",),
         inspect=_dropped(OTHER, "skyddade värden")),
    Case("mark-less-than-five", "data", csv_case(lambda f: plant(f, OTHER, P, COUNT, "<5")), 0,
         expected=suppressed((OTHER, P, COUNT)), notes=("'<5'",)),
    Case("mark-X", "data", csv_case(lambda f: plant(f, OTHER, P, RATE, "X")), 0,
         expected=suppressed((OTHER, P, RATE)), notes=("'X'",)),
    Case("mark-single-dot", "data", csv_case(lambda f: plant(f, OTHER, P, RATE, ".")), 0,
         expected=suppressed((OTHER, P, RATE))),
    Case("mark-hyphen", "data", csv_case(lambda f: plant(f, OTHER, P, COUNT, "-")), 0,
         expected=suppressed((OTHER, P, COUNT))),
    Case("marks-in-semicolon-decimal-comma-file", "data",
         csv_case(lambda f: plant(plant(f, OTHER, P, RATE, ".."), CODES[7], P, COUNT, "<5"),
                  sep=";", decimal=","), 0,
         expected=suppressed((OTHER, P, RATE), (CODES[7], P, COUNT)),
         notes=("2 värden", "semikolon")),
    Case("mark-in-population-of-comparison", "data",
         csv_case(lambda f: plant(f, OTHER, P, POP, "..")), 0,
         expected=suppressed((OTHER, P, POP))),
    Case("lost-leading-zeros", "data",
         csv_case(lambda f: f.assign(unit=f["unit"].str.lstrip("0").replace("", "0"))), 0,
         notes=("inledande nolla",)),
    Case("header-capitals-and-spaces", "data",
         csv_case(header=[" Unit", "Unit_Name ", "PERIOD", "Measure", " Value ", "Source"]), 0),
    Case("quoted-fields", "data", csv_case(quote_all=True), 0),
    Case("quoted-decimal-comma-in-comma-file", "data", csv_case(decimal=","), 0,
         notes=("decimalkomma",)),
    Case("extra-unknown-column", "data",
         csv_case(lambda f: f.assign(kommentar="granskad")), 0),
    Case("columns-in-another-order", "data",
         csv_case(lambda f: f[["period", "value", "unit", "measure", "source", "unit_name"]]),
         0),
    Case("blank-lines", "data",
         lambda ctx: (ctx.write("data.csv", render(clean_frame()).replace(b"\n", b"\n\n", 40)
                                + b"\n\n"), ctx.spec())[1], 0),
    Case("gzip-csv", "data",
         raw_case(lambda: _gzip(render(clean_frame())), name="data.csv.gz"), 0),
    Case("parquet", "data", raw_case(lambda: _parquet(clean_frame()), name="data.parquet"), 0),
    Case("missing-months-in-a-comparison-kommun", "data",
         csv_case(lambda f: drop(f, unit=OTHER, period=lambda p: "2019-01" <= p <= "2019-03")),
         0, expected=lambda clean: clean[~((clean["unit"] == OTHER) & clean["period"].between(
             "2019-01", "2019-03"))].reset_index(drop=True),
         inspect=_dropped(OTHER, "saknade perioder")),
    Case("only-the-kommun-and-riket", "data",
         csv_case(lambda f: f[f["unit"].isin(["00", TREATED])]), 0,
         expected=lambda clean: clean[clean["unit"].isin(["00", TREATED])].reset_index(
             drop=True),
         inspect=_skipped("synthetic_control", "did", "sdid")),
]


def _rows_of(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    return frame[frame["unit"] == unit]


DATA_REFUSED = [
    Case("word-in-kommun", "data", csv_case(lambda f: plant(f, T, P, RATE, "sju")), 2,
         (r"data\.csv", rf"rad {ROW}\b", r"'sju'", T, P)),
    Case("word-in-comparison", "data", csv_case(lambda f: plant(f, OTHER, P, RATE, "sju")), 2,
         (r"data\.csv", rf"rad {OTHER_ROW}\b", r"'sju'", OTHER)),
    Case("percent-sign", "data", csv_case(lambda f: plant(f, T, P, RATE, "6,5 %")), 2,
         (rf"rad {ROW}\b", r"'6,5 %'", "procenttecken")),
    Case("dot-thousands-decimal-comma", "data",
         csv_case(lambda f: plant(f, T, P, COUNT, "1.234,5")), 2,
         (r"'1\.234,5'", "decimaltecken")),
    Case("two-commas", "data", csv_case(lambda f: plant(f, T, P, COUNT, "1,234,567")), 2,
         (r"'1,234,567'",)),
    Case("english-thousands-among-decimal-points", "data",
         csv_case(lambda f: plant(f, "00", P, POP, "10,012")), 2,
         (r"'10,012'", r"rad \d+", "tusentalsavgränsare")),
    Case("value-with-unit-word", "data", csv_case(lambda f: plant(f, T, P, COUNT, "120 st")), 2,
         (r"'120 st'", rf"rad {line_of(T, P, COUNT)}\b", "utan enhet")),
    Case("grouping-that-is-no-thousands", "data",
         csv_case(lambda f: plant(f, T, P, COUNT, "12 34")), 2, (r"'12 34'",)),
    Case("inf-in-kommun", "data", csv_case(lambda f: plant(f, T, P, RATE, "inf")), 2,
         (r"'inf'", "inte ett ändligt tal", rf"rad {ROW}\b")),
    Case("minus-inf-in-comparison", "data",
         csv_case(lambda f: plant(f, OTHER, P, RATE, "-inf")), 2,
         (r"'-inf'", "ändligt", OTHER)),
    Case("overflow-1e400", "data", csv_case(lambda f: plant(f, OTHER, P, COUNT, "1e400")), 2,
         (r"'1e400'", "ändligt")),
    Case("infinity-word", "data", csv_case(lambda f: plant(f, T, P, COUNT, "Infinity")), 2,
         (r"'Infinity'",)),
    Case("nan-in-kommun", "data", csv_case(lambda f: plant(f, T, P, RATE, "nan")), 2,
         (RATE, "Upplands Väsby", P, "skyddat eller saknas")),
    Case("empty-cell-in-kommun", "data", csv_case(lambda f: plant(f, T, P, COUNT, "")), 2,
         (COUNT, P, "saknas")),
    Case("rate-150", "data", csv_case(lambda f: plant(f, T, P, RATE, 150.0)), 2,
         (r"data\.csv", "150", "0–100", T, P)),
    Case("rate-negative-in-comparison", "data",
         csv_case(lambda f: plant(f, OTHER, P, RATE, -0.4)), 2, ("-0.4", "0–100", OTHER)),
    Case("count-negative", "data", csv_case(lambda f: plant(f, OTHER, P, COUNT, -12.0)), 2,
         ("-12", "negativt antal", OTHER)),
    Case("count-fractional", "data", csv_case(lambda f: plant(f, T, P, COUNT, 147.5)), 2,
         ("147.5", "heltal", T)),
    Case("population-negative", "data", csv_case(lambda f: plant(f, OTHER, P, POP, -5000.0)),
         2, ("-5000", "folkmängden", OTHER)),
    Case("constant-pre-period", "data",
         csv_case(lambda f: f.assign(value=f["value"].where(
             ~((f["unit"] == T) & (f["measure"] == RATE) & (f["period"] < "2022-04")), 5.0))),
         2, (RATE, "5", "utan variation", T)),
    Case("unknown-code-9999", "data",
         csv_case(lambda f: pd.concat([f, _rows_of(f, OTHER).assign(unit="9999")])), 2,
         (r"'9999'", "närmast giltiga kod", r"data\.csv")),
    Case("unknown-code-five-digits", "data",
         csv_case(lambda f: pd.concat([f, _rows_of(f, OTHER).assign(unit="01250")])), 2,
         (r"'01250'", "närmast giltiga kod")),
    Case("unknown-code-typo", "data",
         csv_case(lambda f: f.assign(unit=f["unit"].replace(OTHER, "0152"))), 2,
         (r"'0152'", "närmast giltiga kod")),
    Case("header-only", "data", raw_case(b"unit,unit_name,period,measure,value\n"), 2,
         (r"data\.csv", "har inga rader med värden")),
    Case("empty-file", "data", raw_case(b""), 2, (r"data\.csv", "är tom")),
    Case("whitespace-file", "data", raw_case(b" \n\n \r\n"), 2, (r"data\.csv", "är tom")),
    Case("missing-value-column", "data", csv_case(lambda f: f.drop(columns="value")), 2,
         (r"data\.csv", "saknar kolumnerna value")),
    Case("swedish-header", "data",
         csv_case(header=["kommunkod", "kommun", "period", "mått", "värde", "källa"]), 2,
         (r"data\.csv", "saknar kolumnerna unit, unit_name, measure, value")),
    Case("pipe-separated", "data", csv_case(sep="|"), 2,
         (r"data\.csv", "rubrikraden", r"'unit\|unit_name")),
    Case("duplicated-column", "data",
         csv_case(lambda f: f.assign(value2=f["value"]),
                  header=["unit", "unit_name", "period", "measure", "value", "source",
                          "value"]), 2,
         (r"data\.csv", "kolumnen value två gånger")),
    Case("duplicated-row", "data",
         csv_case(lambda f: pd.concat([f, f[(f["unit"] == T) & (f["period"] == P)
                                            & (f["measure"] == RATE)]])), 2,
         ("dubbla rader", T, P, rf"rad {ROW} och \d+")),
    Case("months-and-years-mixed", "data",
         csv_case(lambda f: f.assign(period=f["period"].where(f["unit"] != OTHER,
                                                              f["period"].str[:4]))), 2,
         ("blandar månads- och årsperioder", "'2018'", r"rad \d+")),
    Case("period-month-13", "data",
         csv_case(lambda f: f.assign(period=f["period"].replace(P, "2020-13"))), 2,
         (r"'2020-13'", r"rad \d+")),
    Case("period-words", "data", csv_case(period=lambda p: f"{p} (prel.)"), 2,
         (r"'2018-01 \(prel\.\)'", r"rad 2\b")),
    Case("period-slash", "data", csv_case(period=lambda p: p.replace("-", "/")), 2,
         (r"'2018/01'",)),
    Case("period-two-digit-year", "data", csv_case(period=lambda p: p[2:]), 2, (r"'18-01'",)),
    Case("period-impossible-date", "data", csv_case(period=lambda p: f"{p}-31"), 2,
         (r"'2018-02-31'|'2018-04-31'",)),
    Case("empty-unit-code", "data", csv_case(lambda f: f.assign(
        unit=f["unit"].where(~((f["unit"] == OTHER) & (f["period"] == P)
                               & (f["measure"] == RATE)), ""))), 2,
         ("saknar enhetskod", rf"rad {OTHER_ROW}\b")),
    Case("empty-period", "data", csv_case(lambda f: f.assign(
        period=f["period"].where(~((f["unit"] == OTHER) & (f["period"] == P)
                                   & (f["measure"] == RATE)), ""))), 2,
         ("saknar period", rf"rad {OTHER_ROW}\b")),
    Case("unknown-status", "data", csv_case(lambda f: f.assign(status="final").assign(
        status=lambda g: g["status"].where(g["unit"] != OTHER, "prel"))), 2,
         (r"'prel'", "status", r"rad \d+")),
    Case("unknown-kind", "data", csv_case(lambda f: f.assign(kind="").assign(
        kind=lambda g: g["kind"].where(g["measure"] != RATE, "procent"))), 2,
         (r"'procent'", "kind")),
    Case("two-kinds-for-a-measure", "data", csv_case(lambda f: f.assign(kind="").assign(
        kind=lambda g: g["kind"].where(g["measure"] != COUNT,
                                       g["unit"].map(lambda u: "count" if u < "0150"
                                                     else "level")))), 2,
         ("flera värden i kolumnen kind", COUNT, "'count'")),
    Case("missing-month-in-kommun", "data",
         csv_case(lambda f: drop(f, unit=T, period="2021-06", measure=RATE)), 2,
         (RATE, "Upplands Väsby", "2021-06")),
    Case("suppressed-in-kommun", "data", csv_case(lambda f: plant(f, T, "2022-08", COUNT, "..")),
         2, (COUNT, "Upplands Väsby", "2022-08", "skyddat")),
    Case("less-than-five-in-kommun", "data",
         csv_case(lambda f: plant(f, T, "2019-02", COUNT, "<5")), 2, ("2019-02", "skyddat")),
    Case("outcome-missing-for-kommun", "data",
         csv_case(lambda f: drop(f, unit=T, measure=COUNT)), 2, (COUNT, "Upplands Väsby")),
    Case("binary-file", "data",
         raw_case(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))), 2,
         (r"data\.csv", "ingen textfil")),
    Case("mixed-encodings", "data",
         lambda ctx: (ctx.write("data.csv", render(clean_frame()).replace(
             "Ekerö".encode(), "Eker\xf6".encode("latin-1"), 1)), ctx.spec())[1], 2,
         (r"data\.csv", rf"rad {line_of(OTHER, MONTHS[0], RATE)}\b", r"\\xf6", "UTF-8")),
    Case("unquoted-decimal-comma-in-comma-file", "data",
         lambda ctx: (ctx.write("data.csv", render(plant(clean_frame(), T, P, RATE, "6,2"))
                                .replace(b'"6,2"', b"6,2")), ctx.spec())[1], 2,
         (r"data\.csv", rf"rad {ROW}\b", "7 fält", "decimalkomma")),
    Case("corrupt-xlsx", "data", raw_case(b"PK\x03\x04 not really a zip", name="data.xlsx"), 2,
         (r"data\.xlsx", "kunde inte läsas")),
    Case("xlsx-wide-format", "data", raw_case(lambda: _xlsx(
        _small(clean_frame())[_small(clean_frame())["measure"] == RATE].pivot(
            index="unit", columns="period", values="value").reset_index()),
        name="data.xlsx"), 2, (r"data\.xlsx", "saknar kolumnerna")),
    Case("old-xls", "data", raw_case(b"\xd0\xcf\x11\xe0 old excel", name="data.xls"), 2,
         (r"data\.xls\b", r"\.xls")),
    Case("corrupt-parquet", "data", raw_case(b"PAR1 broken", name="data.parquet"), 2,
         (r"data\.parquet", "kunde inte läsas")),
    Case("short-file", "data",
         csv_case(lambda f: f[f["period"] >= "2021-01"]), 2,
         ("intervention", "15 månader", "2021-01", "minst 24")),
    Case("ends-before-the-change", "data",
         csv_case(lambda f: f[f["period"] <= "2022-02"]), 2,
         ("intervention", "2022-04", "2018-01–2022-02")),
    Case("only-the-kommun", "data", csv_case(lambda f: f[f["unit"] == T]), 2,
         ("comparison", "riket")),
    Case("yearly-file-monthly-spec", "data",
         csv_case(lambda f: f[f["period"].str.endswith("-01")].assign(
             period=lambda g: g["period"].str[:4])), 2,
         ("intervention", "'2022-04'", "ÅÅÅÅ")),
    Case("english-message-for-data", "data",
         csv_case(lambda f: plant(f, T, P, RATE, 150.0), spec={"language": "en"}), 2,
         ("150", "a share outside 0–100", T, P), language="en"),
    Case("english-message-for-a-word", "data",
         csv_case(lambda f: plant(f, T, P, RATE, "sju"), spec={"language": "en"}), 2,
         (r"'sju'", rf"line {ROW}\b", "non-numeric"), language="en"),
]

# ============================================================================ spec
ALL_OTHERS = ", ".join(f'"{c}"' for c in CODES if c != T)
STOCKHOLM = [c for c in CODES if c.startswith("01") and c != T]

SPEC = [
    Case("spec-missing-file", "spec", lambda ctx: ctx.home / "specs" / "finns_inte.yaml", 2,
         ("finns_inte.yaml", "finns inte")),
    Case("spec-empty", "spec", text_spec(""), 2, ("nycklar och värden",)),
    Case("spec-a-list", "spec", text_spec("- evaluation_id\n- korpus\n"), 2,
         ("nycklar och värden",)),
    Case("spec-invalid-yaml", "spec", text_spec("evaluation_id: korpus\ntreated: [\"0114\"\n"),
         2, ("inte giltig YAML", r"rad \d")),
    Case("spec-tab-indentation", "spec",
         text_spec("evaluation_id: korpus\ndonors:\n\tpool: all\n"), 2, ("YAML", r"rad \d")),
    Case("spec-unknown-key", "spec", spec_case("treatd: \"0114\"\n"), 2,
         (r"'treatd'", "okänt", r"rad 6")),
    Case("spec-duplicate-key", "spec", spec_case("treated: \"0115\"\n"), 2,
         (r"'treated'", "två gånger", r"rad 6")),
    Case("spec-missing-evaluation-id", "spec", spec_case(drop_keys=("evaluation_id",)), 2,
         (r"'evaluation_id' saknas",)),
    Case("spec-missing-treated", "spec", spec_case(drop_keys=("treated",)), 2,
         (r"'treated' saknas",)),
    Case("spec-missing-intervention", "spec", spec_case(drop_keys=("intervention",)), 2,
         (r"'intervention' saknas",)),
    Case("spec-missing-data", "spec", spec_case(drop_keys=("data",)), 2, (r"'data' saknas",)),
    Case("spec-id-with-space", "spec", spec_case(evaluation_id="min utvärdering"), 2,
         (r"'evaluation_id' \(rad 1\)",)),
    Case("spec-id-path", "spec", spec_case(evaluation_id="../rapporter"), 2,
         (r"'evaluation_id'",)),
    Case("spec-language-de", "spec", spec_case(language="de"), 2, (r"'language' \(rad 6\)",
                                                                    "sv eller en")),
    Case("spec-intervention-month-13", "spec", spec_case(intervention="2022-13"), 2,
         (r"'intervention'", r"'2022-13'")),
    Case("spec-intervention-words", "spec", spec_case(intervention="april 2022"), 2,
         (r"'intervention'", r"'april 2022'")),
    Case("spec-intervention-2022M04", "spec", spec_case(intervention="2022M04"), 2,
         (r"'intervention'", r"'2022M04'")),
    Case("spec-frequency-weekly", "spec", spec_case(frequency="weekly"), 2,
         (r"'frequency'", "monthly eller yearly")),
    Case("spec-frequency-mismatch", "spec", spec_case(frequency="yearly"), 2,
         (r"'intervention'", r"'2022-04'", "frequency: yearly")),
    Case("spec-outcomes-empty", "spec", spec_case(outcomes="[]"), 2, (r"'outcomes'",)),
    Case("spec-outcome-not-in-data", "spec", spec_case(outcomes="[arbetsloshet]"), 2,
         (r"'outcomes'", r"'arbetsloshet'", RATE), also_run=True),
    Case("spec-outcome-typo", "spec", spec_case(outcomes=f"[unemployment_rat, {COUNT}]"), 2,
         (r"'unemployment_rat'", rf"menade du '{RATE}'")),
    Case("spec-comparison-word", "spec", spec_case(comparison="kommun"), 2,
         (r"'comparison'", r"'kommun'")),
    Case("spec-comparison-empty", "spec", spec_case(comparison="[]"), 2,
         (r"'comparison'", "tom lista")),
    Case("spec-comparison-unknown-code", "spec", spec_case(comparison='["0115", "0116"]'), 2,
         (r"'comparison'", "0116", "närmast i data: 0115"), also_run=True),
    Case("spec-compare-window-zero", "spec", spec_case(compare_window="0"), 2,
         (r"'compare_window'", r"'0'")),
    Case("spec-compare-window-word", "spec", spec_case(compare_window="tolv"), 2,
         (r"'compare_window'", r"'tolv'")),
    Case("spec-compare-periods-one", "spec", spec_case(compare_periods="[2022-03]"), 2,
         (r"'compare_periods'", "två perioder")),
    Case("spec-compare-periods-reversed", "spec",
         spec_case(compare_periods="[2023-03, 2022-03]", compare_window="1"), 2,
         (r"'compare_periods'", "tidigare perioden först")),
    Case("spec-compare-periods-outside-data", "spec",
         spec_case(compare_periods="[2022-03, 2024-03]", compare_window="1"), 2,
         (r"'compare_periods'", "2024-03", "utanför data"), also_run=True),
    Case("spec-compare-periods-overlap", "spec",
         spec_case(compare_periods="[2022-03, 2022-09]"), 2,
         (r"'compare_periods'", "compare_window", "12")),
    Case("spec-compare-window-before-data", "spec",
         spec_case(compare_periods="[2018-06, 2023-03]", compare_window="12",
                   designs="[decomposition]"), 2,
         (r"'compare_periods'", "2017-07", "före data", "2018-01"), also_run=True),
    Case("spec-post-end-before-intervention", "spec", spec_case(post_end="2022-01"), 2,
         (r"'post_end'", "2022-01", "före insatsens start")),
    Case("spec-post-end-after-data", "spec", spec_case(post_end="2025-06"), 2,
         (r"'post_end'", "2025-06", "2023-12"), also_run=True),
    Case("spec-post-end-month-13", "spec", spec_case(post_end="2023-13"), 2,
         (r"'post_end'", r"'2023-13'")),
    Case("spec-post-end-too-short-for-the-only-design", "spec",
         spec_case(post_end="2022-04", designs="[decomposition]"), 2,
         (r"'post_end' \(rad \d+\)", "2022-04", "2023-03", "ingen design"), also_run=True),
    Case("spec-post-end-too-short-is-a-note", "spec", spec_case(post_end="2022-04"), 0,
         inspect=_skipped("decomposition")),
    Case("spec-seed-word", "spec", spec_case(seed="abc"), 2, (r"'seed'", r"'abc'")),
    Case("spec-donors-pool-unknown", "spec", spec_case("donors:\n  pool: grannar\n"), 2,
         (r"'donors\.pool'", r"'grannar'")),
    Case("spec-donors-units-without-list", "spec",
         spec_case('donors:\n  units: ["0115", "0117"]\n'), 2, (r"'donors\.units'",
                                                                "pool: list")),
    Case("spec-donors-list-without-units", "spec", spec_case("donors:\n  pool: list\n"), 2,
         (r"'donors\.units'", "saknas")),
    Case("spec-donors-units-not-codes", "spec",
         spec_case('donors:\n  pool: list\n  units: ["ABC"]\n'), 2,
         (r"'donors\.units'", r"'ABC'")),
    Case("spec-donors-exclude-unknown", "spec", spec_case('donors:\n  exclude: ["0193"]\n'), 2,
         (r"'donors\.exclude' \(rad 7\)", r"'0193'", "närmast i data: 0192 Nynäshamn"),
         also_run=True),
    Case("spec-donors-similar-reforms-unknown", "spec",
         spec_case('donors:\n  similar_reforms: ["0199"]\n'), 2,
         (r"'donors\.similar_reforms'", r"'0199'", "närmast i data: 0192")),
    Case("spec-donors-units-unknown", "spec",
         spec_case('donors:\n  pool: list\n  units: ["0115", "2999"]\n'), 2,
         (r"'donors\.units'", r"'2999'")),
    Case("spec-donors-only-the-kommun", "spec",
         spec_case(f'donors:\n  pool: list\n  units: ["{T}"]\n'), 2,
         ("0 kommuner", "minst 2", r"'donors' \(rad 6\)"), also_run=True),
    Case("spec-donors-one", "spec", spec_case('donors:\n  pool: list\n  units: ["0115"]\n'), 2,
         ("1 kommun", "minst 2", r"'donors' \(rad 6\)")),
    Case("spec-donors-all-excluded", "spec",
         spec_case(f"donors:\n  exclude: [{ALL_OTHERS}]\n"), 2,
         ("0 kommuner", "angiven granne: 31", "donors"), also_run=True),
    Case("spec-donors-same-county-empties-the-list", "spec",
         spec_case("donors:\n  pool: list\n  units: [" + ", ".join(
             f'"{c}"' for c in STOCKHOLM[:4]) + "]\n  exclude_same_county: true\n"), 2,
         ("samma län: 4", "exclude_same_county: false", "donors")),
    Case("spec-donors-liknande-without-groups", "spec",
         spec_case("donors:\n  pool: liknande\n"), 2, ("liknande", "grupptabell", "donors"),
         also_run=True),
    Case("spec-donors-flag-word", "spec", spec_case("donors:\n  exclude_same_county: kanske\n"),
         2, (r"'donors\.exclude_same_county'", r"'kanske'")),
    Case("spec-donors-unknown-subkey", "spec", spec_case('donors:\n  grannar: ["0115"]\n'), 2,
         (r"'donors\.grannar'", "okänt")),
    Case("spec-donors-group-with-pool-all", "spec",
         spec_case("donors:\n  group: Storstäder\n"), 2, (r"'donors\.group'", "pool")),
    Case("spec-donors-too-few-without-donor-designs-is-fine", "spec",
         spec_case(f'designs: [its, decomposition]\ndonors:\n  pool: list\n  units: ["{T}"]\n'),
         0),
    Case("spec-designs-unknown", "spec", spec_case(designs="[its, magi]"), 2,
         (r"'designs'", r"'magi'")),
    Case("spec-designs-empty", "spec", spec_case(designs="[]"), 2, (r"'designs'",)),
    Case("spec-primary-design-not-in-designs", "spec",
         spec_case(designs="[its]", primary_design="did"), 2,
         (r"'primary_design'", r"'did'")),
    Case("spec-primary-outcome-unknown", "spec", spec_case(primary_outcome="bistand"), 2,
         (r"'primary_outcome'", r"'bistand'")),
    Case("spec-smallest-effect-word", "spec", spec_case(smallest_relevant_effect="mycket"), 2,
         (r"'smallest_relevant_effect'", r"'mycket'")),
    Case("spec-variants-not-a-mapping", "spec", spec_case(intervention_variants="beslut"), 2,
         (r"'intervention_variants'",)),
    Case("spec-variants-bad-period", "spec",
         spec_case(intervention_variants="{beslut: 2021-13}"), 2,
         (r"'intervention_variants'", r"'2021-13'")),
    Case("spec-cost-negative", "spec",
         spec_case(cost=f"{{outcome: {COUNT}, kr_per_unit_month: -5}}"), 2,
         (r"'cost'", r"'-5'")),
    Case("spec-outcome-kind-unknown", "spec",
         spec_case(f"outcome_kinds:\n  {COUNT}: {{kind: procent}}\n"), 2,
         (rf"'outcome_kinds\.{COUNT}'", r"'procent'")),
    Case("spec-outcome-kind-rate-with-unit", "spec",
         spec_case(f"outcome_kinds:\n  {RATE}: {{kind: rate, unit_sv: kr}}\n"), 2,
         (rf"'outcome_kinds\.{RATE}'", "procentenheter")),
    Case("spec-title-a-list", "spec", spec_case(title="[a, b]"), 2, (r"'title'",)),
    Case("spec-treated-unknown-code", "spec", spec_case(treated='"0119"'), 2,
         (r"'treated' \(rad 3\)", r"'0119'", "närmast i data: 0117 Österåker"), also_run=True),
    Case("spec-treated-unknown-name", "spec", spec_case(treated="Atlantis"), 2,
         (r"'treated'", r"'Atlantis'")),
    Case("spec-treated-name-typo", "spec", spec_case(treated="Upplands Väsbi"), 2,
         (r"'Upplands Väsbi'", "närmast i data: 0114 Upplands Väsby"), also_run=True),
    Case("spec-treated-ambiguous-name", "spec",
         spec_case(treated="Tvilling", mutate=lambda f: f.assign(
             unit_name=f["unit_name"].where(~f["unit"].isin(["0115", "0117"]), "Tvilling"))),
         2, (r"'Tvilling'", "matchar flera", "0115, 0117")),
    Case("spec-intervention-before-data", "spec", spec_case(intervention="2017-01"), 2,
         (r"'intervention'", "2017-01", "utanför data")),
    Case("spec-intervention-first-period", "spec", spec_case(intervention="2018-01"), 2,
         (r"'intervention'", "2018-01", "utanför data")),
    Case("spec-intervention-after-data", "spec", spec_case(intervention="2025-01"), 2,
         (r"'intervention'", "2025-01", "utanför data"), also_run=True),
    Case("spec-pre-period-too-short", "spec", spec_case(intervention="2019-06"), 2,
         (r"'intervention'", "17 månader", "minst 24"), also_run=True),
    Case("spec-data-a-folder", "spec",
         lambda ctx: (ctx.write("mapp/data.csv", render(clean_frame())),
                      ctx.spec("mapp"))[1], 2, (r"'data'", "mapp"), also_run=True),
    Case("spec-data-missing", "spec", lambda ctx: ctx.spec("borta.csv"), 2,
         (r"'data'", "borta.csv", "inte finns")),
    Case("spec-utf-16", "spec",
         lambda ctx: (ctx.csv(), ctx.spec(encoding="utf-16"))[1], 2, ("YAML|nycklar",)),
    Case("spec-english-unknown-code", "spec", spec_case(treated='"0119"', language="en"), 2,
         (r"The field 'treated' \(line 3\)", r"'0119'", "nearest in the data"),
         language="en"),
    Case("spec-english-invalid-yaml", "spec",
         text_spec("language: en\nevaluation_id: korpus\ntreated: [\"0114\"\n"), 2,
         ("not valid YAML",), language="en"),
    Case("spec-english-unknown-key", "spec", spec_case("treatd: 1\n", language="en"), 2,
         (r"The field 'treatd'", "unknown"), language="en"),
    Case("spec-english-donors", "spec",
         spec_case('donors:\n  pool: list\n  units: ["0115"]\n', language="en"), 2,
         ("1 municipality", "at least 2", r"'donors' \(line 7\)"), language="en", also_run=True),
    Case("spec-english-post-end", "spec",
         spec_case(post_end="2022-05", designs="[decomposition]", language="en"), 2,
         (r"The field 'post_end'", "2022-05", "no design"), language="en"),
    Case("spec-cp1252", "spec", spec_case(
        "# Utvärdering av förändringen – Upplands Väsby\n", title='"Sammanslagning i Åsele"',
        encoding="cp1252"), 0),
    Case("spec-utf-8-bom", "spec",
         lambda ctx: (ctx.csv(), ctx.spec_text(b"\xef\xbb\xbf" + ctx.spec().read_bytes()))[1],
         0),
    Case("spec-treated-by-name", "spec", spec_case(treated="upplands väsby"), 0),
    Case("spec-treated-lost-zero", "spec", spec_case(treated="114"), 0),
]

# ============================================================================ sources
FILE_MAPPING = """name: korpus
source: "Korpus"
format: csv
header_row: 1
decimal: ","
period: {column: Månad}
unit: {column: Kod, name_column: Namn}
measures: {Arbetslöshet: unemployment_rate}
suppressed: ["..", "<5"]
status: final
duplicates: error
"""


def source_case(block: str, *, language: str | None = None,
                drop_keys: tuple[str, ...] = ("data",), **keys: str) -> Callable[[Ctx], Path]:
    def build(ctx: Ctx) -> Path:
        ctx.csv()
        if language:
            keys["language"] = language
        return ctx.spec(drop=drop_keys, extra="sources:\n" + block, **keys)
    return build


def file_source(export: bytes | None, *, mapping: str = "../data/raw/korpus/korpus.yaml",
                path: str = "../import/export.csv") -> Callable[[Ctx], Path]:
    def build(ctx: Ctx) -> Path:
        ctx.write("korpus.yaml", FILE_MAPPING)
        if export is not None:
            target = ctx.home / "import" / "export.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(export)
        return ctx.spec(drop=("data",), outcomes=f"[{RATE}]",
                        extra=f"sources:\n  {RATE}: {{source: file, path: {path}, "
                              f"mapping: {mapping}}}\n")
    return build


def _export(rows: int = 72, bad: str | None = None) -> bytes:
    lines = ["Kod;Namn;Månad;Arbetslöshet"]
    for code in ["00", *CODES[:8]]:
        for i, month in enumerate(MONTHS[:rows]):
            value = f"{5 + (int(code) % 7) * 0.3 + (i % 5) * 0.1:.1f}".replace(".", ",")
            if bad and code == T and month == "2020-06":
                value = bad
            lines.append(f"{code};{NAMES[code]};{month};{value}")
    return ("\n".join(lines) + "\n").encode("utf-8")


KOLADA = "{source: kolada, kpi: N31910}"
SOURCES = [
    Case("sources-a-word", "source", lambda ctx: (ctx.csv(), ctx.spec(
        drop=("data",), extra="sources: kolada\n"))[1], 2, (r"'sources' \(rad 5\)",)),
    Case("sources-entry-a-word", "source", source_case(f"  {COUNT}: kolada\n"), 2,
         (rf"'sources\.{COUNT}'", "source")),
    Case("sources-unknown-kind", "source",
         source_case(f"  {COUNT}: {{source: ftp, kpi: N31910}}\n"), 2,
         (rf"'sources\.{COUNT}'", r"'ftp'")),
    Case("sources-unknown-field", "source",
         source_case(f"  {COUNT}: {{source: kolada, kpii: N31910}}\n", intervention="2022",
                     outcomes=f"[{COUNT}]"), 2, (rf"'sources\.{COUNT}'", r"'kpii'")),
    Case("sources-kolada-monthly", "source", source_case(f"  {COUNT}: {KOLADA}\n",
                                                         outcomes=f"[{COUNT}]"), 2,
         (rf"'sources\.{COUNT}'", "Kolada", "årsvärden")),
    Case("sources-kpi-malformed", "source",
         source_case(f"  {COUNT}: {{source: kolada, kpi: N3191}}\n", intervention="2022",
                     outcomes=f"[{COUNT}]"), 2, (r"'N3191'", "N31910")),
    Case("sources-kolada-years-words", "source",
         source_case(f"  {COUNT}: {{source: kolada, kpi: N31910, years: [tjugo]}}\n",
                     intervention="2022", outcomes=f"[{COUNT}]"), 2,
         (rf"'sources\.{COUNT}'", "years")),
    Case("sources-units-not-codes", "source",
         source_case(f"  {COUNT}: {{source: kolada, kpi: N31910, units: [\"12345\"]}}\n",
                     intervention="2022", outcomes=f"[{COUNT}]"), 2, (r"'12345'",)),
    Case("sources-scb-table-space", "source",
         source_case(f"  {RATE}: {{source: scb, table: TAB 6471, contents: X}}\n",
                     outcomes=f"[{RATE}]"), 2, (r"'TAB 6471'",)),
    Case("sources-scb-region-bad", "source",
         source_case(f"  {RATE}: {{source: scb, table: TAB6471, contents: X, "
                     "region: [\"123\"]}\n", outcomes=f"[{RATE}]"), 2, (r"'123'",)),
    Case("sources-scb-filters-list", "source",
         source_case(f"  {RATE}: {{source: scb, table: TAB6471, contents: X, "
                     "filters: [Kon]}\n", outcomes=f"[{RATE}]"), 2,
         (rf"'sources\.{RATE}'", "filters")),
    Case("sources-scb-status-bad", "source",
         source_case(f"  {RATE}: {{source: scb, table: TAB6471, contents: X, "
                     "status: prel}\n", outcomes=f"[{RATE}]"), 2, (r"'prel'",)),
    Case("sources-scb-before-list", "source",
         source_case(f"  {RATE}: {{source: scb, table: TAB6471, contents: X, "
                     "before: [TAB1]}\n", outcomes=f"[{RATE}]"), 2,
         (rf"'sources\.{RATE}'", "before")),
    Case("sources-scb-missing-contents", "source",
         source_case(f"  {RATE}: {{source: scb, table: TAB6471}}\n", outcomes=f"[{RATE}]"), 2,
         (rf"'sources\.{RATE}'", "contents")),
    Case("sources-file-missing-mapping", "source",
         source_case(f"  {RATE}: {{source: file, path: x.csv}}\n", outcomes=f"[{RATE}]"), 2,
         (rf"'sources\.{RATE}'", "mapping")),
    Case("sources-and-data", "source",
         source_case(f"  {RATE}: {{source: file, path: x.csv, mapping: m}}\n", drop_keys=(),
                     outcomes=f"[{RATE}]"), 2, (r"'data'", "sources")),
    Case("sources-outcome-without-source", "source",
         source_case(f"  {RATE}: {{source: file, path: x.csv, mapping: m}}\n"), 2,
         (r"'outcomes'", COUNT)),
    Case("sources-measure-name-with-space", "source",
         source_case("  arbets löshet: {source: file, path: x.csv, mapping: m}\n",
                     outcomes="[arbets löshet]"), 2, (r"'sources\.arbets löshet'",)),
    Case("sources-not-fetched", "source", file_source(_export()), 2,
         (ID, "inte hämtade", "evaluation fetch")),
    Case("sources-english", "source",
         source_case(f"  {COUNT}: {{source: ftp}}\n", language="en"), 2,
         (rf"The field 'sources\.{COUNT}'", r"'ftp'"), language="en"),
    Case("fetch-file-missing", "source", file_source(None), 2, ("export.csv", "Ingen fil matchar"),
         command="fetch"),
    Case("fetch-mapping-missing", "source",
         file_source(_export(), mapping="finns_inte_mappning"), 2,
         ("finns_inte_mappning",), command="fetch"),
    Case("fetch-word-in-export", "source", file_source(_export(bad="sju")), 2,
         ("export.csv", r"'sju'"), command="fetch"),
    Case("fetch-ok", "source", file_source(_export()), 0, command="fetch"),
]


# ============================================================================ faults
def _oserror(code: int) -> Callable[[Any], OSError]:
    return lambda where: OSError(code, __import__("os").strerror(code), str(where))


ENOSPC, EACCES, EROFS = _oserror(errno.ENOSPC), _oserror(errno.EACCES), _oserror(errno.EROFS)


def _interrupt(where: Any) -> BaseException:
    return KeyboardInterrupt()


def _sigterm(where: Any) -> None:
    import threading

    if threading.current_thread() is not threading.main_thread():
        raise KeyboardInterrupt  # what the CLI's handler makes of it (only the main thread has one)
    signal.raise_signal(signal.SIGTERM)  # the CLI's handler turns it into KeyboardInterrupt
    raise AssertionError("SIGTERM did not interrupt")


def _shutil_dump(where: Any) -> BaseException:
    import shutil

    return shutil.Error([(f"/src/f{i}.png", f"{where}/f{i}.png",
                          "[Errno 28] No space left on device") for i in range(500)])


def at(point: str, error: Callable[[Any], BaseException | None], *,
       nth: int = 1) -> Callable[[Any, Ctx], None]:
    """A fault at one of the places where a run writes: ``copytree`` (the copy for
    ``senaste/``), ``swap`` (``run._swap_in``: 1 the report folder, 2 ``senaste/``),
    ``history`` (``history.record``), ``manifest`` (``manifest.json``), ``store`` (every
    atomic write of :mod:`evaluation.data.store`), ``mkdir`` (a folder under reports),
    ``mkdtemp`` (the staging folder), ``notebook`` (inside the notebook's run)."""
    def install(mp: Any, ctx: Ctx) -> None:
        import shutil
        import tempfile

        from evaluation import history
        from evaluation import run as run_module
        from evaluation.data import store

        calls = {"n": 0}

        def hit(where: Any) -> bool:
            if str(ctx.home / "reports") not in str(where) and point not in ("store", "read"):
                return False
            calls["n"] += 1
            return calls["n"] == nth

        def fire(where: Any) -> None:
            exc = error(where)
            if exc is not None:
                raise exc

        if point == "copytree":
            original = shutil.copytree

            def copytree(src, dst, *a, **k):
                if hit(dst):
                    fire(dst)
                return original(src, dst, *a, **k)
            mp.setattr(shutil, "copytree", copytree)
        elif point == "swap":
            original_swap = run_module._swap_in

            def swap(new, target):
                if hit(target):
                    fire(target)
                return original_swap(new, target)
            mp.setattr(run_module, "_swap_in", swap)
        elif point == "history":
            original_record = history.record

            def record(evaluation_id, summary):
                if hit(history.history_path(evaluation_id)):
                    fire(history.history_path(evaluation_id))
                return original_record(evaluation_id, summary)
            mp.setattr(history, "record", record)
        elif point == "manifest":
            original_write = Path.write_text

            def write_text(self, *a, **k):
                if self.name == "manifest.json" and hit(self):
                    fire(self)
                return original_write(self, *a, **k)
            mp.setattr(Path, "write_text", write_text)
        elif point == "store":
            original_finish = store._finish

            def finish(tmp, path):
                if hit(path):
                    fire(path)
                return original_finish(tmp, path)
            mp.setattr(store, "_finish", finish)
        elif point in ("mkdir", "failed-mkdir"):
            original_mkdir = Path.mkdir

            def mkdir(self, *a, **k):
                wanted = self.name == "failed" if point == "failed-mkdir" else True
                if wanted and hit(self):
                    fire(self)
                return original_mkdir(self, *a, **k)
            mp.setattr(Path, "mkdir", mkdir)
        elif point == "mkdtemp":
            original_mkdtemp = tempfile.mkdtemp

            def mkdtemp(*a, **k):
                if str(k.get("prefix", "")).startswith(".staging") and hit(k.get("dir")):
                    fire(k.get("dir"))
                return original_mkdtemp(*a, **k)
            mp.setattr(tempfile, "mkdtemp", mkdtemp)
        elif point == "read":
            original_read = Path.read_bytes

            def read_bytes(self):
                if self.name == "data.csv" and hit(self):
                    fire(self)
                return original_read(self)
            mp.setattr(Path, "read_bytes", read_bytes)
        elif point == "notebook":
            ctx.hook = lambda parameters: fire(parameters["output_dir"])
        else:
            raise ValueError(point)
    return install


def with_sigint(install: Callable[[Any, Ctx], None]) -> Callable[[Any, Ctx], None]:
    """Python's own Ctrl-C handler for the case (a test runner may ignore SIGINT)."""
    def both(mp: Any, ctx: Ctx) -> None:
        import threading

        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, signal.default_int_handler)
            ctx.cleanup.append(lambda: signal.signal(signal.SIGINT, previous))
        install(mp, ctx)
    return both


def _sigint(where: Any) -> None:
    import threading

    if threading.current_thread() is not threading.main_thread():
        raise KeyboardInterrupt
    signal.raise_signal(signal.SIGINT)
    raise AssertionError("SIGINT did not interrupt")


def _kernel_enospc(where: Any) -> BaseException:
    from papermill.exceptions import PapermillExecutionError

    return PapermillExecutionError(3, 3, "figure.savefig(...)", "OSError",
                                   "[Errno 28] No space left on device: 'figurer/a.png'",
                                   ["Traceback (most recent call last):", "..."])


def run_v2(ctx: Ctx) -> Path:
    """A run on data with one new value (a new data vintage), on the baseline's settings."""
    return ctx.spec("clean-v2.csv")


def run_new_id(ctx: Ctx) -> Path:
    return ctx.spec("clean-v2.csv", evaluation_id="korpus-ny")


FULL = ("disken är full", "korpus", "tidigare rapporten är orörd")
DENIED = ("behörighet saknas", "korpus", "tidigare rapporten är orörd")
READ_ONLY = ("skrivskyddat", "korpus", "tidigare rapporten är orörd")
STOPPED = ("avbröts", "korpus", "tidigare rapporten är orörd")


def _stale(ctx: Ctx) -> Path:
    for name in (".staging-999999-abc", ".latest-999999-def", ".old-senaste-999999",
                 ".attempt-999999-ghi"):
        (ctx.reports / name).mkdir(parents=True)
        (ctx.reports / name / "report.html").write_text("halv", encoding="utf-8")
    return run_v2(ctx)


FAULTS = [
    Case("run-new-vintage", "fault", run_v2, 0, command="run", publishes=True),
    Case("run-other-settings", "fault", lambda ctx: ctx.spec("clean.csv", seed="7"), 0,
         command="run", publishes=True),
    Case("run-cleans-stale-temporary-folders", "fault", _stale, 0, command="run",
         publishes=True),
    Case("enospc-copying-senaste", "fault", run_v2, 1, FULL + ("failed",), command="run",
         fault=at("copytree", ENOSPC)),
    Case("shutil-error-dump-copying-senaste", "fault", run_v2, 1, FULL, command="run",
         fault=at("copytree", _shutil_dump)),
    Case("eacces-copying-senaste", "fault", run_v2, 1, DENIED, command="run",
         fault=at("copytree", EACCES)),
    Case("erofs-copying-senaste", "fault", run_v2, 1, READ_ONLY, command="run",
         fault=at("copytree", EROFS)),
    Case("enospc-history", "fault", run_v2, 1, FULL + ("failed",), command="run",
         fault=at("history", ENOSPC)),
    Case("eacces-history", "fault", run_v2, 1, DENIED, command="run",
         fault=at("history", EACCES)),
    Case("erofs-history", "fault", run_v2, 1, READ_ONLY, command="run",
         fault=at("history", EROFS)),
    Case("eacces-publishing-the-report-folder", "fault", run_v2, 1, DENIED, command="run",
         fault=at("swap", EACCES, nth=1)),
    Case("enospc-publishing-senaste", "fault", run_v2, 1, FULL, command="run",
         fault=at("swap", ENOSPC, nth=2)),
    Case("erofs-publishing-senaste", "fault", run_v2, 1, READ_ONLY, command="run",
         fault=at("swap", EROFS, nth=2)),
    Case("ctrl-c-copying-senaste", "fault", run_v2, 1, STOPPED, command="run",
         fault=at("copytree", _interrupt)),
    Case("ctrl-c-publishing-senaste", "fault", run_v2, 1, STOPPED, command="run",
         fault=at("swap", _interrupt, nth=2)),
    Case("ctrl-c-writing-history", "fault", run_v2, 1, STOPPED, command="run",
         fault=at("history", _interrupt)),
    Case("sigterm-in-the-notebook", "fault", run_v2, 1, STOPPED + ("failed",), command="run",
         fault=at("notebook", _sigterm)),
    Case("sigint-in-the-notebook", "fault", run_v2, 1, STOPPED, command="run",
         fault=with_sigint(at("notebook", _sigint))),
    Case("sigterm-writing-history", "fault", run_v2, 1, STOPPED, command="run",
         fault=at("history", _sigterm)),
    Case("enospc-in-the-notebook", "fault", run_v2, 1, FULL, command="run",
         fault=at("notebook", ENOSPC)),
    Case("enospc-in-the-kernel", "fault", run_v2, 1, FULL, command="run",
         fault=at("notebook", _kernel_enospc)),
    Case("notebook-error", "fault", run_v2, 1, ("misslyckades", "RuntimeError", "avsiktligt"),
         command="run", fault=at("notebook", lambda w: RuntimeError("avsiktligt fel"))),
    Case("enospc-writing-the-manifest", "fault", run_v2, 1, FULL, command="run",
         fault=at("manifest", ENOSPC)),
    Case("enospc-in-an-atomic-write", "fault", run_v2, 1, FULL + ("report.html",),
         command="run", fault=at("store", ENOSPC)),
    Case("eacces-reports-folder", "fault", run_new_id, 1,
         ("korpus-ny", "behörighet saknas", "inget publicerades"), command="run",
         fault=at("mkdir", EACCES), kept=False),
    Case("erofs-reports-folder", "fault", run_new_id, 1,
         ("korpus-ny", "skrivskyddat", "inget publicerades"), command="run",
         fault=at("mkdir", EROFS), kept=False),
    Case("enospc-staging-folder", "fault", run_v2, 1, ("korpus", "disken är full"),
         command="run", fault=at("mkdtemp", ENOSPC), kept=False),
    Case("failed-folder-cannot-be-made", "fault", run_v2, 1,
         ("misslyckades", "har tagits bort"), command="run", kept=False,
         fault=lambda mp, ctx: (at("notebook", lambda w: RuntimeError("avsiktligt"))(mp, ctx),
                                at("failed-mkdir", EROFS)(mp, ctx))),
    Case("eacces-reading-the-data", "fault", lambda ctx: (ctx.csv(), ctx.spec())[1], 1,
         ("data.csv", "behörighet saknas"), fault=at("read", EACCES), kept=False),
    Case("enospc-storing-a-fetched-file", "fault", file_source(_export()), 1,
         ("disken är full",), command="fetch", fault=at("store", ENOSPC), kept=False),
]

CASES: list[Case] = [*DATA_ACCEPTED, *DATA_REFUSED, *SPEC, *SOURCES, *FAULTS]
