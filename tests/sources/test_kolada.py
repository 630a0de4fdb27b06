"""Kolada v3 loader against a real local HTTP server serving the recorded fixture.

References: ``../shared/data/fixtures/kolada_v3/`` (a v3 ``/data`` envelope with real
N03702/N03703 values for Arboga and its peers, 2012–2023) and ``fixtures/API_NOTES.md`` (envelope
``count/values/next_url``, row shape, gender ``T``, ids ``0000``/``00NN``); the metadata answers
are built from the real lists in ``../shared/data/kolada/`` in the same envelope. Issue 5 §4:
paging, 429/5xx with retry, timeout, truncated JSON, changed schema and an empty answer each end
in one clear sentence and leave stored data intact — a DataError for a wrong answer, a
SourceUnavailable when Kolada cannot be reached or keeps failing (issue 14). Issue 14 §2: an
unchanged download writes no file.
"""

from __future__ import annotations

import copy
import csv
import json
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from evaluation.data.store import read_raw_meta, sha256_file
from evaluation.designs.donors import GroupTable
from evaluation.errors import DataError, SourceUnavailable
from evaluation.sources import kolada
from evaluation.sources.http import fetch_json
from ._server import LocalServer, Reply

MUNIS = ["0319", "0562", "0687", "1082", "1083", "1885", "1984", "2084"]
DATA_PATH = "/v3/data/kpi/N03702,N03703/municipality/" + ",".join(MUNIS)


def no_sleep(seconds: float) -> None:
    return None


