"""Peer comparison ("jämförelse med liknande kommuner"): spec block, members, table, report."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from evaluation.designs.donors import GroupTable
from evaluation.errors import DataError, SpecError
from evaluation.peers import (
    COLUMNS,
    comparison_measures,
    peer_comparison,
    peer_table,
    resolve_group,
    resolve_members,
    validate_comparison_group,
)
from evaluation.report.peer_report import (
    DISCLAIMER_KEY,
    peer_figure,
    peer_figures,
    peer_heading,
    peer_rank_table,
    peer_text,
    pt,
)

T, A, B, C = "1443", "1490", "1452", "1466"
NAMES = {T: "Bollebygd", A: "Borås", B: "Tranemo", C: "Herrljunga"}
POP = {T: 10_000.0, A: 100_000.0, B: 12_000.0, C: 9_000.0}


# --------------------------------------------------------------------------- panels
def yearly_panel(population: bool = True) -> pd.DataFrame:
    """Four kommuner, 2020–2022, with hand-picked values.

    2020: unemployment T 4, A 6, B 3, C 5 (mean 4.5); households T 100, A 800, B 240, C 90,
    i.e. per 1 000 inhabitants T 10, A 8, B 20, C 10 (mean 12).
    """
    rate = {T: 4.0, A: 6.0, B: 3.0, C: 5.0}
    households = {T: 100.0, A: 800.0, B: 240.0, C: 90.0}
    rows = []
    for year in (2020, 2021, 2022):
        shift = year - 2020
        for u in (T, A, B, C):
            rows.append((u, NAMES[u], str(year), "unemployment_rate", rate[u] + shift * (
                -1.5 if u == T else 0.0)))
            rows.append((u, NAMES[u], str(year), "households_assistance", households[u]))
            if population:
                rows.append((u, NAMES[u], str(year), "population", POP[u]))
    return pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])


def monthly_panel() -> pd.DataFrame:
    """2021-01 to 2022-06 for T and C, B until 2022-09; A lacks 2021-05.

    T's unemployment is the month number (2021 mean 6.5; 2022 Jan–Jun mean 3.5); B's is 1
    in January–June 2022 and 100 in July–September 2022 (months T has no data for).
    """
    rows = []
    for year, last in ((2021, 12), (2022, 9)):
        for month in range(1, last + 1):
            period = f"{year}-{month:02d}"
            for u in (T, A, B, C):
                if u != B and (year, month) > (2022, 6):
                    continue
                if u == A and period == "2021-05":
                    continue
                value = {T: float(month), A: 5.0, B: 1.0 if month <= 6 else 100.0, C: 4.0}[u]
                rows.append((u, NAMES[u], period, "unemployment_rate", value))
                rows.append((u, NAMES[u], period, "households_assistance",
                             POP[u] / 100 * (2.0 if u == T and year == 2022 else 1.0)))
                rows.append((u, NAMES[u], period, "population", POP[u]))
    return pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])


def _row(table: pd.DataFrame, measure: str, year: int, unit: str) -> pd.Series:
    rows = table[(table["measure"] == measure) & (table["year"] == year)
                 & (table["unit"] == unit)]
    assert len(rows) == 1
    return rows.iloc[0]


def _groups() -> GroupTable:
    frame = pd.DataFrame({
        "group_id": ["G1"] * 3 + ["G2"] * 2 + ["G3"] * 2,
        "group_title": ["Sjuhärad kommunalförbund (ovägt medel)"] * 3
        + ["Sjuhärad test, norr"] * 2 + ["Göteborgsregionen (ovägt medel)"] * 2,
        "member_id": [T, A, B, A, B, "1480", "1401"],
        "member_title": [NAMES[T], NAMES[A], NAMES[B], NAMES[A], NAMES[B], "Göteborg",
                         "Härryda"],
    })
    return GroupTable.from_frame(frame, source="test")


# --------------------------------------------------------------------------- spec block
def test_validate_comparison_group_shapes():
    assert validate_comparison_group(None) == {}
    assert validate_comparison_group({}) == {}
    block = validate_comparison_group(
        {"group": "G116237", "measures": ["unemployment_rate", "N31001", "N31001"],
         "years": ["2017", "2024"]})
    assert block == {"group": "G116237", "members": [], "measures": ["unemployment_rate",
                                                                     "N31001"],
                     "years": [2017, 2024]}
    assert validate_comparison_group(block) == block  # idempotent (papermill passes it back)
    listed = validate_comparison_group({"members": ["1443", 114, "1490", "1443"]})
    assert listed["members"] == ["1443", "0114", "1490"]
    assert listed["group"] is None and listed["measures"] is None and listed["years"] is None
    assert validate_comparison_group(listed) == listed
    assert comparison_measures(listed, ["unemployment_rate", "households_assistance"]) == [
        "unemployment_rate", "households_assistance"]
    assert comparison_measures(block, ["unemployment_rate"]) == ["unemployment_rate", "N31001"]


@pytest.mark.parametrize("value, words", [
    ({"group": "G1", "extra": 1}, "okänt"),
    ({"group": "G1", "members": ["1443"]}, "både group och members"),
    ({"measures": ["unemployment_rate"]}, "saknar group och members"),
    ({"members": ["14430"]}, "14430"),
    ({"members": ["Bollebygd"]}, "Bollebygd"),
    ({"members": ["00"]}, "'00'"),
    ({"group": ["G1", "G2"]}, "inte en lista"),
    ({"group": "G1", "measures": ["bad name"]}, "bad name"),
    ({"group": "G1", "years": [2024, 2017]}, "i ordning"),
    ({"group": "G1", "years": 2020}, "years"),
    ({"group": "G1", "years": ["2017", "2020", "2024"]}, "years"),
    ("G116237", "grupp av underfält"),
])
def test_validate_comparison_group_errors(value, words):
    with pytest.raises(SpecError) as err:
        validate_comparison_group(value, 7)
    sv, en = str(err.value), err.value.text("en")
    assert words in sv and "(rad 7)" in sv and "(line 7)" in en
    for message in (sv, en):  # one sentence each
        assert message.endswith(".") and message.count(". ") <= 1


def test_validate_comparison_group_names_the_sub_key_line():
    lines = {"comparison_group": 10, "comparison_group.members": 12}
    with pytest.raises(SpecError, match=r"comparison_group.members' \(rad 12\)"):
        validate_comparison_group({"members": ["x"]}, lines)
    with pytest.raises(SpecError, match=r"'comparison_group' \(rad 10\)"):
        validate_comparison_group({"group": "G1", "members": [T]}, lines)


# --------------------------------------------------------------------------- members
def test_resolve_members_from_list_adds_the_treated_kommun():
    group = resolve_group({"members": [B, A]}, None, T)
    assert group.members == [T, B, A] and group.treated_added  # treated first, then sorted
    assert "Bollebygd" not in group.notes[0]["sv"]  # no group table: the code names it
    assert T in group.notes[0]["sv"] and "medelvärde" in group.notes[0]["sv"]
    assert resolve_members({"members": [T, A, B]}, None, T) == [T, B, A]
    with pytest.raises(DataError, match="ingen annan kommun"):
        resolve_members({"members": [T]}, None, T)


def test_resolve_members_from_group_table():
    groups = _groups()
    assert resolve_members({"group": "G1"}, groups, T) == [T, B, A]
    # title, Kolada's "(ovägt medel)" and case aside
    assert resolve_members({"group": "sjuhärad kommunalförbund"}, groups, T) == [T, B, A]
    # a part of a title that exactly one group has
    assert resolve_group({"group": "Göteborgsregionen"}, groups, "1401").group_id == "G3"
    outside = resolve_group({"group": "G3"}, groups, T)  # Bollebygd is not in G3
    assert outside.members == [T, "1401", "1480"] and outside.treated_added
    assert "Göteborgsregionen" in outside.notes[0]["sv"]
    assert "(ovägt medel)" not in outside.notes[0]["sv"]
    with pytest.raises(DataError, match="passar 2 grupper") as err:
        resolve_members({"group": "Sjuhärad"}, groups, T)
    assert "G1" in str(err.value) and "G2" in err.value.text("en")
    with pytest.raises(DataError, match="finns inte i Koladas grupptabell") as err:
        resolve_members({"group": "Sjuhärat kommunalförbund"}, groups, T)
    assert "menade du" in str(err.value)
    with pytest.raises(DataError, match="grupptabell"):
        resolve_members({"group": "G1"}, None, T)


@pytest.fixture(scope="module")
def kolada_groups(shared_data) -> GroupTable:
    path = shared_data / "kolada" / "kolada_municipality_groups_long.csv"
    if not path.is_file():
        pytest.skip(f"Kolada's group table not found at {path}")
    return GroupTable.from_path(path)


SJUHARAD = {"1383", "1442", "1443", "1452", "1463", "1465", "1466", "1490", "1491"}


def test_real_kolada_group_sjuharad(kolada_groups):
    group = resolve_group({"group": "G116237"}, kolada_groups, "1443")
    assert set(group.members) == SJUHARAD and group.members[0] == "1443"
    assert not group.treated_added and group.notes == []
    assert group.title() == "Sjuhärad kommunalförbund"
    assert group.names["1443"] == "Bollebygd" and group.names["1490"] == "Borås"
    by_title = resolve_members({"group": "Sjuhärad kommunalförbund"}, kolada_groups, "1443")
    assert by_title == group.members


def test_real_kolada_group_builds_the_section(kolada_groups):
    """The Sjuhärad kommuner with made-up yearly values: the whole section in both languages."""
    members = resolve_members({"group": "G116237"}, kolada_groups, "1443")
    rng = np.random.default_rng(3)
    rows = []
    for u in members:
        pop = 9_700.0 if u == "1443" else float(rng.integers(5_000, 115_000))
        for year in range(2017, 2025):
            rows += [(u, "", str(year), "unemployment_rate", 5 + rng.normal()),
                     (u, "", str(year), "households_assistance", pop / 60),
                     (u, "", str(year), "population", pop)]
    panel = pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])
    table, group = peer_comparison(panel, {"group": "G116237", "years": [2018, 2024]},
                                   treated="1443", outcomes=["unemployment_rate",
                                                             "households_assistance"],
                                   groups=kolada_groups)
    assert set(table["year"]) == set(range(2018, 2025))
    assert set(table["unit"]) == SJUHARAD and (table["n_ranked"] == 9).all()
    assert _row(table, "unemployment_rate", 2024, "1443")["unit_name"] == "Bollebygd"
    text = peer_text(table)
    assert "Sjuhärad kommunalförbund" in text and "8 andra kommunerna" in text
    _assert_descriptive(text, "sv")
    _assert_descriptive(peer_text(table, "en"), "en")


# --------------------------------------------------------------------------- the table
def test_peer_table_ranks_group_mean_and_per_capita():
    table = peer_table(yearly_panel(), treated=T, members=[A, B, C],
                       measures=["unemployment_rate", "households_assistance"])
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == 2 * 3 * 4  # measure × year × kommun
    assert table.attrs["members"] == [T, A, B, C]  # treated first, then as given
    assert table.attrs["frequency"] == "yearly" and table.attrs["notes"] == []
    ranks = {u: int(_row(table, "unemployment_rate", 2020, u)["rank"]) for u in (T, A, B, C)}
    assert ranks == {B: 1, T: 2, C: 3, A: 4}  # 1 = lowest value
    row = _row(table, "unemployment_rate", 2020, T)
    assert bool(row["treated"]) and row["basis"] == "value" and row["kind"] == "rate"
    assert row["group_mean"] == pytest.approx(4.5)  # unweighted, the treated kommun included
    assert int(row["n_ranked"]) == 4
    assert int(_row(table, "unemployment_rate", 2022, T)["rank"]) == 1  # 4 − 3 = 1
    # counts per 1 000 inhabitants: Borås's 800 households are 8 per 1 000, the lowest
    hh = {u: _row(table, "households_assistance", 2020, u) for u in (T, A, B, C)}
    assert hh[A]["value"] == 800 and hh[A]["per_1000"] == pytest.approx(8.0)
    assert {u: int(r["rank"]) for u, r in hh.items()} == {A: 1, T: 2, C: 2, B: 4}  # tie: min
    assert hh[T]["basis"] == "per_1000" and hh[T]["compared"] == pytest.approx(10.0)
    assert hh[T]["group_mean"] == pytest.approx(12.0)
    assert hh[T]["population"] == 10_000
    assert pd.isna(hh[T]["months"]) and not hh[T]["partial"]


def test_peer_table_years_and_population_measure_itself():
    table = peer_table(yearly_panel(), treated=T, members=[A, B, C],
                       measures=["population"], years=[2021, 2022])
    assert sorted(set(table["year"])) == [2021, 2022]
    row = _row(table, "population", 2021, A)
    assert row["basis"] == "value" and int(row["rank"]) == 4  # population is not per capita
    with pytest.raises(DataError, match="2030–2031"):
        peer_table(yearly_panel(), treated=T, members=[A], measures=["population"],
                   years=[2030, 2031])


def test_peer_table_count_without_population_is_compared_raw_and_says_so():
    table = peer_table(yearly_panel(population=False), treated=T, members=[A, B, C],
                       measures=["households_assistance"])
    row = _row(table, "households_assistance", 2020, A)
    assert row["basis"] == "value" and int(row["rank"]) == 4 and pd.isna(row["per_1000"])
    note = table.attrs["notes"][0]
    assert "Folkmängd saknas" in note["sv"] and "per 1 000 inhabitants" in note["en"]


def test_peer_table_population_column_instead_of_measure():
    panel = yearly_panel(population=False)
    panel["population"] = panel["unit"].map(POP)
    table = peer_table(panel, treated=T, members=[A, B, C], measures=["households_assistance"])
    assert _row(table, "households_assistance", 2020, A)["per_1000"] == pytest.approx(8.0)


def test_peer_table_monthly_calendar_years_and_partial_year():
    table = peer_table(monthly_panel(), treated=T, members=[A, B, C],
                       measures=["unemployment_rate", "households_assistance"])
    assert table.attrs["frequency"] == "monthly"
    full = _row(table, "unemployment_rate", 2021, T)
    assert full["value"] == pytest.approx(6.5) and full["months"] == 12 and not full["partial"]
    part = _row(table, "unemployment_rate", 2022, T)
    assert part["value"] == pytest.approx(3.5)  # January–June only
    assert part["months"] == 6 and part["partial"]
    assert (part["first_month"], part["last_month"]) == ("2022-01", "2022-06")
    # Tranemo has July–September 2022 too, but is compared on Bollebygd's months
    assert _row(table, "unemployment_rate", 2022, B)["value"] == pytest.approx(1.0)
    # Borås lacks May 2021: no value, no rank that year; ranked among 3
    short = _row(table, "unemployment_rate", 2021, A)
    assert pd.isna(short["value"]) and pd.isna(short["rank"])
    assert int(full["n_ranked"]) == 3
    assert any("Borås" in n["sv"] and "rangordnas inte" in n["sv"]
               for n in table.attrs["notes"])
    # counts: the mean number per month, per 1 000 inhabitants (T: 100 a month = 10 per 1 000,
    # doubled in 2022)
    hh = _row(table, "households_assistance", 2022, T)
    assert hh["value"] == pytest.approx(200.0) and hh["per_1000"] == pytest.approx(20.0)
    dropped = peer_table(monthly_panel(), treated=T, members=[A, B, C],
                         measures=["unemployment_rate"], partial_years="drop")
    assert set(dropped["year"]) == {2021}


def test_peer_table_missing_members_and_measures_are_listed_not_raised():
    table = peer_table(yearly_panel(), treated=T, members=[A, B, "1465", "1491"],
                       measures=["unemployment_rate", "N31001"],
                       names={"1465": "Svenljunga"})
    assert table.attrs["missing_members"] == ["1465", "1491"]
    assert table.attrs["missing_measures"] == ["N31001"]
    notes = [n["sv"] for n in table.attrs["notes"]]
    assert "Måttet N31001 finns inte i data och jämförs inte." in notes
    missing = [n for n in notes if "Svenljunga" in n]
    assert missing == ["Svenljunga (1465) och 1491 finns inte i data och ingår därför inte i "
                       "jämförelsen."]
    assert set(table["unit"]) == {T, A, B}


def test_peer_table_errors():
    panel = yearly_panel()
    with pytest.raises(DataError, match="Ingen av kommunerna") as err:
        peer_table(panel, treated=T, members=["1465", "1491"], measures=["unemployment_rate"])
    assert "1465, 1491" in err.value.text("en")
    with pytest.raises(DataError, match="alla mått"):
        peer_table(panel, treated=T, members=[A], measures=["N31001", "N31816"])
    no_treated = panel[~((panel["unit"] == T) & (panel["measure"] == "unemployment_rate"))]
    with pytest.raises(DataError, match="Bollebygd .1443. saknar värden"):
        peer_table(no_treated, treated=T, members=[A], measures=["unemployment_rate"])
    with pytest.raises(DataError, match="saknar kolumnerna value"):
        peer_table(panel.drop(columns="value"), treated=T, members=[A],
                   measures=["unemployment_rate"])


# --------------------------------------------------------------------------- the report
#: Causal wording that must not appear outside the disclaimer sentence.
CAUSAL = {
    "sv": ("effekt", "orsak", "påverk", "ledde till", "leder till", "lett till", "beror",
           "berodde", "på grund av", "tack vare", "till följd av", "resulterat", "bidragit"),
    "en": ("effect", "cause", "causal", "impact", "led to", "lead to", "due to", "because",
           "thanks to", "as a result", "attribut", "contributed"),
}


def _assert_descriptive(text: str, language: str) -> None:
    """The disclaimer is there once, denies an effect, and nothing else speaks of causes."""
    disclaimer = pt(DISCLAIMER_KEY, language)
    assert text.count(disclaimer) == 1
    negation = ("inte", "ingen") if language == "sv" else ("not",)
    assert all(word in disclaimer.split() for word in negation[:1])
    rest = text.replace(disclaimer, " ").casefold()
    found = [w for w in CAUSAL[language] if w in rest]
    assert not found, f"causal wording {found} outside the disclaimer: {text}"


def test_causal_check_catches_a_claim():
    """The check above fails on a text that claims an effect (so it can guard peer_text)."""
    table = peer_table(yearly_panel(), treated=T, members=[A, B, C],
                       measures=["unemployment_rate"])
    text = peer_text(table)
    _assert_descriptive(text, "sv")
    for claim in ("Reformen hade effekt på arbetslösheten.",
                  "Skillnaden beror på insatsen.", "Nedgången kom tack vare reformen."):
        with pytest.raises(AssertionError):
            _assert_descriptive(text + claim, "sv")
    with pytest.raises(AssertionError):
        _assert_descriptive(text.replace(pt(DISCLAIMER_KEY), ""), "sv")
    with pytest.raises(AssertionError):
        _assert_descriptive(peer_text(table, "en") + " The drop is due to the reform.", "en")


@pytest.mark.parametrize("language", ["sv", "en"])
def test_peer_text_is_descriptive_and_says_where_the_kommun_ranks(language):
    table = peer_table(yearly_panel(), treated=T, members=[A, B, C],
                       measures=["unemployment_rate", "households_assistance", "N31001"],
                       names=NAMES)
    table.attrs["group_title"] = "Sjuhärad kommunalförbund (ovägt medel)"
    text = peer_text(table, language)
    _assert_descriptive(text, language)
    assert "(ovägt medel)" not in text and "Sjuhärad kommunalförbund" in text
    if language == "sv":
        assert "Bollebygd jämförs här år för år med de 3 andra kommunerna" in text
        assert "2022 hade Bollebygd 1,0\u00a0% mot gruppens medelvärde 3,8\u00a0% " \
               "(under medelvärdet), plats 1 av 4." in text
        assert "2020 var det 4,0\u00a0% mot 4,5\u00a0%, plats 2 av 4." in text
        assert "Placeringen har gått från 2 av 4 till 1 av 4 (1 = lägst)." in text
        assert "10,0 hushåll per 1\u00a0000 invånare" in text
        assert "Placeringen är densamma." in text
        assert "Plats 1 betyder lägst värde" in text and "Bollebygd inräknad" in text
        assert "Måttet N31001 finns inte i data" in text
        assert "Månadsvärden" not in text  # yearly data
    else:
        assert "In 2022, Bollebygd had 1.0% against a group mean of 3.8% (below the mean), " \
               "rank 1 of 4." in text
        assert "Rank 1 means the lowest value" in text
    assert peer_heading(language) in ("Jämförelse med liknande kommuner",
                                      "Comparison with similar municipalities")


def test_peer_text_monthly_partial_year_and_group_notes():
    panel = monthly_panel()
    table, _ = peer_comparison(panel, {"members": [A, B, C]}, treated=T,
                               outcomes=["unemployment_rate", "households_assistance"])
    text = peer_text(table)
    _assert_descriptive(text, "sv")
    assert "Månadsvärden är omräknade till kalenderår" in text
    assert "2022 är ett ofullständigt år (januari–juni)" in text
    assert "2022 (jan–jun) hade Bollebygd" in text
    assert "ingår inte i listan members" in text  # the treated kommun was added
    _assert_descriptive(peer_text(table, "en"), "en")


def test_peer_comparison_with_a_group_without_data_fails_clearly():
    with pytest.raises(DataError, match="Ingen av kommunerna"):
        peer_comparison(yearly_panel(), {"group": "G3"}, treated=T,
                        outcomes=["unemployment_rate"], groups=_groups())


@pytest.mark.parametrize("language", ["sv", "en"])
def test_peer_rank_table(language, tmp_path):
    from evaluation.report.tables import raw_table, write_table

    table = peer_table(monthly_panel(), treated=T, members=[A, B, C],
                       measures=["unemployment_rate", "households_assistance"])
    out = peer_rank_table(table, language)
    years = ["2021", "2022 (jan–jun)" if language == "sv" else "2022 (Jan–Jun)"]
    assert list(out.columns)[2:] == years and len(out) == 6
    rank_rows = out.iloc[[0, 3]]
    word = "av" if language == "sv" else "of"
    for cell in rank_rows[years].to_numpy().ravel():
        assert re.fullmatch(rf"\d+ {word} \d+|\u2013", cell)
    assert out.iloc[1, 0].endswith("(procent)" if language == "sv" else "(per cent)")
    assert "per 1\u00a0000 invånare" in out.iloc[3, 0] or "per 1,000" in out.iloc[3, 0]
    assert out.iloc[1][years[0]] == ("6,5" if language == "sv" else "6.5")
    assert out.iloc[1, 1] == "Bollebygd"
    raw = raw_table(out)
    assert raw.iloc[1][years[1]] == pytest.approx(3.5)
    assert raw.iloc[0][years[0]] == float(_row(table, "unemployment_rate", 2021, T)["rank"])
    paths = write_table(out, tmp_path, "jamforelse", title="Jämförelse")
    csv = next(p for p in paths if p.suffix == ".csv").read_text(encoding="utf-8")
    assert "3.5" in csv


@pytest.mark.parametrize("language", ["sv", "en"])
def test_peer_figures(language):
    table = peer_table(monthly_panel(), treated=T, members=[A, B, C],
                       measures=["unemployment_rate", "households_assistance"])
    figures = peer_figures(table, language, simulated=True)
    assert [name for name, _ in figures] == ["unemployment_rate_jamforelse",
                                             "households_assistance_jamforelse"]
    fig = figures[1][1]
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    banner = "SIMULERADE DATA" if language == "sv" else "SIMULATED DATA"
    assert banner in texts
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert sorted(ax.get_title(loc="left") for ax in visible) == sorted(
        NAMES[u] for u in (A, B, C))  # one panel per peer
    assert ("per 1\u00a0000 invånare" if language == "sv" else "per 1,000 inhabitants") in texts
    assert pt("fig.disclaimer", language) in texts
    ticks = [t.get_text() for t in visible[-1].get_xticklabels()]
    assert all("\u00a0" not in tick and "," not in tick for tick in ticks)  # years, not numbers
    rest = texts.replace(pt("fig.disclaimer", language), "").casefold()
    assert not [w for w in CAUSAL[language] if w in rest]
    plain = peer_figure(table, "unemployment_rate", language)
    assert banner not in " ".join(t.get_text() for t in plain.texts)
    with pytest.raises(ValueError, match="no measure"):
        peer_figure(table, "N31001", language)


def test_peer_figure_many_peers_and_one_peer():
    rows = []
    codes = [f"14{i:02d}" for i in range(40, 52)]
    for i, u in enumerate(codes):
        for year in (2020, 2021):
            rows.append((u, f"K{i}", str(year), "unemployment_rate", float(i + year - 2020)))
    panel = pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])
    table = peer_table(panel, treated=codes[0], members=codes, measures=["unemployment_rate"])
    fig = peer_figure(table, "unemployment_rate")
    assert sum(ax.get_visible() for ax in fig.axes) == 11
    one = peer_table(panel, treated=codes[0], members=codes[:2],
                     measures=["unemployment_rate"])
    assert sum(ax.get_visible() for ax in peer_figure(one, "unemployment_rate").axes) == 1
    text = peer_text(one)
    assert "med en annan kommun (K1)" in text
    _assert_descriptive(text, "sv")


def test_the_peer_figure_titles_give_the_same_files(automatic_titles):
    """The panels' titles sit at the top (``y=1.0``) instead of being placed on each draw:
    the same files as automatic placement (the shared y axis writes numbers in full)."""
    from evaluation.report.figures import render_figure

    table = peer_table(yearly_panel(), treated=T, members=[A, B, C],
                       measures=["unemployment_rate"])
    fixed = render_figure(peer_figure(table, "unemployment_rate"))
    with automatic_titles():
        placed = render_figure(peer_figure(table, "unemployment_rate"))
    assert fixed["svg"] == placed["svg"] and fixed["png"] == placed["png"]
