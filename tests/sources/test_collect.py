"""A spec's ``sources:`` block: fetch into the raw store, rebuild the processed panel (issue 5).

References: issue 5 §1 (a spec names where each outcome comes from; every row carries source and
status), §2 (the processed panel is rebuilt deterministically from raw; the latest download of a
value wins; a changed old value is a revision, preliminary → final is listed separately;
identical data make no new vintage; a failure leaves no partial file in data/processed) and §4
(the real national/county monthly panel goes through the file importer and an evaluation with a
placebo date runs on it). Servers are real ThreadingHTTPServers on 127.0.0.1 serving the recorded
Kolada v3 and SCB PxWebApi v2 answers in ``../shared/data/fixtures/``.
"""

from __future__ import annotations

import csv
import json
import shutil
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from evaluation import paths
from evaluation.cli import main
from evaluation.data.store import sha256_file
from evaluation.errors import DataError, SpecError
from evaluation.sources import collect
from evaluation.sources.http import fetch_json
from evaluation.spec import load_spec, parse_spec

from ._server import LocalServer, Reply
from .test_kolada import MUNIS, paged

FAST = partial(fetch_json, backoff=0.001, retries=2, timeout=5, sleep=lambda s: None)

MAPPING = """\
name: test_series
source: "Testkommunens register"
format: csv
delimiter: ";"
decimal: ","
period: {column: Månad}
unit: {column: Kod, name_column: Namn, pad: 4}
measures: {"Hushåll": households_assistance}
suppressed: ["<5"]
status: %s
"""


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("EVALUATION_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _months(first: str, n: int) -> list[str]:
    return [str(p) for p in pd.period_range(first, periods=n, freq="M")]


def write_export(folder: Path, name: str, months: list[str], values: dict[str, float] | None = None,
                 *, suppress: tuple[str, ...] = ()) -> Path:
    """A Socialstyrelsen-like export with decimal commas: riket and two kommuner."""
    values = values or {}
    lines = ["Kod;Namn;Månad;Hushåll"]
    for code, name_, base in (("00", "Riket", 100000.0), ("1984", "Arboga", 300.0),
                              ("1980", "Västerås", 4000.0)):
        for i, month in enumerate(months):
            value = values.get(f"{code} {month}", base + i)
            cell = "<5" if f"{code} {month}" in suppress else f"{value:.1f}".replace(".", ",")
            lines.append(f"{code};{name_};{month};{cell}")
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def file_spec(folder: Path, status: str = "final") -> Path:
    (folder / "mapping.yaml").write_text(MAPPING % status, encoding="utf-8")
    spec = folder / "spec.yaml"
    spec.write_text(
        "evaluation_id: filtest\ntreated: \"1984\"\nintervention: 2022-04\n"
        "sources:\n  households_assistance:\n    source: file\n    path: export/*.csv\n"
        "    mapping: mapping.yaml\n", encoding="utf-8")
    (folder / "export").mkdir(exist_ok=True)
    return spec


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def processed_snapshot(home: Path) -> dict[str, str]:
    folder = home / "data" / "processed"
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


# --------------------------------------------------------------------------- spec block
def test_sources_block_is_validated_with_lines():
    base = "evaluation_id: x\ntreated: \"1984\"\nintervention: 2020\nsources:\n"
    spec = parse_spec(base + "  households_assistance: {source: kolada, kpi: N31910}\n"
                      "  population: {source: kolada, kpi: N01951}\n")
    assert spec.outcomes == ["households_assistance"]  # population is the per-capita scale
    assert spec.sources["households_assistance"] == {"source": "kolada", "kpi": "N31910"}
    assert spec.data == ""
    with pytest.raises(SpecError, match=r"'sources.households_assistance' \(rad 5\) har source"):
        parse_spec(base + "  households_assistance: {source: kolda, kpi: N31910}\n")
    with pytest.raises(SpecError, match="ett Kolada-id är en bokstav och fem siffror"):
        parse_spec(base + "  households_assistance: {source: kolada, kpi: 31910}\n")
    with pytest.raises(SpecError, match="bara har årsvärden"):
        parse_spec(base.replace("2020", "2020-04")
                   + "  households_assistance: {source: kolada, kpi: N31910}\n")
    with pytest.raises(SpecError, match="saknar path"):
        parse_spec(base + "  households_assistance: {source: file, mapping: m}\n")
    with pytest.raises(SpecError, match="ta bort raden data"):
        parse_spec("data: demo\n" + base + "  x: {source: kolada, kpi: N31910}\n")
    with pytest.raises(SpecError, match="saknas under sources"):
        parse_spec(base + "  x: {source: kolada, kpi: N31910}\noutcomes: [y]\n")
    with pytest.raises(SpecError, match="'data' saknas"):
        parse_spec("evaluation_id: x\ntreated: \"1984\"\nintervention: 2020\n")


def test_sources_survive_the_papermill_round_trip():
    from evaluation.evaluate import spec_from_parameters

    spec = parse_spec("evaluation_id: x\ntreated: \"1984\"\nintervention: 2020-04\nsources:\n"
                      "  u:\n    source: scb\n    table: TAB6260\n    contents: \"000007SF\"\n"
                      "    filters: {Kon: \"1+2\"}\n    status: preliminary\n")
    again = spec_from_parameters(**spec.parameters())
    assert again.sources == spec.sources
    assert again.sources["u"]["region"] == "*" and again.sources["u"]["filters"] == {"Kon": "1+2"}


def test_a_spec_with_sources_says_to_fetch_first(tmp_path):
    from evaluation.inputs import load_inputs

    spec = load_spec(file_spec(tmp_path))
    with pytest.raises(DataError, match="inte hämtade än: kör 'evaluation fetch"):
        load_inputs(spec)


# --------------------------------------------------------------------------- rebuild semantics
def test_changes_classify_revisions_finalised_and_suppressed():
    """Hand-made builds: every kind of change is counted once, in its own list."""
    def panel(rows):
        return pd.DataFrame(rows, columns=["unit", "period", "measure", "value", "status"])

    old = panel([("1984", "2024-01", "m", 1.0, "final"),
                 ("1984", "2024-02", "m", 2.0, "final"),
                 ("1984", "2024-03", "m", 3.0, "preliminary"),
                 ("1984", "2024-04", "m", 4.0, "preliminary"),
                 ("1984", "2024-05", "m", 5.0, "preliminary"),
                 ("1984", "2024-06", "m", 6.0, "final")])
    new = panel([("1984", "2024-01", "m", 1.0, "final"),        # unchanged
                 ("1984", "2024-02", "m", 2.5, "final"),        # revised
                 ("1984", "2024-03", "m", 3.0, "final"),        # finalised, same value
                 ("1984", "2024-04", "m", 4.2, "final"),        # finalised with a new value
                 ("1984", "2024-05", "m", 5.1, "preliminary"),  # preliminary, revised
                 ("1984", "2024-06", "m", float("nan"), "suppressed"),
                 ("1984", "2024-07", "m", 7.0, "preliminary")])  # new month
    c = collect.panel_changes(old, new)
    assert c["new_periods"] == ["2024-07"]
    assert [r["period"] for r in c["revised"]] == ["2024-02", "2024-05"]
    assert [r["period"] for r in c["finalised"]] == ["2024-03", "2024-04"]
    assert [r["period"] for r in c["suppressed"]] == ["2024-06"]
    assert (c["n_revised"], c["n_finalised"], c["n_suppressed"]) == (2, 2, 1)
    assert c["revised"][0] == {"unit": "1984", "period": "2024-02", "measure": "m",
                               "old": 2.0, "new": 2.5}
    assert collect.panel_changes(None, new)["first_build"] is True


def test_file_source_rebuilds_latest_wins_and_identical_makes_nothing_new(tmp_path, home):
    """Three exports arrive over time (preliminary, then a revision plus a new month, then the
    final figures); the processed panel follows, and an unchanged export adds nothing."""
    spec_path = file_spec(tmp_path, status="preliminary")
    export = tmp_path / "export"
    months = _months("2020-01", 36)
    write_export(export, "a.csv", months)
    spec = load_spec(spec_path)
    first = collect.fetch(spec)
    assert first.changed and first.changes["first_build"]
    panel = pd.read_parquet(first.path)
    assert set(panel["source"]) == {"Testkommunens register"}
    assert set(panel["status"]) == {"preliminary"}
    assert len(panel) == 3 * 36

    # Unchanged: no new record in the raw store, no new build.
    records = sorted((home / "data" / "raw" / "fetches").glob("*.json"))
    before = processed_snapshot(home)
    again = collect.fetch(spec)
    assert not again.changed and again.text() == "oförändrat – inga nya uppgifter"
    assert again.text("en") == "unchanged – no new data"
    assert sorted((home / "data" / "raw" / "fetches").glob("*.json")) == records
    assert processed_snapshot(home) == before

    # A second export: one more month and one revised month (still preliminary).
    write_export(export, "a.csv", _months("2020-01", 37), {"1984 2021-06": 999.0})
    second = collect.fetch(spec)
    assert second.changed
    assert second.changes["new_periods"] == ["2023-01"]
    assert second.changes["n_revised"] == 1
    assert second.changes["revised"][0]["period"] == "2021-06"
    assert second.changes["revised"][0]["new"] == 999.0
    assert "1 nya perioder, 1 reviderade värden" in second.text()

    # The final figures for the first 12 months only, in a second file: latest download wins
    # for those, the rest keep their preliminary values.
    (tmp_path / "mapping.yaml").write_text(MAPPING % "final", encoding="utf-8")
    (export / "a.csv").unlink()
    write_export(export, "b.csv", _months("2020-01", 12), suppress=("1980 2020-03",))
    third = collect.fetch(spec)
    panel = pd.read_parquet(third.path)
    arboga = panel[panel.unit == "1984"].set_index("period")
    assert (arboga.loc[months[:12], "status"] == "final").all()
    assert (arboga.loc[months[12:], "status"] == "preliminary").all()
    assert arboga.loc["2021-06", "value"] == 999.0
    assert third.changes["n_suppressed"] == 1
    assert third.changes["suppressed"][0]["unit"] == "1980"
    assert third.changes["n_finalised"] == 3 * 12 - 1

    # Rebuilding twice from the same raw store gives the same bytes (deterministic).
    sha = sha256_file(third.path)
    shutil.rmtree(collect.build_folder("filtest"))
    rebuilt = collect.rebuild(spec)
    assert rebuilt.content_sha256 == third.content_sha256
    assert sha256_file(rebuilt.path) == sha


def test_a_failing_fetch_leaves_the_last_build_and_no_partial_file(tmp_path, home):
    spec_path = file_spec(tmp_path)
    export = tmp_path / "export"
    write_export(export, "a.csv", _months("2020-01", 36))
    spec = load_spec(spec_path)
    collect.fetch(spec)
    before = processed_snapshot(home)
    raw_before = sorted(p.name for p in (home / "data" / "raw").rglob("*"))
    (export / "a.csv").write_text("Kod;Namn;Månad;Hushåll\n1984;Arboga;2020-01;tolv\n",
                                  encoding="utf-8")
    with pytest.raises(DataError, match="icke-numeriskt|tolv"):
        collect.fetch(spec)
    assert processed_snapshot(home) == before
    assert sorted(p.name for p in (home / "data" / "raw").rglob("*")) == raw_before
    (export / "a.csv").unlink()
    with pytest.raises(DataError, match="Ingen fil matchar"):
        collect.fetch(spec)
    assert processed_snapshot(home) == before


def test_a_changed_raw_file_is_detected_at_rebuild(tmp_path, home):
    spec = load_spec(file_spec(tmp_path))
    write_export(tmp_path / "export", "a.csv", _months("2020-01", 36))
    collect.fetch(spec)
    raw = next((home / "data" / "raw" / "import").glob("a-*.csv"))
    raw.chmod(0o644)
    raw.write_text("changed", encoding="utf-8")
    with pytest.raises(DataError, match="har ändrats efter att den sparades"):
        collect.rebuild(spec)


# --------------------------------------------------------------------------- Kolada and SCB
def test_kolada_source_over_local_http_then_offline(tmp_path, home, shared_data, monkeypatch):
    """Kolada's recorded N03702 answer for Arboga and its peers (12 years × 8 kommuner): the id
    is checked against the served catalogue (in the 2026 catalogue N03702 is BRP per inhabitant),
    fetched through the spec's sources block, renamed to the outcome, cited as Kolada, and rebuilt
    offline with no server."""
    folder = shared_data / "fixtures" / "kolada_v3"
    if not list(folder.glob("*.json")):
        pytest.skip(f"Kolada v3 fixture not found in {folder}")
    answer = json.loads(next(folder.glob("*.json")).read_text(encoding="utf-8"))
    municipalities = read_csv(shared_data / "kolada" / "kolada_municipalities.csv")
    catalog = read_csv(shared_data / "kolada" / "kolada_kpi_catalog.csv")
    spec_path = tmp_path / "kolada.yaml"
    spec_path.write_text(
        "evaluation_id: koladatest\ntreated: \"1984\"\nintervention: \"2019\"\n"
        "sources:\n  grp_per_capita:\n    source: kolada\n    kpi: N03702\n"
        "    title: Bruttoregionprodukt\n"
        f"    units: [{', '.join(repr(m) for m in MUNIS)}]\n"
        # only the national designs: the fetched kommuner are not Arboga's liknande group, and
        # an empty pool is refused when a comparison-group design asks for it
        "donors: {pool: liknande}\ndesigns: [decomposition, its]\n", encoding="utf-8")
    spec = load_spec(spec_path)
    groups: dict[str, dict] = {}
    for r in read_csv(shared_data / "kolada" / "kolada_municipality_groups_long.csv"):
        group = groups.setdefault(r["group_id"], {"id": r["group_id"], "title": r["group_title"],
                                                  "members": []})
        group["members"].append({"member_id": r["member_id"], "member_title": r["member_title"]})
    with LocalServer() as server:
        paged(server, "/v3/municipality", municipalities, pages=1)
        paged(server, "/v3/kpi", catalog, pages=2)
        paged(server, "/v3/municipality_groups", list(groups.values()), pages=1)
        paged(server, "/v3/data/kpi/N03702/municipality/" + ",".join(sorted(MUNIS)),
              answer["values"], pages=2)
        monkeypatch.setenv(collect.KOLADA_URL_VARIABLE, server.url("/v3"))
        build = collect.fetch(spec, fetch_json=FAST)
        raw = home / "data" / "raw"
        records = sorted(p for p in raw.rglob("*") if p.is_file())
        again = collect.fetch(spec, fetch_json=FAST)  # the same answers once more
        assert not again.changed and again.text() == "oförändrat – inga nya uppgifter"
        # no new file anywhere: pages, Kolada's fetch records, metadata, entry records
        assert sorted(p for p in raw.rglob("*") if p.is_file()) == records
    panel = pd.read_parquet(build.path)
    assert set(panel["measure"]) == {"grp_per_capita"}
    assert set(panel["source"]) == {"Kolada"}
    arboga = panel[panel.unit == "1984"].set_index("period")
    assert arboga["unit_name"].iloc[0] == "Arboga"
    expected = [r for r in answer["values"]
                if r["kpi"] == "N03702" and r["municipality"] == "1984"]
    value = next(e["value"] for e in expected[0]["values"] if e["gender"] == "T")
    assert arboga.loc[str(expected[0]["period"]), "value"] == pytest.approx(value)
    # Offline: no server, same panel, nothing new.
    offline = collect.fetch(spec, offline=True)
    assert not offline.changed and offline.content_sha256 == build.content_sha256
    from evaluation.inputs import load_inputs

    assert "Kolada, egen bearbetning" in load_inputs(spec).data_info()["source"]
    # The donor pool 'liknande' reads Kolada's groups, fetched with the data.
    from evaluation.evaluate import Evaluation

    _units, table = Evaluation.from_spec(spec)._unit_tables
    similar = [g for g, t in table.titles().items() if "Arboga" in t]
    assert similar and "1984" not in table.members(similar[0])


def test_kolada_kpi_ids_are_checked_against_the_fetched_catalogue(tmp_path, shared_data,
                                                                    monkeypatch):
    """N00945 is a VAB indicator in the 2026 catalogue, not population (API_NOTES): a spec that
    expects 'Invånare' in its title fails before any value is fetched; so does an unknown id."""
    catalog = read_csv(shared_data / "kolada" / "kolada_kpi_catalog.csv")
    for kpi, title, match in (("N00945", "Invånare", "betyder något annat"),
                              ("N99999", "", "finns inte i Koladas katalog")):
        spec_path = tmp_path / f"{kpi}.yaml"
        spec_path.write_text(
            f"evaluation_id: kpi{kpi}\ntreated: \"1984\"\nintervention: \"2019\"\n"
            f"sources:\n  population:\n    source: kolada\n    kpi: {kpi}\n"
            + (f"    title: {title}\n" if title else ""), encoding="utf-8")
        with LocalServer() as server:
            paged(server, "/v3/kpi", catalog, pages=1)
            paged(server, "/v3/municipality", [{"id": "1984", "title": "Arboga"}], pages=1)
            monkeypatch.setenv(collect.KOLADA_URL_VARIABLE, server.url("/v3"))
            with pytest.raises(DataError, match=match):
                collect.fetch(load_spec(spec_path), fetch_json=FAST)
            assert not any("/data/" in r.path for r in server.requests)


def test_scb_source_over_local_http_with_rate_limit_config(tmp_path, home, shared_data,
                                                           monkeypatch):
    """SCB's recorded TAB6471 answer (population by län, 2026M01–M04) as a spec source."""
    v2 = shared_data / "fixtures" / "scb_pxweb_v2"
    if not (v2 / "TAB6471_data.json").is_file():
        pytest.skip(f"SCB v2 fixtures not found in {v2}")
    spec_path = tmp_path / "scb.yaml"
    spec_path.write_text(
        "evaluation_id: scbtest\ntreated: \"01\"\nintervention: 2026-03\n"
        "sources:\n  population:\n    source: scb\n    table: TAB6471\n"
        "    contents: \"000007SF\"\n    filters: {Alder: \"0-9\", Kon: TotSa}\n",
        encoding="utf-8")
    spec = load_spec(spec_path)
    route = "/api/v2/tables/TAB6471/data"
    with LocalServer({route: [Reply(429, {"Retry-After": "0"}),
                              Reply(200, {}, (v2 / "TAB6471_data.json").read_bytes())],
                      "/api/v2/config": [Reply(200, {}, (v2 / "config.json").read_bytes())]}
                     ) as server:
        monkeypatch.setenv(collect.SCB_URL_VARIABLE, server.url("/api/v2"))
        build = collect.fetch(spec, fetch_json=FAST)
        query = server.requests[-1].query
        assert server.hits("/api/v2/config") == 1 and server.hits(route) == 2
    assert query["valueCodes[Region]"] == ["*"] and query["valueCodes[Alder]"] == ["0-9"]
    panel = pd.read_parquet(build.path)
    assert len(panel) == 21 * 4 and set(panel["measure"]) == {"population"}
    assert panel["population"].equals(panel["value"])  # the population column is filled
    sthlm = panel[panel.unit == "01"].set_index("period")["value"]
    assert sthlm.tolist() == [245284, 247245, 249358, 251635]



def test_an_unchanged_download_adds_no_file_and_says_unchanged(tmp_path, home, shared_data,
                                                               monkeypatch, capsys):
    """Issue 14 §2 through `evaluation fetch`: the second fetch of the same SCB answer asks the
    server again but writes no file anywhere in the raw store, and says "oförändrat"; on a
    terminal a line per source shows the progress."""
    from evaluation.sources import http

    v2 = shared_data / "fixtures" / "scb_pxweb_v2"
    if not (v2 / "TAB6471_data.json").is_file():
        pytest.skip(f"SCB v2 fixtures not found in {v2}")
    spec_path = tmp_path / "scb.yaml"
    spec_path.write_text(
        "evaluation_id: scbsame\ntreated: \"01\"\nintervention: 2026-03\n"
        "sources:\n  population:\n    source: scb\n    table: TAB6471\n"
        "    contents: \"000007SF\"\n    filters: {Alder: \"0-9\", Kon: TotSa}\n",
        encoding="utf-8")
    route = "/api/v2/tables/TAB6471/data"
    raw = home / "data" / "raw"

    def snapshot():
        return {str(p.relative_to(raw)): sha256_file(p) for p in sorted(raw.rglob("*"))
                if p.is_file()}

    with LocalServer({route: [Reply(200, {}, (v2 / "TAB6471_data.json").read_bytes())],
                      "/api/v2/config": [Reply(200, {}, (v2 / "config.json").read_bytes())]}
                     ) as server:
        monkeypatch.setenv(collect.SCB_URL_VARIABLE, server.url("/api/v2"))
        first = collect.fetch(load_spec(spec_path), fetch_json=FAST)
        stored = snapshot()
        monkeypatch.setattr(http, "_on_terminal", lambda: True)
        capsys.readouterr()
        again = collect.fetch(load_spec(spec_path), fetch_json=FAST)
        assert server.hits(route) == 2
    assert first.changed and first.unchanged == []
    assert snapshot() == stored
    assert not again.changed and again.unchanged == ["population"]
    assert again.text() == "oförändrat – inga nya uppgifter"
    assert capsys.readouterr().err == (
        "Hämtar 1/1: population (SCB TAB6471) …\n"
        "population (SCB TAB6471): oförändrat sedan förra hämtningen.\n")
    offline = collect.fetch(load_spec(spec_path), offline=True)
    assert offline.text() == "inga nya uppgifter"  # nothing was asked, so nothing to compare


def test_scb_older_table_is_joined_before_the_new_one_as_a_series_break(tmp_path, home,
                                                                         shared_data,
                                                                         monkeypatch):
    """Issue 5 §1: the monthly population table in the fixtures (TAB6471) starts with the Cell
    Key Method; an older monthly table (project-made json-stat2 in the documented format, with
    one month overlapping) continues it back in time. The join keeps the new table where both
    have a month, and the report's data box names the break."""
    from .test_scb import _dataset

    v2 = shared_data / "fixtures" / "scb_pxweb_v2"
    if not (v2 / "TAB6471_data.json").is_file():
        pytest.skip(f"SCB v2 fixtures not found in {v2}")
    months = ("2025M10", "2025M11", "2025M12", "2026M01")
    old = _dataset([240000, 241000, 242000, 1.0], regions=("01",), times=months,
                   labels={"01": "Stockholms län"})
    old["dimension"]["ContentsCode"]["category"]["label"] = {"BE0101N1": "Folkmängd"}
    spec_path = tmp_path / "scb.yaml"
    spec_path.write_text(
        "evaluation_id: scbjoin\ntreated: \"01\"\nintervention: 2026-03\n"
        "sources:\n  population:\n    source: scb\n    table: TAB6471\n"
        "    contents: \"000007SF\"\n    region: [\"01\"]\n"
        "    filters: {Alder: \"0-9\", Kon: TotSa}\n"
        "    before: {table: BefolkManad, contents: BE0101N1, region: [\"01\"]}\n",
        encoding="utf-8")
    spec = load_spec(spec_path)
    assert spec.sources["population"]["before"]["table"] == "BefolkManad"
    with LocalServer({"/api/v2/tables/TAB6471/data": [
                          Reply(200, {}, (v2 / "TAB6471_data.json").read_bytes())],
                      "/api/v2/tables/BefolkManad/data": [Reply.json(old)],
                      "/api/v2/config": [Reply(200, {}, (v2 / "config.json").read_bytes())]}
                     ) as server:
        monkeypatch.setenv(collect.SCB_URL_VARIABLE, server.url("/api/v2"))
        build = collect.fetch(spec, fetch_json=FAST)
    assert build.series_breaks == {"population": "2026-01"}
    panel = pd.read_parquet(build.path)
    sthlm = panel[panel.unit == "01"].set_index("period")["value"]
    assert sthlm.index.tolist() == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
                                    "2026-03", "2026-04"]
    assert sthlm["2025-12"] == 242000 and sthlm["2026-01"] == 245284  # the new table wins
    assert collect.series_breaks("scbjoin") == {"population": "2026-01"}
    from evaluation.report.text import data_box

    box = data_box({"series_breaks": build.series_breaks}, "sv")
    assert "Seriebrott" in box and "Folkmängd från januari 2026: källan bytte metod" in box


