"""The configurable file importer and its shipped mappings.

References: the documented layouts (Arbetsförmedlingen's monthly statistics per kommun: Kommun,
Kommunkod, Månad, Antal inskrivna arbetslösa, Andel (%); Socialstyrelsen's ekonomiskt bistånd
export: År, Månad, Antal hushåll, Utbetalt ekonomiskt bistånd tkr — see
``shared/data/fixtures/API_NOTES.md``), small files made here in those layouts with the expected
panel written out by hand, and the real county panel
``shared/data/sweden/scb_bas_monthly_lan_riket_2020-01_2024-01.csv`` compared with
:func:`evaluation.data.reference.county_unemployment_panel`.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evaluation.data import store
from evaluation.errors import DataError
from evaluation.sources import importer
from evaluation.sources.importer import import_file, load_mapping

COLS = ["unit", "unit_name", "period", "measure", "value", "unit_type", "status", "source"]


def _xlsx(path, rows, sheet="Blad1", extra_sheets=()):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for name in extra_sheets:
        book.create_sheet(name)
    book.save(path)
    return path


def _expected(rows):
    frame = pd.DataFrame(rows, columns=COLS)
    frame["value"] = frame["value"].astype(float)
    return frame.sort_values(["measure", "unit", "period"]).reset_index(drop=True)


def _af_rows():
    """Arbetsförmedlingen layout: title, blank row, header on row 3, data, footnote."""
    return [
        ["Inskrivna arbetslösa 16-65 år, andel av registerbaserad arbetskraft"],
        [],
        ["Kommun", "Kommunkod", "Månad", "Antal inskrivna arbetslösa", "Andel (%)"],
        ["Arboga", 1984, "2024-01", 612, "8,1"],
        ["Arboga", 1984, dt.datetime(2024, 2, 29), 598, 7.9],
        ["Upplands Väsby", 114, "2024M01", "<5", ".."],
        ["Upplands Väsby", "0114", "februari 2024", "1 203", "4,25"],
        ["Riket", None, "2024-01", 354000, "6,8"],
        [],
        ["Källa: Arbetsförmedlingen"],
    ]


# --------------------------------------------------------------------------- happy paths
def test_arbetsformedlingen_xlsx_exact_panel(tmp_path):
    """Shipped mapping: header on row 3, codes without leading zero padded, text numbers with
    decimal comma and thousands space, "<5"/".." suppressed, Excel dates, Riket by name."""
    path = _xlsx(tmp_path / "af.xlsx", _af_rows())
    panel = import_file(path, "arbetsformedlingen_monthly")
    src = "Arbetsförmedlingen, månadsstatistik"
    expected = _expected([
        ["0114", "Upplands Väsby", "2024-01", "unemployed", np.nan, "kommun", "suppressed", src],
        ["0114", "Upplands Väsby", "2024-02", "unemployed", 1203, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-01", "unemployed", 612, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-02", "unemployed", 598, "kommun", "preliminary", src],
        ["00", "Riket", "2024-01", "unemployed", 354000, "riket", "preliminary", src],
        ["0114", "Upplands Väsby", "2024-01", "unemployment_rate", np.nan, "kommun", "suppressed", src],
        ["0114", "Upplands Väsby", "2024-02", "unemployment_rate", 4.25, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-01", "unemployment_rate", 8.1, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-02", "unemployment_rate", 7.9, "kommun", "preliminary", src],
        ["00", "Riket", "2024-01", "unemployment_rate", 6.8, "riket", "preliminary", src],
    ])
    pd.testing.assert_frame_equal(panel[COLS], expected)


def test_socialstyrelsen_csv_cp1252_decimal_comma(tmp_path):
    """Shipped mapping on a cp1252 ';' export: År filled down, month names, 'Totalt' row dropped,
    '1 234,5' parsed, '..' suppressed, fixed kommun code from the mapping."""
    text = (
        "År;Månad;Antal hushåll;Utbetalt ekonomiskt bistånd tkr\r\n"
        "2024;januari;159;1 234,5\r\n"
        ";februari;161;1 250,0\r\n"
        ";mars;..;980\r\n"
        "2024;Totalt;480;3464,5\r\n"
    )
    path = tmp_path / "ekb.csv"
    path.write_bytes(text.encode("cp1252"))
    mapping = load_mapping("socialstyrelsen_ekonomiskt_bistand")
    mapping["unit"] = {"code": "1984", "name": "Arboga"}
    panel = import_file(path, mapping)
    src = "Socialstyrelsen, ekonomiskt bistånd per månad"
    expected = _expected([
        ["1984", "Arboga", "2024-01", "households_assistance", 159, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-02", "households_assistance", 161, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-03", "households_assistance", np.nan, "kommun", "suppressed", src],
        ["1984", "Arboga", "2024-01", "assistance_paid_tkr", 1234.5, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-02", "assistance_paid_tkr", 1250.0, "kommun", "preliminary", src],
        ["1984", "Arboga", "2024-03", "assistance_paid_tkr", 980.0, "kommun", "preliminary", src],
    ])
    pd.testing.assert_frame_equal(panel[COLS], expected)
    # the same file saved as UTF-8 reads identically with encoding utf-8
    utf8 = tmp_path / "ekb_utf8.csv"
    utf8.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    pd.testing.assert_frame_equal(import_file(utf8, {**mapping, "encoding": "utf-8"}), panel)


def test_own_series_template_xlsx_and_placeholder_code(tmp_path):
    """The template reads its documented example once the kommun code is filled in; left at
    '0000' it says what to change."""
    path = _xlsx(tmp_path / "egna.xlsx", [
        ["År", "Månad", "AME-deltagare", "Hushåll långvarigt bistånd"],
        [2023, 1, 41, 17],
        [2023, 2, 44, "<5"],
        [2023, 3, None, 15],
    ])
    with pytest.raises(DataError, match="0000") as info:
        import_file(path, "own_series_template")
    assert "kommun code" in info.value.text("en")
    mapping = {**load_mapping("own_series_template"), "unit": {"code": 1984, "name": "Arboga"}}
    panel = import_file(path, mapping)
    src = "Kommunens egna uppgifter"
    expected = _expected([
        ["1984", "Arboga", "2023-01", "ame_participants", 41, "kommun", "final", src],
        ["1984", "Arboga", "2023-02", "ame_participants", 44, "kommun", "final", src],
        ["1984", "Arboga", "2023-01", "households_long_term_assistance", 17, "kommun", "final", src],
        ["1984", "Arboga", "2023-02", "households_long_term_assistance", np.nan, "kommun",
         "suppressed", src],
        ["1984", "Arboga", "2023-03", "households_long_term_assistance", 15, "kommun", "final", src],
    ])
    pd.testing.assert_frame_equal(panel[COLS], expected)


def test_yearly_csv_latin1_with_code_column_and_raw_store(tmp_path):
    """A yearly latin-1 CSV with a unit code column ("1984 Arboga" split into code and name),
    thousands '.', stored as received in the raw store when asked."""
    path = tmp_path / "årsdata.csv"
    path.write_bytes("Kommun;År;Långvarigt bistånd\n1984 Arboga;2022;1.059\n"
                     "1984 Arboga;2023;1.001,5\n".encode("latin-1"))
    mapping = {"format": "csv", "encoding": "latin-1", "decimal": ",", "thousands": ".",
               "period": {"year_column": "År"}, "unit": {"column": "Kommun"},
               "measures": {"Långvarigt bistånd": "long_term"}, "source": "egen"}
    panel = import_file(path, mapping, save_raw=True)
    assert panel["period"].tolist() == ["2022", "2023"]
    assert panel["value"].tolist() == [1059.0, 1001.5]
    assert panel["unit"].unique().tolist() == ["1984"]
    assert panel["unit_name"].unique().tolist() == ["Arboga"]
    raw = panel.attrs["raw_file"]
    assert open(raw, "rb").read() == path.read_bytes()
    assert store.read_raw_meta(raw)["meta"]["mapping"]["encoding"] == "latin-1"


def test_real_county_panel_through_importer_matches_reference(shared_data):
    """The real SCB BAS monthly panel (riket + 21 län, 2020-01..2024-01) through the shipped
    mapping gives exactly reference.county_unemployment_panel()'s unemployment_rate rows."""
    from evaluation.data.reference import COUNTY_PANEL, county_unemployment_panel

    path = shared_data / COUNTY_PANEL
    if not path.is_file():
        pytest.skip(f"{path} not found")
    panel = import_file(path, "scb_bas_lan_monthly")
    ref = county_unemployment_panel()
    ref = ref[ref["measure"] == "unemployment_rate"].reset_index(drop=True)
    assert len(panel) == len(ref) == 22 * 49
    pd.testing.assert_frame_equal(panel[COLS], ref[COLS])
    riket = panel[panel.unit == "00"].set_index("period")["value"]
    assert riket["2020-01"] == 6.0


