"""Format-faithful metadata answers of Kolada v3 and SCB PxWebApi v2, for tests.

Builders (functions with parameters, so end-to-end tests can reuse them) and helpers that serve
them on :class:`tests.sources._server.LocalServer`.

Kolada (``/v3/kpi``, ``/v3/municipality``, ``/v3/municipality_groups``)
    Rows come from the real lists in ``../shared/data/kolada/`` (the catalogue, the 312
    municipalities and regions, the 3 630 groups; see the shared README), restricted to the ids
    a test asks for, and are wrapped in Kolada's v3 envelope ``{"count", "values", "next_url",
    "previous_url"}`` (``fixtures/API_NOTES.md``); ``next_url`` is absolute, as Kolada sends it.
    Groups carry ``members: [{member_id, member_title}]``. Field types of a KPI row follow
    v3 clients' tests (xemarap/koladapy and others): booleans for ``is_divided_by_gender`` and
    ``has_ou_data``, dates as strings or ``null``; the values themselves are real.

SCB (``/tables/TAB6260/metadata``, ``/codeLists/<id>``, ``/config``)
    :func:`scb_tab6260_metadata` is **reconstructed**, not recorded: it follows the exact
    structure of the real recorded ``fixtures/scb_pxweb_v2/TAB6471_metadata.json`` (json-stat2
    without values, ``extension.elimination`` / ``codelists`` per dimension, ``extension.px``
    for the table), filled with what public scripts say about TAB6260, the BAS monthly table
    "ArbStatusM" (AM0210A). See the function for which codes are confirmed and which are not.
    :func:`scb_codelist` is reconstructed from PxWebApi v2's ``CodeListResponse`` schema
    (``{id, label, language, type, values: [{code, label, valueMap}], links}``).
    :func:`scb_config` is the real recorded ``/config`` answer.

Every builder that reads ``../shared/data`` (or ``$EVALUATION_SHARED_DATA``) skips the calling
test cleanly when the folder is absent.
"""

from __future__ import annotations

import csv
import json
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from ._server import LocalServer, Reply

__all__ = [
    "KOLADA_KPI_IDS",
    "TAB6260_CONTENTS",
    "TAB6260_VARIABLES",
    "kolada_group_pages",
    "kolada_group_rows",
    "kolada_kpi_pages",
    "kolada_kpi_rows",
    "kolada_municipality_pages",
    "kolada_municipality_rows",
    "kolada_pages",
    "months",
    "scb_codelist",
    "scb_config",
    "scb_regions",
    "scb_tab6260_data",
    "scb_tab6260_metadata",
    "serve",
    "serve_kolada",
    "serve_scb",
    "shared_file",
]

#: KPIs most tests need: biståndshushåll, långvarigt bistånd, BAS arbetslöshet, invånare,
#: kostnad ekonomiskt bistånd.
KOLADA_KPI_IDS = ("N31910", "N31816", "N03941", "N01951", "N31001")
PER_PAGE = 5000


# --------------------------------------------------------------------------- shared data
def shared_file(*parts: str) -> Path:
    """A file under the shared data folder; skips the calling test when it is absent."""
    from evaluation.paths import shared_data_dir

    path = shared_data_dir().joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"public reference data not found: {path} (set EVALUATION_SHARED_DATA)")
    return path


