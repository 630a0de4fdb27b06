"""Tables: human-readable results, per-period table, XLSX for people and CSV for machines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluation.report import tables as TB
from evaluation.results import EffectResult

NB = "\u00a0"
MINUS = "\u2212"


def _results(truth: bool = True) -> list[dict]:
    rate = {
        "outcome": "unemployment_rate", "design": "its", "estimand": "average_effect",
        "post_window": ["2022-04", "2023-03"], "average_effect": -0.91, "relative_effect": None,
        "ci": [-1.31, -0.52], "relative_ci": None, "unit": "pp", "p_value": 0.0004,
        "p_value_method": "ar1", "weights": None, "ci_level": 0.95,
        "truth": {"average_effect": -1.0} if truth else None,
    }
    count = dict(rate, outcome="households_assistance", design="decomposition",
                 average_effect=-17.6, relative_effect=-0.142, ci=None, relative_ci=None,
                 unit="households", p_value=None,
                 truth={"average_effect": -20.0, "relative_effect": -0.15} if truth else None)
    return [rate, count]


def _effect_result() -> EffectResult:
    periods = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05"]
    frame = pd.DataFrame({"observed": [7.5, 7.4, 7.6, 6.9, 6.8],
                          "counterfactual": [7.5, 7.45, 7.55, 7.7, 7.8],
                          "post": [False, False, False, True, True]}, index=periods)
    frame["effect"] = frame["observed"] - frame["counterfactual"]
    return EffectResult("its", "unemployment_rate", "rate", "pp", "9999", "Exempelstad", "2022-04",
                        ("2022-04", "2022-05"), frame, -0.9, (-1.2, -0.6), 0.01, "ar1")


def test_results_table_swedish():
    df = TB.results_table(_results())
    assert list(df.columns) == ["Utfall", "Metod", "Skattad effekt", f"95{NB}% KI",
                                "Relativ effekt", "p-värde", "Bedömning", "Sant värde"]
    first, second = df.iloc[0], df.iloc[1]
    assert first["Utfall"] == "Inskrivna arbetslösa, andel av arbetskraften"
    assert first["Metod"] == "Avbruten tidsserie mot jämförelseserien"
    assert first["Skattad effekt"] == f"{MINUS}0,9 procentenheter"
    assert first[f"95{NB}% KI"] == f"{MINUS}1,3 till {MINUS}0,5"
    assert first["Relativ effekt"] == "–"
    assert first["p-värde"] == "< 0,001"
    assert first["Bedömning"] == "statistiskt säkerställd minskning"
    assert first["Sant värde"] == f"{MINUS}1,0 procentenheter"
    assert second["Skattad effekt"] == f"{MINUS}18 hushåll"
    assert second["Relativ effekt"] == f"{MINUS}14,2{NB}%"
    assert second[f"95{NB}% KI"] == "ej prövbar"
    assert second["p-värde"] == "–"
    assert second["Sant värde"] == f"{MINUS}20 hushåll ({MINUS}15,0{NB}%)"
    assert not df.astype(str).apply(lambda c: c.str.contains("nan", case=False)).any().any()


def test_results_table_english_without_truth():
    df = TB.results_table(_results(truth=False), "en")
    assert list(df.columns) == ["Outcome", "Method", "Effect estimate", "95% CI",
                                "Relative effect", "p-value", "Assessment"]
    assert df.iloc[0]["Effect estimate"] == "-0.9 percentage points"


def test_results_table_raw_numbers():
    df = TB.results_table(_results(), formatted=False)
    assert df["Skattad effekt"].tolist() == [-0.91, -17.6]
    assert df["KI nedre"].iloc[0] == -1.31 and np.isnan(df["KI nedre"].iloc[1])
    assert df["Sant relativt värde"].iloc[1] == -0.15
    assert df.attrs["number_formats"]["Relativ effekt"] == f'0.0%;"{MINUS}"0.0%'


def test_effects_table():
    df = TB.effects_table(_effect_result())
    assert list(df.columns) == ["Period", "Observerat", "Kontrafaktiskt", "Effekt", "Efterperiod"]
    assert df["Period"].iloc[3] == "april 2022"
    assert df["Effekt"].iloc[3] == f"{MINUS}0,80"
    assert df["Efterperiod"].tolist() == ["nej", "nej", "nej", "ja", "ja"]
    raw = TB.effects_table(_effect_result(), "en", formatted=False)
    assert raw["Period"].iloc[0] == "2022-01"
    assert raw["Effect"].iloc[3] == pytest.approx(-0.8)
    assert raw["Post-period"].dtype == bool


def test_write_table_xlsx_for_people_csv_for_machines(tmp_path):
    df = TB.results_table(_results(), formatted=False)
    xlsx, csv = TB.write_table(df, tmp_path, "resultat", title="Resultat – Exempelstad",
                               simulated=True)
    assert (xlsx.name, csv.name) == ("resultat.xlsx", "resultat.csv")
    ws = load_workbook(xlsx).active
    assert ws.title == "Resultat"
    assert ws["A1"].value == "Resultat – Exempelstad"
    assert ws["A2"].value == "SIMULERADE DATA – fiktiv kommun"
    assert ws["A4"].value == "Utfall" and ws["A4"].font.bold
    assert ws["C5"].value == -0.91 and isinstance(ws["C5"].value, float)
    assert ws["C5"].number_format == f'#,##0.00;"{MINUS}"#,##0.00'  # rates: two decimals
    assert ws["C6"].number_format == f'#,##0.0;"{MINUS}"#,##0.0'  # counts: one
    assert ws["F4"].value == "Relativ effekt (%)"
    assert ws["F6"].number_format == f'0.0%;"{MINUS}"0.0%'
    assert ws["I5"].value == 0.0004 and ws["I5"].number_format.startswith('[<0.001]"< 0,001"')
    assert ws.column_dimensions["A"].width > len("Utfall")
    assert ws.freeze_panes == "A5"
    assert ws["A8"].value == "Källa: Egen bearbetning"  # a blank row, then the source
    # the styles people see: title, banner, header and source line
    assert ws["A1"].font.bold and ws["A1"].font.sz == 13
    assert ws["A2"].font.bold and ws["A2"].font.color.rgb.endswith("B00020")
    header = ws["C4"]
    assert header.fill.fgColor.rgb.endswith("E7E6E6") and header.fill.fill_type == "solid"
    assert header.border.bottom.style == "thin" and header.alignment.vertical == "top"
    assert ws["A8"].font.italic and ws["A8"].font.sz == 9
    assert ws["A5"].value == "Inskrivna arbetslösa, andel av arbetskraften"  # text, not a number
    props = load_workbook(xlsx).properties  # the file's properties as Excel shows them
    assert props.creator == "evaluation" and props.title == "Resultat – Exempelstad"
    assert props.created == TB.FIXED_TIMESTAMP

    text = csv.read_text(encoding="utf-8")
    assert "SIMULERADE" not in text and "Resultat –" not in text
    assert text.splitlines()[0].startswith("Utfall,Metod,Skattad effekt")
    back = pd.read_csv(csv)
    assert back["Skattad effekt"].tolist() == [-0.91, -17.6]
    assert back["Utfall"].iloc[1] == "Hushåll med ekonomiskt bistånd"


def test_write_table_is_deterministic_and_leaves_no_temp_files(tmp_path):
    df = TB.effects_table(_effect_result(), formatted=False)
    first = [p.read_bytes() for p in TB.write_table(df, tmp_path, "per_period")]
    second = [p.read_bytes() for p in TB.write_table(df, tmp_path, "per_period")]
    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["per_period.csv", "per_period.xlsx"]
    ws = load_workbook(tmp_path / "per_period.xlsx").active
    # the table's own title in words, no banner, a blank line, the header
    assert ws["A1"].value == ("Inskrivna arbetslösa, andel av arbetskraften i Exempelstad – "
                              "Avbruten tidsserie mot jämförelseserien")
    assert ws["A3"].value == "Period"
    assert ws.title == "ITS – arbetslöshet"


def test_formatted_tables_write_text_for_people_and_numbers_for_machines(tmp_path):
    df = TB.results_table(_results())
    xlsx, csv = TB.write_table(df, tmp_path, "resultat", simulated=True)
    ws = load_workbook(xlsx).active
    assert ws["C3"].value == "Skattad effekt"  # banner, blank line, header, data
    assert ws["C4"].value == -0.91  # a number, shown with its unit in the "Enhet" column
    assert ws["J3"].value == "Enhet" and ws["J4"].value == "procentenheter"
    assert ws["D5"].value is None  # "ej prövbar": no interval, an empty number cell …
    assert ws["K5"].value == "ej prövbar"  # … and the assessment says why
    back = pd.read_csv(csv)
    assert back["Skattad effekt"].tolist() == [-0.91, -17.6]
    assert back["KI nedre"].iloc[0] == -1.31 and np.isnan(back["KI nedre"].iloc[1])
    assert "SIMULERADE" not in csv.read_text(encoding="utf-8")

    per_period = TB.effects_table(_effect_result())
    _, csv = TB.write_table(per_period, tmp_path, "per_period")
    back = pd.read_csv(csv, dtype={"Period": str})
    assert back["Period"].tolist()[0] == "2022-01"
    assert back["Effekt"].iloc[3] == pytest.approx(-0.8)
    assert back["Efterperiod"].tolist() == [False, False, False, True, True]
    # a table filtered after formatting falls back to what is shown
    assert TB.raw_table(per_period.iloc[:2]) is not None
    assert TB.raw_table(per_period.iloc[:2])["Period"].iloc[0] == "januari 2022"
    pd.concat([df, df])  # the numeric twin in attrs does not break pandas operations


# --------------------------------------------------------------------------- XLSX for people
def _sheet_rows(path) -> tuple[object, int, list[str]]:
    """The sheet, the header row's number and the header (the row that starts the table)."""
    ws = load_workbook(path).active
    for row in range(1, 8):
        if ws.cell(row=row, column=1).value in ("Utfall", "Outcome", "Period", "Kommunkod"):
            return ws, row, [c.value for c in ws[row] if c.value is not None]
    raise AssertionError("no header row")