FAST = partial(fetch_json, backoff=0.001, retries=2, sleep=no_sleep)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """A fresh EVALUATION_HOME per test, so raw stores do not mix."""
    monkeypatch.setenv("EVALUATION_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def fixture_answer() -> dict:
    from evaluation.paths import shared_data_dir

    folder = shared_data_dir() / "fixtures" / "kolada_v3"
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        pytest.skip(f"Kolada v3 fixture not found in {folder} (set EVALUATION_SHARED_DATA)")
    return json.loads(files[0].read_text(encoding="utf-8"))


def paged(server: LocalServer, path: str, rows: list, pages: int) -> list[Reply]:
    """Split ``rows`` into ``pages`` envelopes chained by next_url on ``server``; register them."""
    size = -(-len(rows) // pages)
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    replies = []
    for number, chunk in enumerate(chunks, start=1):
        target = path if number == 1 else f"{path}?page={number}&per_page=5000"
        nxt = f"{path}?page={number + 1}&per_page=5000" if number < len(chunks) else None
        envelope = {
            "count": len(rows),
            "values": chunk,
            "next_url": server.url(nxt) if nxt else None,
            "previous_url": None,
        }
        reply = Reply.json(envelope)
        server.set(target, [reply])
        replies.append(reply)
    return replies


def raw_snapshot(home: Path) -> dict[str, str]:
    folder = home / "data" / "raw" / "kolada"
    if not folder.is_dir():
        return {}
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def fetch_records(home: Path) -> list[str]:
    names = raw_snapshot(home)
    return [n for n in names if n.startswith("fetch_") and not n.endswith(".json.json")]


# --------------------------------------------------------------------------- paging, panel, store
def test_paged_fixture_gives_canonical_panel_and_raw_files(fixture_answer, home):
    with LocalServer() as server:
        replies = paged(server, DATA_PATH, fixture_answer["values"], pages=3)
        panel = kolada.fetch_kpi_values(["N03703", "N03702"], MUNIS,
                                        base_url=server.url("/v3"), fetch=FAST)
        hits = [r.path for r in server.requests]
        first_query = server.requests[0].query
    assert hits == [DATA_PATH] * 3  # page 1 plus two next_url pages
    assert first_query == {"per_page": ["5000"]}
    assert len(panel) == 192
    assert list(panel.columns[:5]) == ["unit", "unit_name", "period", "measure", "value"]
    # Real values from the fixture (Arboga 1984 and Älvkarleby 0319).
    look = panel.set_index(["unit", "measure", "period"])["value"]
    assert look["1984", "N03702", "2012"] == pytest.approx(268.853441)
    assert look["1984", "N03702", "2023"] == pytest.approx(334.166548)
    assert look["1984", "N03703", "2023"] == pytest.approx(917.0)
    assert look["0319", "N03702", "2012"] == pytest.approx(253.891158)
    assert set(panel["status"]) == {"final"} and set(panel["source"]) == {"Kolada"}
    assert set(panel["unit_type"]) == {"kommun"} and set(panel["unit"]) == set(MUNIS)
    assert sorted(panel["period"].unique()) == [str(y) for y in range(2012, 2024)]
    # Raw store: three pages exactly as served, with sidecars, and one fetch record.
    folder = home / "data" / "raw" / "kolada"
    pages = sorted(p for p in folder.glob("data_*_p*.json") if not p.name.endswith(".json.json"))
    assert len(pages) == 3
    assert [p.read_bytes() for p in pages] == [r.body for r in replies]
    meta = read_raw_meta(pages[1])
    assert meta["sha256"] == sha256_file(pages[1])
    assert meta["meta"]["status"] == 200 and meta["meta"]["page"] == 2
    assert meta["meta"]["url"] == server.url(f"{DATA_PATH}?page=2&per_page=5000")
    assert meta["meta"]["fetched_at"]
    assert len(fetch_records(home)) == 1


def test_unit_names_come_from_the_stored_municipality_list(fixture_answer, shared_data):
    with open(shared_data / "kolada" / "kolada_municipalities.csv", encoding="utf-8") as handle:
        municipalities = list(csv.DictReader(handle))
    with LocalServer() as server:
        paged(server, "/v3/municipality", municipalities, pages=2)
        paged(server, DATA_PATH, fixture_answer["values"], pages=2)
        listing = kolada.fetch_municipalities(base_url=server.url("/v3"), fetch=FAST)
        panel = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                        base_url=server.url("/v3"), fetch=FAST)
    assert len(listing) == 312
    row = listing.set_index("id").loc["0019"]
    assert (row["unit"], row["title"], row["type"]) == ("19", "Region Västmanland", "L")
    assert listing.set_index("id").loc["0000", "unit"] == "00"
    names = panel.drop_duplicates("unit").set_index("unit")["unit_name"]
    assert names["1984"] == "Arboga" and names["0319"] == "Älvkarleby"


def test_code_mapping_gender_total_and_suppressed_values():
    """Project-made rows in the documented v3 shape: Riket, a region, null/Missing, K only."""

    def row(municipality, period, value, status="", gender="T", deleted=False):
        return {"kpi": "N31807", "municipality": municipality, "period": period,
                "values": [{"count": 1, "gender": gender, "status": status, "value": value,
                            "isdeleted": deleted}]}

    rows = [
        row("0000", 2022, 4.1), row("0019", 2022, 4.8), row("1984", 2022, 5.2),
        row("1984", 2021, None), row("1984", 2020, 3.3, status="Missing"),
        row("1984", 2019, 9.9, gender="K"), row("1984", 2018, 7.7, deleted=True),
    ]
    path = "/v3/data/kpi/N31807/municipality/0000,0019,1984/year/2018,2019,2020,2021,2022"
    with LocalServer() as server:
        paged(server, path, rows, pages=1)
        panel = kolada.fetch_kpi_values("N31807", ["00", "19", "1984"], range(2018, 2023),
                                        base_url=server.url("/v3"), fetch=FAST, names={})
    look = panel.set_index(["unit", "period"])
    assert look.loc[("00", "2022"), "value"] == 4.1
    assert look.loc[("00", "2022"), "unit_type"] == "riket"
    assert look.loc[("19", "2022"), "value"] == 4.8
    assert look.loc[("19", "2022"), "unit_type"] == "lan"
    assert look.loc[("1984", "2021"), "status"] == "suppressed"
    assert pd.isna(look.loc[("1984", "2021"), "value"])
    assert look.loc[("1984", "2020"), "status"] == "suppressed"  # status flag "Missing"
    assert ("1984", "2019") not in look.index  # only a gender K entry: no total
    assert ("1984", "2018") not in look.index  # isdeleted
    assert kolada.to_unit("0000") == "00" and kolada.to_unit("0025") == "25"
    assert kolada.to_unit("0114") == "0114" and kolada.to_unit("G175909") == "G175909"
    assert kolada.from_unit("00") == "0000" and kolada.from_unit("19") == "0019"
    assert kolada.from_unit("1984") == "1984"


def test_ids_are_batched_into_several_requests():
    def row(kpi):
        return {"kpi": kpi, "municipality": "1984", "period": 2020,
                "values": [{"gender": "T", "status": "", "value": 1.0, "count": 1}]}

    with LocalServer() as server:
        paged(server, "/v3/data/kpi/N00001,N00002/municipality/1984", [row("N00001"),
              row("N00002")], pages=1)
        paged(server, "/v3/data/kpi/N00003/municipality/1984", [row("N00003")], pages=1)
        panel = kolada.fetch_kpi_values(["N00003", "N00001", "N00002"], ["1984"], batch_size=2,
                                        base_url=server.url("/v3"), fetch=FAST, names={})
        assert len(server.requests) == 2
    assert sorted(panel["measure"]) == ["N00001", "N00002", "N00003"]



# --------------------------------------------------------------------------- unchanged (issue 14)
def all_raw(home: Path) -> dict[str, str]:
    """Every file of the raw store (pages, sidecars, fetch records) with its sha256."""
    folder = home / "data" / "raw"
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_an_unchanged_download_writes_no_new_file(fixture_answer, home):
    """Issue 14 §2: the same pages as the newest fetch record: nothing is written, and the
    result says "unchanged"."""
    with LocalServer() as server:
        paged(server, DATA_PATH, fixture_answer["values"], pages=2)
        first = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                        base_url=server.url("/v3"), fetch=FAST, names={})
        stored = all_raw(home)
        again = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                        base_url=server.url("/v3"), fetch=FAST, names={})
        assert server.hits(DATA_PATH) == 4  # really asked again
    assert first.attrs["unchanged"] is False and again.attrs["unchanged"] is True
    assert all_raw(home) == stored and len(fetch_records(home)) == 1
    assert again.attrs["page_files"] == first.attrs["page_files"]
    pd.testing.assert_frame_equal(again, first)


