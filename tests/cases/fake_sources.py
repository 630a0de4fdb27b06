"""The synthetic world of :mod:`tests.cases.world`, served as the real sources serve it.

A real HTTP server on 127.0.0.1 answers in each source's documented format
(``../shared/data/fixtures/API_NOTES.md``):

* **Kolada API v3** under ``/kolada/v3``: ``/kpi``, ``/municipality``, ``/municipality_groups``
  (envelope ``{count, values, next_url, previous_url}``; the KPI catalogue, municipality list
  and groups are the real metadata copied into ``data/``) and
  ``/data/kpi/<ids>/municipality/<ids>/year/<years>`` with ``per_page``/``page`` paging through
  ``next_url``; rows ``{kpi, municipality, period, values: [{gender, count, status, value,
  isdeleted}]}``;
* **SCB PxWebApi v2** under ``/scb``: ``/config`` (the recorded answer's limits),
  ``/tables/TAB6260/metadata`` and ``/tables/TAB6260/data?valueCodes[..]=..`` answering
  json-stat2 — the BAS monthly table "ArbStatusM" as reconstructed offline (variables Region,
  Kon, Alder, Fodelseregion, ContentsCode, Tid as in :mod:`tests.sources.recorded_metadata`;
  ``000006II`` the unemployment share, ``000004YH`` the number unemployed; not confirmed
  against the live API); an unknown variable or code, or a mandatory variable left out, gets
  HTTP 400 as SCB answers;
* **Socialstyrelsen's monthly export** (:func:`write_socialstyrelsen_export`): the CSV layout of
  the statistikdatabas export with a Region column (``"1984 Arboga"``, ``"Riket"``), the year
  only on its first row, yearly totals, cp1252, decimal comma.

Requests are recorded so tests can check that a second ``update`` asks again.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd

from tests.cases.world import DATA, World
from tests.sources.recorded_metadata import TAB6260_CONTENTS, TAB6260_VARIABLES

MONTH_NAMES = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
               "september", "oktober", "november", "december"]
#: TAB6260 as reconstructed offline (not confirmed against the live API): the variables and
#: codes of :mod:`tests.sources.recorded_metadata`, which ``evaluation verify`` is tested on.
TAB6260_LABEL = "Arbetslösa och sysselsatta (BAS) efter region, kön, ålder, födelseregion och månad"
TAB6260 = {"Kon": TAB6260_VARIABLES["Kon"], "Alder": TAB6260_VARIABLES["Alder"],
           "Fodelseregion": TAB6260_VARIABLES["Fodelseregion"]}
#: How a group's unemployment share relates to the total (synthetic).
_FACTORS = {"Kon": {"1": 1.08, "2": 0.92}, "Alder": {"16-19": 1.9, "20-24": 1.6, "15-74": 0.95},
            "Fodelseregion": {"in": 0.7, "ut": 2.4}}


@dataclass
class FakeSources:
    """Kolada v3 and SCB PxWebApi v2 over the synthetic world, on an ephemeral port."""

    world: World
    per_page: int = 5000
    requests: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> FakeSources:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802
                owner._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                         daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def kolada_url(self) -> str:
        return f"{self.base}/kolada/v3"

    @property
    def scb_url(self) -> str:
        return f"{self.base}/scb"

    # ------------------------------------------------------------------ routing
    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        self.requests.append(handler.path)
        try:
            if path.startswith("/kolada/v3/"):
                status, payload = self._kolada(path[len("/kolada/v3/"):], query)
            elif path.startswith("/scb/"):
                status, payload = self._scb(path[len("/scb/"):], query)
            else:
                status, payload = 404, {"error": "not found"}
        except Exception as exc:  # a bug in the fake must not hang the client
            status, payload = 500, {"error": repr(exc)}
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    # ------------------------------------------------------------------ Kolada v3
    def _envelope(self, rows: list[Any], query: dict[str, list[str]], url: str) -> dict:
        per_page = int(query.get("per_page", [self.per_page])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = rows[(page - 1) * per_page: page * per_page]
        more = page * per_page < len(rows)
        return {"count": len(chunk), "values": chunk,
                "next_url": f"{url}?per_page={per_page}&page={page + 1}" if more else None,
                "previous_url": f"{url}?per_page={per_page}&page={page - 1}" if page > 1
                else None}

    def _kolada(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        url = f"{self.kolada_url}/{path}"
        if path == "kpi":
            catalog = pd.read_csv(DATA / "kolada_kpi.csv", dtype=str).fillna("")
            return 200, self._envelope(catalog.to_dict(orient="records"), query, url)
        if path == "municipality":
            rows = pd.read_csv(DATA / "kolada_municipalities.csv", dtype=str)
            return 200, self._envelope(rows.to_dict(orient="records"), query, url)
        if path == "municipality_groups":
            groups = pd.read_csv(DATA / "kolada_groups.csv", dtype=str)
            rows = [{"id": gid, "title": g["group_title"].iloc[0],
                     "members": [{"member_id": m, "member_title": t}
                                 for m, t in zip(g["member_id"], g["member_title"], strict=True)]}
                    for gid, g in groups.groupby("group_id", sort=True)]
            return 200, self._envelope(rows, query, url)
        match = re.fullmatch(r"data/kpi/([^/]+)/municipality/([^/]+)(?:/year/([^/]+))?", path)
        if not match:
            return 404, {"error": f"unknown path {path}"}
        kpis, units = match.group(1).split(","), match.group(2).split(",")
        years = ([int(y) for y in match.group(3).split(",")] if match.group(3)
                 else sorted({int(y) for f in self.world.kolada.values() for y in f.index}))
        rows = []
        for kpi in kpis:
            for unit in units:
                for year in years:
                    value = self.world.kolada_value(kpi, unit, year)
                    if value is None:
                        continue
                    rows.append({"kpi": kpi, "municipality": unit, "period": year,
                                 "values": [{"gender": "T", "count": 1, "status": "",
                                             "value": value, "isdeleted": False}]})
        return 200, self._envelope(rows, query, url)

    # ------------------------------------------------------------------ SCB v2
    def _scb(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        if path == "config":
            return 200, {"apiVersion": "2.2.0", "maxDataCells": 150000,
                         "maxCallsPerTimeWindow": 30, "timeWindow": 10,
                         "defaultDataFormat": "json-stat2",
                         "license": "https://creativecommons.org/share-your-work/public-domain/cc0/"}
        match = re.fullmatch(r"tables/([A-Za-z0-9_]+)/(data|metadata)", path)
        if not match or match.group(1) != "TAB6260":
            return 404, {"type": "Not found", "title": f"No table {path}"}
        dims = self._tab6260_dimensions()
        if match.group(2) == "metadata":
            return 200, _jsonstat(TAB6260_LABEL, dims, None)
        chosen: dict[str, list[str]] = {}
        for key, values in query.items():
            found = re.fullmatch(r"valueCodes\[(\w+)\]", key)
            if not found:
                continue
            variable = found.group(1)
            if variable not in dims:
                return 400, {"title": f"Unknown variable {variable}"}
            codes = values[0].split(",")
            if codes == ["*"]:
                codes = list(dims[variable]["codes"])
            unknown = [c for c in codes if c not in dims[variable]["codes"]]
            if unknown:
                return 400, {"title": f"Unknown value(s) {unknown} for {variable}"}
            chosen[variable] = codes
        missing = [v for v in ("Tid", "ContentsCode") if v not in chosen]
        if missing:
            return 400, {"title": f"Missing selection for mandantory variable {missing[0]}"}
        mandatory = [v for v in dims if not dims[v]["elimination"] and v not in chosen]
        if mandatory:
            return 400, {"title": f"Missing selection for mandantory variable {mandatory[0]}"}
        for variable in dims:  # eliminated: SCB answers the total (here the first code)
            chosen.setdefault(variable, list(dims[variable]["codes"])[:1])
        return 200, self._tab6260_data(dims, chosen)

    def _tab6260_dimensions(self) -> dict[str, dict[str, Any]]:
        units = self.world.units
        regions = {"00": "Riket"}
        for lan, group in units.groupby("lan", sort=True):
            regions[lan] = group["lan_name"].iloc[0]
            regions.update(dict(zip(group["code"], group["name"], strict=True)))
        times = {p.replace("-", "M"): p.replace("-", "M") for p in self.world.unemployment.index}
        dims: dict[str, dict[str, Any]] = {"Region": {"label": "region", "codes": regions,
                                                      "elimination": True}}
        for name, (label, elimination, codes) in TAB6260.items():
            dims[name] = {"label": label, "codes": dict(codes), "elimination": elimination}
        dims["ContentsCode"] = {"label": "tabellinnehåll", "elimination": False,
                                "codes": {c: v[0] for c, v in TAB6260_CONTENTS.items()}}
        dims["Tid"] = {"label": "månad", "codes": times, "elimination": False}
        return dims

    def _rate(self, region: str, period: str) -> float:
        u = self.world.unemployment
        if region in u.columns:
            return float(u.at[period, region])
        members = self.world.units.loc[self.world.units["lan"] == region, "code"]
        weights = self.world.population[members]
        return float((u.loc[period, members] * weights).sum() / weights.sum())

    def _tab6260_data(self, dims: dict[str, Any], chosen: dict[str, list[str]]) -> dict:
        order = list(dims)
        selected = {d: {**dims[d], "codes": {c: dims[d]["codes"][c] for c in chosen[d]}}
                    for d in order}
        values = []
        import itertools

        for combo in itertools.product(*(chosen[d] for d in order)):
            cell = dict(zip(order, combo, strict=True))
            factor = 1.0
            for variable, table in _FACTORS.items():
                factor *= table.get(cell[variable], 1.0)
            share = round(self._rate(cell["Region"], cell["Tid"].replace("M", "-")) * factor, 1)
            if cell["ContentsCode"] == "000006II":
                values.append(share)
            elif cell["ContentsCode"] == "000004YH":
                values.append(round(share / 100 * self._labour_force(cell["Region"])))
            else:
                values.append(None)
        return _jsonstat(TAB6260_LABEL, selected, values)

    def _labour_force(self, region: str) -> float:
        pop = self.world.population
        if region == "00":
            return float(pop.sum() * 0.5)
        if region in pop.index:
            return float(pop[region] * 0.5)
        members = self.world.units.loc[self.world.units["lan"] == region, "code"]
        return float(pop[members].sum() * 0.5)


def _jsonstat(label: str, dims: dict[str, Any], values: list[Any] | None) -> dict[str, Any]:
    """A json-stat2 dataset (metadata when ``values`` is None), shaped like SCB's answers."""
    ids = list(dims)
    out: dict[str, Any] = {
        "version": "2.0", "class": "dataset", "label": label, "source": "SCB",
        "updated": "2024-11-20T07:00:00Z",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "id": ids, "size": [len(dims[d]["codes"]) for d in ids],
        "dimension": {
            d: {"label": dims[d]["label"],
                "category": {"index": {c: i for i, c in enumerate(dims[d]["codes"])},
                             "label": dict(dims[d]["codes"])},
                "extension": {"elimination": bool(dims[d].get("elimination")),
                              "show": "value", "codelists": []}}
            for d in ids},
        "extension": {"px": {"tableid": "TAB6260", "matrix": "ArbStatusM", "language": "sv",
                             "contents": "Arbetslösa"}},
    }
    if values is not None:
        out["value"] = values
    return out


