"""``evaluation verify``: a spec's source codes checked against the sources' own metadata.

References: issue 12 part 2 — a code reconstructed offline must be corrected on first contact
with the source, not silently give another series: every KPI id, table, ContentsCode, filter
value, region, group and export file is checked; each mismatch is one sentence naming the wrong
value and what to write instead; an unreachable source is one sentence, never a traceback.
Served by a real local HTTP server (``_server.py``) with Kolada v3 lists built from the real
shared lists and SCB's TAB6260 metadata reconstructed in the structure of the recorded TAB6471
metadata (see ``recorded_metadata.py``).
"""

from __future__ import annotations

import socket
from functools import partial
from pathlib import Path

import pytest

from evaluation.cli import main
from evaluation.sources import collect
from evaluation.sources.http import fetch_json
from evaluation.sources.verify import Problem, verify, verify_report
from evaluation.spec import load_spec

from . import recorded_metadata as rec
from ._server import LocalServer

FAST = partial(fetch_json, backoff=0.001, retries=1, timeout=5, sleep=lambda s: None)
#: KPIs the tests serve: the common ones, an ended one (U40826) and a re-used id (N00945).
KPIS = (*rec.KOLADA_KPI_IDS, "U40826", "N00945")
#: Groups: Arboga's "Liknande kommuner …" and SKR's kommungrupper named like the 2023 ones.
GROUP_TITLES = ("Arboga", "Pendlingskommun", "Storstäder", "Större stad")
MAPPING = """\
name: test_egen_serie
source: "Testkommunens AME-register"
format: csv
delimiter: ";"
period: {%s}
unit: {column: Kod, name_column: Namn, pad: 4}
measures: {"Deltagare": ame_participants}
"""


@pytest.fixture(scope="module")
def server():
    rec.shared_file("kolada", "kolada_kpi_catalog.csv")  # skip cleanly without shared data
    with LocalServer() as s:
        rec.serve_kolada(s, kpi_ids=KPIS, group_titles=GROUP_TITLES, pages=2)
        rec.serve_scb(s)
        yield s


@pytest.fixture
def urls(server) -> dict:
    return {"kolada_url": server.url("/v3"), "scb_url": server.url("/api/v2"),
            "fetch_json": FAST}


def _export(folder: Path, monthly: bool) -> None:
    (folder / "export").mkdir(exist_ok=True)
    if monthly:
        rows = ["Kod;Namn;Månad;Deltagare"] + [f"1984;Arboga;2021-{m:02d};{40 + m}"
                                                for m in range(1, 13)]
    else:
        rows = ["Kod;Namn;År;Deltagare"] + [f"1984;Arboga;{y};{y - 1970}"
                                             for y in range(2015, 2024)]
    (folder / "export" / "ame_2024.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def yearly_spec(folder: Path, *, kolada: str = "", donors: str = "", export: bool = True,
                extra: str = "") -> Path:
    """Kolada KPIs (yearly) plus an own export file, Arboga's labour-market peers as donors."""
    (folder / "mapping.yaml").write_text(MAPPING % "year_column: År", encoding="utf-8")
    if export:
        _export(folder, monthly=False)
    households = kolada or ("{source: kolada, kpi: N31910, title: \"Biståndshushåll\", "
                            "units: [\"1984\", \"1980\", \"19\", \"00\"]}")
    path = folder / "ar.yaml"
    path.write_text(
        "evaluation_id: verifiera_ar\ntreated: \"1984\"\nintervention: \"2020\"\n"
        "sources:\n"
        f"  households_assistance: {households}\n"
        "  unemployment_rate: {source: kolada, kpi: N03941, "
        "title: \"Arbetslösa av arbetskraften (BAS)\"}\n"
        "  population: {source: kolada, kpi: N01951, title: \"Invånare totalt\"}\n"
        "  ame_participants: {source: file, path: export/ame_*.csv, mapping: mapping.yaml}\n"
        + (donors or "donors: {pool: liknande, group: arbetsmarknad}\n") + extra,
        encoding="utf-8")
    return path


SCB_ENTRY = {"table": "TAB6260", "contents": "000006II", "codelist": "vs_RegionKommun07",
             "region": '["1984", "1980", "1982"]',
             "filters": '{Kon: "1+2", Alder: "20-64", Fodelseregion: "tot"}'}