def test_an_answer_equal_to_an_older_one_becomes_the_newest_again(fixture_answer, home):
    """A, B, A: the third answer differs from the newest (B), so it is recorded and offline
    reads it, although its pages are the stored files of the first."""
    revised = copy.deepcopy(fixture_answer["values"])
    total = next(e for e in revised[0]["values"] if e["gender"] == "T")
    total["value"] = 12345.0
    answers = []
    with LocalServer() as server:
        for rows in (fixture_answer["values"], revised, fixture_answer["values"]):
            paged(server, DATA_PATH, rows, pages=1)
            answers.append(kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                                   base_url=server.url("/v3"), fetch=FAST,
                                                   names={}))
    assert [a.attrs["unchanged"] for a in answers] == [False, False, False]
    assert len(fetch_records(home)) == 3
    offline = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS, offline=True, names={})
    pd.testing.assert_frame_equal(offline, answers[0])
    assert 12345.0 not in offline["value"].tolist()


# --------------------------------------------------------------------------- failures
def test_later_failing_fetch_leaves_stored_data_intact_and_offline_uses_it(fixture_answer, home):
    with LocalServer() as server:
        paged(server, DATA_PATH, fixture_answer["values"], pages=2)
        first = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                        base_url=server.url("/v3"), fetch=FAST, names={})
        before = raw_snapshot(home)
        server.set(f"{DATA_PATH}?page=2&per_page=5000", [Reply(500, body=b"down")])
        with pytest.raises(SourceUnavailable) as info:
            kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                    base_url=server.url("/v3"), fetch=FAST, names={})
        assert server.hits(DATA_PATH) == 2 + 1 + 3  # first fetch, page 1 again, 3 tries page 2
    assert "--offline" in str(info.value)
    assert raw_snapshot(home) == before  # page 1 identical -> reused, nothing changed or added
    offline = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS, offline=True, names={})
    pd.testing.assert_frame_equal(offline, first)


