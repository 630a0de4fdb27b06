"""Bad values never become a finding (issue "Bad input never becomes a published finding"):
each check refuses its case with one sentence naming the value, and lets clean data through.

Panels are made here: 40 real kommun codes (SCB's list, the copy beside the case tests:
tests/cases/data/kommuner.csv, see its SOURCES.md) and riket, monthly
2018-01–2023-12, unemployment (%) and households (count), the change in 2022-04. Each test
plants one defect in a copy of the clean panel and runs `evaluation check` in-process on a
spec pointing at it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.cli import main
from evaluation.data import validity
from evaluation.data.validity import known_codes

CODE_LIST = Path(__file__).resolve().parents[1] / "cases" / "data" / "kommuner.csv"

MONTHS = [p.strftime("%Y-%m") for p in pd.period_range("2018-01", "2023-12", freq="M")]
CODES = sorted(c for c in known_codes(CODE_LIST) if len(c) == 4)[:40]


@pytest.fixture(autouse=True)
def _code_list(monkeypatch):
    """The checks read SCB's code list from the copy beside the case tests."""
    monkeypatch.setattr(validity, "codes_path", lambda: CODE_LIST)
TREATED = CODES[0]


def clean_panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for code in ["00", *CODES]:
        level, size = rng.uniform(4, 9), rng.uniform(80, 400)
        for t, month in enumerate(MONTHS):
            rows.append((code, f"K{code}", month, "unemployment_rate",
                         round(level + 0.5 * np.sin(t / 5) + rng.normal(0, 0.2), 1)))
            rows.append((code, f"K{code}", month, "households_assistance",
                         float(rng.poisson(size * (40 if code == "00" else 1)))))
    return pd.DataFrame(rows, columns=["unit", "unit_name", "period", "measure", "value"])


def _check(tmp_path, panel: pd.DataFrame, capsys, outcomes=("unemployment_rate",
                                                             "households_assistance")):
    data = tmp_path / "panel.csv"
    panel.to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f'evaluation_id: bad\ndata: {data}\ntreated: "{TREATED}"\n'
                    f"intervention: 2022-04\noutcomes: [{', '.join(outcomes)}]\n",
                    encoding="utf-8")
    code = main(["check", str(spec)])
    out = capsys.readouterr()
    return code, out.out + out.err


def _plant(panel: pd.DataFrame, unit: str, period: str, measure: str, value) -> pd.DataFrame:
    out = panel.copy()
    mask = (out["unit"] == unit) & (out["period"] == period) & (out["measure"] == measure)
    out["value"] = out["value"].astype(object)
    out.loc[mask, "value"] = value
    return out


def test_clean_panel_passes(tmp_path, capsys):
    code, said = _check(tmp_path, clean_panel(), capsys)
    assert code == 0, said


@pytest.mark.parametrize(("unit", "measure", "value", "words"), [
    (TREATED, "unemployment_rate", "inf", "inte ett ändligt tal"),
    (CODES[5], "unemployment_rate", "-inf", "inte ett ändligt tal"),
    (TREATED, "unemployment_rate", 150.0, "en andel utanför 0–100 %"),
    (CODES[3], "unemployment_rate", -0.4, "en andel utanför 0–100 %"),
    (CODES[7], "households_assistance", -12.0, "ett negativt antal"),
    (TREATED, "households_assistance", 147.5, "ett antal som inte är ett heltal"),
])
def test_impossible_values_are_refused_by_name(tmp_path, capsys, unit, measure, value, words):
    panel = _plant(clean_panel(), unit, "2020-06", measure, value)
    code, said = _check(tmp_path, panel, capsys)
    assert code != 0
    assert words in said and unit in said and "2020-06" in said and measure in said
    assert "Traceback" not in said


def test_a_constant_pre_period_is_refused(tmp_path, capsys):
    """Every rate 5.0 before the change: a constant series once gave '95 % KI 0,000 till
    0,000' and 'statistiskt säkerställd'."""
    panel = clean_panel()
    mask = ((panel["unit"] == TREATED) & (panel["measure"] == "unemployment_rate")
            & (panel["period"] < "2022-04"))
    panel.loc[mask, "value"] = 5.0
    code, said = _check(tmp_path, panel, capsys)
    assert code != 0 and "utan variation" in said and TREATED in said


def test_an_unknown_code_among_real_ones_is_named_with_the_nearest(tmp_path, capsys):
    panel = clean_panel()
    extra = panel[panel["unit"] == CODES[1]].copy()
    extra["unit"] = "9999"
    code, said = _check(tmp_path, pd.concat([panel, extra]), capsys)
    assert code != 0 and "'9999'" in said and "närmast giltiga kod" in said


def test_without_the_code_list_unknown_codes_are_not_checked(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(validity, "codes_path", lambda: tmp_path / "absent.csv")
    panel = clean_panel()
    extra = panel[panel["unit"] == CODES[1]].copy()
    extra["unit"] = "9999"
    code, said = _check(tmp_path, pd.concat([panel, extra]), capsys)
    assert code == 0, said


def test_fictional_codes_are_not_called_typos(tmp_path, capsys):
    """A panel of made-up codes (like the demo's or a foreign data set) is not checked
    against the Swedish list."""
    panel = clean_panel()
    mapping = {c: f"{9000 + i}" for i, c in enumerate(CODES)}
    panel["unit"] = panel["unit"].map(lambda u: mapping.get(u, u))
    data_treated = mapping[TREATED]
    data = tmp_path / "panel.csv"
    panel.to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f'evaluation_id: fiction\ndata: {data}\ntreated: "{data_treated}"\n'
                    "intervention: 2022-04\n", encoding="utf-8")
    assert main(["check", str(spec)]) == 0, capsys.readouterr()


def test_a_header_only_file_is_one_sentence_not_a_traceback(tmp_path, capsys):
    code, said = _check(tmp_path, clean_panel().iloc[0:0], capsys)
    assert code != 0 and "har inga rader med värden" in said and "Traceback" not in said


def test_a_spec_saved_as_cp1252_is_read(tmp_path, capsys):
    """A spec saved by Notepad/Excel on a Swedish Windows (cp1252, å ä ö in comments and the
    title) is read as it was meant."""
    data = tmp_path / "panel.csv"
    clean_panel().to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_bytes((f'# Utvärdering av förändringen i {TREATED}\nevaluation_id: latin\n'
                      f'title: "Sammanslagning i Åsele"\ndata: {data}\ntreated: "{TREATED}"\n'
                      "intervention: 2022-04\n").encode("cp1252"))
    assert main(["check", str(spec)]) == 0, capsys.readouterr()
    from evaluation.spec import load_spec

    assert load_spec(spec).title == "Sammanslagning i Åsele"