def monthly_spec(folder: Path, *, donors: str = "", export: bool = True, **changes: str) -> Path:
    """SCB's BAS monthly table with filters plus an own monthly export file."""
    (folder / "mapping.yaml").write_text(MAPPING % "column: Månad", encoding="utf-8")
    if export:
        _export(folder, monthly=True)
    entry = {**SCB_ENTRY, **changes}
    lines = "".join(f"    {k}: {v}\n" for k, v in entry.items() if v is not None)
    path = folder / "man.yaml"
    path.write_text(
        "evaluation_id: verifiera_man\ntreated: \"1984\"\nintervention: 2022-04\n"
        "sources:\n  unemployment_rate:\n    source: scb\n" + lines + "    status: preliminary\n"
        "  ame_participants: {source: file, path: export/ame_*.csv, mapping: mapping.yaml}\n"
        + (donors or
           "donors: {pool: kommungrupp, group: \"Pendlingskommun nära större stad\"}\n"),
        encoding="utf-8")
    return path


def one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.sv for p in problems]
    return problems[0]


# --------------------------------------------------------------------------- all correct
def test_correct_specs_give_no_problems(tmp_path, urls, server):
    assert verify(load_spec(yearly_spec(tmp_path)), **urls) == []
    assert verify(load_spec(monthly_spec(tmp_path)), **urls) == []
    # the Kolada lists were read through next_url (two pages each) and the codelist was asked
    assert server.hits("/v3/kpi") == 2
    assert server.hits("/api/v2/codeLists/vs_RegionKommun07") == 1
    assert verify_report([], "sv").startswith("Allt stämmer: ")
    assert verify_report([], "en").startswith("Everything matches: ")


def test_verify_writes_nothing_to_the_raw_store(tmp_path, urls, monkeypatch):
    monkeypatch.setenv("EVALUATION_HOME", str(tmp_path / "home"))
    verify(load_spec(monthly_spec(tmp_path)), **urls)
    verify(load_spec(yearly_spec(tmp_path)), **urls)
    assert not (tmp_path / "home" / "data").exists()


# --------------------------------------------------------------------------- kolada
def test_changed_kpi_id_is_one_problem_suggesting_the_id_whose_title_matches(tmp_path, urls):
    kpi = "{source: kolada, kpi: N31919, title: \"Biståndshushåll\"}"
    problem = one(verify(load_spec(yearly_spec(tmp_path, kolada=kpi)), **urls))
    assert (problem.source_key, problem.field, problem.value) == (
        "households_assistance", "kpi", "N31919")
    assert problem.suggestion == "N31910"
    assert problem.sv.startswith("sources.households_assistance.kpi: Koladas KPI-katalog har "
                                 "inget id 'N31919'; ändra till N31910 (Biståndshushåll, "
                                 "ekonomiskt bistånd, antal)")
    assert "change it to N31910" in problem.en


def test_reused_and_ended_kpis_are_named_with_a_fix(tmp_path, urls):
    reused = "{source: kolada, kpi: N00945, title: \"Invånare totalt\"}"
    problem = one(verify(load_spec(yearly_spec(tmp_path, kolada=reused)), **urls))
    assert problem.field == "kpi" and problem.suggestion == "N01951"
    assert "Kolada återanvänder id:n" in problem.sv and "VAB" in problem.sv
    ended = "{source: kolada, kpi: U40826}"
    problem = one(verify(load_spec(yearly_spec(tmp_path, kolada=ended)), **urls))
    assert problem.value == "U40826" and problem.suggestion is None
    assert "är avslutat enligt Koladas katalog (sista år 2023)" in problem.sv
    assert "has ended" in problem.en


def test_unknown_kolada_unit_is_one_problem(tmp_path, urls):
    kpi = "{source: kolada, kpi: N31910, units: [\"1984\", \"1985\"]}"
    problem = one(verify(load_spec(yearly_spec(tmp_path, kolada=kpi)), **urls))
    assert (problem.field, problem.value) == ("units", "1985")
    assert "'1985'" in problem.sv and "ändra till" in problem.sv