def test_429_then_200_is_retried_honouring_retry_after(fixture_answer):
    waits: list[float] = []
    fetch = partial(fetch_json, backoff=0.001, sleep=waits.append)
    with LocalServer() as server:
        good = paged(server, DATA_PATH, fixture_answer["values"], pages=1)[0]
        server.set(DATA_PATH, [Reply(429, {"Retry-After": "2"}), good])
        panel = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                        base_url=server.url("/v3"), fetch=fetch, names={})
        assert server.hits(DATA_PATH) == 2
    assert waits == [2.0] and len(panel) == 192


def test_500_every_time_is_a_clear_error_and_stores_nothing(home):
    with LocalServer({DATA_PATH: [Reply(500, body=b"internal error")]}) as server:
        with pytest.raises(SourceUnavailable) as info:
            kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                    base_url=server.url("/v3"), fetch=FAST)
        assert server.hits(DATA_PATH) == 3
    assert "HTTP 500" in info.value.text("en") and DATA_PATH in str(info.value)
    assert raw_snapshot(home) == {}


def test_timeout_is_a_clear_error(home):
    fetch = partial(fetch_json, timeout=0.15, retries=1, backoff=0.001, sleep=no_sleep)
    with LocalServer({DATA_PATH: [Reply.json({"values": []}, delay=0.6)]}) as server:
        with pytest.raises(SourceUnavailable) as info:
            kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                    base_url=server.url("/v3"), fetch=fetch)
    assert "timeout" in info.value.text("en")
    assert raw_snapshot(home) == {}


def test_truncated_json_is_a_clear_error_and_stores_nothing(fixture_answer, home):
    body = json.dumps(fixture_answer).encode("utf-8")[:700]
    reply = Reply(200, {"Content-Type": "application/json"}, body)
    with LocalServer({DATA_PATH: [reply]}) as server:
        with pytest.raises(DataError) as info:
            kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                    base_url=server.url("/v3"), fetch=FAST)
    assert "not valid JSON" in info.value.text("en")
    assert raw_snapshot(home) == {}


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"count": 1, "rows": [], "next_page": None}, "no 'values' list"),  # envelope renamed
        ([{"kpi": "N03702"}], "no 'values' list"),  # bare list
        ({"values": [{"kpi": "N03702", "municipality": "1984", "value": 1.0}],
          "next_url": None}, "lacks the field 'period'"),  # row shape changed
    ],
)
def test_changed_schema_is_a_clear_error_and_records_no_answer(fixture_answer, home, payload,
                                                               words):
    with LocalServer() as server:
        paged(server, DATA_PATH, fixture_answer["values"], pages=1)
        good = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                       base_url=server.url("/v3"), fetch=FAST, names={})
        server.set(DATA_PATH, [Reply.json(payload)])
        with pytest.raises(DataError) as info:
            kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                    base_url=server.url("/v3"), fetch=FAST, names={})
    assert words in info.value.text("en") and "update the tool" in info.value.text("en")
    assert len(fetch_records(home)) == 1  # the broken answer is not recorded as the latest
    offline = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS, offline=True, names={})
    pd.testing.assert_frame_equal(offline, good)


