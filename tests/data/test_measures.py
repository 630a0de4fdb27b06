"""What a measure is — rate, count or level — is declared, never guessed from its values."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.data.panel import (
    MEASURES,
    declare_measures,
    declared_measure,
    measure_info,
    measures_declared,
    panel_measures,
    validate_panel,
)
from evaluation.errors import DataError
from evaluation.sources.kolada import kpi_kind


@pytest.fixture(autouse=True)
def _fresh_declarations():
    declare_measures({})
    yield
    declare_measures({})


def test_whole_numbers_do_not_make_a_count_and_decimals_do_not_make_a_rate():
    """GDP per capita in whole dollars used to be a count needing a population; an unknown
    decimal outcome used to be a rate in procentenheter."""
    dollars = pd.Series([41_000.0, 42_500.0, 43_900.0])
    shares = pd.Series([0.31, 0.35])
    for values in (dollars, shares, None):
        info = measure_info("gdp_per_capita", values)
        assert (info.kind, info.unit_sv, info.unit_en) == ("level", "enheter", "units")
        assert info.additive and not info.declared
    assert measure_info("households_assistance") is MEASURES["households_assistance"]


def test_declared_measures_are_what_measure_info_answers():
    gdp = declared_measure("gdp_per_capita", "level", unit_sv="USD per invånare",
                           unit_en="USD per inhabitant")
    with measures_declared({"gdp_per_capita": gdp}):
        assert measure_info("gdp_per_capita") == gdp
        assert gdp.effect_unit == "USD per inhabitant"
    assert not measure_info("gdp_per_capita").declared  # only inside the block
    declare_measures({"households_assistance": declared_measure("households_assistance",
                                                                "level")})
    assert measure_info("households_assistance").kind == "level"  # declared beats shipped


def test_declared_measure_defaults():
    rate = declared_measure("andel", "rate")
    assert (rate.unit_sv, rate.unit_en, rate.effect_unit) == ("procentenheter",
                                                              "percentage points", "pp")
    count = declared_measure("paket", "count")
    assert (count.unit_sv, count.unit_en, count.additive) == ("st.", "units", False)
    level = declared_measure("paket_per_inv", "level", unit_sv="paket per invånare")
    assert level.unit_en == "paket per invånare"  # one language given: used for both
    shipped = declared_measure("households_assistance", "count")
    assert (shipped.unit_sv, shipped.label_sv) == ("hushåll", "Hushåll med ekonomiskt bistånd")
    with pytest.raises(DataError, match="använd rate, count eller level"):
        declared_measure("x", "antal")


def _panel(**columns) -> pd.DataFrame:
    base = pd.DataFrame({"unit": ["0114", "0114", "0115", "0115"],
                         "unit_name": ["A", "A", "B", "B"],
                         "period": ["2020", "2021", "2020", "2021"],
                         "measure": "gdp", "value": [1.0, 2.0, 3.0, 4.0]})
    return base.assign(**columns)


def test_the_panel_can_declare_its_measures():
    panel = validate_panel(_panel(kind="Level", unit_text="USD per invånare",
                                  unit_text_en="USD per inhabitant"))
    assert list(panel["kind"].unique()) == ["level"]
    info = panel_measures(panel)["gdp"]
    assert (info.kind, info.unit_sv, info.unit_en, info.origin) == (
        "level", "USD per invånare", "USD per inhabitant", "data")
    # an empty kind cell declares nothing
    assert panel_measures(validate_panel(_panel(kind=""))) == {}


def test_panel_declarations_are_checked():
    with pytest.raises(DataError, match="har typen 'procent' i kolumnen kind"):
        validate_panel(_panel(kind="procent"))
    with pytest.raises(DataError, match="flera värden i kolumnen unit_text för måttet gdp"):
        validate_panel(_panel(kind="level", unit_text=["kr", "kr", "USD", "USD"]))


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Arbetslösa av arbetskraften (BAS), 18-65 år, andel (%)",
         ("rate", "procentenheter", "percentage points")),
        ("Biståndshushåll, ekonomiskt bistånd, antal", ("count", "st.", "units")),
        ("Kostnad ekonomiskt bistånd, kr/inv", ("level", "kr per invånare",
                                                "SEK per inhabitant")),
        ("Anmälda brott, antal/1000 inv", ("level", "per 1 000 invånare",
                                           "per 1,000 inhabitants")),
        ("Invånare totalt, antal (-2023)", ("count", "st.", "units")),
        ("Ekonomiskt bistånd ingår i samma förvaltning som arbetsmarknadsinsatserna "
         "(Ja = 1, Nej = 0) (-2023)", ("level", "enheter", "units")),
        ("Meritvärde åk 9, genomsnitt", ("level", "enheter", "units")),
    ],
)
def test_kolada_titles_carry_the_unit(title, expected):
    """Titles from shared/data/kolada/kolada_kpi_catalog.csv (2026 catalogue)."""
    assert kpi_kind(title) == expected
