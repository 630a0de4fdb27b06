"""An evaluator's own long CSV: declared outcome kinds, a national 00 row, excluded kommuner and a
län evaluated against the other län (issue "Intervals that hold wherever evaluators work").

The panels are made here (yearly, 60 kommuner, riket's 00 row deliberately *not* the mean of the
file's kommuner: a published national series covers kommuner the file lacks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.data.panel import declare_measures, measure_info
from evaluation.evaluate import Evaluation
from evaluation.spec import parse_spec

YEARS = [str(y) for y in range(2008, 2025)]
CODES = [f"{1 + i // 20:02d}{10 + i % 20:02d}" for i in range(60)]
TREATED = "0110"
NATIONAL_POPULATION = 10_000_000.0


@pytest.fixture(autouse=True)
def _fresh_declarations():
    """Each test's evaluation declares its own measures; none leak into other tests."""
    declare_measures({})
    yield
    declare_measures({})


def own_panel(*, population: bool = True, national: bool = True) -> pd.DataFrame:
    """Unemployment (%) and GDP per capita in whole dollars for 60 kommuner (+ riket)."""
    rng = np.random.default_rng(5)
    nat = 7 + np.cumsum(rng.normal(0, 0.3, len(YEARS)))
    gdp = 40_000 * np.exp(np.cumsum(rng.normal(0.02, 0.01, len(YEARS))))
    rows = []
    for i, code in enumerate(CODES):
        pop = float(rng.integers(5_000, 80_000))
        level, growth = rng.normal(0, 1), rng.normal(0, 0.1)
        for j, year in enumerate(YEARS):
            rows.append((code, f"Ort {i}", year, "unemployment_rate",
                         round(nat[j] + level + rng.normal(0, 0.3), 2), pop))
            rows.append((code, f"Ort {i}", year, "gdp_per_capita",
                         float(round(gdp[j] * np.exp(growth + rng.normal(0, 0.02)))), pop))
    frame = pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value",
                                        "population"])
    if national:
        extra = []
        for year in YEARS:
            for measure, shift in (("unemployment_rate", 0.5), ("gdp_per_capita", 1000.0)):
                sub = frame[(frame["period"] == year) & (frame["measure"] == measure)]
                mean = float((sub["value"] * sub["population"]).sum() / sub["population"].sum())
                extra.append(("00", "Riket", year, measure, round(mean + shift, 2),
                              NATIONAL_POPULATION))
        frame = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    frame["source"] = "Egen sammanställning"
    if not population:
        frame = frame.drop(columns="population")
    return frame


def evaluation(tmp_path, panel: pd.DataFrame, extra: str = "", *, treated: str = TREATED,
               outcomes: str = "[unemployment_rate, gdp_per_capita]",
               intervention: str = "2018") -> Evaluation:
    panel.to_csv(tmp_path / "own.csv", index=False)
    text = (f"evaluation_id: own\ndata: own.csv\ntreated: \"{treated}\"\n"
            f"intervention: {intervention}\noutcomes: {outcomes}\n" + extra)
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return Evaluation.from_spec(parse_spec(text, path=str(path)))


GDP_LEVEL = ("outcome_kinds:\n  gdp_per_capita: {kind: level, unit_sv: \"USD per invånare\", "
             "unit_en: \"USD per inhabitant\"}\n")


# --------------------------------------------------------------------------- outcome kinds
def test_whole_dollar_gdp_declared_as_level_gets_every_design(tmp_path):
    """Whole dollars used to make GDP per capita a count needing a population; declared a
    level it is compared as a level by every design and labelled in USD per invånare."""
    ev = evaluation(tmp_path, own_panel(population=False), GDP_LEVEL,
                    outcomes="[gdp_per_capita]")
    info = ev.inputs.measures["gdp_per_capita"]
    assert (info.kind, info.unit_sv, info.origin) == ("level", "USD per invånare", "spec")
    assert measure_info("gdp_per_capita") == info  # what the designs read
    ev.estimate()
    assert not ev.skipped, {k: v.en for k, v in ev.skipped.items()}
    assert {r.design for r in ev.results} == {"decomposition", "its", "synthetic_control",
                                              "did", "sdid"}
    assert all(r.unit == "USD per inhabitant" for r in ev.results)
    from evaluation.report import text

    sentence = text.result_sentence(ev.summary()["results"][0])
    assert "USD per invånare" in sentence and "procentenheter" not in sentence


def test_undeclared_outcome_is_a_level_in_neutral_units(tmp_path):
    ev = evaluation(tmp_path, own_panel(population=False), outcomes="[gdp_per_capita]")
    info = ev.inputs.measures["gdp_per_capita"]
    assert (info.kind, info.unit_sv, info.unit_en, info.declared) == (
        "level", "enheter", "units", False)
    from evaluation.report import text

    described = text.data_text({"results": [{"outcome": "gdp_per_capita"}]},
                               ev.inputs.data_info())
    assert "anges varken i data eller i specifikationen" in described
    assert "procentenheter" not in described