def test_network_failure_is_one_clear_sentence_and_keeps_the_build(tmp_path, home, shared_data,
                                                                   monkeypatch, capsys):
    """A Kolada server that answers 503 to everything: `evaluation fetch` lists the failure, the
    stored build is untouched, and --offline still builds from what is stored."""
    spec_path = tmp_path / "k.yaml"
    spec_path.write_text(
        "evaluation_id: down\ntreated: \"1984\"\nintervention: \"2019\"\n"
        "sources:\n  x:\n    source: kolada\n    kpi: N03702\n    units: [\"1984\"]\n",
        encoding="utf-8")
    with LocalServer({"/v3/kpi": [Reply(503)]}) as server:
        monkeypatch.setenv(collect.KOLADA_URL_VARIABLE, server.url("/v3"))
        monkeypatch.setattr("evaluation.sources.http.fetch_json", FAST)
        assert main(["fetch", str(spec_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "503" in err and "--offline" in err
    assert not (home / "data" / "processed" / "sources" / "down").exists()
    assert main(["fetch", "--offline", str(spec_path)]) == 1
    assert "utan --offline" in capsys.readouterr().err


# --------------------------------------------------------------------------- the real panel
def test_real_county_panel_through_importer_and_a_placebo_evaluation(tmp_path, home, shared_data,
                                                                     capsys):
    """SCB's register-based unemployment for riket and the 21 län, 2020-01–2024-01 (union of
    Region Dalarna's stored vintages; ``shared/data/sweden``), imported by the shipped mapping
    through a spec's sources block, then evaluated end to end with `evaluation update` at a
    placebo date (Dalarna, June 2022: nothing happened there then). Expected: the full report
    is written, the comparison-group designs run with the other 20 län as donors and report
    the placebo-variance t interval, ITS reports its interval, and the decomposition says it
    needs a population to choose similar units. (The false
    alarm rate over all 294 län × date pairs, 6.8 %, is in tests/checks/test_calibration.py.)"""
    source = shared_data / "sweden" / "scb_bas_monthly_lan_riket_2020-01_2024-01.csv"
    spec_path = tmp_path / "dalarna.yaml"
    spec_path.write_text(
        "evaluation_id: dalarna_placebo\ntreated: \"20\"\nintervention: 2022-06\n"
        "comparison: riket\nsources:\n  unemployment_rate:\n    source: file\n"
        f"    path: {source}\n    mapping: scb_bas_lan_monthly\n", encoding="utf-8")
    assert main(["update", str(spec_path)]) == 0
    out = capsys.readouterr().out
    assert "data byggda: 1078 värden, 2020-01–2024-01" in out and "första rapporten" in out
    report = paths.reports_dir() / "dalarna_placebo" / "senaste"
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    # every design but the decomposition reports an interval (a single placebo date can be one
    # of the 5 % false alarms; the rate over all 294 län × dates is asserted in
    # tests/checks/test_calibration.py); the decomposition chooses similar units by size and
    # this source has no population, which it says in one sentence
    for r in summary["results"]:
        if r["design"] != "decomposition":
            assert r["ci"] is not None, (r["design"], r.get("inference"))
    decomposition = next(r for r in summary["results"] if r["design"] == "decomposition")
    assert decomposition["ci"] is None
    assert "Population is missing" in decomposition["inference"]["not_testable_reason"]
    assert summary["skipped"] == []
    assert {"synthetic_control", "did", "sdid"} <= {r["design"] for r in summary["results"]}
    assert summary["donor_pools"]["unemployment_rate"]["n"] == 20
    assert "SCB BAS via Region Dalarna" in (report / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    provenance = manifest["data"]["sources"]
    assert provenance["sources"]["unemployment_rate"]["records"][0].startswith("fetches/file_")
    assert provenance["content_sha256"]
    # Nothing new: the same file again gives no new vintage and no new report.
    assert main(["update", str(spec_path)]) == 0
    assert "inga nya uppgifter" in capsys.readouterr().out


# --------------------------------------------------------------------------- shipped examples
EXAMPLES = paths.notebooks_dir() / "examples"


@pytest.mark.parametrize("name", ["arboga_kolada.yaml", "egen_kommun_filer.yaml"])
def test_example_specs_are_valid(name):
    spec = load_spec(EXAMPLES / name)
    assert spec.sources and not spec.data
    assert set(spec.outcomes) <= set(spec.sources)


def test_example_kolada_ids_match_the_catalogue(shared_data):
    """The Kolada example's KPI ids exist, are current and mean what its titles say in the
    2026 catalogue (``shared/data/kolada/kolada_kpi_catalog.csv``)."""
    from evaluation.sources import kolada

    catalog = pd.read_csv(shared_data / "kolada" / "kolada_kpi_catalog.csv", dtype=str)
    spec = load_spec(EXAMPLES / "arboga_kolada.yaml")
    entries = spec.sources.values()
    rows = kolada.check_kpi_ids([e["kpi"] for e in entries], catalog,
                                titles={e["kpi"]: e["title"] for e in entries})
    assert len(rows) == 3


def test_example_file_spec_builds_from_two_monthly_downloads(tmp_path, home):
    """`notebooks/examples/egen_kommun_filer.yaml` as shipped, beside a data/import folder with
    two Arbetsförmedlingen workbooks in the shipped layout (project-made): the older one
    2020-01–2022-12, the newer one 2022-01–2023-06 with a revised 2022-03. The newer file wins
    where they overlap; the values are preliminary, as the mapping says."""
    from .test_importer import _xlsx

    folder = tmp_path / "notebooks" / "examples"
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLES / "egen_kommun_filer.yaml", folder)
    imports = tmp_path / "data" / "import"
    imports.mkdir(parents=True)
    header = [["Inskrivna arbetslösa 16-65 år, andel av registerbaserad arbetskraft"], [],
              ["Kommun", "Kommunkod", "Månad", "Antal inskrivna arbetslösa", "Andel (%)"]]

    def rows(months, revised=None):
        out = list(header)
        for name, code, base in (("Riket", None, 7.0), ("Arboga", 1984, 8.0),
                                 ("Köping", 1983, 6.0)):
            for i, month in enumerate(months):
                rate = (revised or {}).get((code, month), base + 0.01 * i)
                out.append([name, code, month, 100 + i, f"{rate:.2f}".replace(".", ",")])
        return out + [[], ["Källa: Arbetsförmedlingen"]]

    _xlsx(imports / "arbetsformedlingen_2022.xlsx", rows(_months("2020-01", 36)))
    _xlsx(imports / "arbetsformedlingen_2023.xlsx",
          rows(_months("2022-01", 18), {(1984, "2022-03"): 9.99}))
    spec = load_spec(folder / "egen_kommun_filer.yaml")
    build = collect.fetch(spec)
    panel = pd.read_parquet(build.path)
    arboga = panel[panel.unit == "1984"].set_index("period")
    assert arboga.index.min() == "2020-01" and arboga.index.max() == "2023-06"
    assert arboga.loc["2022-03", "value"] == 9.99
    assert arboga.loc["2021-12", "value"] == pytest.approx(8.23)
    assert set(panel["status"]) == {"preliminary"}
    assert set(panel["measure"]) == {"unemployment_rate"}
    assert set(panel["unit"]) == {"00", "1983", "1984"}


@pytest.mark.parametrize(("before", "match"), [
    ("{table: B}", "har ett before som saknar contents"),
    ("{table: B, contents: c, foo: 1}", "har ett before med okänt fält 'foo'"),
    ("x", "har ett before som inte är en enda äldre tabell"),
])
def test_scb_before_block_is_validated(before, match):
    text = ("evaluation_id: x\ntreated: \"01\"\nintervention: 2026-03\nsources:\n"
            "  population:\n    source: scb\n    table: T\n    contents: c\n"
            f"    before: {before}\n")
    with pytest.raises(SpecError, match=match):
        parse_spec(text)


def test_fetch_without_specs_with_sources_says_so(capsys, tmp_path, monkeypatch):
    """A params folder whose specs use the demo data: `evaluation fetch` has nothing to fetch
    and says so; a named spec without sources is named. (The shipped folder also holds the
    Arboga and Bollebygd specs, which fetch from the network: tests/cases runs them against
    local recordings.)"""
    folder = tmp_path / "params"
    folder.mkdir()
    shutil.copy(paths.params_dir() / "exempelstad.yaml", folder)
    monkeypatch.setattr(paths, "params_dir", lambda: folder)
    assert main(["fetch"]) == 0
    assert "inget att hämta" in capsys.readouterr().out
    assert main(["fetch", str(paths.params_dir() / "exempelstad.yaml")]) == 0
    assert "inga källor (sources:) att hämta" in capsys.readouterr().out