def test_empty_answer_is_an_error_and_does_not_replace_the_last_good_one(fixture_answer, home):
    """Decision (documented in kolada.py): no values at all -> DataError, not an empty panel."""
    with LocalServer() as server:
        paged(server, DATA_PATH, fixture_answer["values"], pages=1)
        good = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                       base_url=server.url("/v3"), fetch=FAST, names={})
        server.set(DATA_PATH, [Reply.json({"count": 0, "values": [], "next_url": None,
                                           "previous_url": None})])
        with pytest.raises(DataError) as info:
            kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                    base_url=server.url("/v3"), fetch=FAST, names={})
    assert "returned no values" in info.value.text("en")
    assert "N03702" in info.value.text("en") and "check_kpi_ids" in str(info.value)
    assert len(fetch_records(home)) == 1
    offline = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS, offline=True, names={})
    pd.testing.assert_frame_equal(offline, good)


def test_offline_without_stored_answer_is_a_clear_error():
    with pytest.raises(DataError) as info:
        kolada.fetch_kpi_values(["N03702"], ["1984"], offline=True)
    assert "without --offline" in info.value.text("en") and "N03702" in str(info.value)


def test_offline_needs_no_network_and_detects_a_changed_raw_file(fixture_answer, home):
    with LocalServer() as server:
        paged(server, DATA_PATH, fixture_answer["values"], pages=2)
        online = kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS,
                                         base_url=server.url("/v3"), fetch=FAST, names={})
    # The server is gone; the unused base_url proves no request is made.
    offline = kolada.fetch_kpi_values(["N03703", "N03702"], list(reversed(MUNIS)), offline=True,
                                      base_url="http://127.0.0.1:9/v3", names={})
    pd.testing.assert_frame_equal(offline, online)
    page = sorted((home / "data" / "raw" / "kolada").glob("data_*_p001-*.json"))[0]
    page.chmod(0o644)
    page.write_bytes(page.read_bytes().replace(b"253.891158", b"999.0"))
    with pytest.raises(DataError) as info:
        kolada.fetch_kpi_values(["N03702", "N03703"], MUNIS, offline=True, names={})
    assert "was changed" in info.value.text("en")


# --------------------------------------------------------------------------- metadata
def test_municipality_groups_feed_the_donor_group_table(shared_data):
    with open(shared_data / "kolada" / "kolada_municipality_groups_long.csv",
              encoding="utf-8") as handle:
        long = [r for r in csv.DictReader(handle) if r["group_id"] in ("G175909", "G114418")]
    groups: dict[str, dict] = {}
    for r in long:
        group = groups.setdefault(r["group_id"], {"id": r["group_id"], "title": r["group_title"],
                                                  "members": []})
        group["members"].append({"member_id": r["member_id"], "member_title": r["member_title"]})
    groups["G1"] = {"id": "G1", "title": "Län", "members": [
        {"member_id": "0019", "member_title": "Region Västmanland"}]}
    with LocalServer() as server:
        paged(server, "/v3/municipality_groups", list(groups.values()), pages=2)
        frame = kolada.fetch_municipality_groups(base_url=server.url("/v3"), fetch=FAST)
    assert list(frame.columns) == ["group_id", "group_title", "member_id", "member_title"]
    assert len(frame) == len(long) + 1
    table = GroupTable.from_frame(frame)
    expected = sorted(r["member_id"] for r in long if r["group_id"] == "G175909")
    assert table.members("G175909") == expected
    assert table.members("G1") == ["19"]  # region id mapped to the län code
    offline = kolada.fetch_municipality_groups(offline=True)
    pd.testing.assert_frame_equal(offline, frame)