def test_kind_columns_in_the_panel_declare_the_outcome(tmp_path):
    panel = own_panel()
    gdp = panel["measure"] == "gdp_per_capita"
    panel["kind"] = np.where(gdp, "level", "")
    panel["unit_text"] = np.where(gdp, "kr per invånare", "")
    ev = evaluation(tmp_path, panel)
    info = ev.inputs.measures["gdp_per_capita"]
    assert (info.kind, info.unit_sv, info.unit_en, info.origin) == (
        "level", "kr per invånare", "kr per invånare", "data")
    # the spec wins over the data
    ev = evaluation(tmp_path, panel, GDP_LEVEL)
    assert ev.inputs.measures["gdp_per_capita"].unit_sv == "USD per invånare"


# --------------------------------------------------------------------------- the 00 row
def _its(ev: Evaluation, outcome: str):
    ev.estimate()
    return next(r for r in ev.results if r.design == "its" and r.outcome == outcome)


def test_its_comparison_is_the_00_row_without_the_kommun(tmp_path):
    """With population the ITS compares with riket's published row minus the kommun
    (population weights), not with the mean of the file's kommuner."""
    panel = own_panel()
    ev = evaluation(tmp_path, panel, outcomes="[unemployment_rate]")
    result = _its(ev, "unemployment_rate")
    rows = panel[panel["measure"] == "unemployment_rate"]
    nat = rows[rows["unit"] == "00"].set_index("period")["value"]
    own = rows[rows["unit"] == TREATED].set_index("period")
    expected = (nat * NATIONAL_POPULATION - own["value"] * own["population"]) / (
        NATIONAL_POPULATION - own["population"])
    np.testing.assert_allclose(result.frame["comparison"].to_numpy(),
                               expected.reindex(result.frame.index).to_numpy())
    diag = result.diagnostics["comparison_diagnostics"]
    assert diag["national"] is True and diag["includes_treated"] is False
    assert result.diagnostics["comparison_sv"].startswith("Riket (raden 00 i data) utan Ort 0")


def test_comparison_series_of_an_own_csv_is_its_00_row():
    from evaluation.data.panel import validate_panel
    from evaluation.designs.comparison import comparison_series

    panel = validate_panel(own_panel())
    comp = comparison_series(panel, outcome="unemployment_rate", treated=TREATED)
    rows = panel[panel["measure"] == "unemployment_rate"]
    nat = rows[rows["unit"] == "00"].set_index("period")["value"]
    own = rows[rows["unit"] == TREATED].set_index("period")
    expected = (nat * NATIONAL_POPULATION - own["value"] * own["population"]) / (
        NATIONAL_POPULATION - own["population"])
    np.testing.assert_allclose(comp.series.to_numpy(), expected.reindex(comp.series.index))
    kommuner = comparison_series(panel[panel["unit"] != "00"], outcome="unemployment_rate",
                                 treated=TREATED)
    assert not np.allclose(comp.series.to_numpy(), kommuner.series.to_numpy())  # not the mean
    published = comparison_series(validate_panel(own_panel(population=False)),
                                  outcome="unemployment_rate", treated=TREATED)
    np.testing.assert_allclose(published.series.to_numpy(), nat.reindex(
        published.series.index).to_numpy())
    assert published.diagnostics["includes_treated"] is True


def test_its_comparison_without_population_is_the_row_as_published(tmp_path):
    panel = own_panel(population=False)
    ev = evaluation(tmp_path, panel, outcomes="[unemployment_rate]")
    result = _its(ev, "unemployment_rate")
    nat = panel[(panel["measure"] == "unemployment_rate") & (panel["unit"] == "00")]
    np.testing.assert_allclose(result.frame["comparison"].to_numpy(),
                               nat.set_index("period")["value"].reindex(
                                   result.frame.index).to_numpy())
    assert result.diagnostics["comparison_diagnostics"]["includes_treated"] is True
    assert "Ort 0 ingår i serien" in result.diagnostics["comparison_sv"]


def test_without_a_00_row_the_report_names_the_kommuner_not_riket(tmp_path):
    panel = own_panel(population=False, national=False)
    ev = evaluation(tmp_path, panel, outcomes="[unemployment_rate]")
    ev.estimate()
    from evaluation.report import show, text

    info = ev.inputs.data_info() | {"comparisons": show.comparisons(ev)}
    described = text.data_text(ev.summary(), info)
    assert "Ovägt medel av 59 kommuner i data (alla utom Ort 0)" in described
    assert "riket" not in described.casefold()
    # the own file is credited to its source column, not to Arbetsförmedlingen
    assert "Källa: Egen sammanställning." in described
    assert "Arbetsförmedlingen" not in described