# --------------------------------------------------------------------------- errors
def _af_mapping(**changes):
    return {**load_mapping("arbetsformedlingen_monthly"), **changes}


def test_missing_column_names_sheet_and_columns(tmp_path):
    rows = _af_rows()
    rows[2] = ["Kommun", "Kommunkod", "Period", "Antal inskrivna arbetslösa", "Andel (%)"]
    path = _xlsx(tmp_path / "af.xlsx", rows, sheet="Kommuner")
    with pytest.raises(DataError) as info:
        import_file(path, "arbetsformedlingen_monthly")
    assert "'Månad'" in str(info.value) and "blad 'Kommuner'" in str(info.value)
    assert "sheet 'Kommuner'" in info.value.text("en") and "Period" in info.value.text("en")


def test_unparsable_number_names_row_and_column(tmp_path):
    rows = _af_rows()
    rows[4][3] = "ca 600"
    path = _xlsx(tmp_path / "af.xlsx", rows)
    with pytest.raises(DataError) as info:
        import_file(path, "arbetsformedlingen_monthly")
    assert "rad 5" in str(info.value) and "'Antal inskrivna arbetslösa'" in str(info.value)
    assert "row 5" in info.value.text("en") and "'ca 600'" in info.value.text("en")


def test_decimal_comma_without_setting_gives_hint(tmp_path):
    path = _xlsx(tmp_path / "af.xlsx", _af_rows())
    with pytest.raises(DataError, match="decimal") as info:
        import_file(path, _af_mapping(decimal=".", thousands=None))
    assert "rad 4" in str(info.value) and "Andel (%)" in str(info.value)