def _column(ws, header_row: int, header: list[str], name: str) -> list:
    j = header.index(name) + 1
    values = []
    row = header_row + 1
    while ws.cell(row=row, column=1).value is not None:
        values.append(ws.cell(row=row, column=j).value)
        row += 1
    return values


def test_results_xlsx_estimates_are_numbers_that_can_be_summed(tmp_path):
    xlsx, _ = TB.write_table(TB.results_table(_results()), tmp_path, "resultat")
    ws, head, header = _sheet_rows(xlsx)
    estimates = _column(ws, head, header, "Skattad effekt")
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in estimates)
    assert sum(estimates) == pytest.approx(-0.91 - 17.6)
    assert _column(ws, head, header, "Relativ effekt (%)") == [None, -0.142]
    assert _column(ws, head, header, "Enhet") == ["procentenheter", "hushåll"]
    assert _column(ws, head, header, "Bedömning")[0] == "statistiskt säkerställd minskning"
    # words stay words, numbers are never text
    for name in header:
        for v in _column(ws, head, header, name):
            assert not (isinstance(v, str) and TB._parse_display(v, "sv") is not None), (name, v)


def test_results_xlsx_with_one_unit_puts_it_in_the_headers(tmp_path):
    rate = _results()[0]
    rows = [rate, dict(rate, design="did", average_effect=-0.7, ci=[-1.2, -0.2])]
    xlsx, _ = TB.write_table(TB.results_table(rows, "en"), tmp_path, "results")
    ws, head, header = _sheet_rows(xlsx)
    assert ws.title == "Results"
    assert "Effect estimate (percentage points)" in header
    assert "CI lower (percentage points)" in header and "Unit" not in header
    assert sum(_column(ws, head, header, "Effect estimate (percentage points)")) == \
        pytest.approx(-1.61)
    assert ws.cell(row=head + len(rows) + 2, column=1).value == "Source: Own calculations"