# --------------------------------------------------------------------------- exclusions
def test_excluded_kommuner_leave_the_its_and_the_decomposition(tmp_path):
    neighbours = ["0111", "0112"]
    extra = f"donors:\n  exclude: [\"{neighbours[0]}\"]\n  similar_reforms: [\"{neighbours[1]}\"]\n"
    # no 00 row: the comparison is the mean of the other kommuner, without the neighbours
    ev = evaluation(tmp_path, own_panel(national=False), extra, outcomes="[unemployment_rate]")
    ev.estimate()
    for design in ("its", "decomposition"):
        r = next(r for r in ev.results if r.design == design)
        units = r.diagnostics["comparison_diagnostics"]["units"]
        assert len(units) == 57 and not set(neighbours) & set(units)
    decomposition = next(r for r in ev.results if r.design == "decomposition")
    assert not set(neighbours) & set(decomposition.diagnostics["units"])
    pool = ev.donor_pools["unemployment_rate"]
    assert not set(neighbours) & set(pool.members)
    # with a 00 row and population they are subtracted from it like the kommun itself
    ev = evaluation(tmp_path, own_panel(), extra, outcomes="[unemployment_rate]")
    its = _its(ev, "unemployment_rate").diagnostics["comparison_diagnostics"]
    assert its["subtracted"] == [TREATED, *neighbours] and its["excluded_included"] == []


def test_a_published_row_that_keeps_the_excluded_says_so(tmp_path):
    ev = evaluation(tmp_path, own_panel(population=False), "donors:\n  exclude: [\"0111\"]\n",
                    outcomes="[unemployment_rate]")
    result = _its(ev, "unemployment_rate")
    assert result.diagnostics["comparison_diagnostics"]["excluded_included"] == ["0111"]
    assert "de uteslutna Ort 1 ingår i den publicerade serien" in \
        result.diagnostics["comparison_sv"]


# --------------------------------------------------------------------------- a län
def test_a_lan_is_compared_with_the_other_lan(tmp_path):
    from evaluation.data.reference import county_unemployment_panel
    from evaluation.errors import DataError

    try:
        panel = county_unemployment_panel()
    except DataError as exc:
        pytest.skip(str(exc))
    ev = evaluation(tmp_path, panel, treated="20", outcomes="[unemployment_rate]",
                    intervention="2022-06", extra="post_end: 2023-05\n")
    ev.estimate()
    assert not ev.skipped, {k: v.en for k, v in ev.skipped.items()}
    pool = ev.donor_pools["unemployment_rate"]
    assert pool.n == 20 and all(len(u) == 2 and u not in ("00", "20") for u in pool.members)
    designs = {r.design for r in ev.results}
    assert {"synthetic_control", "did", "sdid"} <= designs
    assert "20 län" in pool.text()


def test_a_lan_report_counts_lan(tmp_path):
    """The data section counts units of the evaluated kind (21 län, not 0 kommuner)."""
    from evaluation.data.reference import county_unemployment_panel
    from evaluation.errors import DataError
    from evaluation.report import text

    try:
        panel = county_unemployment_panel()
    except DataError as exc:
        pytest.skip(str(exc))
    ev = evaluation(tmp_path, panel, treated="20", outcomes="[unemployment_rate]",
                    intervention="2022-06")
    info = ev.inputs.data_info()
    assert (info["n_units"], info["unit_type"]) == (21, "lan")
    described = text.data_text({"results": [{"outcome": "unemployment_rate"}]}, info)
    assert "för 21 län." in described


def test_summary_is_rebuilt_when_a_step_changes_the_evaluation(tmp_path):
    """``Evaluation.summary`` is built once per state: asked twice it is built once; after a
    step that adds results or checks it is built again and shows them; a caller changing its
    copy does not change what the next caller gets."""
    ev = evaluation(tmp_path, own_panel(population=False), GDP_LEVEL + "designs: [its]\n",
                    outcomes="[gdp_per_capita]")
    built = []
    original = ev._build_summary
    ev._build_summary = lambda: built.append(1) or original()
    empty = ev.summary()
    assert ev.summary() == empty and len(built) == 1 and not empty["results"]
    ev.estimate()
    estimated = ev.summary()
    assert len(built) == 2 and [r["design"] for r in estimated["results"]] == ["its"]
    estimated["results"].clear()
    assert ev.summary()["results"] and len(built) == 2
    ev.assess()
    assert ev.summary()["checks"] != estimated["checks"] and len(built) == 3
