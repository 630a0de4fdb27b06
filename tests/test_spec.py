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
    # the year before the change against the first year (12-month means at each end)
    assert spec.compare_periods == ["2022-03", "2023-03"] and spec.compare_window == 12
    assert spec.language == "sv" and spec.frequency == "monthly" and spec.post_end is None


def test_yearly_defaults():
    spec = parse_spec(BASE.replace("2022-04", "2022"))
    # the base is the year before the intervention, never an already treated year
    assert spec.frequency == "yearly" and spec.compare_periods == ["2021", "2022"]
    assert spec.compare_window == 1


def test_single_month_comparison_and_overlapping_windows():
    spec = parse_spec(BASE + "compare_window: 1\n")
    assert spec.compare_periods == ["2022-03", "2023-03"] and spec.compare_window == 1
    with pytest.raises(SpecError, match="överlappar"):
        parse_spec(BASE + "compare_periods: [2022-03, 2022-09]\n")
    with pytest.raises(SpecError, match="compare_window' \\(rad 5\\) ska vara ett heltal"):
        parse_spec(BASE + "compare_window: 0\n")


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


# --------------------------------------------------------------------------- donors
def test_donors_default_and_codes_stay_strings():
    """Reference: the donors defaults of the brief; YAML would read 0114 as the integer 76."""
    assert parse_spec(BASE).donors == {
        "pool": "all", "group": None, "units": [], "exclude_same_county": False,
        "exclude": [], "similar_reforms": [],
    }
    spec = parse_spec(BASE + "donors:\n  pool: list\n  units: [0114, 0115, \"1980\", 115]\n"
                      "  exclude_same_county: true\n  exclude: 0120\n"
                      "  similar_reforms:\n    - 0138\n")
    assert spec.donors == {
        "pool": "list", "group": None, "units": ["0114", "0115", "1980"],
        "exclude_same_county": True, "exclude": ["0120"], "similar_reforms": ["0138"],
    }
    assert spec.line("donors") == 5 and spec.line("donors.exclude") == 9
    assert spec.parameters()["donors"] == spec.donors
    assert parse_spec(BASE + "donors: liknande\n").donors["pool"] == "liknande"
    group = parse_spec(BASE + "donors:\n  pool: liknande\n"
                       "  group: \"Liknande kommuner, arbetsmarknad\"\n")
    assert group.donors["group"] == "Liknande kommuner, arbetsmarknad"


def test_donors_survive_the_papermill_round_trip():
    """Reference: evaluate.spec_from_parameters re-validates the parameters papermill passes."""
    from evaluation.evaluate import spec_from_parameters

    spec = parse_spec(BASE + "donors:\n  pool: kommungrupp\n  exclude_same_county: ja\n")
    again = spec_from_parameters(**spec.parameters())
    assert again.donors == spec.donors and again.donors["exclude_same_county"] is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("donors:\n  pool: grannar\n", "Fältet 'donors.pool' (rad 6) har värdet 'grannar'"),
        ("donors:\n  pool: all\n  grupp: x\n", "Fältet 'donors.grupp' (rad 7) är okänt"),
        ("donors:\n  pool: list\n", "Fältet 'donors.units' (rad 6) saknas eller är tom"),
        ("donors:\n  units: [0114]\n", "Fältet 'donors.units' (rad 6) används bara med pool: list"),
        ("donors:\n  exclude: [01a4]\n", "Fältet 'donors.exclude' (rad 6) innehåller '01a4'"),
        ("donors:\n  similar_reforms: [12345]\n", "'donors.similar_reforms' (rad 6) innehåller"),
        ("donors:\n  pool: all\n  pool: list\n", "Fältet 'donors.pool' (rad 7) förekommer två"),
        ("donors: grannar\n", "Fältet 'donors' (rad 5) ska vara en grupp av underfält"),
        ("donors:\n  exclude_same_county: kanske\n",
         "Fältet 'donors.exclude_same_county' (rad 6) har värdet 'kanske'"),
        ("donors:\n  group: Storstäder\n", "Fältet 'donors.group' (rad 6) används bara med"),
    ],
)
def test_invalid_donors_name_field_line_and_fix(text, expected):
    with pytest.raises(SpecError) as info:
        parse_spec(BASE + text)
    assert expected in str(info.value)
    assert str(info.value).endswith(".")
    assert info.value.text("en") != str(info.value)


def test_donor_codes_of_a_lan_are_two_digits():
    """A län is compared with the other län, so its donor lists hold county codes."""
    spec = parse_spec(BASE + "donors:\n  pool: list\n  units: [\"01\", \"03\", 0114]\n"
                      "  exclude: [\"25\"]\n")
    assert spec.donors["units"] == ["01", "03", "0114"] and spec.donors["exclude"] == ["25"]
    with pytest.raises(SpecError, match="innehåller '00'"):
        parse_spec(BASE + "donors:\n  exclude: [\"00\"]\n")


# --------------------------------------------------------------------------- outcome kinds
OWN = BASE + "outcomes: [gdp_per_capita, paket]\n"


def test_outcome_kinds_declare_own_outcomes():
    spec = parse_spec(OWN + "outcome_kinds:\n"
                      "  gdp_per_capita: {kind: level, unit_sv: \"USD per invånare\", "
                      "unit_en: \"USD per inhabitant\"}\n"
                      "  paket: count\n")
    assert spec.outcome_kinds == {
        "gdp_per_capita": {"kind": "level", "unit_sv": "USD per invånare",
                           "unit_en": "USD per inhabitant"},
        "paket": {"kind": "count"},
    }
    assert spec.line("outcome_kinds.paket") == 8
    assert parse_spec(BASE).outcome_kinds == {}
    # papermill passes the validated block back
    from evaluation.evaluate import spec_from_parameters

    assert spec_from_parameters(**spec.parameters()).outcome_kinds == spec.outcome_kinds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("outcome_kinds:\n  gdp: level\n", "Fältet 'outcome_kinds.gdp' (rad 7) nämner 'gdp', "
         "som inte finns under outcomes"),
        ("outcome_kinds:\n  paket: {kind: antal}\n",
         "Fältet 'outcome_kinds.paket' (rad 7) har typen 'antal': skriv kind: rate"),
        ("outcome_kinds:\n  paket: {unit_sv: paket}\n", "(rad 7) saknar kind"),
        ("outcome_kinds:\n  paket: {kind: rate, unit_sv: paket}\n",
         "anger en enhet för en andel (rate)"),
        ("outcome_kinds:\n  paket: {kind: level, enhet: st}\n",
         "har det okända fältet 'enhet'"),
        ("outcome_kinds: level\n", "Fältet 'outcome_kinds' (rad 6) ska vara en grupp"),
    ],
)
def test_invalid_outcome_kinds_give_one_sentence(text, expected):
    with pytest.raises(SpecError) as info:
        parse_spec(OWN + text)
    assert expected in str(info.value)
    assert str(info.value).endswith(".")  # one sentence
    assert str(info.value).replace("t.ex. ", "").count(". ") == 0
    assert info.value.text("en") != str(info.value)