def write_socialstyrelsen_export(world: World, path: Path, *, last: str | None = None,
                                 suppress: dict[tuple[str, str], str] | None = None) -> Path:
    """The monthly households export (one file, every kommun and Riket) in the layout of
    Socialstyrelsen's statistikdatabas export: ``Region;År;Månad;Antal hushåll;Utbetalt
    ekonomiskt bistånd tkr``, the region and the year written only on their first row, a
    ``Totalt`` row per year, cp1252, decimal comma. ``last`` cuts the file at that month (an
    earlier download); ``suppress`` masks cells with the given token (e.g. "..")."""
    frame = world.households if last is None else world.households.loc[:last]
    names = {"00": "Riket", **dict(zip(world.units["code"], world.units["name"], strict=True))}
    lines = ["Region;År;Månad;Antal hushåll;Utbetalt ekonomiskt bistånd tkr"]
    for code in ["00", *world.units["code"]]:
        region = names[code] if code == "00" else f"{code} {names[code]}"
        first_region = True
        for year, block in frame[code].groupby(frame.index.str[:4]):
            first_year = True
            for period, value in block.items():
                token = (suppress or {}).get((code, period))
                count = token if token is not None else f"{int(value)}"
                paid = "" if token is not None else f"{value * 9.1:.1f}".replace(".", ",")
                lines.append(";".join([region if first_region else "",
                                       year if first_year else "",
                                       MONTH_NAMES[int(period[5:]) - 1], count, paid]))
                first_region = first_year = False
            total = block.sum()
            lines.append(f";;Totalt;{int(total)};{f'{total * 9.1:.1f}'.replace('.', ',')}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def national_ratio(world: World, first: str, second: str, *, without: str) -> float:
    """The comparison series' ratio between two months without one kommun."""
    h = world.households
    codes = [c for c in world.units["code"] if c != without]
    return float(h.loc[second, codes].sum() / h.loc[first, codes].sum())


