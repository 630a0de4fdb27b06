"""The spec keeps codes as strings and every invalid value gets one sentence naming field and line."""

from __future__ import annotations

import pytest

from evaluation import paths
from evaluation.errors import SpecError
from evaluation.spec import load_spec, parse_spec

BASE = """evaluation_id: test
data: demo
treated: "1987"
intervention: 2022-04
"""


def test_codes_stay_strings_even_unquoted():
    spec = parse_spec(BASE.replace('"1987"', "0114"))
    assert spec.treated == "0114"  # plain YAML would give the integer 76 (octal)
    spec = parse_spec(BASE + "comparison: [0114, 0115]\n")
    assert spec.comparison == ["0114", "0115"]


def test_defaults():
    spec = parse_spec(BASE)
    assert spec.outcomes == ["unemployment_rate", "households_assistance"]
    assert spec.comparison == "riket"
    assert spec.compare_periods == ["2022-04", "2023-04"]
    assert spec.language == "sv" and spec.frequency == "monthly" and spec.post_end is None


def test_yearly_defaults():
    spec = parse_spec(BASE.replace("2022-04", "2022"))
    assert spec.frequency == "yearly" and spec.compare_periods == ["2022", "2023"]


def test_shipped_specs_are_valid():
    for path in sorted(paths.params_dir().glob("*.yaml")):
        spec = load_spec(path)
        assert spec.evaluation_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + "treatd: x\n", "Fältet 'treatd' (rad 5) är okänt"),
        (BASE.replace("intervention: 2022-04", "intervention: april 2022"),
         "Fältet 'intervention' (rad 4) har värdet 'april 2022'"),
        (BASE + "language: de\n", "Fältet 'language' (rad 5) ska vara sv eller en"),
        (BASE + "comparison: grannar\n", "Fältet 'comparison' (rad 5) har värdet 'grannar'"),
        (BASE + "seed: abc\n", "Fältet 'seed' (rad 5) ska vara ett heltal"),
        (BASE + "post_end: 2021-01\n", "Fältet 'post_end' (rad 5) (2021-01) ligger före"),
        (BASE + "compare_periods: [2023-04]\n", "Fältet 'compare_periods' (rad 5) ska vara två"),
        (BASE.replace('treated: "1987"\n', ""), "Fältet 'treated' saknas"),
        ("evaluation_id: [x\n", "inte giltig YAML på rad"),
        (BASE + "data: demo\n", "förekommer två gånger"),
        (BASE.replace("evaluation_id: test", "evaluation_id: min utvärdering"),
         "Fältet 'evaluation_id' (rad 1) får bara"),
    ],
)
def test_invalid_specs_name_field_line_and_fix(text, expected):
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    assert expected in str(info.value)
    assert str(info.value).endswith(".")
    assert info.value.text("en") != str(info.value)  # an English text exists too


def test_missing_spec_file(tmp_path):
    with pytest.raises(SpecError, match="finns inte"):
        load_spec(tmp_path / "nope.yaml")