def test_unknown_group_is_one_problem_with_the_closest_title(tmp_path, urls):
    donors = "donors: {pool: kommungrupp, group: \"Pendlingskommuner nära större städer\"}\n"
    problem = one(verify(load_spec(yearly_spec(tmp_path, donors=donors)), **urls))
    assert (problem.source_key, problem.field, problem.kind) == ("donors", "group", "spec")
    assert problem.suggestion == "Pendlingskommun nära större stad (ovägt medel)"
    assert problem.sv.startswith("donors.group: Kolada har ingen kommungrupp med namnet eller "
                                 "id:t 'Pendlingskommuner nära större städer'; ändra till")
    # a Liknande-kommuner family that Arboga does not have
    donors = "donors: {pool: liknande, group: arbetsmarknaden}\n"
    problem = one(verify(load_spec(yearly_spec(tmp_path, donors=donors)), **urls))
    assert problem.suggestion == "arbetsmarknad"
    assert "Arboga (1984)" in problem.sv and "ekonomiskt bistånd" in problem.sv


def test_comparison_group_is_read_defensively_and_checked(tmp_path, urls):
    spec = load_spec(yearly_spec(tmp_path))
    spec.comparison_group = {"group": "G216099"}  # Liknande kommuner arbetsmarknad, Arboga
    assert verify(spec, **urls) == []
    spec.comparison_group = {"group": "G999999"}
    problem = one(verify(spec, **urls))
    assert problem.where == "comparison_group.group" and "'G999999'" in problem.sv
    spec.comparison_group = {"group": None, "members": ["1980", "1985"]}
    problem = one(verify(spec, **urls))
    assert (problem.where, problem.value) == ("comparison_group.members", "1985")


# --------------------------------------------------------------------------- scb
def test_changed_contents_code_suggests_the_closest_one(tmp_path, urls):
    problem = one(verify(load_spec(monthly_spec(tmp_path, contents='"000006IX"')), **urls))
    assert (problem.source_key, problem.field, problem.value) == (
        "unemployment_rate", "contents", "000006IX")
    assert problem.suggestion == "000006II"
    assert problem.sv.startswith("sources.unemployment_rate.contents: SCB:s tabell TAB6260 har "
                                 "ingen ContentsCode '000006IX'; giltiga är 000006II (")
    assert "000004YH (antal arbetslösa)" in problem.sv
    assert problem.sv.endswith("ändra till 000006II.")


@pytest.mark.parametrize("filters, variable, wrong, expected", [
    ('{Kon: "TotSa", Alder: "20-64", Fodelseregion: "tot"}', "Kon", "TotSa", "1+2"),
    ('{Kon: "1+2", Alder: "20–64 år", Fodelseregion: "tot"}', "Alder", "20–64 år", "20-64"),
    ('{Kon: "1+2", Alder: "20-64", Fodelseregion: "totalt"}', "Fodelseregion", "totalt", "tot"),
])
def test_wrong_filter_value_is_one_problem(tmp_path, urls, filters, variable, wrong, expected):
    problem = one(verify(load_spec(monthly_spec(tmp_path, filters=filters)), **urls))
    assert (problem.field, problem.value, problem.suggestion) == (
        f"filters.{variable}", wrong, expected)
    assert f"har ingen kod '{wrong}'" in problem.sv and f"ändra till {expected}." in problem.sv


def test_unknown_filter_variable_and_missing_mandatory_variable(tmp_path, urls):
    problems = verify(load_spec(monthly_spec(
        tmp_path, filters='{Kon: "1+2", Ålder: "20-64", Fodelseregion: "tot"}')), **urls)
    assert [(p.field, p.value, p.suggestion) for p in problems] == [
        ("filters.Ålder", "Ålder", "Alder"),   # the variable's label is "ålder"
        ("filters.Alder", None, None),          # and Alder (mandatory) is then not selected
    ]
    assert "kräver ett val för variabeln Alder" in problems[1].sv


