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
    assert df.attrs["number_formats"]["Relativ effekt"] == "0.0%"


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
    assert ws["A1"].value == "Resultat – Exempelstad"
    assert ws["A2"].value == "SIMULERADE DATA – fiktiv kommun"
    assert ws["A4"].value == "Utfall" and ws["A4"].font.bold
    assert ws["C5"].value == -0.91 and isinstance(ws["C5"].value, float)
    assert ws["F6"].number_format == "0.0%"
    assert ws.column_dimensions["A"].width > len("Utfall")
    assert ws.freeze_panes == "A5"

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
    assert ws["A1"].value == "Period"  # no title, no banner: the header comes first


def test_formatted_tables_write_text_for_people_and_numbers_for_machines(tmp_path):
    df = TB.results_table(_results())
    xlsx, csv = TB.write_table(df, tmp_path, "resultat", simulated=True)
    ws = load_workbook(xlsx).active
    assert ws["C4"].value == f"{MINUS}0,9 procentenheter"  # banner, blank line, header, data
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