def test_kpi_catalog_paging_and_id_checks(shared_data):
    with open(shared_data / "kolada" / "kolada_kpi_catalog.csv", encoding="utf-8") as handle:
        wanted = {"N03702", "N03703", "N31807", "U40826", "N00945"}
        entries = [r for r in csv.DictReader(handle) if r["id"] in wanted]
    with LocalServer() as server:
        paged(server, "/v3/kpi", entries, pages=3)
        catalog = kolada.fetch_kpi_catalog(base_url=server.url("/v3"), fetch=FAST)
        assert server.hits("/v3/kpi") == 3
    assert sorted(catalog["id"]) == sorted(wanted)
    rows = kolada.check_kpi_ids(["N31807", "N03702"], catalog)
    assert list(rows["id"]) == ["N03702", "N31807"]
    with pytest.raises(DataError) as info:
        kolada.check_kpi_ids(["N03702", "N99999", "bogus"], catalog)
    assert "N99999, bogus" in str(info.value) and "letter and five digits" in info.value.text("en")
    with pytest.raises(DataError) as info:  # "(-2023)" in the title: ended series
        kolada.check_kpi_ids(["U40826"], catalog)
    assert "U40826" in str(info.value) and "allow_retired" in str(info.value)
    assert len(kolada.check_kpi_ids(["U40826"], catalog, allow_retired=True)) == 1
    with pytest.raises(DataError) as info:  # id re-used: N00945 is no longer population
        kolada.check_kpi_ids(["N00945"], catalog, titles={"N00945": "folkmängd"})
    assert "N00945" in str(info.value) and "re-uses" in info.value.text("en")


def test_empty_metadata_list_is_an_error():
    with LocalServer({"/v3/municipality": [Reply.json({"values": [], "next_url": None})]}) as s:
        with pytest.raises(DataError) as info:
            kolada.fetch_municipalities(base_url=s.url("/v3"), fetch=FAST)
    assert "empty list" in info.value.text("en")


def test_citation_follows_koladas_terms():
    # Kolada's terms (API_NOTES.md): cite "Källa: Kolada" and mark transformed numbers.
    assert kolada.CITATION == "Källa: Kolada, egen bearbetning"


def test_values_as_strings_in_swedish_notation_are_converted_or_refused_by_name():
    """A changed format: values sent as strings with a decimal comma and a (thin) space as the
    thousands separator are read as the numbers they are; text that is no number is refused
    naming the KPI, kommun and year."""

    def row(value, year=2022):
        return {"kpi": "N31001", "municipality": "1984", "period": year,
                "values": [{"gender": "T", "count": 1, "status": "", "value": value,
                            "isdeleted": False}]}

    panel = kolada.parse_values([row("253,9"), row("1\u2009234,5", 2021), row(17, 2020)],
                                names={})
    assert panel.set_index("period")["value"].to_dict() == {"2020": 17.0, "2021": 1234.5,
                                                             "2022": 253.9}
    with pytest.raises(DataError, match=r"'ca 250' för N31001, 1984, 2022, som inte är ett tal"):
        kolada.parse_values([row("ca 250")], names={})


def test_a_changed_value_format_over_http_is_parsed_or_refused_and_not_recorded(home):
    """Issue 14 §3 end to end: strings with a decimal comma and no-break-space thousands are
    read; a value that is no number is refused naming KPI, kommun, year and value, and the
    answer is not recorded as the latest good one."""
    def answer(values):
        return [{"kpi": "N31001", "municipality": "1984", "period": year,
                 "values": [{"gender": "T", "count": 1, "status": "", "value": value,
                             "isdeleted": False}]} for year, value in values]

    path = "/v3/data/kpi/N31001/municipality/1984"
    with LocalServer() as server:
        paged(server, path, answer([(2021, "1\u00a0234,5"), (2022, "253,9")]), pages=1)
        panel = kolada.fetch_kpi_values("N31001", ["1984"], base_url=server.url("/v3"),
                                        fetch=FAST, names={})
        paged(server, path, answer([(2021, "1\u00a0234,5"), (2022, "1.234,5")]), pages=1)
        with pytest.raises(DataError) as info:
            kolada.fetch_kpi_values("N31001", ["1984"], base_url=server.url("/v3"),
                                    fetch=FAST, names={})
    assert panel.set_index("period")["value"].to_dict() == {"2021": 1234.5, "2022": 253.9}
    assert "värdet '1.234,5' för N31001, 1984, 2022, som inte är ett tal" in str(info.value)
    assert "N31001, 1984, 2022, which is not a number" in info.value.text("en")
    assert len(fetch_records(home)) == 1