def test_unknown_region_is_one_problem(tmp_path, urls):
    problem = one(verify(load_spec(monthly_spec(tmp_path, region='["1984", "1985"]')), **urls))
    assert (problem.field, problem.value) == ("region", "1985")
    assert problem.sv.startswith("sources.unemployment_rate.region: SCB:s tabell TAB6260 har "
                                 "ingen region '1985' i kodlistan vs_RegionKommun07; ändra till")
    # riket is not a kommun: not in the kommun codelist, but in the table without it
    problem = one(verify(load_spec(monthly_spec(tmp_path, region='["1984", "00"]')), **urls))
    assert problem.value == "00"
    assert verify(load_spec(monthly_spec(tmp_path, region='["1984", "00"]', codelist=None)),
                  **urls) == []


def test_unknown_table_codelist_and_time(tmp_path, urls):
    problem = one(verify(load_spec(monthly_spec(tmp_path, table="TAB6261")), **urls))
    assert (problem.field, problem.value) == ("table", "TAB6261")
    assert "HTTP 404" in problem.sv and "/tables?query=" in problem.sv
    problem = one(verify(load_spec(monthly_spec(tmp_path, codelist="vs_RegionKommun")), **urls))
    assert (problem.field, problem.suggestion) == ("codelist", "vs_RegionKommun07")
    problem = one(verify(load_spec(monthly_spec(tmp_path, time='"from(2019M01)"')), **urls))
    assert (problem.field, problem.value, problem.suggestion) == (
        "time", "from(2019M01)", "from(2020M01)")  # before the table: its first month
    assert verify(load_spec(monthly_spec(tmp_path, time='"from(2021M01)"')), **urls) == []


def test_scb_table_of_months_in_a_yearly_evaluation_is_a_problem(tmp_path, urls):
    path = yearly_spec(tmp_path)
    scb_entry = ("  unemployed:\n    source: scb\n    table: TAB6260\n    contents: \"000004YH\"\n"
                 "    filters: {Alder: \"20-64\"}\n")
    path.write_text(path.read_text(encoding="utf-8").replace("donors:", scb_entry + "donors:"),
                    encoding="utf-8")
    problem = one(verify(load_spec(path), **urls))
    assert (problem.source_key, problem.field) == ("unemployed", "table")
    assert "har månader (2020M01–2025M12), men utvärderingen är årsvis" in problem.sv


def test_before_table_is_checked_too(tmp_path, urls):
    path = monthly_spec(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "    status: preliminary\n",
        "    status: preliminary\n    before: {table: TAB6260, contents: \"000006IY\", "
        "filters: {Alder: \"20-64\"}}\n")
    path.write_text(text, encoding="utf-8")
    problem = one(verify(load_spec(path), **urls))
    assert (problem.field, problem.suggestion) == ("before.contents", "000006II")


# --------------------------------------------------------------------------- files
def test_missing_export_file_says_where_to_save_it(tmp_path, urls):
    problem = one(verify(load_spec(yearly_spec(tmp_path, export=False)), **urls))
    assert (problem.source_key, problem.field) == ("ame_participants", "path")
    assert problem.value == str(tmp_path / "export" / "ame_*.csv")
    assert problem.sv == (
        f"sources.ame_participants.path: ingen fil matchar {tmp_path / 'export' / 'ame_*.csv'}; "
        f"spara filen från Testkommunens AME-register i {tmp_path / 'export'} med ett namn som "
        "matchar 'ame_*.csv', eller rätta path.")


def test_file_that_does_not_load_with_its_mapping(tmp_path, urls):
    path = yearly_spec(tmp_path)
    (tmp_path / "export" / "ame_2024.csv").write_text("Kod;Namn;År;Antal\n1984;Arboga;2020;3\n",
                                                      encoding="utf-8")
    problem = one(verify(load_spec(path), **urls))
    assert problem.field == "path" and "Deltagare" in problem.sv


# --------------------------------------------------------------------------- network
def _closed_port_url(path: str) -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def test_unreachable_sources_give_one_sentence_each(tmp_path):
    dead = {"kolada_url": _closed_port_url("/v3"), "scb_url": _closed_port_url("/api/v2"),
            "fetch_json": FAST}
    problems = verify(load_spec(yearly_spec(tmp_path)), **dead)
    problem = one(problems)
    assert (problem.source_key, problem.kind) == ("Kolada", "connection")
    assert problem.sv.startswith("Kunde inte nå Kolada (http://127.0.0.1:")
    assert ("sources.households_assistance, sources.unemployment_rate, sources.population och "
            "donors.group är inte kontrollerade – försök igen senare.") in problem.sv
    assert problem.sv.count(".") >= 1 and "\n" not in problem.sv
    problems = verify(load_spec(monthly_spec(tmp_path)), **dead)
    assert [(p.source_key, p.field) for p in problems] == [("Kolada", "connection"),
                                                           ("SCB", "connection")]
    assert "try again later" in problems[1].en