def test_effects_xlsx_numbers_units_and_words(tmp_path):
    result = _effect_result()
    xlsx, csv = TB.write_table(TB.effects_table(result), tmp_path, "unemployment_rate_its",
                               source="SCB")
    ws, head, header = _sheet_rows(xlsx)
    assert header == ["Period", "Observerat (%)", "Kontrafaktiskt (%)",
                      "Effekt (procentenheter)", "Efterperiod"]
    effects = _column(ws, head, header, "Effekt (procentenheter)")
    assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in effects)
    assert sum(effects) == pytest.approx(float(result.frame["effect"].sum()))
    assert _column(ws, head, header, "Period")[3] == "april 2022"
    assert _column(ws, head, header, "Efterperiod") == ["nej", "nej", "nej", "ja", "ja"]
    assert ws.cell(row=head + 1, column=4).number_format == f'#,##0.00;"{MINUS}"#,##0.00'
    assert ws.cell(row=head + 7, column=1).value == "Källa: SCB, egen bearbetning"
    assert ws.title == "ITS – arbetslöshet"
    assert pd.read_csv(csv, dtype={"Period": str})["Period"].iloc[3] == "2022-04"  # machines


def test_count_effects_carry_their_units_and_the_comparison_scale(tmp_path):
    periods = ["2022-01", "2022-02", "2022-03", "2022-04"]
    frame = pd.DataFrame({"observed": [210.0, 205, 200, 180],
                          "counterfactual": [210.0, 206, 201, 199],
                          "comparison": [17.1, 17.0, 16.9, 16.8],
                          "post": [False, False, False, True]}, index=periods)
    frame["effect"] = frame["observed"] - frame["counterfactual"]
    result = EffectResult("synthetic_control", "households_assistance", "count", "households",
                          "9999", "Exempelstad", "2022-04", ("2022-04", "2022-04"), frame, -19.0,
                          None, None, "none",
                          diagnostics={"comparison_diagnostics": {"scale": "per_1000"}})
    xlsx, _ = TB.write_table(TB.effects_table(result), tmp_path,
                             "households_assistance_synthetic_control",
                             title="synthetic_control – households_assistance")
    ws, head, header = _sheet_rows(xlsx)
    assert "Effekt (hushåll)" in header and "Observerat (hushåll)" in header
    assert f"Jämförelseserie (hushåll per 1{NB}000 invånare)" in header
    assert ws.title == "Syntetisk kontroll – hushåll"
    assert ws["A1"].value == ("Hushåll med ekonomiskt bistånd i Exempelstad – "
                              "Syntetisk kontroll")  # codes in the title become words