def test_unknown_month(tmp_path):
    path = tmp_path / "ekb.csv"
    path.write_text("År;Månad;Antal hushåll;Utbetalt ekonomiskt bistånd tkr\n2024;Januray;1;2\n",
                    encoding="utf-8")
    mapping = {**load_mapping("socialstyrelsen_ekonomiskt_bistand"), "encoding": "utf-8",
               "unit": {"code": "1984"}}
    with pytest.raises(DataError, match="Januray") as info:
        import_file(path, mapping)
    assert "rad 2" in str(info.value) and "'Månad'" in str(info.value)


def test_wrong_sheet_lists_sheets(tmp_path):
    path = _xlsx(tmp_path / "af.xlsx", _af_rows(), sheet="Data", extra_sheets=["Info"])
    with pytest.raises(DataError, match="Data, Info") as info:
        import_file(path, _af_mapping(sheet="Kommun"))
    assert "sheet 'Kommun'" in info.value.text("en")
    with pytest.raises(DataError, match="Bladet 5 finns inte"):
        import_file(path, _af_mapping(sheet=5))


@pytest.mark.parametrize("content", [b"", b"\n\n", "Kommun;Kommunkod;Månad;Antal inskrivna "
                                     "arbetslösa;Andel (%)\n".encode()])
def test_empty_files(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(DataError, match="tom|inga datarader|rubrikrad"):
        import_file(path, _af_mapping(format="csv", header_row=1))


def test_empty_xlsx(tmp_path):
    path = _xlsx(tmp_path / "empty.xlsx", [])
    with pytest.raises(DataError, match="rubrikrad"):
        import_file(path, "arbetsformedlingen_monthly")


def test_malformed_xlsx_and_wrong_encoding(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("Kommun;Månad\nArboga;2024-01\n", encoding="utf-8")
    with pytest.raises(DataError, match="Excel"):
        import_file(bad, "arbetsformedlingen_monthly")
    path = tmp_path / "ekb.csv"
    path.write_bytes("År;Månad;Antal hushåll;Utbetalt ekonomiskt bistånd tkr\n".encode("cp1252"))
    mapping = {**load_mapping("socialstyrelsen_ekonomiskt_bistand"), "encoding": "utf-8",
               "unit": {"code": "1984"}}
    with pytest.raises(DataError, match="cp1252"):
        import_file(path, mapping)


def test_bad_code_and_duplicates(tmp_path):
    rows = _af_rows()
    rows[3][1] = "19840"
    path = _xlsx(tmp_path / "af.xlsx", rows)
    with pytest.raises(DataError, match="19840") as info:
        import_file(path, "arbetsformedlingen_monthly")
    assert "rad 4" in str(info.value)
    rows = _af_rows()
    rows[4][2] = "2024-01"  # Arboga January twice
    path = _xlsx(tmp_path / "dup.xlsx", rows)
    with pytest.raises(DataError, match="rad 4, 5"):
        import_file(path, "arbetsformedlingen_monthly")
    last = import_file(path, _af_mapping(duplicates="last"))
    arboga = last[(last.unit == "1984") & (last.measure == "unemployed")]
    assert arboga["value"].tolist() == [598.0]


def test_mapping_errors(tmp_path):
    with pytest.raises(DataError, match="okänd nyckel 'sheets'"):
        load_mapping({**load_mapping("arbetsformedlingen_monthly"), "sheets": 1})
    with pytest.raises(DataError, match="measures"):
        load_mapping({"period": "Månad", "unit": {"code": "1984"}})
    with pytest.raises(DataError, match="finns inte"):
        load_mapping("no_such_mapping")
    assert {"arbetsformedlingen_monthly", "socialstyrelsen_ekonomiskt_bistand",
            "own_series_template", "scb_bas_lan_monthly"} <= set(importer.shipped_mappings())
