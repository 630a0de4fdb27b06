"""SCB PxWebApi v2 loader: json-stat2 parsing, /config, fetching into the raw store, panel, and
the 2025 population series break.

References: recorded SCB answers in ``shared/data/fixtures/scb_pxweb_v2/`` (TAB6471 monthly
population per län, recorded 2026-06, from stefur/pxwebpy tests) and ``scb_pxweb_v1/``
(rOpenGov/pxweb tests); the json-stat2 format spec (https://json-stat.org/full/: row-major
``value`` over ``id``/``size``, ``status`` symbols); small answers built here in that format,
served by a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pandas as pd
import pytest

from evaluation import paths
from evaluation.data import store
from evaluation.errors import DataError, EvaluationError, SourceUnavailable
from evaluation.sources import http, scb

from ._server import LocalServer, Reply


@pytest.fixture(scope="module")
def v2(shared_data):
    folder = shared_data / "fixtures" / "scb_pxweb_v2"
    if not (folder / "TAB6471_data.json").is_file():
        pytest.skip(f"SCB v2 fixtures not found in {folder}")
    return folder


def _load(folder, name):
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _dataset(values, status=None, regions=("00", "1984"), times=("2025M01", "2025M02"),
             labels=None, sparse=False, dict_index=False):
    """A small json-stat2 dataset (Region × ContentsCode × Tid) in the documented format."""
    labels = labels or {"00": "Riket", "1984": "1984 Arboga"}
    index = {c: i for i, c in enumerate(regions)} if dict_index else list(regions)
    obj = {
        "version": "2.0", "class": "dataset", "label": "Test", "source": "SCB",
        "id": ["Region", "ContentsCode", "Tid"], "size": [len(regions), 1, len(times)],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {"label": "region", "category": {"index": index, "label": labels}},
            "ContentsCode": {"label": "tabellinnehåll",
                             "category": {"label": {"X1": "Folkmängd"}}},  # index omitted
            "Tid": {"label": "månad", "category": {"index": list(times),
                                                     "label": {t: t for t in times}}},
        },
        "value": ({str(i): v for i, v in enumerate(values) if v is not None} if sparse
                  else list(values)),
    }
    if status is not None:
        obj["status"] = status
    return obj


# --------------------------------------------------------------------------- parsing (fixture)
def test_parse_tab6471_fixture_shape_order_and_values(v2):
    """TAB6471 data: 21 län × 11 age groups × 3 sexes × 1 content × 4 months = 2772 cells;
    values are row-major over ``id`` (the last dimension, Tid, varies fastest)."""
    obj = _load(v2, "TAB6471_data.json")
    frame = scb.parse_jsonstat2(obj)
    assert frame.shape == (2772, 8)
    assert list(frame.columns) == ["Region", "Alder", "Kon", "ContentsCode", "Tid", "value",
                                   "symbol", "status"]
    first = frame.iloc[0]
    assert (first["Region"], first["Alder"], first["Kon"], first["Tid"]) == (
        "01", "0-9", "TotSa", "2026M01")
    assert first["value"] == 245284  # Stockholms län, 0–9 år, totalt, 2026M01 (recorded)
    # cell (Region=03, Alder=0-9, Kon=1 män, Tid=2026M02): flat index by the row-major rule
    sizes = obj["size"]
    pos = [1, 0, 1, 0, 1]
    flat = int(np.ravel_multi_index(pos, sizes))
    row = frame[(frame.Region == "03") & (frame.Alder == "0-9") & (frame.Kon == "1")
                & (frame.Tid == "2026M02")]
    assert len(row) == 1 and row["value"].iloc[0] == obj["value"][flat]
    assert frame["value"].tolist() == [float(v) for v in obj["value"]]
    assert (frame["status"] == "final").all()
    assert frame.attrs["labels"]["Region"]["01"] == "Stockholms län"
    assert frame.attrs["roles"]["time"] == ["Tid"]
    assert sorted(frame["Region"].unique()) == sorted(obj["dimension"]["Region"]["category"]["index"])


def test_to_panel_tab6471_gives_lan_population(v2):
    """Total population aged 0–9 per län for 2026M01–M04 from the recorded TAB6471 answer."""
    frame = scb.parse_jsonstat2(_load(v2, "TAB6471_data.json"))
    panel = scb.to_panel(frame, "population", filters={"Alder": "0-9", "Kon": "TotSa"},
                         source="SCB TAB6471")
    assert panel.shape[0] == 21 * 4
    assert sorted(panel["period"].unique()) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert set(panel["unit_type"]) == {"lan"}
    sthlm = panel[(panel.unit == "01")].set_index("period")["value"]
    assert sthlm.tolist() == [245284, 247245, 249358, 251635]
    assert panel.loc[panel.unit == "01", "unit_name"].iloc[0] == "Stockholms län"
    assert (panel["source"] == "SCB TAB6471").all() and (panel["status"] == "final").all()
    with pytest.raises(DataError, match="Alder"):
        scb.to_panel(frame, "population", filters={"Kon": "TotSa"})  # ages not chosen


def test_parse_metadata_fixture_lists_periods_from_2025(v2):
    """TAB6471 metadata: the monthly table starts 2025M01; Tid/ContentsCode are mandatory."""
    meta = scb.parse_metadata(_load(v2, "TAB6471_metadata.json"))
    assert list(meta) == ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
    assert meta["Tid"]["codes"][0] == "2025M01" and len(meta["Tid"]["codes"]) == 16
    assert meta["Tid"]["elimination"] is False and meta["ContentsCode"]["elimination"] is False
    assert meta["Region"]["codes"][:3] == ["00", "01", "0114"]
    assert "vs_CKM03Kommun" in meta["Region"]["codelists"]
    # a metadata answer has no values: parsing it as data is a clear error
    with pytest.raises(DataError, match="json-stat2"):
        scb.parse_jsonstat2(_load(v2, "TAB6471_metadata.json"))


def test_parse_config_fixture_reads_rate_limit(v2):
    """Recorded /config: maxCallsPerTimeWindow 3, timeWindow 1, maxDataCells 150000."""
    config = scb.parse_config(_load(v2, "config.json"))
    assert (config.max_calls, config.time_window, config.max_cells) == (3, 1.0, 150000)
    assert config.default_format == "json-stat2"
    limiter = config.rate_limiter()
    assert (limiter.calls, limiter.per_seconds) == (3, 1.0)
    assert scb.parse_config({"maxCalls": 30, "timeWindow": 10}).max_calls == 30
    with pytest.raises(DataError):
        scb.parse_config({"maxDataCells": 1})


def test_parse_v1_fixture(shared_data):
    """PxWebApi v1 "json" answer (rOpenGov/pxweb fixture): 4 civil statuses × 3 years."""
    path = shared_data / "fixtures" / "scb_pxweb_v1" / "BefolkningNy_response_civilstand_2015_2017.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    frame = scb.parse_pxweb_v1(json.loads(path.read_text(encoding="utf-8")))
    assert frame.shape == (12, 3)
    assert frame.loc[(frame.Civilstand == "OG") & (frame.Tid == "2015"), "BE0101N1"].item() == 5157443


# --------------------------------------------------------------------------- parsing (made here)
def test_status_symbols_null_and_sparse_values_become_suppressed():
    """json-stat2: null value with status ".." is suppressed; sparse dict values and a dict
    category index parse to the same table; "1984 Arboga" labels keep the name only."""
    dense = _dataset([100.0, None, 50.0, 51.0], status={"1": ".."})
    sparse = _dataset([100.0, None, 50.0, 51.0], status={"1": ".."}, sparse=True, dict_index=True)
    a, b = scb.parse_jsonstat2(dense), scb.parse_jsonstat2(json.dumps(sparse).encode())
    pd.testing.assert_frame_equal(a, b)
    assert a["status"].tolist() == ["final", "suppressed", "final", "final"]
    assert a["symbol"].tolist() == ["", "..", "", ""]
    assert math.isnan(a["value"].iloc[1])
    panel = scb.to_panel(a, "population", status="preliminary", source="SCB test")
    riket = panel[panel.unit == "00"].set_index("period")
    assert riket.loc["2025-02", "status"] == "suppressed" and np.isnan(riket.loc["2025-02", "value"])
    assert riket.loc["2025-01", "status"] == "preliminary"
    arboga = panel[panel.unit == "1984"]
    assert arboga["unit_name"].unique().tolist() == ["Arboga"]
    assert arboga["unit_type"].unique().tolist() == ["kommun"]
    assert arboga["value"].tolist() == [50.0, 51.0]


@pytest.mark.parametrize("mutate, match", [
    (lambda o: o.pop("dimension"), "dimension"),
    (lambda o: o.update(size=[2, 1]), "size"),
    (lambda o: o.update(value=[1, 2, 3]), "value"),
    (lambda o: o.update({"class": "collection"}), "dataset"),
    (lambda o: o["dimension"]["Region"]["category"].update(index=["00"]), "Region"),
])
def test_changed_schema_is_a_clear_error(mutate, match):
    obj = _dataset([1, 2, 3, 4])
    mutate(obj)
    with pytest.raises(DataError, match=match) as info:
        scb.parse_jsonstat2(obj)
    assert "json-stat2" in info.value.text("en")


def test_periods():
    assert scb.scb_period("2025M01") == "2025-01"
    assert scb.scb_period("2024") == "2024"
    with pytest.raises(DataError):
        scb.scb_period("2025K1")


# --------------------------------------------------------------------------- series break
def test_join_population_marks_2025_break(v2):
    """Older monthly table (BefolkManad, to 2024M12) + TAB6471 (2025M01–): one series with a
    break at 2025-01; where both cover a month after the break, TAB6471 wins."""
    old_periods = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
    old = pd.DataFrame({"unit": "01", "unit_name": "Stockholms län", "period": old_periods,
                        "measure": "population", "value": np.arange(13.0) + 1000,
                        "status": "final", "source": "SCB BefolkManad"})
    new = pd.DataFrame({"unit": "01", "unit_name": "Stockholms län",
                        "period": ["2025-01", "2025-02"], "measure": "population",
                        "value": [2000.0, 2001.0], "status": "final", "source": "SCB TAB6471"})
    fixture = scb.to_panel(scb.parse_jsonstat2(_load(v2, "TAB6471_data.json")), "population",
                           filters={"Alder": "0-9", "Kon": "TotSa"})
    new = pd.concat([new, fixture[fixture.unit == "01"]], ignore_index=True)
    joined = scb.join_population(old, new)
    assert joined.attrs["series_break"] == "2025-01" == scb.POPULATION_BREAK
    assert (joined["series_break"] == "2025-01").all()
    s = joined.set_index("period")
    assert s.loc["2024-12", "value"] == 1011.0 and s.loc["2024-12", "source"] == "SCB BefolkManad"
    assert s.loc["2025-01", "value"] == 2000.0 and s.loc["2025-01", "source"] == "SCB TAB6471"
    assert s.loc["2026-01", "value"] == 245284
    assert not joined.duplicated(["unit", "period", "measure"]).any()
    assert len(joined) == 12 + 2 + 4
    with pytest.raises(DataError):
        scb.join_population(old.assign(measure="x"), new)


# --------------------------------------------------------------------------- fetching over HTTP
def _raw_files(table: str = ""):
    folder = paths.raw_dir() / "scb"
    return sorted(p for p in folder.glob(f"{table}*.json") if not p.name.endswith(".json.json"))


def _quick_fetch():
    return functools.partial(http.fetch_json, backoff=0.001, retries=2, timeout=5)


def test_fetch_table_over_local_http_stores_raw_and_works_offline(v2):
    """Serve the recorded TAB6471 answer (after one 503) on 127.0.0.1: the loader retries, sends
    the selection as valueCodes[...] parameters, stores the answer as received with its HTTP
    status, and ``offline=True`` rereads it without a request."""
    body = (v2 / "TAB6471_data.json").read_bytes()
    route = "/api/v2/tables/TAB6471/data"
    selection = {"Region": ["01", "03"], "Alder": ["0-9"], "Kon": ["TotSa"],
                 "ContentsCode": ["000007SF"], "Tid": "top(4)"}
    with LocalServer({route: [Reply(503), Reply(200, {"Content-Type": "application/json"}, body)],
                      "/api/v2/config": [Reply(200, {}, (v2 / "config.json").read_bytes())]}) as s:
        base = s.url("/api/v2")
        config = scb.read_config(base_url=base, fetch_json=_quick_fetch())
        frame = scb.fetch_table("TAB6471", selection, base_url=base, fetch_json=_quick_fetch(),
                                limiter=config.rate_limiter())
        assert s.hits(route) == 2
        query = s.requests[-1].query
    assert config.max_calls == 3
    assert query["valueCodes[Region]"] == ["01,03"] and query["valueCodes[Tid]"] == ["top(4)"]
    assert query["outputFormat"] == ["json-stat2"]
    assert frame.shape == (2772, 8)
    raw_file = frame.attrs["raw_file"]
    assert open(raw_file, "rb").read() == body  # stored exactly as received
    meta = store.read_raw_meta(raw_file)
    assert meta["meta"]["http_status"] == 200 and meta["meta"]["table"] == "TAB6471"
    assert meta["sha256"] == store.sha256_bytes(body)
    offline = scb.fetch_table("TAB6471", selection, offline=True)
    pd.testing.assert_frame_equal(offline.drop(columns=[]), frame)
    assert scb.read_config(base_url=base, offline=True).max_calls == 3


@pytest.mark.parametrize("reply, match", [
    (Reply(200, {}, b'{"class": "dataset", "id": ["Region"]'), "JSON"),        # truncated
    (Reply(200, {}, b"<html>error</html>"), "JSON"),                          # invalid
    (Reply.json({"error": "changed"}), "json-stat2"),                          # changed schema
    (Reply(200, {}, b""), "tomt"),                                             # empty answer
    (Reply(500), "efter 3 försök .senast: HTTP 500"),                          # 5xx to the end
    (Reply(400, {}, b"Missing selection for mandantory variable"), "400"),     # bad request
])
def test_fetch_failures_are_clear_and_leave_store_intact(v2, reply, match):
    """Each failure raises one sentence — a DataError for a wrong answer or request, a
    SourceUnavailable (exit code 1) when SCB keeps failing; the stored answer of an earlier
    good fetch is unchanged and still what offline mode reads."""
    good = _dataset([1.0, 2.0, 3.0, 4.0])
    route = "/api/v2/tables/TABFAIL/data"
    selection = {"Region": ["00", "1984"], "ContentsCode": ["X1"], "Tid": ["2025M01", "2025M02"]}
    with LocalServer({route: [Reply.json(good), reply]}) as s:
        base = s.url("/api/v2")
        first = scb.fetch_table("TABFAIL", selection, base_url=base, fetch_json=_quick_fetch())
        before = {p: p.read_bytes() for p in _raw_files("TABFAIL")}
        with pytest.raises(EvaluationError, match=match) as info:
            scb.fetch_table("TABFAIL", selection, base_url=base, fetch_json=_quick_fetch())
    expected = SourceUnavailable if reply.status >= 500 else DataError
    assert isinstance(info.value, expected)
    after = {p: p.read_bytes() for p in _raw_files("TABFAIL")}
    assert after == before
    again = scb.fetch_table("TABFAIL", selection, offline=True)
    pd.testing.assert_frame_equal(again, first)


def test_offline_without_stored_answer_is_clear():
    with pytest.raises(DataError, match="--offline"):
        scb.fetch_table("TABNONE", {"Tid": ["2025M01"]}, offline=True)


def test_empty_cell_answer_is_an_error():
    """A json-stat2 answer with no cells (an empty selection) is not silently accepted."""
    empty = _dataset([], regions=(), labels={})
    with LocalServer({"/t/tables/TABEMPTY/data": [Reply.json(empty)]}) as s:
        with pytest.raises(DataError, match="inga celler|utan några celler"):
            scb.fetch_table("TABEMPTY", {"Region": ["9999"]}, base_url=s.url("/t"),
                            fetch_json=_quick_fetch())
    assert _raw_files("TABEMPTY") == []


# --------------------------------------------------------------------------- issue 14
def _all_raw():
    folder = paths.raw_dir()
    return {str(p.relative_to(folder)): store.sha256_file(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_an_unchanged_answer_writes_no_new_file_and_a_b_a_reads_the_last():
    """Issue 14 §2: the same answer as the newest stored one stores nothing ("unchanged"); an
    answer equal to an older one (A, B, A) becomes the newest again, for offline too."""
    a, b = _dataset([1.0, 2.0, 3.0, 4.0]), _dataset([1.0, 2.0, 3.0, 5.0])
    route = "/api/v2/tables/TABSAME/data"
    selection = {"Region": ["00", "1984"], "ContentsCode": ["X1"], "Tid": ["2025M01", "2025M02"]}
    with LocalServer({route: [Reply.json(a), Reply.json(a), Reply.json(b), Reply.json(a)]}) as s:
        def get():
            return scb.fetch_table("TABSAME", selection, base_url=s.url("/api/v2"),
                                   fetch_json=_quick_fetch())

        first = get()
        stored = _all_raw()
        again = get()
        assert _all_raw() == stored and s.hits(route) == 2
        changed, back = get(), get()
    assert [f.attrs["unchanged"] for f in (first, again, changed, back)] == [
        False, True, False, False]
    assert again.attrs["raw_file"] == first.attrs["raw_file"] == back.attrs["raw_file"]
    offline = scb.fetch_table("TABSAME", selection, offline=True)
    assert offline["value"].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_values_as_text_are_read_or_refused_naming_the_cell():
    """Issue 14 §3: "253,9" and no-break-space thousands are numbers, a symbol in place of the
    value is no value, and any other text is refused naming table, cell and value — before
    anything is stored."""
    frame = scb.parse_jsonstat2(_dataset(["253,9", "1\u202f234,5", "..", 7]))
    assert frame["value"].tolist()[:2] == [253.9, 1234.5] and frame["value"].iloc[3] == 7.0
    assert frame["status"].tolist() == ["final", "final", "suppressed", "final"]
    with pytest.raises(DataError) as info:
        scb.parse_jsonstat2(_dataset([1.0, 2.0, "ca 250", 4.0]), where="TAB6471")
    assert str(info.value).startswith(
        "SCB:s svar (TAB6471) har värdet 'ca 250' i cellen Region 1984, ContentsCode X1, "
        "Tid 2025M01, som inte är ett tal")
    assert "in the cell Region 1984, ContentsCode X1, Tid 2025M01" in info.value.text("en")
    route = "/api/v2/tables/TABTEXT/data"
    with LocalServer({route: [Reply.json(_dataset([1.0, "1,234,5", 3.0, 4.0]))]}) as s:
        with pytest.raises(DataError, match=r"TABTEXT.*'1,234,5' i cellen Region 00"):
            scb.fetch_table("TABTEXT", {"Region": ["00", "1984"], "ContentsCode": ["X1"],
                                        "Tid": ["2025M01", "2025M02"]},
                            base_url=s.url("/api/v2"), fetch_json=_quick_fetch())
    assert _raw_files("TABTEXT") == []
    v1 = {"columns": [{"code": "Region", "type": "d"}, {"code": "Tid", "type": "t"},
                      {"code": "X1", "type": "c"}],
          "data": [{"key": ["1984", "2024"], "values": ["1 234,5"]},
                   {"key": ["1984", "2025"], "values": [".."]}]}
    assert scb.parse_pxweb_v1(v1)["X1"].tolist()[0] == 1234.5
    v1["data"][1]["values"] = ["n/a"]
    with pytest.raises(DataError, match=r"'n/a' för X1 \(Region 1984, Tid 2025\)"):
        scb.parse_pxweb_v1(v1)