@lru_cache(maxsize=None)
def _csv(*parts: str) -> tuple[dict[str, str], ...]:
    with open(shared_file(*parts), encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


# --------------------------------------------------------------------------- Kolada
def _bool(text: str) -> bool | str:
    return {"true": True, "false": False}.get(str(text).strip().lower(), text)


def kolada_kpi_rows(ids: Iterable[str] = KOLADA_KPI_IDS) -> list[dict[str, Any]]:
    """Catalogue rows of ``ids`` as ``/v3/kpi`` sends them (real titles and fields)."""
    wanted = list(dict.fromkeys(ids))
    rows = {r["id"]: r for r in _csv("kolada", "kolada_kpi_catalog.csv") if r["id"] in wanted}
    missing = [i for i in wanted if i not in rows]
    if missing:
        raise KeyError(f"not in kolada_kpi_catalog.csv: {', '.join(missing)}")
    out = []
    for kpi in wanted:
        row: dict[str, Any] = dict(rows[kpi])
        for key in ("is_divided_by_gender", "has_ou_data"):
            row[key] = _bool(row[key])
        for key in ("prel_publication_date", "publication_date", "publ_period"):
            row[key] = row[key] or None
        out.append(row)
    return out


def kolada_municipality_rows(ids: Iterable[str] | None = None) -> list[dict[str, str]]:
    """``/v3/municipality`` rows (id, title, type K/L); all 312 when ``ids`` is None."""
    rows = [dict(r) for r in _csv("kolada", "kolada_municipalities.csv")]
    if ids is None:
        return rows
    wanted = set(ids)
    return [r for r in rows if r["id"] in wanted]


def kolada_group_rows(ids: Iterable[str] = (),
                      title_contains: Iterable[str] = ()) -> list[dict[str, Any]]:
    """``/v3/municipality_groups`` rows ``{id, title, members: [{member_id, member_title}]}``:
    the groups with an id in ``ids`` or a title containing one of ``title_contains``
    (every group when both are empty)."""
    ids, texts = set(ids), [t.casefold() for t in title_contains]
    groups: dict[str, dict[str, Any]] = {}
    for r in _csv("kolada", "kolada_municipality_groups_long.csv"):
        title = r["group_title"]
        if (ids or texts) and r["group_id"] not in ids and not any(
                t in title.casefold() for t in texts):
            continue
        group = groups.setdefault(r["group_id"], {"id": r["group_id"], "title": title,
                                                  "members": []})
        group["members"].append({"member_id": r["member_id"], "member_title": r["member_title"]})
    return list(groups.values())


def kolada_pages(rows: Sequence[Any], url: str, *, pages: int = 1,
                 per_page: int = PER_PAGE) -> dict[str, dict[str, Any]]:
    """Kolada v3 envelopes of ``rows`` split into ``pages`` pages: {page URL: envelope}.

    The first page is ``url`` itself; page ``n`` is ``url?page=n&per_page=…``, the URL the
    previous page's ``next_url`` names (the last page has ``next_url: null``).
    """
    pages = max(1, min(pages, len(rows) or 1))
    size = -(-len(rows) // pages) if rows else 0
    chunks = [list(rows[i:i + size]) for i in range(0, len(rows), size)] if rows else [[]]

    def page_url(number: int) -> str:
        return url if number == 1 else f"{url}?page={number}&per_page={per_page}"

    out = {}
    for number, chunk in enumerate(chunks, start=1):
        out[page_url(number)] = {
            "count": len(rows),
            "values": chunk,
            "next_url": page_url(number + 1) if number < len(chunks) else None,
            "previous_url": page_url(number - 1) if number > 1 else None,
        }
    return out


def kolada_kpi_pages(ids: Iterable[str] = KOLADA_KPI_IDS, *, base_url: str,
                     pages: int = 1) -> dict[str, dict[str, Any]]:
    """``/v3/kpi`` pages for ``ids``; ``base_url`` is the API root, e.g. ``server.url("/v3")``."""
    return kolada_pages(kolada_kpi_rows(ids), f"{base_url.rstrip('/')}/kpi", pages=pages)


def kolada_municipality_pages(ids: Iterable[str] | None = None, *, base_url: str,
                              pages: int = 1) -> dict[str, dict[str, Any]]:
    """``/v3/municipality`` pages (all 312 units when ``ids`` is None)."""
    return kolada_pages(kolada_municipality_rows(ids), f"{base_url.rstrip('/')}/municipality",
                        pages=pages)


def kolada_group_pages(ids: Iterable[str] = (), title_contains: Iterable[str] = (), *,
                       base_url: str, pages: int = 1) -> dict[str, dict[str, Any]]:
    """``/v3/municipality_groups`` pages for the groups :func:`kolada_group_rows` selects."""
    return kolada_pages(kolada_group_rows(ids, title_contains),
                        f"{base_url.rstrip('/')}/municipality_groups", pages=pages)


# --------------------------------------------------------------------------- SCB
#: ContentsCode of TAB6260. 000006II (arbetslöshet) and 000006IK (sysselsättningsgrad) are
#: named in public project docs; 000006IJ (arbetskraftsdeltagande), 000004YH (antal
#: arbetslösa) and 000006HI (antal sysselsatta) in public scripts' queries of ArbStatusM.
#: The labels and the order are reconstructed (unconfirmed).
TAB6260_CONTENTS: dict[str, tuple[str, str, int]] = {  # code: (label, unit, decimals)
    "000006II": ("arbetslöshet (andel arbetslösa av arbetskraften), procent", "procent", 1),
    "000006IJ": ("arbetskraftsdeltagande, procent", "procent", 1),
    "000006IK": ("sysselsättningsgrad, procent", "procent", 1),
    "000004YH": ("antal arbetslösa", "antal", 0),
    "000006HI": ("antal sysselsatta", "antal", 0),
}
#: The other variables of TAB6260: (label, elimination, {code: label}). Codes used in public
#: scripts' queries: Kon 1+2/1/2, Alder 20-64/15-74, Fodelseregion tot/in/ut; the other age
#: bands, every label and the elimination flags are reconstructed (unconfirmed). The labels use
#: an en dash ("20–64 år"), as Region Dalarna's scripts convert to when selecting by text.
TAB6260_VARIABLES: dict[str, tuple[str, bool, dict[str, str]]] = {
    "Kon": ("kön", True, {"1+2": "totalt", "1": "män", "2": "kvinnor"}),
    "Alder": ("ålder", False, {
        "15-74": "15–74 år", "16-64": "16–64 år", "16-65": "16–65 år", "20-64": "20–64 år",
        "20-65": "20–65 år", "16-19": "16–19 år", "20-24": "20–24 år", "25-34": "25–34 år",
        "35-44": "35–44 år", "45-54": "45–54 år", "55-64": "55–64 år", "65-74": "65–74 år"}),
    "Fodelseregion": ("födelseregion", True, {"tot": "totalt", "in": "inrikes född",
                                              "ut": "utrikes född"}),
}
#: Region codelists (vs_RegionKommun07 as in the API notes' selection example; the other two
#: are unconfirmed).
TAB6260_CODELISTS = (("vs_RegionRiket99", "riket"), ("vs_RegionLän07", "län"),
                     ("vs_RegionKommun07", "kommuner"))


def months(first: str = "2020M01", last: str = "2025M12") -> list[str]:
    """SCB month codes from ``first`` to ``last``: ``["2020M01", …]``."""
    y, m = int(first[:4]), int(first[5:])
    ly, lm = int(last[:4]), int(last[5:])
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y}M{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def scb_regions(regions: Iterable[str] | None = None) -> dict[str, str]:
    """SCB's Region codes with labels in SCB's order: ``00`` Riket, then each län followed by
    its kommuner (the real 290 kommuner and 21 län); only ``regions`` when given."""
    ordered: dict[str, str] = {"00": "Riket"}
    for row in _csv("sweden", "kommunkoder_290_lan_skrgrupp.csv"):
        ordered.setdefault(row["lan_kod"], row["lan"])
        ordered[row["kommunkod"]] = row["kommun"]
    if regions is None:
        return ordered
    wanted = set(regions)
    unknown = wanted - set(ordered)
    if unknown:
        raise KeyError(f"not a region code: {', '.join(sorted(unknown))}")
    return {c: label for c, label in ordered.items() if c in wanted}


def _codelist_refs(base: str, items: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"id": cid, "label": label, "type": "Valueset", "links": [{
        "rel": "metadata", "hreflang": "sv",
        "href": f"{base}/codeLists/{cid}?lang=sv"}]} for cid, label in items]


def _dimension(label: str, codes: Mapping[str, str], extension: dict[str, Any],
               unit: Mapping[str, Any] | None = None) -> dict[str, Any]:
    category: dict[str, Any] = {"index": {c: i for i, c in enumerate(codes)},
                                "label": dict(codes)}
    if unit is not None:
        category["unit"] = dict(unit)
    return {"label": label, "category": category, "extension": extension}


def scb_tab6260_metadata(periods: Sequence[str] | None = None,
                         regions: Iterable[str] | None = None, *,
                         contents: Iterable[str] | None = None,
                         updated: str = "2026-06-12T06:00:00Z",
                         base: str = "https://statistikdatabasen.scb.se/api/v2") -> dict[str, Any]:
    """``GET /tables/TAB6260/metadata`` — **reconstructed** json-stat2 metadata.

    TAB6260 is SCB's monthly register-based labour market statistics (BAS) per kommun, the
    v1 table ``AM/AM0210/AM0210A/ArbStatusM`` (public scripts, e.g. Region Dalarna's, query it
    under both names). The *structure* is copied from the real recorded TAB6471 metadata:
    top-level version/class/label/source/updated/note/role/id/size/dimension/extension/value,
    per dimension ``category.index`` / ``category.label`` and ``extension.elimination``,
    ``show``, ``codelists``; ContentsCode with ``category.unit`` and ``extension.refperiod``
    etc.; table-level ``extension.px``.

    Confirmed by public scripts: the variable codes Region, Kon, Alder, Fodelseregion,
    ContentsCode, Tid; ContentsCode 000006II = arbetslöshet (share unemployed) and 000004YH =
    number unemployed (as used in public scripts); the codes listed in
    :data:`TAB6260_VARIABLES`' comment; Region = kommun codes (the real 290 and 21 län from
    ``sweden/kommunkoder_290_lan_skrgrupp.csv``) with the codelist vs_RegionKommun07; Tid
    monthly from 2020M01. **Unconfirmed**: the labels, the order of codes, the other age bands,
    the elimination flags (Alder mandatory here, like TAB6471), the two other codelists, the
    table label and ``extension.px`` details.

    Parameters
    ----------
    periods
        Tid codes (default 2020M01–2025M12, see :func:`months`).
    regions
        Region codes (default: riket, every län and kommun).
    contents
        ContentsCode subset (default all of :data:`TAB6260_CONTENTS`).
    """
    periods = list(periods or months())
    region_codes = scb_regions(regions)
    chosen = list(contents or TAB6260_CONTENTS)
    dims: dict[str, dict[str, Any]] = {
        "Region": _dimension("region", region_codes, {
            "elimination": True, "show": "code_value",
            "codelists": _codelist_refs(base, TAB6260_CODELISTS)}),
    }
    for var, (label, elimination, codes) in TAB6260_VARIABLES.items():
        dims[var] = _dimension(label, codes, {"elimination": elimination, "show": "value",
                                              "codelists": []})
    labels = {c: TAB6260_CONTENTS[c][0] for c in chosen}
    dims["ContentsCode"] = _dimension(
        "tabellinnehåll", labels,
        {"elimination": False, "refperiod": {c: "Respektive månad" for c in chosen},
         "show": "value", "codelists": [],
         "measuringType": {c: "Stock" for c in chosen},
         "priceType": {c: "NotApplicable" for c in chosen},
         "adjustment": {c: "None" for c in chosen},
         "alternativeText": dict(labels)},
        unit={c: {"base": TAB6260_CONTENTS[c][1], "decimals": TAB6260_CONTENTS[c][2]}
              for c in chosen})
    dims["Tid"] = _dimension("månad", {p: p for p in periods},
                             {"elimination": False, "show": "code", "codelists": []})
    ids = list(dims)
    return {
        "version": "2.0",
        "class": "dataset",
        "label": ("Arbetsmarknadsstatus (BAS) efter region, kön, ålder och födelseregion. "
                  f"Månad {periods[0]}-{periods[-1]}"),
        "source": "SCB",
        "updated": updated,
        "note": ["Uppgifterna för de senaste månaderna är preliminära."],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": ids,
        "size": [len(dims[d]["category"]["index"]) for d in ids],
        "dimension": dims,
        "extension": {
            "noteMandatory": {"0": True},
            "px": {
                "infofile": "AM0210", "tableid": "TAB6260", "decimals": 1,
                "official-statistics": True, "aggregallowed": False, "copyright": False,
                "language": "sv", "contents": "Arbetsmarknadsstatus",
                "descriptiondefault": False, "heading": ["ContentsCode", "Tid"],
                "stub": ["Region", "Kon", "Alder", "Fodelseregion"], "matrix": "TAB6260",
                "subject-code": "AM", "subject-area": "Arbetsmarknad",
            },
            "contact": [{"name": "Statistikservice", "organization": "SCB",
                         "phone": "010-479 50 00", "mail": "information@scb.se",
                         "raw": " Statistikservice, SCB# +46 010-479 50 00#information@scb.se"}],
        },
        "value": [],
    }


def scb_codelist(codelist_id: str = "vs_RegionKommun07",
                 regions: Iterable[str] | None = None) -> dict[str, Any]:
    """``GET /codeLists/<id>`` — **reconstructed** from PxWebApi v2's CodeListResponse schema.

    ``vs_RegionKommun07`` holds the kommuner (four digits), ``vs_RegionLän07`` the län (two
    digits), ``vs_RegionRiket99`` riket (``00``); ``regions`` restricts them.
    """
    all_regions = scb_regions(regions)
    if "Kommun" in codelist_id:
        codes = {c: t for c, t in all_regions.items() if len(c) == 4}
    elif "Län" in codelist_id or "Lan" in codelist_id:
        codes = {c: t for c, t in all_regions.items() if len(c) == 2 and c != "00"}
    else:
        codes = {c: t for c, t in all_regions.items() if c == "00"}
    label = dict(TAB6260_CODELISTS).get(codelist_id, codelist_id)
    return {
        "id": codelist_id, "label": label, "language": "sv", "languages": ["sv", "en"],
        "elimination": False, "type": "Valueset",
        "values": [{"code": c, "label": t, "valueMap": [c]} for c, t in codes.items()],
        "links": [{"rel": "self", "hreflang": "sv",
                   "href": f"https://statistikdatabasen.scb.se/api/v2/codeLists/{codelist_id}"
                           "?lang=sv"}],
    }


def scb_tab6260_data(values: Mapping[tuple[str, str], float | None], *,
                     contents: str = "000006II",
                     filters: Mapping[str, str] | None = None,
                     updated: str = "2026-06-12T06:00:00Z") -> dict[str, Any]:
    """A json-stat2 ``/tables/TAB6260/data`` answer (structure of the recorded TAB6471 data)
    for one ContentsCode and one code of each other variable.

    Parameters
    ----------
    values
        {(region, period): value}; ``None`` is a suppressed cell (status ``".."``). Regions and
        periods are taken in sorted order; missing combinations are suppressed cells too.
    filters
        {variable: code} for Kon, Alder, Fodelseregion (default 1+2, 20-64, tot).
    """
    chosen = {"Kon": "1+2", "Alder": "20-64", "Fodelseregion": "tot", **dict(filters or {})}
    region_codes = sorted({r for r, _p in values})
    period_codes = sorted({p for _r, p in values})
    region_labels = scb_regions(region_codes)
    dims: dict[str, dict[str, Any]] = {
        "Region": _dimension("region", {c: region_labels[c] for c in region_codes},
                             {"elimination": True, "show": "code_value"}),
    }
    for var, (label, elimination, codes) in TAB6260_VARIABLES.items():
        dims[var] = _dimension(label, {chosen[var]: codes[chosen[var]]},
                               {"elimination": elimination, "show": "value"})
    text, unit, decimals = TAB6260_CONTENTS[contents]
    dims["ContentsCode"] = _dimension("tabellinnehåll", {contents: text},
                                      {"elimination": False, "show": "value"},
                                      unit={contents: {"base": unit, "decimals": decimals}})
    dims["Tid"] = _dimension("månad", {p: p for p in period_codes},
                             {"elimination": False, "show": "code"})
    cells: list[float | None] = []
    status: dict[str, str] = {}
    for region in region_codes:  # row-major: Tid (last) varies fastest
        for period in period_codes:
            value = values.get((region, period))
            if value is None:
                status[str(len(cells))] = ".."
            cells.append(value)
    ids = list(dims)
    answer = {
        "version": "2.0", "class": "dataset",
        "label": "Arbetsmarknadsstatus efter region, kön, ålder, födelseregion och månad",
        "source": "SCB", "updated": updated, "note": [],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "id": ids, "size": [len(dims[d]["category"]["index"]) for d in ids],
        "dimension": dims,
        "extension": {"px": {"tableid": "TAB6260", "decimals": decimals, "language": "sv",
                             "contents": "Arbetsmarknadsstatus", "matrix": "TAB6260"}},
        "value": cells,
    }
    if status:
        answer["status"] = status
    return answer


def scb_config() -> dict[str, Any]:
    """The real recorded ``GET /config`` answer (fixtures/scb_pxweb_v2/config.json)."""
    return json.loads(shared_file("fixtures", "scb_pxweb_v2", "config.json")
                      .read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- serving
def serve(server: LocalServer, answers: Mapping[str, Any]) -> None:
    """Register {absolute URL or path: JSON payload} on ``server`` (one reply each)."""
    for url, payload in answers.items():
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        server.set(target, [Reply.json(payload)])


def serve_kolada(server: LocalServer, *, kpi_ids: Iterable[str] = KOLADA_KPI_IDS,
                 municipality_ids: Iterable[str] | None = None, group_ids: Iterable[str] = (),
                 group_titles: Iterable[str] = ("Arboga",), pages: int = 1,
                 root: str = "/v3") -> str:
    """Serve Kolada's three metadata lists on ``server``; return the API root URL to use as
    ``kolada_url`` / ``EVALUATION_KOLADA_URL``."""
    base = server.url(root)
    serve(server, kolada_kpi_pages(kpi_ids, base_url=base, pages=pages))
    serve(server, kolada_municipality_pages(municipality_ids, base_url=base, pages=pages))
    serve(server, kolada_group_pages(group_ids, group_titles, base_url=base, pages=pages))
    return base


def serve_scb(server: LocalServer, *, tables: Mapping[str, Mapping[str, Any]] | None = None,
              codelists: Mapping[str, Mapping[str, Any]] | None = None,
              root: str = "/api/v2", config: bool = True) -> str:
    """Serve ``/tables/<id>/metadata`` for ``tables`` (default TAB6260 from
    :func:`scb_tab6260_metadata`), ``/codeLists/<id>`` for ``codelists`` (default
    vs_RegionKommun07) and the recorded ``/config``; return the API root URL to use as
    ``scb_url`` / ``EVALUATION_SCB_URL``."""
    base = server.url(root)
    tables = {"TAB6260": scb_tab6260_metadata(base=base)} if tables is None else tables
    codelists = ({"vs_RegionKommun07": scb_codelist()} if codelists is None else codelists)
    answers: dict[str, Any] = {
        f"{root}/tables/{urllib.parse.quote(t, safe='')}/metadata": meta
        for t, meta in tables.items()}
    answers.update({f"{root}/codeLists/{urllib.parse.quote(c, safe='')}": body
                    for c, body in codelists.items()})
    if config:
        answers[f"{root}/config"] = scb_config()
    serve(server, answers)
    return base