# --------------------------------------------------------------------------- command line
def test_cli_exit_codes(tmp_path, server, monkeypatch, capsys):
    monkeypatch.setenv(collect.KOLADA_URL_VARIABLE, server.url("/v3"))
    monkeypatch.setenv(collect.SCB_URL_VARIABLE, server.url("/api/v2"))
    good = monthly_spec(tmp_path)
    assert main(["verify", str(good)]) == 0
    assert capsys.readouterr().out.startswith("Allt stämmer: ")
    (tmp_path / "bad").mkdir()
    bad = monthly_spec(tmp_path / "bad", contents='"000006IX"', region='["1984", "1985"]')
    assert main(["verify", str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2 problem hittades, ett per rad med vad du ska göra:"
    assert out[1].startswith("- sources.unemployment_rate.contents: ")
    assert out[2].startswith("- sources.unemployment_rate.region: ")
    assert main(["verify", str(tmp_path / "saknas.yaml")]) == 2
    assert capsys.readouterr().err.startswith("Fel: Specifikationen ")


# --------------------------------------------------------------------------- the recordings
def test_recorded_metadata_builders_follow_the_real_formats():
    """The reconstructed TAB6260 metadata has the recorded TAB6471 metadata's structure; the
    data builder and the Kolada pages parse with the loaders the tool uses."""
    import json

    from evaluation.sources import scb

    real = json.loads(rec.shared_file("fixtures", "scb_pxweb_v2", "TAB6471_metadata.json")
                      .read_text(encoding="utf-8"))
    meta = rec.scb_tab6260_metadata(periods=rec.months("2024M11", "2025M02"),
                                    regions=["00", "19", "1984"])
    assert set(meta) == set(real) and meta["value"] == real["value"] == []
    assert set(meta["extension"]["px"]) == set(real["extension"]["px"])
    for dim in ("Region", "Kon", "ContentsCode", "Tid"):
        assert set(meta["dimension"][dim]) == set(real["dimension"][dim]) - {"note"}
        assert set(meta["dimension"][dim]["extension"]) == set(
            real["dimension"][dim]["extension"])
    dims = scb.parse_metadata(meta)
    assert list(dims) == ["Region", "Kon", "Alder", "Fodelseregion", "ContentsCode", "Tid"]
    assert dims["Region"]["codes"] == ["00", "19", "1984"]
    assert "vs_RegionKommun07" in dims["Region"]["codelists"]
    assert dims["Tid"]["codes"] == ["2024M11", "2024M12", "2025M01", "2025M02"]
    assert not dims["Alder"]["elimination"] and not dims["ContentsCode"]["elimination"]

    data = rec.scb_tab6260_data({("1984", "2025M01"): 5.1, ("1984", "2025M02"): None,
                                 ("00", "2025M01"): 6.0, ("00", "2025M02"): 6.1})
    panel = scb.to_panel(scb.parse_jsonstat2(data), "unemployment_rate", status="preliminary")
    assert len(panel) == 4
    row = panel[(panel["unit"] == "1984") & (panel["period"] == "2025-02")].iloc[0]
    assert row["status"] == "suppressed" and row["unit_name"] == "Arboga"

    pages = rec.kolada_kpi_pages(base_url="http://kolada.test/v3", pages=2)
    first, second = pages.values()
    assert first["next_url"] == "http://kolada.test/v3/kpi?page=2&per_page=5000"
    assert second["next_url"] is None and first["count"] == 5
    assert [r["id"] for r in first["values"] + second["values"]] == list(rec.KOLADA_KPI_IDS)
    groups = rec.kolada_group_rows(["G216099"])
    assert groups[0]["title"] == "Liknande kommuner arbetsmarknad, Arboga, 2024"
    assert set(groups[0]["members"][0]) == {"member_id", "member_title"}