def test_weights_xlsx(tmp_path):
    result = _effect_result()
    result.design = "synthetic_control"
    result.weights = {"unit": {"0114": 0.75, "0115": 0.25}}
    result.diagnostics = {"donor_pool": {"member_names": {"0114": "Upplands Väsby",
                                                          "0115": "Vallentuna"}}}
    shown = TB.weights_table(result)
    assert shown["Vikt"].tolist() == ["0,750", "0,250"]  # for the notebook
    xlsx, _ = TB.write_table(shown, tmp_path, "unemployment_rate_synthetic_control_vikter")
    ws, head, header = _sheet_rows(xlsx)
    assert header == ["Kommunkod", "Kommun", "Vikt"]
    assert sum(_column(ws, head, header, "Vikt")) == pytest.approx(1.0)
    assert _column(ws, head, header, "Kommunkod") == ["0114", "0115"]  # codes stay text
    assert ws.title == "Vikter SCM – arbetslöshet"


def test_a_table_with_ranks_in_words_keeps_them_and_writes_numbers_as_numbers(tmp_path):
    """Any table with a numeric twin (the peer and target tables): number-like cells become
    numbers, worded cells ("3 av 4") stay text, "–" becomes an empty cell."""
    shown = pd.DataFrame({"Rad": ["Rang", "Exempelstad"], "2021": ["3 av 4", "6,5"],
                          "2022": ["–", f"{MINUS}1{NB}234,5"], "Andel": ["45 %", "5 %"]})
    raw = pd.DataFrame({"Rad": ["Rang", "Exempelstad"], "2021": [3.0, 6.5],
                        "2022": [None, -1234.5], "Andel": [0.45, 0.05]})
    TB._attach_raw(shown, raw)
    xlsx, _ = TB.write_table(shown, tmp_path, "jamforelse")
    ws = load_workbook(xlsx).active
    assert ws.title == "Jämförelse"
    assert [c.value for c in ws[2]] == ["Rang", "3 av 4", None, 0.45]
    assert [c.value for c in ws[3]] == ["Exempelstad", 6.5, -1234.5, 0.05]
    assert ws["B3"].number_format == f'#,##0.0;"{MINUS}"#,##0.0'
    assert ws["D3"].number_format == f'0%;"{MINUS}"0%'


def test_sheet_names_are_human_short_and_unique():
    assert TB.sheet_name("Resultat") == "Resultat"
    assert TB.sheet_name(["Syntetisk kontroll", "Synt. kontroll", "SCM"], "arbetslöshet") == \
        "Synt. kontroll – arbetslöshet"
    long = TB.sheet_name("Inskrivna arbetslösa, andel av arbetskraften", "Syntetisk kontroll")
    assert long == "Inskrivna – Syntetisk kontroll"  # words dropped from the longest part
    assert all(word in "Inskrivna arbetslösa, andel av arbetskraften Syntetisk kontroll"
               for word in long.replace("–", " ").split())  # whole words only
    assert TB.sheet_name("Nationell/lokal: [x]") == "Nationell-lokal- -x-"
    assert TB.unique_sheet_names(["Resultat", "resultat", "Resultat"]) == [
        "Resultat", "resultat (2)", "Resultat (3)"]
    stems = {
        "resultat": "Resultat", "kanslighet": "Känslighet", "mal": "Mål",
        "jamforelse": "Jämförelse",
        "households_assistance_its": "ITS – hushåll",
        "households_assistance_synthetic_control": "Syntetisk kontroll – hushåll",
        "unemployment_rate_synthetic_control": "Synt. kontroll – arbetslöshet",
        "unemployment_rate_structural": "Strukt. modell – arbetslöshet",
        "unemployment_rate_decomposition": "Uppdelning – arbetslöshet",
        "households_assistance_sdid_vikter": "Vikter SDID – hushåll",
        "unemployment_rate_jamforelse": "Jämförelse – arbetslöshet",
    }
    for stem, name in stems.items():
        assert TB._sheet_from_stem(stem, "sv") == name, stem
        assert len(name) <= 31 and "_" not in name
    assert TB._sheet_from_stem("households_assistance_synthetic_control", "en") == \
        "Synthetic control – households"
