"""Property-based tests (hypothesis) of the panel reader and the spec validator (issue 14).

* Any panel written with any accepted separator, decimal mark, thousands separator, encoding,
  period spelling, line ending and quoting reads back equal to the same panel written plainly.
* Garbage in any cell of a file, or a file of arbitrary bytes, gives a :class:`DataError` (one
  sentence) or a panel — never another exception.
* Arbitrary YAML mappings, and a valid spec with any one value replaced by arbitrary YAML, give
  a :class:`SpecError` or a :class:`Spec` — never another exception.

Derandomized (the same examples every run) and bounded (a few seconds in all).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.world import render
from evaluation.data.panel import read_panel
from evaluation.errors import DataError, EvaluationError, SpecError
from evaluation.spec import KEYS, Spec, parse_spec

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])
UNITS = [("00", "Riket"), ("0114", "Upplands Väsby"), ("0180", "Stockholm")]
MONTHS = ["2021-11", "2021-12", "2022-01", "2022-02"]
PERIODS = {
    "canonical": lambda p: p,
    "2022M04": lambda p: p.replace("-", "M"),
    "2022M4": lambda p: f"{p[:4]}M{int(p[5:])}",
    "2022-04-01": lambda p: f"{p}-01",
    "202204": lambda p: p.replace("-", ""),
    "excel datetime": lambda p: f"{p}-01 00:00:00",
}
#: Thousands separators each encoding can hold.
THOUSANDS = {"utf-8": ["", " ", "\u2009", "\u00a0", "\u202f"],
             "utf-16": ["", " ", "\u2009", "\u00a0"],
             "cp1252": ["", " ", "\u00a0"], "latin-1": ["", " ", "\u00a0"]}

# exactly representable values: whole counts up to ten million, rates with up to 3 decimals
values = st.one_of(st.integers(0, 10_000_000).map(float),
                   st.integers(0, 100_000).map(lambda n: n / 1000))


def _panel(numbers: list[float]) -> pd.DataFrame:
    rows = []
    i = 0
    for code, name in UNITS:
        for month in MONTHS:
            for measure in ("unemployment_rate", "households_assistance"):
                rows.append((code, name, month, measure, numbers[i % len(numbers)]))
                i += 1
    return pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])


def _read(data: bytes, name: str = "panel.csv") -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return read_panel(path)


@st.composite
def formats(draw):
    encoding = draw(st.sampled_from(sorted(THOUSANDS)))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    return {
        "sep": sep,
        "decimal": draw(st.sampled_from([".", ","])),
        "thousands": draw(st.sampled_from(THOUSANDS[encoding])),
        "encoding": encoding,
        "bom": encoding == "utf-8" and draw(st.booleans()),
        "period": PERIODS[draw(st.sampled_from(sorted(PERIODS)))],
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "quote_all": draw(st.booleans()),
    }


@SETTINGS
@given(numbers=st.lists(values, min_size=1, max_size=24), fmt=formats())
def test_any_accepted_spelling_reads_back_equal(numbers, fmt):
    panel = _panel(numbers)
    plain = _read(render(panel))
    pd.testing.assert_frame_equal(_read(render(panel, **fmt)), plain, check_exact=True)


cells = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="0123456789,. \u00a0\u2009-–<>%eEinfaNX\"';\t", max_size=12),
    st.sampled_from(["..", "–", "<5", "X", "inf", "-inf", "nan", "1e400", "1,234", "1.234,5",
                     "", " ", "\x00", "\n", "2022-13", "0000", "9999"]),
)


@SETTINGS
@given(column=st.sampled_from(["unit", "unit_name", "period", "measure", "value"]),
       row=st.integers(0, len(UNITS) * len(MONTHS) * 2 - 1), cell=cells,
       sep=st.sampled_from([",", ";"]))
def test_garbage_in_a_cell_is_a_sentence_or_a_panel(column, row, cell, sep):
    panel = _panel([1.0, 2.5, 3.0])
    panel[column] = panel[column].astype(object)
    panel.iloc[row, panel.columns.get_loc(column)] = cell
    try:
        read = _read(render(panel, sep=sep))
    except EvaluationError as exc:
        assert isinstance(exc, DataError), exc
        assert exc.sv and exc.en and "\n" not in exc.sv.strip()
        return
    assert len(read) <= len(panel)


@SETTINGS
@given(data=st.binary(max_size=300), name=st.sampled_from(["p.csv", "p.xlsx", "p.parquet",
                                                           "p.csv.gz"]))
def test_arbitrary_bytes_are_a_sentence_or_a_panel(data, name):
    try:
        _read(data, name)
    except DataError as exc:
        assert exc.sv and exc.en


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=15),
                    st.sampled_from(["2022-04", "2022", "0114", "demo", "riket", "all", "its",
                                     "monthly", "en", "list"]))
yaml_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(["pool", "units", "exclude", "kind", "source",
                                               "kpi", "measure", "baseline", "goal",
                                               "outcome", "period", "value"]),
                              st.text(max_size=8)), inner, max_size=4)),
    max_leaves=12)
VALID = {"evaluation_id": "p", "data": "demo", "treated": "0114", "intervention": "2022-04",
         "outcomes": ["unemployment_rate", "households_assistance"]}


def _parse(mapping) -> Spec | None:
    text = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)
    try:
        spec = parse_spec(text)
    except SpecError as exc:
        assert exc.sv and exc.en
        return None
    assert isinstance(spec, Spec)
    return spec


@SETTINGS
@given(mapping=st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)),
                               yaml_values, max_size=8))
def test_arbitrary_yaml_mappings_are_a_spec_or_a_sentence(mapping):
    _parse(mapping)


@SETTINGS
@given(key=st.sampled_from(KEYS), value=yaml_values)
def test_a_valid_spec_with_any_value_replaced_is_a_spec_or_a_sentence(key, value):
    _parse({**VALID, key: value})


def test_the_valid_spec_is_valid():
    assert _parse(VALID) is not None


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "a: [\n", "\t:\n", "? [a]\n: b\n",
                                  "evaluation_id: 1\ntitle: &x [a]\ndata: *x\n"])
def test_odd_yaml_texts_are_a_sentence(text):
    with pytest.raises(SpecError):
        parse_spec(text)


def test_a_self_referring_alias_is_a_sentence():
    """A self-referring alias and an exponentially nested one ("billion laughs") are one
    sentence naming the key, at once."""
    import time

    with pytest.raises(SpecError, match="evaluation_id"):
        parse_spec("evaluation_id: &x [*x]\n")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    start = time.process_time()
    with pytest.raises(SpecError, match="'comparison'.*YAML-alias"):
        parse_spec("outcomes: &z [1]\n" + "comparison:\n  " + laughs.replace("\n", "\n  "))
    assert time.process_time() - start < 2.0
